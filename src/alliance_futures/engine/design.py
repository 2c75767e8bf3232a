"""Sampling designs over the case's deep-uncertainty parameters: one row per parameter vector, one column per
parameter; `replicate` repeats each vector for the futures simulated from it.

The default is a Latin hypercube (McKay, Beckman & Conover 1979), drawn in blocks of `BLOCK` vectors: within a block,
each parameter's range is cut into as many equal strata as the block has vectors, and each stratum is used once, in a
random order of its own; a run of more vectors stacks whole blocks (each one a Latin hypercube, the last one
smaller). Each column of each block comes from its own `SeedSequence` keyed by (seed; parameter, block), so any
futures' rows are made where they are simulated, from (seed, index) alone, in parallel threads, and the design does
not depend on which process or thread draws it (`Sampling.rows`). The first block's key is the parameter alone, as
a single design had before blocks, so runs of up to `BLOCK` vectors keep their design. (SciPy's
`qmc.LatinHypercube` gives the same kind of design but took 7 s for a million futures here, and SALib's
`latin.sample` fills it one cell at a time in Python.) 'mc' draws each vector's parameters from its own
counter-based stream, so vector *i* keeps its parameters whatever the number of vectors.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ..case import Case, Parameter
from .streams import Streams

Design = Literal["lhs", "mc"]
DEFAULT_DESIGN: Design = "lhs"
BLOCK = 65_536  # parameter vectors per Latin-hypercube block


def uncertain_parameters(case: Case) -> dict[str, Parameter]:
    """'group.name' -> the parameter, for every parameter given as a range (sampled through its `inverse_cdf`)."""
    return {name: p for name, p in case.flat_parameters().items() if p.range is not None}


class LatinHypercubeColumn:
    """One column of a Latin hypercube of `n` vectors on [0, 1): a random stratum order plus a uniform position
    within each, drawn from `seed`. It keeps the stratum order (the costly part: a permutation) and the generator's
    state after it, so that any part of the column is made again by drawing the positions only as far as needed:
    chunks of a block share one permutation instead of each drawing it again."""

    def __init__(self, n: int, seed: np.random.SeedSequence):
        rng = np.random.default_rng(seed)
        self.n = n
        self.order = rng.permutation(n).astype(np.min_scalar_type(n - 1))  # 2 bytes a vector in a block of 65,536
        self.after_order = rng.bit_generator.state

    def part(self, start: int, stop: int) -> np.ndarray:
        """Entries `start` to `stop` (exclusive): what the whole column holds there."""
        rng = np.random.default_rng()
        rng.bit_generator.state = self.after_order
        return (self.order[start:stop] + rng.random(stop)[start:]) / self.n


@dataclass(frozen=True)
class Sampling:
    """A run's design by description: `vectors` parameter vectors of `case` drawn by `design` from `seed`, each for
    `replications` futures (future f is replication f % K of vector f // K). Any futures' rows are made from it where
    they are needed (`rows`), so that no process holds the whole design."""

    case: Case
    vectors: int
    seed: int
    design: Design = DEFAULT_DESIGN
    replications: int = 1
    # per parameter, the Latin-hypercube column of the block last used (block, column), for the next rows made here
    _columns: dict[int, tuple[int, LatinHypercubeColumn]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @property
    def futures(self) -> int:
        return self.vectors * self.replications

    def vector_rows(self, start: int, stop: int) -> pd.DataFrame:
        """Vectors `start` to `stop` (exclusive), indexed by vector: the parts of each block they fall in."""
        if not 0 <= start <= stop <= self.vectors:
            raise ValueError(f"vectors {start} to {stop} are not within the design's {self.vectors}")
        uncertain = uncertain_parameters(self.case)
        names = list(uncertain)
        blocks = range(start // BLOCK, (stop - 1) // BLOCK + 1) if stop > start else range(0)

        values = np.empty((len(names), max(stop - start, 0)))  # one row per parameter: the table's own layout

        def fill(j: int) -> None:
            """Parameter j's values, block by block (small temporaries, written in place)."""
            for block in blocks:
                first, size = block * BLOCK, min(BLOCK, self.vectors - block * BLOCK)
                a, b = max(start, first) - first, min(stop, first + size) - first
                if self.design == "lhs":
                    kept, column = self._columns.get(j, (None, None))
                    if kept != block or column is None:
                        key = np.random.SeedSequence(self.seed, spawn_key=(j,) if block == 0 else (j, block))
                        column = LatinHypercubeColumn(size, key)
                        self._columns[j] = (block, column)  # one assignment per parameter: each thread has its own
                    unit = column.part(a, b)
                else:
                    unit = Streams(self.seed, np.arange(first + a, first + b)).uniform(-1, f"design:{names[j]}")
                values[j, first + a - start : first + b - start] = uncertain[names[j]].inverse_cdf(unit)

        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as threads:
            list(threads.map(fill, range(len(names))))
        # Built from one 2-D array, the table keeps it as its single block; built from a dict of columns, pandas
        # copies them into one, which took longer than simulating them.
        return pd.DataFrame(values.T, columns=names, index=pd.RangeIndex(start, stop, name="future"), copy=False)

    def rows(self, start: int, stop: int) -> pd.DataFrame:
        """The experiments rows of futures `start` to `stop` (exclusive), indexed by future."""
        k = self.replications
        if k == 1:  # a vector per future: its rows are the vectors' (no copy to repeat them)
            return self.vector_rows(start, stop)
        first = start // k
        table = replicate(self.vector_rows(first, -(-stop // k)), k).iloc[start - first * k : stop - first * k]
        table.index = pd.RangeIndex(start, stop, name="future")
        return table


def sample(case: Case, vectors: int, seed: int, design: Design = DEFAULT_DESIGN) -> pd.DataFrame:
    """The design: one row per parameter vector (index 'future', as with one future per vector), one column per
    uncertain parameter."""
    return Sampling(case, vectors, seed, design).vector_rows(0, vectors)


def replicate(vectors: pd.DataFrame, replications: int) -> pd.DataFrame:
    """The experiments table of a design: each vector's row repeated `replications` times, indexed by future."""
    table = vectors.iloc[np.repeat(np.arange(len(vectors)), replications)].reset_index(drop=True)
    table.index.name = "future"
    return table


def per_vector(values: np.ndarray, replications: int) -> np.ndarray:
    """The inverse of `replicate` for results: the mean of a per-future quantity over each vector's replications."""
    return np.asarray(values, dtype=float).reshape(-1, replications).mean(axis=1)
