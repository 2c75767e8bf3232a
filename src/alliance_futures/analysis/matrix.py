"""Alternative futures matrix: two drivers crossed in a 2×2 (CIA, *A Tradecraft Primer*, 2009; Heuer & Pherson,
*Structured Analytic Techniques for Intelligence Analysis*, 2010), filled from the ensemble rather than by judgement.

By default the drivers are the two parameters with the largest total Sobol indices summed over the main outcomes
(`sensitivity.model_sobol`); an analyst may choose any two drivers instead, the path drivers of scenario discovery
included (the share of years under a transactional US or a progressive ROK government). Each driver is split at
the middle of its range (the midpoint of a path driver's share, the median of a sampled parameter's distribution),
each quadrant gets its share of futures, its named-future rates, and its most typical path told as a narrative.

A matrix only helps if its quadrants differ. Each quadrant says how far its mix of named futures lies from the whole
ensemble's (the total variation distance: half the sum of the absolute differences of the shares, in points), and
whether that could be chance: the quadrant labels are permuted across parameter vectors (each vector's futures kept
together, as are a posterior run's futures from one source vector) `PERMUTATIONS` times, and the p-value is the share
of permutations that separate the quadrant as far. A quadrant whose p-value is above 0.05 is "not distinguishable
from the whole".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..engine import Ensemble, uncertain_parameters
from ..errors import REQUEST, InputError
from .discovery import PATH_DRIVERS, future_drivers
from .narrative import tell
from .outcomes import FUTURE_PREFIX, NAMED_FUTURES, ClusterRows, Clusters, cluster_ids, outcome_table
from .timeline import typical_future

PATH_SPLIT = 0.5  # a path driver is 'high' when that government held office in at least half the years
PERMUTATIONS = 500  # label permutations for each quadrant's p-value
SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class Quadrant:
    """One cell of the matrix: which side of each split it lies on, its share of futures, the share of its futures
    in each named future, and its most typical future (of its most common named future) told as a narrative."""

    high: tuple[bool, bool]
    probability: float
    rates: dict[str, float]
    typical: int
    typical_future: str
    narrative: str
    difference: float = 0.0  # total variation distance of its named-future mix from the whole's
    p_value: float = 1.0  # chance of a difference as large under permuted quadrant labels

    @property
    def distinguishable(self) -> bool:
        return self.p_value <= SIGNIFICANCE

    def contrast(self) -> str:
        """How the quadrant's mix of named futures stands against the whole, in words."""
        if not self.distinguishable:
            return f"not distinguishable from the whole ({100 * self.difference:.0f} points, p = {self.p_value:.2f})"
        return f"differs from the whole by {100 * self.difference:.0f} points (p = {self.p_value:.3f})"


@dataclass(frozen=True)
class FuturesMatrix:
    package: str
    drivers: tuple[str, str]
    labels: tuple[str, str]
    splits: tuple[float, float]
    quadrants: tuple[Quadrant, ...]

    def side(self, axis: int, high: bool) -> str:
        """A quadrant side in words, e.g. 'politics.us_switch_probability ≥ 0.3'."""
        return f"{self.labels[axis]} {'≥' if high else '<'} {self.splits[axis]:.3g}"

    def table(self) -> pd.DataFrame:
        """One row per quadrant: both sides, the probability and the named-future rates."""
        rows = [
            {
                self.drivers[0]: self.side(0, q.high[0]),
                self.drivers[1]: self.side(1, q.high[1]),
                "probability": q.probability,
                **{FUTURE_PREFIX + k: v for k, v in q.rates.items()},
                "difference": q.difference,
                "p_value": q.p_value,
                "typical_future": q.typical,
            }
            for q in self.quadrants
        ]
        return pd.DataFrame(rows)


def top_drivers(indices: pd.DataFrame, count: int = 2) -> list[str]:
    """The parameters with the largest total Sobol index summed over the outputs of a `model_sobol` table."""
    return list(indices["ST"].groupby(level="parameter").sum().nlargest(count).index)


def driver_label(ensemble: Ensemble, name: str) -> str:
    if name in PATH_DRIVERS:
        return PATH_DRIVERS[name][1]
    return ensemble.case.flat_parameters()[name].meaning


