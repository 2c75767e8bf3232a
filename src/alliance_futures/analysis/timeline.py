"""Outcomes over time: each future named as if the horizon were any earlier year, and quantile bands (fan charts) of
the recorded state variables.

The yearly paths record every variable the outcome rules read (`engine.RECORDED`), so the rules of `outcomes` apply
unchanged to any year's state: the probability of rupture by 2035 is the share of futures that the rules call a
rupture when read in 2035.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..engine import Ensemble
from .outcomes import outcome_table, probabilities

FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)  # the 90% and 50% bands and the median


def yearly_paths(ensemble: Ensemble, package: str) -> dict[str, np.ndarray]:
    """One package's recorded paths: variable -> (futures, years)."""
    if ensemble.yearly is None:
        raise ValueError("this ensemble has no yearly paths (it was run with --no-paths)")
    if package not in ensemble.yearly:
        raise KeyError(f"no package '{package}' in the ensemble (packages: {', '.join(ensemble.yearly)})")
    return ensemble.yearly[package]


def state_in_year(yearly: Mapping[str, np.ndarray], t: int) -> dict[str, np.ndarray]:
    """The recorded state of every future at the end of simulated year index `t`, as float64 arrays."""
    return {v: arr[:, t].astype(np.float64) for v, arr in yearly.items()}


def outcomes_in_year(ensemble: Ensemble, package: str, t: int) -> pd.DataFrame:
    """The outcomes table (see `outcomes`) with each future read at the end of year index `t`."""
    return outcome_table(state_in_year(yearly_paths(ensemble, package), t), ensemble.case, t + 1)


def outcomes_over_time(ensemble: Ensemble) -> pd.DataFrame:
    """Per package, year and outcome (or 'future:NAME'): the share of futures in that state by the end of the year,
    with its 95% Wilson interval (on the effective number of futures, `outcomes.share_interval`). Columns: package,
    year, outcome, p, lo, hi."""
    rows = []
    for package in ensemble.policies:
        for t, year in enumerate(ensemble.calendar_years):
            for key, c in probabilities(outcomes_in_year(ensemble, package, t), ensemble.clusters).items():
                rows.append({"package": package, "year": int(year), "outcome": key, **c})
    return pd.DataFrame(rows)


def fan(ensemble: Ensemble, variable: str, quantiles: Sequence[float] = FAN_QUANTILES) -> pd.DataFrame:
    """Per package and year, the quantiles of one recorded variable over futures. Columns: package, year, and one
    column per quantile named like 'q05'."""
    frames = []
    for package in ensemble.policies:
        yearly = yearly_paths(ensemble, package)
        if variable not in yearly:
            raise KeyError(f"'{variable}' is not recorded (recorded: {', '.join(yearly)})")
        q = np.quantile(yearly[variable], quantiles, axis=0)
        frame = pd.DataFrame({f"q{round(100 * p):02d}": row for p, row in zip(quantiles, q, strict=True)})
        frame.insert(0, "package", package)
        frame.insert(1, "year", ensemble.calendar_years)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


TYPICAL_BY = ("credibility", "troops", "public_support", "friction")  # paths compared to find a typical future


def typical_future(ensemble: Ensemble, package: str, members: np.ndarray) -> int:
    """The member future whose yearly path lies closest to the members' mean path (the medoid's stand-in): each
    variable of `TYPICAL_BY` scaled by its spread over all futures and years, distances summed over years."""
    yearly = yearly_paths(ensemble, package)
    index = np.flatnonzero(members)
    if index.size == 0:
        raise ValueError("no future to choose from")
    distance = np.zeros(index.size)
    for v in TYPICAL_BY:
        paths = yearly[v][index].astype(np.float64)
        spread = float(np.std(yearly[v])) or 1.0
        distance += (((paths - paths.mean(axis=0)) / spread) ** 2).sum(axis=1)
    return int(index[np.argmin(distance)])
