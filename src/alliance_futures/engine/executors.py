"""Executors: where chunks of futures are simulated.

An executor has one method, `run(fn, tasks, shared)`: it makes the mapping `shared` (large inputs that every task
reads, such as the sampled parameters) available to `fn` through `shared_inputs()`, and yields (task index, result)
pairs as tasks finish. Results never depend on the executor (see `streams`). A distributed executor (for example on
Dask, broadcasting `shared` once per worker) needs only the same method.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Protocol

_SHARED: dict[str, Any] = {}
PARENT_CHECK_SECONDS = 0.5  # how often a worker checks that the process it works for is still running


def shared_inputs() -> Mapping[str, Any]:
    """The `shared` mapping of the run this process is working on."""
    return _SHARED


def _install(shared: Mapping[str, Any]) -> None:
    _SHARED.clear()
    _SHARED.update(shared)


def _start_worker(shared: Mapping[str, Any], parent: int) -> None:
    """A pool worker's start: install `shared`, and exit when the parent process is gone (killed, or killed for
    want of memory), instead of waiting forever, orphaned, on a pipe nobody writes to."""
    _install(shared)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class Executor(Protocol):
    def run(
        self, fn: Callable[[Any], Any], tasks: Sequence[Any], shared: Mapping[str, Any]
    ) -> Iterator[tuple[int, Any]]: ...


class SerialExecutor:
    """Runs tasks one after another in this process."""

    def run(
        self, fn: Callable[[Any], Any], tasks: Sequence[Any], shared: Mapping[str, Any]
    ) -> Iterator[tuple[int, Any]]:
        _install(shared)
        try:
            for i, task in enumerate(tasks):
                yield i, fn(task)
        finally:
            _install({})


class ProcessExecutor:
    """Runs tasks on a pool of local worker processes, started for each run. Where the platform can fork (Linux),
    workers inherit `shared` from this process's memory instead of receiving a copy through a pipe."""

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1

    def run(
        self, fn: Callable[[Any], Any], tasks: Sequence[Any], shared: Mapping[str, Any]
    ) -> Iterator[tuple[int, Any]]:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        with ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_start_worker,
            initargs=(shared, os.getpid()),
        ) as pool:
            pending = {pool.submit(fn, task): i for i, task in enumerate(tasks)}
            try:
                for done in as_completed(pending):
                    yield pending[done], done.result()
            finally:
                for future in pending:
                    future.cancel()


def make_executor(workers: int) -> Executor:
    """One process runs in this process; more use a local pool."""
    return SerialExecutor() if workers <= 1 else ProcessExecutor(workers)
