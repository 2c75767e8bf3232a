"""The backtest: the model replayed through the recorded past (engine.replay), summarised year by year and scored
against what happened.

For each kind of event in the history (troop-cut episodes, ROK nuclear-weapons activity, cost-sharing disputes,
exercise suspensions, fatal incidents) the forecast is the mean over futures of one of the replay's yearly series,
and each year of the kind's window is a yes or no. The model is scored beside three references on the same years
(`analysis.skill`): the window's base rate, persistence, and a logistic regression on the recorded drivers known at
the start of the year (who governs that year, and every recorded series as it stood the year before), the last two
fitted out of sample by leaving out blocks of years. The model is scored twice: as replayed, and as forecast at the
start of each year from what was recorded by then (`Replay.ahead`). Every score has a block-bootstrap interval over
years, and the model's Brier score its Murphy decomposition (CORP). The verdict says "skill" only where the model's
Brier skill score against every reference has an interval above zero, both ways, and no recorded input carries the
event (a kind's `carried_by`: the cost-sharing disputes restate the demands on record),
"worse than base rate" where its interval against the base rate lies below zero, and "no demonstrated skill"
otherwise. The model's parameters are the case's, set from the literature and base rates for the present, not
fitted to these years (`docs/backtest.md` lists the structural changes made after seeing scores).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..case import Case, History
from ..case.history import EventKind, Window
from ..engine.replay import SERIES, Replay, replay
from . import skill

BAND = (5, 50, 95)  # percentiles of each yearly band
MODEL = "model"


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


def event_table(result: Replay) -> pd.DataFrame:
    """One row per kind and scored year: the model's forecast, its forecast made at the start of the year (from
    the recorded inputs as they stood at the end of the year before), whether the event happened, and whether it
    happened the year before."""
    mean = {name: result.series[name].mean(axis=0, dtype=np.float64) for name in SERIES}
    ahead = {name: result.ahead[name].mean(axis=0, dtype=np.float64) for name in SERIES}
    years = result.calendar_years
    rows = []
    for kind, spec in result.history.kinds.items():
        scored = (years >= spec.first_year) & (years <= spec.last_year)
        recorded = sorted(result.history.event_years[kind])
        rows.append(
            pd.DataFrame(
                {
                    "kind": kind,
                    "year": years[scored],
                    "forecast": mean[spec.forecast][scored],
                    "ahead": ahead[spec.forecast][scored],
                    "happened": np.isin(years[scored], recorded),
                    "before": np.isin(years[scored] - 1, recorded),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def recorded_drivers(history: History, years: np.ndarray) -> pd.DataFrame:
    """What the record shows at the start of each year: who governs in Washington and Seoul that year, and every
    recorded series that drives the model (a state, lever or parameter) as it stood the year before (NaN where the
    record has no value). Rows: years."""
    columns = {
        "us_transactional": [float(history.orientation("us", y) == "transactional") for y in years],
        "rok_progressive": [float(history.orientation("rok", y) == "progressive") for y in years],
    }
    for name, series in history.series.items():
        if series.sets is not None:
            columns[name] = [np.nan if (v := series.value_in(int(y) - 1)) is None else v for y in years]
    return pd.DataFrame(columns, index=pd.Index(years, name="year"))


def scores(
    events: pd.DataFrame,
    drivers: pd.DataFrame,
    kinds: Mapping[str, EventKind],
    seed: int,
    windows: Sequence[Window] = (),
) -> dict[str, dict[str, Any]]:
    """Per kind: the model's Brier score, log score and AUC with their intervals and its Brier score's Murphy
    decomposition (reliability, resolution, uncertainty), each reference's scores, the model's Brier skill score
    against each reference, the same for its start-of-year forecast, its scores within each of `windows` against
    the window's own base rate, the recorded series that carry the event, and the verdict (see the module's
    docstring)."""
    out = {}
    for kind, group in events.groupby("kind", sort=False):
        happened = group["happened"].to_numpy()
        block = skill.blocks(len(group))
        base_rate = float(happened.mean())
        forecasts = {
            MODEL: group["forecast"].to_numpy(),
            "base_rate": np.full(len(group), base_rate),
            "persistence": skill.persistence(happened, group["before"].to_numpy(), block),
            "logistic": skill.logistic(drivers.loc[group["year"]], happened, block),
        }
        scored = skill.compare(forecasts, happened, MODEL, seed)
        model = scored.pop(MODEL)
        early = skill.compare({**forecasts, MODEL: group["ahead"].to_numpy()}, happened, MODEL, seed)
        early_model = early.pop(MODEL)
        row = {
            "carried_by": list(kinds[str(kind)].carried_by),
            "brier_model": model["brier"],
            "brier_model_ci": model["brier_ci"],
            "brier_base": scored["base_rate"]["brier"],
            "brier_skill": scored["base_rate"]["brier_skill"],
            "log_score_model": model["log_score"],
            "log_score_model_ci": model["log_score_ci"],
            "auc": model["auc"],
            "auc_ci": model["auc_ci"],
            "murphy": skill.decomposition(forecasts[MODEL], happened, seed),
            "n_event_years": int(happened.sum()),
            "n_years": len(group),
            "base_rate": base_rate,
            "baselines": scored,
            "ahead": {
                "brier_model": early_model["brier"],
                "auc": early_model["auc"],
                "brier_skill": {name: reference["brier_skill"] for name, reference in early.items()},
            },
            "windows": {w.name: window_scores(group, w, seed) for w in windows},
        }
        out[str(kind)] = row | {"verdict": verdict(row)}
    return out


def window_scores(group: pd.DataFrame, window: Window, seed: int) -> dict[str, Any] | None:
    """One kind's model scores within `window` against the window's own base rate (None if the kind is not scored
    there): the years, event years, Brier scores, Brier skill score and AUC with their block-bootstrap intervals."""
    inside = group[(group["year"] >= window.first_year) & (group["year"] <= window.last_year)]
    if inside.empty:
        return None
    happened = inside["happened"].to_numpy()
    forecasts = {MODEL: inside["forecast"].to_numpy(), "base_rate": np.full(len(inside), happened.mean())}
    scored = skill.compare(forecasts, happened, MODEL, seed)
    return {
        "years": [int(inside["year"].min()), int(inside["year"].max())],
        "n_event_years": int(happened.sum()),
        "brier_model": scored[MODEL]["brier"],
        "brier_base": scored["base_rate"]["brier"],
        "brier_skill": scored["base_rate"]["brier_skill"],
        "auc": scored[MODEL]["auc"],
        "auc_ci": scored[MODEL]["auc_ci"],
    }


def verdict(row: Mapping[str, Any]) -> str:
    """'skill' where the model's Brier skill score has an interval above zero against every reference, both as
    replayed and as forecast at the start of each year, and no recorded input carries the event; 'worse than base
    rate' where its interval against the base rate lies below zero; else 'no demonstrated skill'."""
    against = [b["brier_skill"] for b in row["baselines"].values()] + list(row["ahead"]["brier_skill"].values())
    if row["brier_skill"]["hi"] is not None and row["brier_skill"]["hi"] < 0:
        return "worse than base rate"
    if not row["carried_by"] and all(s["lo"] is not None and s["lo"] > 0 for s in against):
        return "skill"
    return "no demonstrated skill"


