"""Outcomes and named futures (model.md, "Outcomes and named futures"), and their probabilities per package.

Each future's final state gives its outcomes (did rupture, drawdown, nuclear pursuit, war … happen within the
horizon) and one named alternative future, chosen in order of gravity: War, Nuclear South Korea, Rupture, Hollowed
alliance, Transformed alliance, Managed continuity. Thresholds come from the case.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..case import Case
from ..engine import DEFAULT_CHUNK, Ensemble, chunks
from ..model.state import NUCLEAR_PURSUING, OPCON_ROK_LED

OUTCOMES = (
    "rupture",
    "drawdown",
    "nuclear_pursuit",
    "frequent_incidents",
    "war",
    "war_without_us",
    "nuclear_use",
    "opcon_transfer",
    "regional_role_expanded",
)
NAMED_FUTURES = {
    "war": "War",
    "nuclear_south_korea": "Nuclear South Korea",
    "rupture": "Rupture",
    "hollowed_alliance": "Hollowed alliance",
    "transformed_alliance": "Transformed alliance",
    "managed_continuity": "Managed continuity",
}
THRESHOLDS = (  # the case's thresholds this module reads
    "drawdown_cut",
    "rupture_troops",
    "hollowed_credibility",
    "hollowed_troop_cut",
    "transformed_credibility",
    "regional_role_expanded",
    "frequent_incidents",
)
FUTURE_PREFIX = "future:"
SUMMARY_KEYS = tuple(FUTURE_PREFIX + k for k in NAMED_FUTURES) + OUTCOMES  # the rows of a comparison, in order
CONFIDENCE = 0.95


def significant(value: float | None) -> str:
    """A number to three significant digits (a calibration score may be 1e-6), or – where there is none."""
    return "–" if value is None else f"{value:.3g}"


def outcome_label(key: str) -> str:
    """An outcome or 'future:NAME' in words: 'nuclear pursuit', 'hollowed alliance', 'US net cost'."""
    if key.startswith(FUTURE_PREFIX):
        return NAMED_FUTURES[key.removeprefix(FUTURE_PREFIX)].lower()
    return "US net cost" if key == "us_net_cost" else key.replace("_", " ")


def row_label(key: str) -> str:
    """A row of a comparison table: 'future: Hollowed alliance', or the outcome in words."""
    if key.startswith(FUTURE_PREFIX):
        return f"future: {NAMED_FUTURES[key.removeprefix(FUTURE_PREFIX)]}"
    return outcome_label(key)


def outcome_table(final: Mapping[str, np.ndarray], case: Case, years: int) -> pd.DataFrame:
    """One row per future: the outcome flags, the US net cost and the named future, from the state after `years`
    simulated years."""
    th = {k: case.thresholds[k].value for k in THRESHOLDS}
    start_troops = case.initial["troops"].value
    troops, opcon = final["troops"], final["opcon"]
    cut = 1.0 - troops / start_troops
    in_force = final["treaty_status"] == 0.0
    war = final["war"] == 1.0
    flags = {
        "rupture": ~in_force | ((troops < th["rupture_troops"]) & (opcon == OPCON_ROK_LED)),
        "drawdown": cut >= th["drawdown_cut"],
        "nuclear_pursuit": final["peak_nuclear_status"] >= NUCLEAR_PURSUING,
        "frequent_incidents": final["incidents"] >= th["frequent_incidents"] * years,
        "war": war,
        "war_without_us": war & (final["abandoned"] == 1.0),
        "nuclear_use": final["nuclear_use"] == 1.0,
        "opcon_transfer": (opcon == OPCON_ROK_LED) & in_force,
        "regional_role_expanded": final["regional_role"] >= th["regional_role_expanded"],
    }
    credibility = final["credibility"]
    hollowed = (credibility < th["hollowed_credibility"]) | (
        (cut >= th["hollowed_troop_cut"]) & (final["division_of_labour"] == 0.0)
    )
    transformed = (flags["opcon_transfer"] | flags["regional_role_expanded"] | (final["division_of_labour"] == 1.0)) & (
        credibility >= th["transformed_credibility"]
    )
    named = np.select(
        [flags["war"], final["nuclear_status"] >= NUCLEAR_PURSUING, flags["rupture"], hollowed, transformed],
        ["war", "nuclear_south_korea", "rupture", "hollowed_alliance", "transformed_alliance"],
        "managed_continuity",
    )
    table = pd.DataFrame(flags)
    table["us_net_cost"] = final["us_net_cost"]
    table["named_future"] = pd.Categorical(named, categories=list(NAMED_FUTURES))
    table.index.name = "future"
    return table


def percentile_interval(draws: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The central `confidence` interval of resampled values: the percentile bootstrap interval (Efron & Tibshirani
    1993, *An Introduction to the Bootstrap*, ch. 13)."""
    lo, hi = np.quantile(draws, [(1 - confidence) / 2, (1 + confidence) / 2])
    return float(lo), float(hi)


