"""Sampling designs over the case's deep-uncertainty parameters: one row per future, one column per parameter.

The default is a Latin hypercube (McKay, Beckman & Conover 1979) from SciPy's `qmc` module, which is vectorised;
SALib's `latin.sample` fills the design one cell at a time in Python and takes minutes for a million futures.
'mc' draws each future's parameters from its own counter-based stream, so future *i* keeps its parameters whatever
the number of futures. SALib's Saltelli design is used for Sobol analysis.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import qmc

from ..case import Case
from .streams import Streams

Design = Literal["lhs", "mc"]


def uncertain_parameters(case: Case) -> dict[str, tuple[float, float, str]]:
    """'group.name' -> (low, high, distribution) for every parameter given as a range."""
    return {name: (*p.range, p.distribution) for name, p in case.flat_parameters().items() if p.range is not None}


def scale(unit: np.ndarray, bounds: dict[str, tuple[float, float, str]]) -> np.ndarray:
    """Map points of the unit hypercube onto the parameter ranges (uniform or log-uniform)."""
    out = np.empty_like(unit)
    for j, (lo, hi, distribution) in enumerate(bounds.values()):
        if distribution == "loguniform":
            out[:, j] = np.exp(np.log(lo) + unit[:, j] * (np.log(hi) - np.log(lo)))
        else:
            out[:, j] = lo + unit[:, j] * (hi - lo)
    return out


def sample(case: Case, futures: int, seed: int, design: Design = "lhs") -> pd.DataFrame:
    """The experiments table: one row per future (index 'future'), one column per uncertain parameter."""
    bounds = uncertain_parameters(case)
    if design == "lhs":
        unit = qmc.LatinHypercube(d=len(bounds), rng=np.random.default_rng(seed)).random(futures)
    else:
        streams = Streams(seed, np.arange(futures))
        unit = np.column_stack([streams.uniform(-1, f"design:{name}") for name in bounds])
    table = pd.DataFrame(scale(unit, bounds), columns=list(bounds))
    table.index.name = "future"
    return table