@dataclass
class Backtest:
    """A replay, its yearly bands, the scored years and the scores against the recorded events."""

    replay: Replay
    bands: pd.DataFrame
    events: pd.DataFrame
    scores: dict[str, dict[str, Any]]

    def as_json(self) -> dict[str, dict[str, dict[str, Any]]]:
        """`{"events": {kind: {"brier_model", "brier_base", "brier_skill", "auc", "auc_ci", "baselines", "verdict",
        "n_event_years", …}}}`; a score that cannot be computed is None."""
        return {"events": self.scores}

    def reliability(self) -> pd.DataFrame:
        """Each kind's scored years (kind in words), with the CORP reliability curve at each forecast
        (`skill.recalibrated`: the isotonic regression of what happened on the forecast)."""
        frames = [
            group.sort_values("forecast", kind="stable").assign(
                kind=str(kind).replace("_", " "),
                recalibrated=lambda g: skill.recalibrated(g["forecast"].to_numpy(), g["happened"].to_numpy()),
            )
            for kind, group in self.events.groupby("kind", sort=False)
        ]
        return pd.concat(frames, ignore_index=True)


def backtest_history(case: Case, history: History, futures: int, seed: int) -> Backtest:
    """Replay the case's history with `futures` sampled futures and score it against the recorded events."""
    result = replay(case, history, futures, seed)
    events = event_table(result)
    drivers = recorded_drivers(history, result.calendar_years)
    return Backtest(result, bands(result), events, scores(events, drivers, history.kinds, seed, history.windows))


AS_CODED = "as coded"


def coding_sensitivity(case: Case, history: History, futures: int, seed: int) -> pd.DataFrame:
    """The headline scores as coded and under every single reversal of an analyst coding (`History.flips`), on
    the same futures and seed: one row per coding and kind, with the Brier skill score against the base rate and its
    interval, the AUC and the verdict."""
    rows = []
    for what, rule, variant in [(AS_CODED, "", history), *history.flips()]:
        for kind, score in backtest_history(case, variant, futures, seed).scores.items():
            skill_score = score["brier_skill"]
            rows.append(
                {
                    "coding": what,
                    "rule": rule,
                    "kind": kind,
                    "brier_skill": skill_score["value"],
                    "brier_skill_lo": skill_score["lo"],
                    "brier_skill_hi": skill_score["hi"],
                    "auc": score["auc"],
                    "verdict": score["verdict"],
                }
            )
    return pd.DataFrame(rows)


def sensitivity_summary(table: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per kind, from `coding_sensitivity`'s table: the headline scores as coded, the range of the Brier skill
    score against the base rate and of the AUC over the single reversals, and every reversal that changes the
    verdict."""
    out = {}
    for kind, rows in table.groupby("kind", sort=False):
        coded = rows[rows["coding"] == AS_CODED].iloc[0]
        flipped = rows[rows["coding"] != AS_CODED]
        changed = flipped[flipped["verdict"] != coded["verdict"]]
        out[str(kind)] = {
            "as_coded": {"brier_skill": _number(coded["brier_skill"]), "auc": _number(coded["auc"])},
            "verdict": coded["verdict"],
            "flips": len(flipped),
            "brier_skill_range": _range(flipped["brier_skill"]),
            "auc_range": _range(flipped["auc"]),
            "verdict_changes": changed[["coding", "verdict"]].to_dict(orient="records"),
        }
    return out


def _number(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def _range(values: pd.Series) -> list[float] | None:
    known = values.dropna().astype(float)
    return None if known.empty else [float(known.min()), float(known.max())]
