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

from .outcomes import CONFIDENCE, FUTURE_PREFIX, NAMED_FUTURES, OUTCOMES, Clusters, mean_interval, share_interval

GRAVITY = ("hollowed_alliance", "rupture", "nuclear_south_korea", "war")  # bad named futures, least to most grave
INDICATORS = (*OUTCOMES, *(FUTURE_PREFIX + k for k in NAMED_FUTURES), "us_net_cost")  # the columns of `indicators`


def indicators(table: pd.DataFrame) -> pd.DataFrame:
    """One column per outcome and per named future (0 or 1), and the US net cost, per future."""
    columns = {k: table[k].astype(float) for k in OUTCOMES}
    columns |= {FUTURE_PREFIX + k: (table["named_future"] == k).astype(float) for k in NAMED_FUTURES}
    columns["us_net_cost"] = table["us_net_cost"]
    return pd.DataFrame(columns)


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
    if baseline not in tables:
        raise KeyError(f"baseline package '{baseline}' is not in the ensemble (packages: {', '.join(tables)})")
    base = indicators(tables[baseline])
    rows = []
    for name, table in tables.items():
        if name == baseline:
            continue
        d = indicators(table) - base
        cells = [mean_interval(d[k].to_numpy(), clusters, confidence) for k in d.columns]
        rows.append(
            pd.DataFrame(
                {
                    "package": name,
                    "outcome": d.columns,
                    "difference": [c["mean"] for c in cells],
                    "lo": [c["lo"] for c in cells],
                    "hi": [c["hi"] for c in cells],
                }
            )
        )
    return pd.concat(rows, ignore_index=True).set_index(["package", "outcome"])


def severity(table: pd.DataFrame) -> pd.Series:
    """The gravity of each future's named future: 0 for managed continuity or a transformed alliance, then 1 to 4
    for hollowed alliance, rupture, nuclear South Korea and war (the order in which futures are named)."""
    ranks = {k: i + 1 for i, k in enumerate(GRAVITY)}
    return table["named_future"].map(lambda k: ranks.get(k, 0)).astype(float)


def regret(tables: Mapping[str, pd.DataFrame], loss: str = "severity") -> pd.DataFrame:
    """Per package: mean and 90th-percentile regret, the loss in each future minus the smallest loss any package
    reaches in that future, and the share of futures where the package is among the best. `loss` is 'severity' or
    any column of the outcome indicators (an outcome, 'future:NAME' or 'us_net_cost')."""
    if loss == "severity":
        losses = pd.DataFrame({name: severity(t) for name, t in tables.items()})
    else:
        frames = {name: indicators(t) for name, t in tables.items()}
        first = next(iter(frames.values()))
        if loss not in first:
            raise KeyError(f"unknown loss '{loss}' (expected 'severity' or one of {', '.join(first.columns)})")
        losses = pd.DataFrame({name: f[loss] for name, f in frames.items()})
    r = losses.sub(losses.min(axis=1), axis=0)
    return pd.DataFrame(
        {"mean_regret": r.mean(), "p90_regret": r.quantile(0.9), "share_best": (r == 0).mean()}
    ).rename_axis("package")


def satisficing(
    tables: Mapping[str, pd.DataFrame],
    thresholds: Mapping[str, float],
    confidence: float = CONFIDENCE,
    clusters: Clusters = 1,
) -> pd.DataFrame:
    """Per package: the share of futures in which every outcome stays at or below its threshold (an outcome or
    named future at 0 must not happen; 'us_net_cost' in USD bn), with a Wilson interval on the effective number of
    futures, each cluster of futures (see `paired_differences`) one piece of evidence (`outcomes.share_interval`)."""
    if not thresholds:
        raise ValueError("give at least one threshold, e.g. {'war': 0, 'nuclear_pursuit': 0}")
    rows = {}
    for name, table in tables.items():
        values = indicators(table)
        unknown = [k for k in thresholds if k not in values]
        if unknown:
            raise KeyError(f"unknown outcome {unknown[0]!r} (expected one of {', '.join(values.columns)})")
        ok = np.logical_and.reduce([values[k].to_numpy() <= v for k, v in thresholds.items()])
        share = share_interval(ok, clusters, confidence)
        rows[name] = {"share": share["p"], "lo": share["lo"], "hi": share["hi"]}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("package")
