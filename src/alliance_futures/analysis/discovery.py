"""Scenario discovery: which regions of the uncertainty space produce a bad outcome, found with the Patient Rule
Induction Method as implemented in EMA Workbench's analysis module (Friedman & Fisher 1999; Bryant & Lempert 2010,
*Technological Forecasting & Social Change* 77(1); Kwakkel 2017, *Environmental Modelling & Software* 96).

The candidate drivers are the sampled parameters and two path drivers that the sampler does not set but elections
do: the share of years with a transactional US administration and with a progressive ROK government. The drivers
are first screened to the `SCREEN` that best separate futures with and without the outcome (the rank statistic of
Mann & Whitney 1947, |AUC − 0.5|), which keeps PRIM fast on a hundred parameters; PRIM then peels the box step by
step, and of the boxes on its trajectory that restrict at most `max_dims` drivers (boxes an analyst can read) and
still hold at least `MIN_COVERAGE` of the cases, we report the densest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..engine import Ensemble
from .interop import ema
from .outcomes import outcome_label

PATH_DRIVERS = {
    "years_us_transactional": ("us_transactional", "share of years with a transactional US administration"),
    "years_rok_progressive": ("rok_progressive", "share of years with a progressive ROK government"),
}
PEEL_ALPHA = 0.05  # EMA Workbench's default: share of futures peeled per step
MAX_DIMS = 3  # at most this many restricted drivers in a reported box
MIN_COVERAGE = 0.5  # a reported box holds at least half of the cases of the outcome
SCREEN = 12  # drivers passed to PRIM after screening


@dataclass(frozen=True)
class Box:
    """One PRIM box: bounds on the drivers it restricts (None where a side is not restricted), the share of all
    cases of the outcome that fall in the box (coverage), the share of futures in the box with the outcome
    (density), the share of futures in the box (mass), and the outcome's rate over all futures."""

    outcome: str
    limits: dict[str, tuple[float | None, float | None]]
    coverage: float
    density: float
    mass: float
    base_rate: float

    def conditions(self, labels: Mapping[str, str] | None = None) -> list[str]:
        """Each restriction in words, e.g. 'politics.us_switch_probability ≥ 0.31'."""
        labels = labels or {}
        out = []
        for name, (lo, hi) in self.limits.items():
            label = labels.get(name, name)
            if lo is not None and hi is not None:
                out.append(f"{label} is between {lo:.3g} and {hi:.3g}")
            elif lo is not None:
                out.append(f"{label} ≥ {lo:.3g}")
            else:
                out.append(f"{label} ≤ {hi:.3g}")
        return out

    def sentence(self, labels: Mapping[str, str] | None = None) -> str:
        """The box as a sentence an analyst can quote."""
        what = outcome_label(self.outcome)
        if not self.limits:
            return f"No region stands out: {what} occurs in {self.base_rate:.0%} of all futures."
        where = " and ".join(self.conditions(labels))
        return (
            f"{what.capitalize()} occurs in {self.density:.0%} of futures where {where} (against {self.base_rate:.0%} "
            f"of all futures); these futures hold {self.coverage:.0%} of all cases of {what} and are {self.mass:.0%} "
            "of the futures."
        )


def drivers(ensemble: Ensemble, package: str) -> pd.DataFrame:
    """The candidate drivers per future: every sampled parameter, and the path drivers when yearly paths exist."""
    x = ensemble.experiments.reset_index(drop=True)  # one column per uncertain parameter (engine.sample)
    if ensemble.yearly is not None:
        for name, (variable, _) in PATH_DRIVERS.items():
            x[name] = ensemble.yearly[package][variable].mean(axis=1).astype(float)
    return x


def separation(x: pd.DataFrame, y: np.ndarray) -> pd.Series:
    """How well each driver alone separates futures with the outcome from the others: |AUC − 0.5|, from ranks."""
    ranks = x.rank().to_numpy()
    cases, n = int(y.sum()), len(y)
    auc = (ranks[y].sum(axis=0) - cases * (cases + 1) / 2) / (cases * (n - cases))
    return pd.Series(np.abs(auc - 0.5), index=x.columns).sort_values(ascending=False)


def prim_box(x: pd.DataFrame, y: np.ndarray, outcome: str, max_dims: int = MAX_DIMS) -> Box:
    """Run EMA Workbench's PRIM on the best-separating drivers of `x` and a true/false outcome `y`, and pick a
    readable box."""
    y = np.asarray(y, dtype=bool)
    base_rate = float(y.mean())
    whole_space = Box(outcome, {}, 1.0, base_rate, 1.0, base_rate)  # what we report when no region stands out
    if y.all() or not y.any():
        return whole_space
    x = x[separation(x, y).index[:SCREEN]]
    prim = ema("ema_workbench.analysis.prim")
    restricted_dims = ema("ema_workbench.analysis.scenario_discovery_util")._determine_restricted_dims
    # threshold 0 keeps EMA from swapping a box whose density is below it for an empty one; coverage and density
    # are then read from each step's mean (the box's share of futures with the outcome) and size
    finder = prim.Prim(x, y, threshold=0.0, peel_alpha=PEEL_ALPHA)
    box = finder.find_box()
    trajectory = box.peeling_trajectory.assign(
        density=lambda t: t["mean"], coverage=lambda t: t["mean"] * t["n"] / y.sum()
    )
    readable = trajectory[
        (trajectory["res_dim"] >= 1) & (trajectory["res_dim"] <= max_dims) & (trajectory["coverage"] >= MIN_COVERAGE)
    ]
    if readable.empty:
        return whole_space
    i = int(readable["density"].idxmax())
    limits_table = box.box_lims[i]
    initial = finder.box_init
    limits = {}
    for name in restricted_dims(limits_table, initial):
        lo, hi = float(limits_table.loc[0, name]), float(limits_table.loc[1, name])
        limits[str(name)] = (
            lo if lo > float(initial.loc[0, name]) else None,
            hi if hi < float(initial.loc[1, name]) else None,
        )
    row = trajectory.loc[i]
    return Box(outcome, limits, float(row["coverage"]), float(row["density"]), float(row["mass"]), base_rate)
