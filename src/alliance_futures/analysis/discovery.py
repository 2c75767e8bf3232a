"""Scenario discovery: which regions of the uncertainty space make an outcome more likely, found with the Patient
Rule Induction Method as implemented in EMA Workbench's analysis module (Friedman & Fisher 1999; Bryant & Lempert
2010, *Technological Forecasting & Social Change* 77(1); Kwakkel 2017, *Environmental Modelling & Software* 96).

With replications, each parameter vector has its own probability of the outcome (the share of its futures in which
it happens), and PRIM runs in EMA Workbench's regression mode on those probabilities: it looks for the region where
the outcome is most likely, not where one coin toss came up heads. (A threshold on the probability would throw away
how far above it a vector lies; regression PRIM keeps it.) With one future per vector the outcome is yes/no and PRIM
runs in its binary mode. The candidate drivers are the sampled parameters and two path drivers that the sampler does
not set but elections do: the share of years with a transactional US administration and with a progressive ROK
government (averaged over a vector's futures). They are first screened to the `SCREEN` whose ranks correlate best
with the outcome (|Spearman's rho|), which keeps PRIM fast on a hundred parameters; PRIM then peels the box step by
step, and of the boxes on its trajectory that restrict at most `max_dims` drivers (boxes an analyst can read) and
still hold at least `MIN_COVERAGE` of the outcome, we report the densest.

A box found by peeling is chosen for being dense, so its in-sample lift flatters it. Every box is therefore checked
on held-out vectors: the search is run again on one half, and the box it finds is scored on the other half, with a
bootstrap interval (`heldout_lift`). A region stands out only if it makes the outcome at least half again as likely
on held-out vectors and the interval of that lift excludes 1; otherwise the view says "no region stands out" and
gives the numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..engine import Ensemble
from .interop import ema
from .outcomes import ClusterRows, Clusters, cluster_ids, outcome_label, percentile_interval

PATH_DRIVERS = {
    "years_us_transactional": ("us_transactional", "share of years with a transactional US administration"),
    "years_rok_progressive": ("rok_progressive", "share of years with a progressive ROK government"),
}
PEEL_ALPHA = 0.05  # EMA Workbench's default: share of futures peeled per step
MAX_DIMS = 3  # at most this many restricted drivers in a reported box
MIN_COVERAGE = 0.5  # a reported box holds at least half of the cases of the outcome
SCREEN = 12  # drivers passed to PRIM after screening
BOOTSTRAP = 500  # resamples of the held-out vectors for the interval of the held-out lift
MIN_LIFT = 1.5  # a region stands out when it makes the outcome at least half again as likely, on held-out vectors


@dataclass(frozen=True)
class Box:
    """One PRIM box: bounds on the drivers it restricts (None where a side is not restricted), the share of all
    cases of the outcome that fall in the box (coverage), the outcome's rate among futures in the box (density), the
    share of futures in the box (mass), the outcome's rate over all futures, and the lift the same search reaches on
    held-out vectors, with its interval (None where there was nothing to check)."""

    outcome: str
    limits: dict[str, tuple[float | None, float | None]]
    coverage: float
    density: float
    mass: float
    base_rate: float
    heldout_lift: tuple[float, float, float] | None = None  # estimate, low, high

    @property
    def lift(self) -> float:
        """How many times more likely the outcome is in the box than overall."""
        return self.density / self.base_rate if self.base_rate > 0 else float("nan")

    @property
    def stands_out(self) -> bool:
        """A box that restricts something, whose held-out lift is at least `MIN_LIFT` and clearly above 1."""
        check = self.heldout_lift
        return bool(self.limits) and check is not None and check[0] >= MIN_LIFT and check[1] > 1.0

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
        """The box as a sentence an analyst can quote, with its check on held-out vectors."""
        what = outcome_label(self.outcome)
        if not self.limits:
            return f"No region stands out: {what} occurs in {self.base_rate:.0%} of all futures."
        where = " and ".join(self.conditions(labels))
        found = (
            f"{what} occurs in {self.density:.0%} of futures where {where} (against {self.base_rate:.0%} of all "
            f"futures, a lift of {self.lift:.1f}); these futures hold {self.coverage:.0%} of all cases of {what} and "
            f"are {self.mass:.0%} of the futures"
        )
        if self.heldout_lift is None:
            return found[0].upper() + found[1:] + "."
        lift, lo, hi = self.heldout_lift
        checked = f"on held-out parameter vectors the same search reaches a lift of {lift:.1f} ({lo:.1f}–{hi:.1f})"
        if not self.stands_out:
            return (
                f"No region stands out: the densest readable box says {found}, but {checked}, short of a lift of "
                f"{MIN_LIFT:.1f} clearly above 1."
            )
        return found[0].upper() + found[1:] + f"; {checked}."


def future_drivers(ensemble: Ensemble, package: str) -> pd.DataFrame:
    """The candidate drivers per future: its vector's sampled parameters, and the path drivers when yearly paths
    exist."""
    x = ensemble.experiments.reset_index(drop=True)  # one column per uncertain parameter (engine.sample)
    if ensemble.yearly is not None:
        for name, (variable, _) in PATH_DRIVERS.items():
            x[name] = ensemble.yearly[package][variable].mean(axis=1).astype(float)
    return x


def drivers(ensemble: Ensemble, package: str) -> pd.DataFrame:
    """The candidate drivers per parameter vector: its sampled parameters, and the path drivers averaged over the
    vector's futures. With one future per vector, the same as `future_drivers`."""
    x = future_drivers(ensemble, package)
    return x.groupby(np.arange(len(x)) // ensemble.replications).mean().reset_index(drop=True)


def rank_correlation(x: pd.DataFrame, y: np.ndarray) -> pd.Series:
    """Spearman's rho between each driver and the outcome (a yes/no one or a probability)."""
    ranks = x.rank().to_numpy()
    ranked_y = pd.Series(np.asarray(y, dtype=float)).rank().to_numpy()
    ranks, ranked_y = ranks - ranks.mean(axis=0), ranked_y - ranked_y.mean()
    spread = np.sqrt((ranks**2).sum(axis=0) * (ranked_y**2).sum())
    return pd.Series(np.divide(ranks.T @ ranked_y, spread, out=np.zeros(x.shape[1]), where=spread > 0), x.columns)


def separation(x: pd.DataFrame, y: np.ndarray) -> pd.Series:
    """How well each driver alone orders the outcome: the absolute rank correlation, largest first."""
    return rank_correlation(x, y).abs().sort_values(ascending=False)


def _search(
    x: pd.DataFrame, y: np.ndarray, max_dims: int
) -> tuple[dict[str, tuple[float | None, float | None]], pd.Series] | None:
    """PRIM on the best-ordering drivers: the densest readable box (its limits and its trajectory row), or None."""
    if y.min() == y.max():  # nothing to find (a held-out half may hold no case at all)
        return None
    x = x[separation(x, y).index[:SCREEN]]
    prim = ema("ema_workbench.analysis.prim")
    sdutil = ema("ema_workbench.analysis.scenario_discovery_util")
    binary = set(np.unique(y)) <= {0.0, 1.0}
    mode = sdutil.RuleInductionType.BINARY if binary else sdutil.RuleInductionType.REGRESSION
    # threshold 0 keeps EMA from swapping a box whose density is below it for an empty one; coverage and density
    # are then read from each step's mean (the box's rate of the outcome) and size
    finder = prim.Prim(x, y.astype(int) if binary else y, threshold=0.0, peel_alpha=PEEL_ALPHA, mode=mode)
    box = finder.find_box()
    trajectory = box.peeling_trajectory.assign(
        density=lambda t: t["mean"], coverage=lambda t: t["mean"] * t["n"] / y.sum()
    )
    readable = trajectory[
        (trajectory["res_dim"] >= 1) & (trajectory["res_dim"] <= max_dims) & (trajectory["coverage"] >= MIN_COVERAGE)
    ]
    if readable.empty:
        return None
    i = int(readable["density"].idxmax())
    limits_table, initial = box.box_lims[i], finder.box_init
    limits = {}
    for name in sdutil._determine_restricted_dims(limits_table, initial):
        lo, hi = float(limits_table.loc[0, name]), float(limits_table.loc[1, name])
        limits[str(name)] = (
            lo if lo > float(initial.loc[0, name]) else None,
            hi if hi < float(initial.loc[1, name]) else None,
        )
    return limits, trajectory.loc[i]


def inside(x: pd.DataFrame, limits: Mapping[str, tuple[float | None, float | None]]) -> np.ndarray:
    """Which rows of `x` lie in a box."""
    keep = np.ones(len(x), dtype=bool)
    for name, (lo, hi) in limits.items():
        if lo is not None:
            keep &= x[name].to_numpy() >= lo
        if hi is not None:
            keep &= x[name].to_numpy() <= hi
    return keep


def heldout_lift(
    x: pd.DataFrame, y: np.ndarray, max_dims: int, seed: int, clusters: Clusters = 1
) -> tuple[float, float, float] | None:
    """Find a box on a random half of the rows and score it on the other half: its lift there, with a bootstrap
    interval over the held-out rows (None if the half finds no readable box or holds no case). Rows of one cluster
    (`clusters`: 1, each row its own; or per row an id, as for the futures a posterior resampled from one vector)
    fall in the same half and are resampled together, so no copy of a vector the box was found on scores it."""
    rng = np.random.default_rng(seed)
    ids = cluster_ids(clusters, len(y))
    count = int(ids.max()) + 1
    half = (rng.permutation(count) < count // 2)[ids]
    found = _search(x[half].reset_index(drop=True), y[half], max_dims)
    held_x, held_y = x[~half].reset_index(drop=True), y[~half]
    if found is None or held_y.sum() == 0:
        return None
    members = inside(held_x, found[0])
    held = ClusterRows(cluster_ids(ids[~half], len(held_y)))

    def lift(rows: np.ndarray) -> float:
        overall, box = held_y[rows].mean(), held_y[rows][members[rows]]
        return float(box.mean() / overall) if len(box) and overall > 0 else 0.0

    estimate = lift(np.arange(len(held_y)))
    resampled = [lift(held.rows(rng.integers(0, held.count, held.count))) for _ in range(BOOTSTRAP)]
    return estimate, *percentile_interval(np.asarray(resampled))


def prim_box(
    x: pd.DataFrame, y: np.ndarray, outcome: str, max_dims: int = MAX_DIMS, seed: int = 0, clusters: Clusters = 1
) -> Box:
    """Run EMA Workbench's PRIM on the best-ordering drivers of `x` and an outcome `y` (yes/no per future, or a
    probability per parameter vector), pick a readable box, and check it on held-out rows, whole clusters of rows
    at a time (`heldout_lift`)."""
    y = np.asarray(y, dtype=float)
    base_rate = float(y.mean())
    whole_space = Box(outcome, {}, 1.0, base_rate, 1.0, base_rate)  # what we report when nothing is found
    if y.min() == y.max():
        return whole_space
    found = _search(x, y, max_dims)
    if found is None:
        return whole_space
    limits, row = found
    check = heldout_lift(x, y, max_dims, seed, clusters)
    return Box(outcome, limits, float(row["coverage"]), float(row["density"]), float(row["mass"]), base_rate, check)
