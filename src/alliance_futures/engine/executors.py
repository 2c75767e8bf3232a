"""Executors: where chunks of futures are simulated. Each is a context manager with one method, `run`, that
yields (task index, result) pairs as tasks finish; results never depend on the executor (see `streams`).

A distributed executor (for example on Dask) only needs the same two-line interface.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Protocol


class Executor(Protocol):
    def run(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


class SerialExecutor:
    """Runs tasks one after another in this process."""

    def run(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        for i, task in enumerate(tasks):
            yield i, fn(task)

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class ProcessExecutor:
    """Runs tasks on a pool of local worker processes."""

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def run(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        if self._pool is None:
            raise RuntimeError("use ProcessExecutor as a context manager: `with ProcessExecutor(2) as ex: ...`")
        pending = {self._pool.submit(fn, task): i for i, task in enumerate(tasks)}
        for done in as_completed(pending):
            yield pending[done], done.result()

    def __enter__(self) -> ProcessExecutor:
        self._pool = ProcessPoolExecutor(max_workers=self.workers)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def make_executor(workers: int) -> Executor:
    """One process runs in this process; more use a local pool."""
    return SerialExecutor() if workers <= 1 else ProcessExecutor(workers)
