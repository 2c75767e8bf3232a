"""Sampling designs over the case's deep-uncertainty parameters: one row per parameter vector, one column per
parameter; `replicate` repeats each vector for the futures simulated from it.

The default is a Latin hypercube (McKay, Beckman & Conover 1979): each parameter's range is cut into as many equal
strata as there are vectors, and each stratum is used once, in a random order of its own. Each column comes from its
own child of the seed's `SeedSequence`, so columns are drawn in parallel threads and the design does not depend on
how many threads draw it. (SciPy's `qmc.LatinHypercube` gives the same kind of design but took 7 s for a million
futures here, and SALib's `latin.sample` fills it one cell at a time in Python.) 'mc' draws each vector's parameters
from its own counter-based stream, so vector *i* keeps its parameters whatever the number of vectors.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import numpy as np
import pandas as pd

from ..case import Case, Parameter
from .streams import Streams

Design = Literal["lhs", "mc"]
DEFAULT_DESIGN: Design = "lhs"


def uncertain_parameters(case: Case) -> dict[str, Parameter]:
    """'group.name' -> the parameter, for every parameter given as a range (sampled through its `inverse_cdf`)."""
    return {name: p for name, p in case.flat_parameters().items() if p.range is not None}


def latin_hypercube_column(n: int, seed: np.random.SeedSequence) -> np.ndarray:
    """One column of a Latin hypercube on [0, 1): a random stratum order plus a uniform position within each."""
    rng = np.random.default_rng(seed)
    return (rng.permutation(n) + rng.random(n)) / n


def sample(case: Case, futures: int, seed: int, design: Design = DEFAULT_DESIGN) -> pd.DataFrame:
    """The design: one row per parameter vector (index 'future', as with one future per vector), one column per
    uncertain parameter."""
    uncertain = uncertain_parameters(case)
    if design == "lhs":
        children = dict(zip(uncertain, np.random.SeedSequence(seed).spawn(len(uncertain)), strict=True))

        def column(name: str) -> np.ndarray:
            return uncertain[name].inverse_cdf(latin_hypercube_column(futures, children[name]))

    else:
        streams = Streams(seed, np.arange(futures))

        def column(name: str) -> np.ndarray:
            return uncertain[name].inverse_cdf(streams.uniform(-1, f"design:{name}"))

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as threads:
        columns = dict(zip(uncertain, threads.map(column, uncertain), strict=True))
    table = pd.DataFrame(columns)
    table.index.name = "future"
    return table


def replicate(vectors: pd.DataFrame, replications: int) -> pd.DataFrame:
    """The experiments table of a design: each vector's row repeated `replications` times, indexed by future."""
    table = vectors.iloc[np.repeat(np.arange(len(vectors)), replications)].reset_index(drop=True)
    table.index.name = "future"
    return table


def sample_futures(
    case: Case, futures: int, seed: int, design: Design = DEFAULT_DESIGN, replications: int = 1
) -> pd.DataFrame:
    """The experiments table of a run: `futures // replications` sampled parameter vectors, each repeated for its
    `replications` futures (`futures` must be a positive multiple of it)."""
    if replications < 1 or futures % replications:
        raise ValueError(f"futures ({futures}) must be a positive multiple of replications ({replications})")
    return replicate(sample(case, futures // replications, seed, design), replications)


def per_vector(values: np.ndarray, replications: int) -> np.ndarray:
    """The inverse of `replicate` for results: the mean of a per-future quantity over each vector's replications."""
    return np.asarray(values, dtype=float).reshape(-1, replications).mean(axis=1)
