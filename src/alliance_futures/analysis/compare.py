"""Robust comparison of packages on common random numbers.

Every package is simulated on the same futures (same parameters, same random streams), so a package's effect is
read future by future: paired differences against a baseline, regret against the best package in each future
(Savage 1951; Lempert, Popper & Bankes 2003, *Shaping the Next One Hundred Years*, RAND MR-1626) and satisficing,
the share of futures in which all of an analyst's thresholds hold (Simon 1956; McPhail et al. 2018, *Earth's
Future* 6(2)).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .outcomes import CONFIDENCE, FUTURE_PREFIX, NAMED_FUTURES, OUTCOMES, Clusters, Moments, merge_moments

GRAVITY = ("hollowed_alliance", "rupture", "nuclear_south_korea", "war")  # bad named futures, least to most grave
INDICATORS = (*OUTCOMES, *(FUTURE_PREFIX + k for k in NAMED_FUTURES), "us_net_cost")  # the columns of `indicators`


def indicators(table: pd.DataFrame) -> pd.DataFrame:
    """One column per outcome and per named future (0 or 1), and the US net cost, per future."""
    columns = {k: table[k].astype(float) for k in OUTCOMES}
    columns |= {FUTURE_PREFIX + k: (table["named_future"] == k).astype(float) for k in NAMED_FUTURES}
    columns["us_net_cost"] = table["us_net_cost"]
    return pd.DataFrame(columns)


class PairedDifferences:
    """Each package minus the baseline, future by future, reduced over chunks of futures: each chunk every package's
    outcomes table for the same futures (whole clusters), added in any order (see `paired_differences`)."""

    def __init__(self, baseline: str) -> None:
        self.baseline = baseline
        self._moments: dict[tuple[str, str], Moments] = {}

    def add(self, tables: Mapping[str, pd.DataFrame], clusters: Clusters = 1) -> PairedDifferences:
        if self.baseline not in tables:
            known = ", ".join(tables)
            raise KeyError(f"baseline package '{self.baseline}' is not in the ensemble (packages: {known})")
        base = indicators(tables[self.baseline])
        for name, table in tables.items():
            if name != self.baseline:
                d = indicators(table) - base
                merge_moments(self._moments, {(name, k): Moments.of(d[k].to_numpy(), clusters) for k in d.columns})
        return self

    def frame(self, confidence: float = CONFIDENCE) -> pd.DataFrame:
        """Rows: package and outcome; columns: difference, lo, hi."""
        cells = {key: m.interval(confidence) for key, m in self._moments.items()}
        index = pd.MultiIndex.from_tuples(list(cells), names=["package", "outcome"])
        rows = [(c["mean"], c["lo"], c["hi"]) for c in cells.values()]
        return pd.DataFrame(rows, index=index, columns=["difference", "lo", "hi"])


def paired_differences(
    tables: Mapping[str, pd.DataFrame],
    baseline: str,
    confidence: float = CONFIDENCE,
    clusters: Clusters = 1,
) -> pd.DataFrame:
    """Each package minus the baseline, future by future: the mean difference of every outcome (in probability, or
    USD bn for the net cost) with a normal interval from the spread of the paired differences, counting each cluster
    of futures (`clusters`: a parameter vector's replications, or an id per future, as `Ensemble.clusters` gives
    them) as one piece of evidence (`outcomes.mean_interval`). Rows: package and outcome; columns: difference, lo,
    hi."""
    return PairedDifferences(baseline).add(tables, clusters).frame(confidence)


def severity(table: pd.DataFrame) -> pd.Series:
    """The gravity of each future's named future: 0 for managed continuity or a transformed alliance, then 1 to 4
    for hollowed alliance, rupture, nuclear South Korea and war (the order in which futures are named)."""
    ranks = {k: i + 1 for i, k in enumerate(GRAVITY)}
    return table["named_future"].map(lambda k: ranks.get(k, 0)).astype(float)


class Regret:
    """Per package, how many futures have each value of regret, reduced over chunks of futures as
    `PairedDifferences` is (see `regret`). A loss of few values (the gravity of named futures, an outcome) keeps
    a few counts whatever the number of futures; the US net cost keeps one count per distinct value."""

    def __init__(self, loss: str = "severity") -> None:
        self.loss = loss
        self._counts: dict[str, pd.Series] = {}

    def add(self, tables: Mapping[str, pd.DataFrame]) -> Regret:
        if self.loss == "severity":
            losses = pd.DataFrame({name: severity(t) for name, t in tables.items()})
        else:
            frames = {name: indicators(t) for name, t in tables.items()}
            first = next(iter(frames.values()))
            if self.loss not in first:
                expected = ", ".join(first.columns)
                raise KeyError(f"unknown loss '{self.loss}' (expected 'severity' or one of {expected})")
            losses = pd.DataFrame({name: f[self.loss] for name, f in frames.items()})
        regrets = losses.sub(losses.min(axis=1), axis=0)
        for name in regrets.columns:
            counts = regrets[name].value_counts()
            self._counts[name] = counts if name not in self._counts else self._counts[name].add(counts, fill_value=0)
        return self

    def frame(self) -> pd.DataFrame:
        """Per package: mean and 90th-percentile regret, and the share of futures where it is among the best."""
        rows = {}
        for name, counts in self._counts.items():
            counts = counts.sort_index()
            values, n = counts.index.to_numpy(dtype=float), counts.sum()
            rows[name] = {
                "mean_regret": float(values @ counts.to_numpy()) / n,
                "p90_regret": _quantile(values, counts.to_numpy(), 0.9),
                "share_best": float(counts.get(0.0, 0)) / n,
            }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("package")


def _quantile(values: np.ndarray, counts: np.ndarray, q: float) -> float:
    """The q-quantile of the values repeated their counts times, by linear interpolation between order statistics
    (NumPy's and pandas' default, method 7 of Hyndman & Fan 1996)."""
    position = (counts.sum() - 1) * q
    below = int(np.floor(position))
    ends = np.cumsum(counts)
    low, high = (values[np.searchsorted(ends, i, side="right")] for i in (below, min(below + 1, ends[-1] - 1)))
    return float(low + (high - low) * (position - below))


def regret(tables: Mapping[str, pd.DataFrame], loss: str = "severity") -> pd.DataFrame:
    """Per package: mean and 90th-percentile regret, the loss in each future minus the smallest loss any package
    reaches in that future, and the share of futures where the package is among the best. `loss` is 'severity' or
    any column of the outcome indicators (an outcome, 'future:NAME' or 'us_net_cost')."""
    return Regret(loss).add(tables).frame()


class Satisficing:
    """Per package, the futures in which every threshold holds, reduced over chunks of futures as
    `PairedDifferences` is (see `satisficing`)."""

    def __init__(self, thresholds: Mapping[str, float]) -> None:
        if not thresholds:
            raise ValueError("give at least one threshold, e.g. {'war': 0, 'nuclear_pursuit': 0}")
        unknown = [k for k in thresholds if k not in INDICATORS]
        if unknown:
            raise KeyError(f"unknown outcome {unknown[0]!r} (expected one of {', '.join(INDICATORS)})")
        self.thresholds = dict(thresholds)
        self._moments: dict[str, Moments] = {}

    def add(self, tables: Mapping[str, pd.DataFrame], clusters: Clusters = 1) -> Satisficing:
        for name, table in tables.items():
            values = indicators(table)
            ok = np.logical_and.reduce([values[k].to_numpy() <= v for k, v in self.thresholds.items()])
            merge_moments(self._moments, {name: Moments.of(ok, clusters)})
        return self

    def frame(self, confidence: float = CONFIDENCE) -> pd.DataFrame:
        """Per package: share, lo, hi."""
        shares = {name: m.share(confidence) for name, m in self._moments.items()}
        rows = {name: {"share": s["p"], "lo": s["lo"], "hi": s["hi"]} for name, s in shares.items()}
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("package")


def satisficing(
    tables: Mapping[str, pd.DataFrame],
    thresholds: Mapping[str, float],
    confidence: float = CONFIDENCE,
    clusters: Clusters = 1,
) -> pd.DataFrame:
    """Per package: the share of futures in which every outcome stays at or below its threshold (an outcome or
    named future at 0 must not happen; 'us_net_cost' in USD bn), with a Wilson interval on the effective number of
    futures, each cluster of futures (see `paired_differences`) one piece of evidence (`outcomes.share_interval`)."""
    return Satisficing(thresholds).add(tables, clusters).frame(confidence)
