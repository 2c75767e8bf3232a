"""The backtest: the model replayed through the recorded past (engine.replay), summarised year by year and scored
against what happened.

For each kind of event in the history (troop-cut episodes, ROK nuclear-weapons activity, cost-sharing disputes,
exercise suspensions, fatal incidents) the forecast is the mean over futures of one of the replay's yearly series,
and each year of the kind's window is a yes or no. The score is the Brier score (Brier 1950: mean squared error of a
probability) and the area under the ROC curve (the chance that a year with the event got a higher forecast than a
year without; Hanley & McNeil 1982), both from scikit-learn. The reference is a constant base rate: the share of
event years in the same window (climatology, which already knows the window's answer, so it is a demanding
reference). Nothing in the model is fitted to the history: its parameters are the case's, set from the literature
and base rates for the present.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, roc_auc_score

from ..case import Case, History
from ..engine.replay import SERIES, Replay, replay

BAND = (5, 50, 95)  # percentiles of each yearly band


def bands(result: Replay) -> pd.DataFrame:
    """Long table `year, variable, mean, p05, p50, p95` over futures, for every replayed series and year."""
    frames = []
    for name in SERIES:
        values = result.series[name]
        low, mid, high = np.percentile(values, BAND, axis=0).astype(np.float64)
        frames.append(
            pd.DataFrame(
                {
                    "year": result.calendar_years,
                    "variable": name,
                    "mean": values.mean(axis=0, dtype=np.float64),
                    "p05": low,
                    "p50": mid,
                    "p95": high,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def brier(forecast: np.ndarray, happened: np.ndarray) -> float:
    """Mean squared difference between the forecast probability and what happened (0 or 1); lower is better."""
    return float(brier_score_loss(happened.astype(int), forecast))


def auc(forecast: np.ndarray, happened: np.ndarray) -> float | None:
    """Area under the ROC curve; None when every year had the event, or none did (nothing to rank)."""
    if happened.all() or not happened.any():
        return None
    return float(roc_auc_score(happened.astype(int), forecast))


def event_table(result: Replay) -> pd.DataFrame:
    """One row per kind and scored year: the model's forecast and whether the event happened."""
    mean = {name: result.series[name].mean(axis=0, dtype=np.float64) for name in SERIES}
    years = result.calendar_years
    rows = []
    for kind, spec in result.history.kinds.items():
        scored = (years >= spec.first_year) & (years <= spec.last_year)
        happened = np.isin(years[scored], sorted(result.history.event_years[kind]))
        rows.append(
            pd.DataFrame(
                {"kind": kind, "year": years[scored], "forecast": mean[spec.forecast][scored], "happened": happened}
            )
        )
    return pd.concat(rows, ignore_index=True)


def scores(events: pd.DataFrame) -> pd.DataFrame:
    """Per kind: the model's Brier score and AUC, the base rate's Brier score, and the counts behind them."""
    rows = {}
    for kind, group in events.groupby("kind", sort=False):
        forecast, happened = group["forecast"].to_numpy(), group["happened"].to_numpy()
        base_rate = float(happened.mean())
        rows[kind] = {
            "brier_model": brier(forecast, happened),
            "brier_base": brier(np.full_like(forecast, base_rate), happened),
            "auc": auc(forecast, happened),
            "n_event_years": int(happened.sum()),
            "n_years": len(group),
            "base_rate": base_rate,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "kind"
    return table


def verdict(row: dict[str, Any]) -> str:
    """'model better' (lower Brier score and AUC above 0.5), 'base rate better' (Brier score not lower), or
    'mixed'."""
    if row["brier_model"] >= row["brier_base"]:
        return "base rate better"
    return "model better" if row["auc"] is not None and row["auc"] > 0.5 else "mixed"


@dataclass
class Backtest:
    """A replay, its yearly bands and its scores against the recorded events."""

    replay: Replay
    bands: pd.DataFrame
    events: pd.DataFrame
    scores: pd.DataFrame

    def as_json(self) -> dict[str, dict[str, dict[str, Any]]]:
        """`{"events": {kind: {"brier_model", "brier_base", "auc", "n_event_years", …}}}`; an AUC that cannot be
        computed is None."""
        table = self.scores.astype(object).where(self.scores.notna(), None)
        return {"events": {str(kind): {str(k): v for k, v in row.items()} for kind, row in table.iterrows()}}


def backtest_history(case: Case, history: History, futures: int, seed: int) -> Backtest:
    """Replay the case's history with `futures` sampled futures and score it against the recorded events."""
    result = replay(case, history, futures, seed)
    events = event_table(result)
    return Backtest(result, bands(result), events, scores(events))
