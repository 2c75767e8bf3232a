"""Outcomes and named futures (model.md, "Outcomes and named futures"), and their probabilities per package.

Each future's final state gives its outcomes (did rupture, drawdown, nuclear pursuit, war … happen within the
horizon) and one named alternative future, chosen in order of gravity: War, Nuclear South Korea, Rupture, Hollowed
alliance, Transformed alliance, Managed continuity. Thresholds come from the case.
"""

from __future__ import annotations

from collections.abc import Mapping
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from ..case import Case
from ..engine import Ensemble, per_vector
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


def design_effect(values: np.ndarray, replications: int) -> float:
    """How much the futures' clustering in parameter vectors inflates the variance of their mean (Kish 1965, *Survey
    Sampling*, ch. 8): the variance estimated from per-vector means over the variance as if every future were an
    independent draw; at least 1, and 1 with one future per vector."""
    values = np.asarray(values, dtype=float)
    if replications == 1 or len(values) < 2 * replications:
        return 1.0
    independent = values.var(ddof=1) / len(values)
    means = per_vector(values, replications)
    clustered = means.var(ddof=1) / len(means)
    return max(1.0, clustered / independent) if independent > 0 else 1.0


def share_interval(flags: np.ndarray, replications: int = 1, confidence: float = CONFIDENCE) -> dict[str, float]:
    """A share of futures with its Wilson interval on the effective number of futures (the futures over the design
    effect), so that replications of one parameter vector do not count as independent evidence."""
    flags = np.asarray(flags, dtype=float)
    p = float(flags.mean())
    effective = len(flags) / design_effect(flags, replications)
    lo, hi = wilson(p * effective, effective, confidence)
    return {"p": p, "lo": lo, "hi": hi}


def probabilities(table: pd.DataFrame, replications: int = 1) -> dict[str, dict[str, float]]:
    """Outcome and named-future probabilities with 95% intervals: {key: {'p', 'lo', 'hi'}}."""
    out = {
        FUTURE_PREFIX + key: share_interval((table["named_future"] == key).to_numpy(), replications)
        for key in NAMED_FUTURES
    }
    out |= {key: share_interval(table[key].to_numpy(), replications) for key in OUTCOMES}
    return out


def mean_interval(values: np.ndarray, replications: int = 1, confidence: float = CONFIDENCE) -> dict[str, float]:
    """A mean over futures with a normal interval from the spread of the per-vector means (with one future per
    vector, of the futures themselves)."""
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    means = per_vector(values, replications)
    mean, se = float(means.mean()), float(np.std(means, ddof=1) / np.sqrt(len(means)))
    return {"mean": mean, "lo": mean - z * se, "hi": mean + z * se}


def outcome_tables(ensemble: Ensemble) -> dict[str, pd.DataFrame]:
    """Package -> its outcomes table (see `outcome_table`)."""
    return {name: outcome_table(final, ensemble.case, ensemble.years) for name, final in ensemble.final.items()}


def summary_json(tables: Mapping[str, pd.DataFrame], replications: int = 1) -> dict[str, Any]:
    """Per package: outcome and named-future probabilities, and the mean US net cost (USD billion over the
    horizon), each with a 95% interval that counts each parameter vector's `replications` futures as one cluster:
    `{"packages": {PACKAGE: {KEY: {"p", "lo", "hi"}}}, "us_net_cost_usd_bn": {PACKAGE: {"mean", "lo", "hi"}}}`, as
    run.json and `alliance-futures run --format json` give it."""
    return {
        "packages": {name: probabilities(t, replications) for name, t in tables.items()},
        "us_net_cost_usd_bn": {
            name: mean_interval(t["us_net_cost"].to_numpy(), replications) for name, t in tables.items()
        },
    }


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


def summarize(tables: Mapping[str, pd.DataFrame], replications: int = 1) -> pd.DataFrame:
    """Per package and outcome: the probability of each outcome and named future, and the mean US net cost (USD
    billion over the horizon), each with a 95% interval that counts each parameter vector's `replications` futures
    as one cluster (see `summary_json` for the same as a dict)."""
    return summary_frame(summary_json(tables, replications))
