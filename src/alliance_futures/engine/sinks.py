"""Sinks: where each chunk's results go as it finishes, in the spirit of EMA Workbench's callbacks.

A sink has two methods. `write(chunk, experiments, paths)` runs where a chunk of futures was simulated under one
package (a worker process, or a machine of a cluster), with the chunk's experiments rows (given with the chunk's
first package only) and its results; it returns something for `gather(chunk, written)`, which runs in the process
that asked for the run, as chunks finish, in any order. `MemorySink` returns each chunk's arrays and assembles them
(an ensemble in memory, for notebooks); a sink that writes each chunk to files where it was simulated returns only
what it wrote (see `store.ChunkFiles`), so that memory holds a few chunks whatever the number of futures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd


@dataclass
class Paths:
    """What one simulation returns: the state at the horizon, and optionally yearly paths and events."""

    final: dict[str, np.ndarray]
    yearly: dict[str, np.ndarray] | None  # variable -> (futures, years) float32
    events: list[dict[str, np.ndarray]] | None  # per year: event -> per future


@dataclass(frozen=True)
class Chunk:
    """Futures `start` to `stop` (exclusive) of a run, whole parameter vectors, under the package `package`: the
    `index`-th chunk of the run's futures."""

    package: str
    index: int
    start: int
    stop: int


def chunks(packages: Sequence[str], futures: int, size: int, replications: int = 1) -> list[Chunk]:
    """A run's chunks, chunk by chunk and package by package within each: its futures in chunks of `size` (at least
    one vector), each chunk whole parameter vectors of `replications` futures, so that per-vector quantities reduce
    chunk by chunk. The chunks depend on nothing else (not on the workers), so neither do reductions over them."""
    size = max(replications, size - size % replications)
    bounds = [(start, min(start + size, futures)) for start in range(0, futures, size)]
    return [Chunk(package, i, a, b) for i, (a, b) in enumerate(bounds) for package in packages]


class Sink(Protocol):
    def write(self, chunk: Chunk, experiments: pd.DataFrame | None, paths: Paths) -> Any: ...
    def gather(self, chunk: Chunk, written: Any) -> None: ...


class MemorySink:
    """Assembles every chunk's final states and yearly paths into whole arrays: package -> variable -> per future
    (`final`) or (futures, years) (`yearly`, None when no chunk recorded paths), packages in the order given. The
    experiments are the caller's already."""

    def __init__(self, packages: list[str], futures: int):
        self.futures = futures
        self.final: dict[str, dict[str, np.ndarray]] = {name: {} for name in packages}
        self.yearly: dict[str, dict[str, np.ndarray]] | None = None
        self._packages = packages

    def write(self, chunk: Chunk, experiments: pd.DataFrame | None, paths: Paths) -> Paths:
        return paths

    def gather(self, chunk: Chunk, written: Paths) -> None:
        final = self.final[chunk.package]
        for v, arr in written.final.items():
            final.setdefault(v, np.empty(self.futures, dtype=arr.dtype))[chunk.start : chunk.stop] = arr
        if written.yearly is not None:
            if self.yearly is None:
                self.yearly = {name: {} for name in self._packages}
            yearly = self.yearly[chunk.package]
            for v, arr in written.yearly.items():
                shape = (self.futures, arr.shape[1])
                yearly.setdefault(v, np.empty(shape, dtype=arr.dtype))[chunk.start : chunk.stop] = arr
