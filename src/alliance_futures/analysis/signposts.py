"""Signposts: observable indicators ranked by how well seeing them early tells the named futures apart.

A signpost (case data: a recorded variable crossing a threshold) is *seen* in a future if it shows in any of the
first `signpost_years`. Its evidential weight for a named future F is the positive likelihood ratio
LR = P(seen | F) / P(seen | not F): the factor by which seeing it multiplies the odds of F (Heuer 1999, *Psychology of
Intelligence Analysis*, ch. 8 on diagnosticity; Simel, Samsa & Matchar 1991, *J Clin Epidemiol* 44(8) for the
interval of a ratio of proportions). The futures of one parameter vector are not independent evidence: each of the
two proportions' variance is multiplied by its design effect over the vectors (Rao & Scott 1981, *JASA* 76(374), on
design-effect corrections for proportions from cluster samples; see `outcomes.Moments`). Signposts are read
where they would be used: in futures where nothing decisive (war, rupture, a nuclear programme) has happened by the
end of the watch window.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..engine import Ensemble
from ..errors import REQUEST, InputError
from .outcomes import CONFIDENCE, Moments, cluster_ids, outcome_table
from .timeline import outcomes_in_year, yearly_paths

DECISIVE = ("war", "rupture", "nuclear_pursuit")  # futures already decided when the watch window ends
THRESHOLDS = ("signpost_years",)  # the case's thresholds this module reads (each a count of years)
CONTINUITY = 0.5  # added to every cell of a 2×2 count table with an empty cell (Haldane 1956)


def likelihood_ratios(
    seen: pd.DataFrame, named: pd.Series, confidence: float = CONFIDENCE, clusters: NDArray[np.int64] | None = None
) -> pd.DataFrame:
    """Positive likelihood ratios of each signpost (a true/false column of `seen`) for each named future (the
    categories of `named`), with intervals from the log ratio's standard error, each proportion's part of it
    multiplied by its design effect when `clusters` (an id per row, as `Ensemble.clusters` gives them) groups the
    futures. Rows: signpost and future; columns: seen_if_future, seen_if_not, lr, lo, hi. Where a signpost is never or
    always seen, or a future never or always happens, the ratio is undefined (NaN)."""
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    categories = named.cat.categories if isinstance(named.dtype, pd.CategoricalDtype) else pd.unique(named)
    ids = np.arange(len(named)) if clusters is None else clusters

    def design_effect(values: NDArray[np.bool_], among: NDArray[np.bool_]) -> float:
        return Moments.of(values[among], ids[among]).design_effect if among.sum() > 1 else 1.0

    rows = []
    for signpost in seen.columns:
        s = seen[signpost].to_numpy(dtype=bool)
        for future in categories:
            f = (named == future).to_numpy()
            counts = np.array([(s & f).sum(), (s & ~f).sum(), (~s & f).sum(), (~s & ~f).sum()], dtype=float)
            a, b, c, d = counts + (CONTINUITY if (counts == 0).any() else 0.0)
            defined = 0 < s.sum() < len(s) and 0 < f.sum() < len(f)
            lr = (a / (a + c)) / (b / (b + d)) if defined else np.nan
            se = np.sqrt(design_effect(s, f) * (1 / a - 1 / (a + c)) + design_effect(s, ~f) * (1 / b - 1 / (b + d)))
            rows.append(
                {
                    "signpost": signpost,
                    "future": str(future),
                    "seen_if_future": s[f].mean() if f.any() else np.nan,
                    "seen_if_not": s[~f].mean() if (~f).any() else np.nan,
                    "lr": lr,
                    "lo": lr * np.exp(-z * se),
                    "hi": lr * np.exp(z * se),
                }
            )
    return pd.DataFrame(rows).set_index(["signpost", "future"])


def watch_list(ratios: pd.DataFrame, seen: pd.DataFrame) -> pd.DataFrame:
    """One row per signpost, strongest first: the share of futures where it is seen, its likelihood ratio for every
    named future, the future it points to (largest ratio) and away from (smallest), and its strength, the largest
    |log LR| (a signpost that halves the odds of war is as telling as one that doubles them)."""
    futures = pd.unique(ratios.index.get_level_values("future"))
    lr = ratios["lr"].unstack("future").reindex(columns=futures)
    table = lr.rename(columns=lambda f: f"lr_{f}")
    table.insert(0, "seen", seen.mean())
    defined = lr.notna().any(axis=1)
    table["points_to"] = lr.fillna(-np.inf).idxmax(axis=1).where(defined)
    table["points_away_from"] = lr.fillna(np.inf).idxmin(axis=1).where(defined)
    table["strength"] = lr.apply(np.log).abs().max(axis=1)
    return table.sort_values("strength", ascending=False, na_position="last")


def watch_years(ensemble: Ensemble) -> int:
    """The years signposts are watched over: the case's `signpost_years`, or the whole run if it is shorter."""
    return min(int(ensemble.case.thresholds["signpost_years"].value), ensemble.years)


def rank_signposts(ensemble: Ensemble, package: str, window: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The case's signposts read in one package's futures over the first `window` years (default: `watch_years`):
    the ranked watch list and the likelihood ratios with intervals (see `likelihood_ratios`); both empty if the case
    names no signposts."""
    case = ensemble.case
    years = window if window is not None else watch_years(ensemble)
    if not 1 <= years <= ensemble.years:
        raise InputError(REQUEST, f"the watch window must be 1 to {ensemble.years} years, got {years}", key="window")
    if not case.signposts:
        return pd.DataFrame(columns=["seen", "points_to", "points_away_from", "strength"]), pd.DataFrame(
            columns=["seen_if_future", "seen_if_not", "lr", "lo", "hi"]
        )
    yearly = yearly_paths(ensemble, package)
    early = outcomes_in_year(ensemble, package, years - 1)
    open_futures = ~early[list(DECISIVE)].any(axis=1).to_numpy()
    named = outcome_table(ensemble.final[package], case, ensemble.years)["named_future"][open_futures]
    seen = pd.DataFrame(
        {
            name: s.seen(yearly[s.variable][open_futures, :years].astype(np.float64)).any(axis=1)
            for name, s in case.signposts.items()
        }
    )
    seen.index = named.index
    ids = cluster_ids(ensemble.clusters, ensemble.futures)
    ratios = likelihood_ratios(seen, named, clusters=ids[open_futures])
    return watch_list(ratios, seen), ratios