def wilson(successes: float, n: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval for a proportion (Wilson 1927): well behaved near 0 and 1, unlike the normal one."""
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = float(successes) / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo = 0.0 if p == 0.0 else max(0.0, centre - half)  # exact ends: no rounding residue at 0 or 1
    hi = 1.0 if p == 1.0 else min(1.0, centre + half)
    return lo, hi


Clusters = int | NDArray[np.int64]  # each vector's futures (replications), or per future the id of its cluster


def cluster_ids(clusters: Clusters, futures: int) -> NDArray[np.int64]:
    """Per future, its cluster as a number from 0 (future f is in vector f // K where `clusters` is K)."""
    if isinstance(clusters, np.ndarray):
        return pd.factorize(clusters)[0].astype(np.int64)
    return np.arange(futures, dtype=np.int64) // int(clusters)


def vector_clusters(clusters: Clusters) -> Clusters:
    """The clusters of rows read vector by vector (`Ensemble.per_vector`): each row its own (1) where `clusters`
    counts a vector's replications; a posterior run's rows are its futures, whose ids `clusters` gives."""
    return clusters if isinstance(clusters, np.ndarray) else 1


class ClusterRows:
    """The rows of each cluster (ids from `cluster_ids`), to draw clusters whole: a cluster bootstrap picks
    clusters with replacement (Davison & Hinkley 1997, *Bootstrap Methods and their Application*, §3.8), a
    permutation test moves each cluster's rows together."""

    def __init__(self, ids: NDArray[np.int64]):
        self.order = np.argsort(ids, kind="stable")
        self.sizes = np.bincount(ids)
        self.starts = np.cumsum(self.sizes) - self.sizes

    @property
    def count(self) -> int:
        return len(self.sizes)

    def rows(self, picked: NDArray[np.int64]) -> NDArray[np.int64]:
        """The rows of the clusters picked, cluster by cluster in the order picked (a cluster picked twice gives
        its rows twice)."""
        take = self.sizes[picked]
        within = np.arange(take.sum()) - np.repeat(np.cumsum(take) - take, take)
        return self.order[np.repeat(self.starts[picked], take) + within]

    def blocks(self) -> list[NDArray[np.int64]]:
        """The rows of clusters of equal size, one (clusters × size) array per size, smallest first: clusters of
        one size can trade places whole."""
        return [
            self.order[self.starts[self.sizes == size][:, None] + np.arange(size)]
            for size in np.unique(self.sizes[self.sizes > 0])
        ]


@dataclass(frozen=True)
class Moments:
    """What the intervals of a per-future quantity's mean need, when futures come in clusters that are not
    independent evidence (the replications of a parameter vector; the futures a posterior resampled from one source):
    the count, the mean and the sum of squared deviations (mergeable (`+`) by the pairwise formulae of Chan, Golub &
    LeVeque 1979, "Updating formulae and a pairwise algorithm for computing sample variances"), and the number of
    clusters with the sums Σ S_c², Σ n_c S_c and Σ n_c² of each cluster's total S_c and size n_c (mergeable by
    addition). So a run's summary is a reduction over its chunks and equals the one computed over all its futures at
    once; a cluster split between two chunks counts as two (chunks of whole vectors split none)."""

    n: int
    mean: float
    m2: float
    clusters: int
    total_sq: float  # Σ_c S_c²
    size_total: float  # Σ_c n_c S_c
    size_sq: float  # Σ_c n_c²

    @classmethod
    def of(cls, values: np.ndarray, clusters: Clusters = 1) -> Moments:
        """`clusters`: futures per parameter vector (future f in vector f // K), or per future its cluster's id."""
        values = np.asarray(values, dtype=float)
        ids = cluster_ids(clusters, len(values))
        totals, sizes = np.bincount(ids, values), np.bincount(ids).astype(float)
        mean = values.mean()
        m2 = ((values - mean) ** 2).sum()
        # sums, not dot products: BLAS may add in an order that depends on where the arrays lie in memory
        square, cross, size = (float(np.sum(a * b)) for a, b in ((totals, totals), (sizes, totals), (sizes, sizes)))
        return cls(len(values), float(mean), float(m2), len(totals), square, cross, size)

    def __add__(self, other: Moments) -> Moments:
        n, d = self.n + other.n, other.mean - self.mean
        return Moments(
            n,
            self.mean + d * other.n / n,
            self.m2 + other.m2 + d * d * self.n * other.n / n,
            self.clusters + other.clusters,
            self.total_sq + other.total_sq,
            self.size_total + other.size_total,
            self.size_sq + other.size_sq,
        )

    def _clustered_variance(self) -> float:
        """The variance of the mean over futures, from the spread of the clusters' totals: the ratio estimator's,
        V/(V − 1) Σ_c (S_c − n_c ȳ)² / n² (Cochran 1977, *Sampling Techniques*, §9A; with equal clusters, the
        variance of the cluster means over V)."""
        v, m = self.clusters, self.mean
        spread = max(self.total_sq - 2 * m * self.size_total + m * m * self.size_sq, 0.0)
        return v / (v - 1) * spread / (self.n * self.n)

    @property
    def design_effect(self) -> float:
        """How much the futures' clustering inflates the variance of their mean (Kish 1965, *Survey Sampling*,
        ch. 8): the clustered variance over the variance as if every future were an independent draw; at least 1,
        and 1 with one future per cluster."""
        if self.clusters == self.n or self.clusters < 2:
            return 1.0
        independent = self.m2 / (self.n - 1) / self.n
        return max(1.0, self._clustered_variance() / independent) if independent > 0 else 1.0

    def share(self, confidence: float = CONFIDENCE) -> dict[str, float]:
        """The share of futures (of a yes/no quantity) with its Wilson interval on the effective number of futures
        (the futures over the design effect), so that the futures of one cluster do not count as independent
        evidence."""
        effective = self.n / self.design_effect
        lo, hi = wilson(self.mean * effective, effective, confidence)
        return {"p": self.mean, "lo": lo, "hi": hi}

    def interval(self, confidence: float = CONFIDENCE) -> dict[str, float]:
        """The mean over futures with a normal interval from the clustered variance (with one future per cluster,
        the futures' own)."""
        z = NormalDist().inv_cdf(0.5 + confidence / 2)
        se = np.sqrt(self._clustered_variance())
        return {"mean": self.mean, "lo": self.mean - z * se, "hi": self.mean + z * se}


def merge_moments(known: dict[Any, Moments], chunk: Mapping[Any, Moments]) -> None:
    """Add a chunk's moments into those `known` so far, key by key."""
    for key, m in chunk.items():
        known[key] = known[key] + m if key in known else m


def share_interval(flags: np.ndarray, clusters: Clusters = 1, confidence: float = CONFIDENCE) -> dict[str, float]:
    """A share of futures with its Wilson interval on the effective number of futures (see `Moments.share`)."""
    return Moments.of(flags, clusters).share(confidence)


def mean_interval(values: np.ndarray, clusters: Clusters = 1, confidence: float = CONFIDENCE) -> dict[str, float]:
    """A mean over futures with its normal interval (see `Moments.interval`)."""
    return Moments.of(values, clusters).interval(confidence)


def _moments(table: pd.DataFrame, clusters: Clusters) -> dict[str, Moments]:
    """The moments of every row of a summary (named futures, outcomes, the US net cost) over an outcomes table."""
    named = table["named_future"]
    out = {FUTURE_PREFIX + key: Moments.of((named == key).to_numpy(), clusters) for key in NAMED_FUTURES}
    return out | {key: Moments.of(table[key].to_numpy(), clusters) for key in (*OUTCOMES, "us_net_cost")}


def probabilities(table: pd.DataFrame, clusters: Clusters = 1) -> dict[str, dict[str, float]]:
    """Outcome and named-future probabilities with 95% intervals: {key: {'p', 'lo', 'hi'}}."""
    return {key: m.share() for key, m in _moments(table, clusters).items() if key != "us_net_cost"}


class Summary:
    """A run's summary built up from outcome tables of chunks of its futures, each chunk whole parameter vectors and
    added in any order: what `summary_json` gives for the whole tables, without holding them."""

    def __init__(self) -> None:
        self._moments: dict[str, dict[str, Moments]] = {}

    def add(self, package: str, table: pd.DataFrame, clusters: Clusters = 1) -> None:
        """A chunk's outcomes table, with its futures' `clusters` (see `Moments.of`)."""
        merge_moments(self._moments.setdefault(package, {}), _moments(table, clusters))

    def json(self) -> dict[str, Any]:
        """As `summary_json` describes."""
        return {
            "packages": {
                name: {k: m.share() for k, m in cells.items() if k != "us_net_cost"}
                for name, cells in self._moments.items()
            },
            "us_net_cost_usd_bn": {name: cells["us_net_cost"].interval() for name, cells in self._moments.items()},
        }


def outcome_tables(ensemble: Ensemble) -> dict[str, pd.DataFrame]:
    """Package -> its outcomes table (see `outcome_table`)."""
    return {name: outcome_table(final, ensemble.case, ensemble.years) for name, final in ensemble.final.items()}


def long_outcomes(final: pd.DataFrame, case: Case, years: int) -> pd.DataFrame:
    """A saved run's final states (package, future and the state variables, as `store.Run.final` reads them) as its
    outcomes: package, future, the outcome flags, the US net cost and the named future."""
    parts = []
    for package, group in final.groupby("package", sort=False):
        table = final_outcomes(group, case, years)
        table.insert(0, "package", str(package))
        table.insert(1, "future", group["future"].to_numpy())
        parts.append(table.reset_index(drop=True))
    return pd.concat(parts, ignore_index=True)


def summary_json(tables: Mapping[str, pd.DataFrame], clusters: Clusters = 1) -> dict[str, Any]:
    """Per package: outcome and named-future probabilities, and the mean US net cost (USD billion over the
    horizon), each with a 95% interval that counts each cluster of futures (`clusters`: a parameter vector's
    replications, or per future an id, as `Ensemble.clusters` gives them) as one piece of evidence:
    `{"packages": {PACKAGE: {KEY: {"p", "lo", "hi"}}}, "us_net_cost_usd_bn": {PACKAGE: {"mean", "lo", "hi"}}}`, as
    run.json and `alliance-futures run --format json` give it. Reduced over the run's chunks (`table_chunks`), so
    that it is the same to the last bit as a run streamed to disk and summarised chunk by chunk gives."""
    summary = Summary()
    for part, part_clusters in table_chunks(tables, clusters):
        for name, table in part.items():
            summary.add(name, table, part_clusters)
    return summary.json()


def table_chunks(
    tables: Mapping[str, pd.DataFrame], clusters: Clusters = 1
) -> Iterator[tuple[dict[str, pd.DataFrame], Clusters]]:
    """Every package's outcomes table in the chunks a run streams (`engine.chunks`: whole vectors), with each
    chunk's clusters: what a reduction over a saved run's chunks reads, from tables in memory."""
    replications = 1 if isinstance(clusters, np.ndarray) else int(clusters)
    futures = len(next(iter(tables.values())))
    for chunk in chunks(list(tables)[:1], futures, DEFAULT_CHUNK, replications):  # one package's: the spans
        part = slice(chunk.start, chunk.stop)
        yield (
            {name: table.iloc[part] for name, table in tables.items()},
            clusters[part] if isinstance(clusters, np.ndarray) else clusters,
        )


def final_outcomes(final: pd.DataFrame, case: Case, years: int) -> pd.DataFrame:
    """`outcome_table` of final states read from a saved run (a frame with a column per state variable)."""
    return outcome_table({c: final[c].to_numpy() for c in final.columns}, case, years)


def summary_of_chunks(
    chunks: Iterable[tuple[str, pd.DataFrame]], case: Case, years: int, replications: int = 1
) -> dict[str, Any]:
    """`summary_json` of a run read chunk by chunk: (package, final states of a chunk of whole vectors), one in
    memory at a time, each package's chunks in order."""
    summary = Summary()
    for package, final in chunks:
        summary.add(package, final_outcomes(final, case, years), replications)
    return summary.json()


def summary_frame(summary: Mapping[str, Any]) -> pd.DataFrame:
    """A `summary_json` as a table indexed by (package, outcome): the outcome in words, its unit, the estimate and
    its 95% interval (`low`, `high`)."""
    rows = []
    for package, cells in summary["packages"].items():
        rows += [(package, key, row_label(key), "probability", c["p"], c["lo"], c["hi"]) for key, c in cells.items()]
        cost = summary["us_net_cost_usd_bn"][package]
        rows.append((package, "us_net_cost", "US net cost", "USD bn, mean", cost["mean"], cost["lo"], cost["hi"]))
    columns = ["package", "outcome", "label", "unit", "estimate", "low", "high"]
    return pd.DataFrame(rows, columns=columns).set_index(["package", "outcome"])


def summarize(tables: Mapping[str, pd.DataFrame], clusters: Clusters = 1) -> pd.DataFrame:
    """Per package and outcome: the probability of each outcome and named future, and the mean US net cost (USD
    billion over the horizon), each with a 95% interval that counts each cluster of futures as one piece of evidence
    (see `summary_json` for the same as a dict)."""
    return summary_frame(summary_json(tables, clusters))