def split_point(ensemble: Ensemble, name: str) -> float:
    """The middle of a driver: half the years for a path driver, the median of a sampled parameter."""
    if name in PATH_DRIVERS:
        return PATH_SPLIT
    return float(uncertain_parameters(ensemble.case)[name].inverse_cdf(np.array([0.5]))[0])


def check_drivers(x: pd.DataFrame, chosen: Sequence[str]) -> None:
    """Two different columns of the drivers table `x`, or an InputError that says what is expected."""
    if len(chosen) != 2 or chosen[0] == chosen[1]:
        raise InputError(REQUEST, f"give two different drivers, got {list(chosen)}", key="drivers")
    for name in chosen:
        if name not in x:
            raise InputError(
                REQUEST,
                f"unknown driver '{name}' (expected an uncertain parameter such as "
                f"'{x.columns[0]}', or one of {', '.join(PATH_DRIVERS)})",
                key="drivers",
            )


def mix_distance(named: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Total variation distance between the named-future mix of the members and the whole's, for each row of a
    (permutations × futures) boolean `members` (or one row)."""
    members = np.atleast_2d(members)
    counts = members.sum(axis=1)
    whole = np.array([(named == k).mean() for k in NAMED_FUTURES])
    shares = np.stack([(members & (named == k)).sum(axis=1) for k in NAMED_FUTURES], axis=1)
    shares = np.divide(shares, counts[:, None], out=np.zeros(shares.shape), where=counts[:, None] > 0)
    return np.where(counts > 0, np.abs(shares - whole).sum(axis=1) / 2, 0.0)  # an empty quadrant differs in nothing


def permuted(members: np.ndarray, clusters: Clusters, rng: np.random.Generator) -> np.ndarray:
    """`PERMUTATIONS` copies of a membership vector with its clusters shuffled whole (`clusters`: a vector's
    replications, or per future an id, as `Ensemble.clusters` gives them); clusters of unequal size trade places
    only with clusters of their own size, so every copy keeps the clusters' rows together."""
    blocks = ClusterRows(cluster_ids(clusters, len(members))).blocks()
    copies = np.empty((PERMUTATIONS, len(members)), dtype=members.dtype)
    for copy in copies:
        for rows in blocks:
            copy[rows] = members[rows[rng.permutation(len(rows))]]
    return copies


def futures_matrix(ensemble: Ensemble, package: str, chosen: Sequence[str]) -> FuturesMatrix:
    """Cross two drivers (uncertain parameters or path drivers) of one package's futures in a 2×2."""
    x = future_drivers(ensemble, package)
    check_drivers(x, chosen)
    pair = (chosen[0], chosen[1])
    splits = (split_point(ensemble, pair[0]), split_point(ensemble, pair[1]))
    high = [x[name].to_numpy() >= split for name, split in zip(pair, splits, strict=True)]
    named = outcome_table(ensemble.final[package], ensemble.case, ensemble.years)["named_future"].to_numpy()
    rng = np.random.default_rng(ensemble.seed)
    quadrants = []
    for h0 in (True, False):
        for h1 in (True, False):
            members = (high[0] == h0) & (high[1] == h1)
            count = int(members.sum())
            rates = {k: float((named[members] == k).sum() / count) if count else 0.0 for k in NAMED_FUTURES}
            if count:
                modal = max(rates, key=lambda k: rates[k])
                typical = typical_future(ensemble, package, members & (named == modal))
                story = tell(ensemble, package, typical)
            else:
                modal, typical, story = "", -1, "No simulated future falls in this quadrant."
            difference = float(mix_distance(named, members)[0])
            null = mix_distance(named, permuted(members, ensemble.clusters, rng))
            p_value = float((1 + (null >= difference).sum()) / (1 + PERMUTATIONS))
            quadrants.append(Quadrant((h0, h1), count / len(named), rates, typical, modal, story, difference, p_value))
    labels = (driver_label(ensemble, pair[0]), driver_label(ensemble, pair[1]))
    return FuturesMatrix(package, pair, labels, splits, tuple(quadrants))
