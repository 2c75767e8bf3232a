"""Executors: where chunks of futures are simulated.

An executor has one method, `run(fn, tasks, shared)`: it calls `fn(task, shared)` for every task, where `shared`
(inputs that every task reads, such as the run's design or its given parameters) reaches each worker once, and
yields (task index, result) pairs as tasks finish. Results never depend on the executor (see `streams`): in this
process (`SerialExecutor`), on a pool of local processes that inherit `shared` (`ProcessExecutor`), or on a Dask
cluster that receives it once per worker (`DaskExecutor`).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Protocol

_SHARED: dict[str, Any] = {}  # in a pool worker: the `shared` mapping of the run it works for
PARENT_CHECK_SECONDS = 0.5  # how often a worker checks that the process it works for is still running
# How a process that runs threads starts its workers: from a fork server where the platform has one (Linux, macOS),
# else afresh (Windows). Neither copies a lock another thread holds (see `ProcessExecutor`).
THREAD_SAFE_START = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
Task = Callable[[Any, Mapping[str, Any]], Any]


def _install(shared: Mapping[str, Any]) -> None:
    _SHARED.clear()
    _SHARED.update(shared)


def _with_shared(fn: Task, task: Any) -> Any:
    return fn(task, _SHARED)


def _start_worker(shared: Mapping[str, Any], run: int) -> None:
    """A pool worker's start: install `shared`, and exit when the run's process `run` is gone (killed, or killed
    for want of memory), instead of waiting forever, orphaned, on a pipe nobody writes to. A worker forked by a fork
    server has the server as its parent, which outlives the run's process (each worker holds it open): it watches
    the run's process itself (one killed but not yet reaped by its own parent still counts as running)."""
    _install(shared)
    parent = os.getppid()  # the run's process, or the fork server

    def watch() -> None:
        while os.getppid() == parent and _exists(run):
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: no signal, only the check that the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's
        return True
    return True


class Executor(Protocol):
    def run(self, fn: Task, tasks: Sequence[Any], shared: Mapping[str, Any]) -> Iterator[tuple[int, Any]]: ...


class SerialExecutor:
    """Runs tasks one after another in this process."""

    def run(self, fn: Task, tasks: Sequence[Any], shared: Mapping[str, Any]) -> Iterator[tuple[int, Any]]:
        for i, task in enumerate(tasks):
            yield i, fn(task, shared)


class ProcessExecutor:
    """Runs tasks on a pool of local worker processes, started for each run. Where the platform can fork (Linux),
    workers inherit `shared` from this process's memory instead of receiving a copy through a pipe. A process that
    runs other threads (the web service) starts them from a fork server instead (`start="forkserver"`): a child
    forked from it would copy any lock another thread held at that moment, held for ever. Workers from the server
    receive `shared` pickled."""

    def __init__(self, workers: int | None = None, start: str | None = None):
        self.workers = workers or os.cpu_count() or 1
        self.start = start or ("fork" if "fork" in multiprocessing.get_all_start_methods() else None)

    def run(self, fn: Task, tasks: Sequence[Any], shared: Mapping[str, Any]) -> Iterator[tuple[int, Any]]:
        context = multiprocessing.get_context(self.start)
        if self.start == "forkserver":
            # the main script (as by default) and the task's module, imported once in the server, not in each
            # worker (heard only before this process's server starts)
            context.set_forkserver_preload(["__main__", fn.__module__])
        with ProcessPoolExecutor(
            max_workers=self.workers, mp_context=context, initializer=_start_worker, initargs=(shared, os.getpid())
        ) as pool:
            pending = {pool.submit(_with_shared, fn, task): i for i, task in enumerate(tasks)}
            try:
                for done in as_completed(pending):
                    yield pending[done], done.result()
            finally:
                for future in pending:
                    future.cancel()


class DaskExecutor:
    """Runs tasks on a Dask distributed cluster: the one whose scheduler is at `address` (started, for example, by
    dask-jobqueue on an HPC system or the Dask Kubernetes operator), or a `LocalCluster` of `workers` processes
    started for each run. `shared` is sent once to every worker; each task's result comes back as it finishes. A task
    a dead worker did not finish is run again elsewhere, so tasks must be idempotent (a chunk's files are written
    under temporary names and renamed, so a second run of a chunk overwrites its own files whole). Needs the
    `cluster` extra (`pip install 'alliance-futures[cluster]'`); a run streamed to disk needs its folder on a file
    system every worker sees."""

    def __init__(self, address: str | None = None, workers: int = 1):
        self.address, self.workers = address, workers

    def run(self, fn: Task, tasks: Sequence[Any], shared: Mapping[str, Any]) -> Iterator[tuple[int, Any]]:
        from distributed import Client, LocalCluster, as_completed

        logging.getLogger("distributed").setLevel(logging.WARNING)  # Dask's own news of each worker and key
        with contextlib.ExitStack() as stack:
            if self.address is None:
                cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.WARNING,
                )
                target: Any = stack.enter_context(cluster)
            else:
                target = self.address
            client = stack.enter_context(Client(target, set_as_default=False))
            [inputs] = client.scatter([dict(shared)], broadcast=True)
            pending = {client.submit(fn, task, inputs, pure=False): i for i, task in enumerate(tasks)}
            try:
                for done in as_completed(pending, loop=client.loop):
                    yield pending[done], done.result()
            finally:
                client.cancel([future for future in pending if not future.done()])


def make_executor(workers: int, scheduler: str | None = None, dask: bool = False) -> Executor:
    """One process runs in this process; more use a local pool; with `dask`, a Dask cluster (at `scheduler`, or a
    local one of `workers` processes)."""
    if dask:
        return DaskExecutor(scheduler, workers)
    return SerialExecutor() if workers <= 1 else ProcessExecutor(workers)
