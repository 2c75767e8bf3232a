"""Forecast skill with its uncertainty: scores of yearly probability forecasts against yes/no outcomes, intervals from
a block bootstrap over years, and reference forecasts scored out of sample.

- Scores: the Brier score (Brier 1950), the log score (Good 1952; forecasts clipped to [`LOG_FLOOR`, 1 − `LOG_FLOOR`]
  so that one year forecast as impossible does not make it infinite) and the area under the ROC curve (Hanley &
  McNeil 1982; ties count half). The Brier skill score of a forecast against a reference is 1 − BS / BS_reference:
  above 0 the forecast is better.
- Intervals: years are not independent (an episode spans several), so they are resampled in moving blocks of
  `BLOCK_YEARS` consecutive years (Künsch 1989, *Annals of Statistics* 17(3)); each score and each skill score gets
  the 2.5th and 97.5th percentiles over `RESAMPLES` resamples. The block is the length of the longest recorded
  episode (the ROK's nuclear programme, 1972–76), so that an episode is seldom cut.
- Reliability: the CORP reliability curve (Dimitriadis, Gneiting & Jordan 2021, "Stable reliability diagrams for
  probabilistic classifiers", *PNAS* 118(8)): the isotonic (pool-adjacent-violators) regression of what happened on
  the forecast, with no bins to choose. It splits the Brier score as Murphy (1973) did, exactly: BS = reliability
  (miscalibration: BS of the forecast minus BS of its recalibrated self; 0 for a calibrated forecast) − resolution
  (discrimination: BS of the base rate minus BS of the recalibrated forecast) + uncertainty (BS of the base rate).
- References, each scored on the same years: the base rate (the window's share of event years, which knows the
  answer, so it is demanding); persistence (the chance of an event given whether there was one the year before,
  estimated with Jeffreys' prior on the other blocks); and a logistic regression on the recorded drivers known at the
  start of the year, fitted on the other blocks (scikit-learn). The last two never see the block they forecast.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.optimize import isotonic_regression
from scipy.stats import rankdata
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .outcomes import percentile_interval

BLOCK_YEARS = 5  # the longest recorded episode: the ROK's nuclear programme, 1972–76
RESAMPLES = 2_000
LOG_FLOOR = 0.001  # forecasts are clipped to [0.001, 0.999] for the log score
JEFFREYS = 0.5  # prior count of each outcome in the persistence baseline's transition rates


def brier(forecast: np.ndarray, happened: np.ndarray) -> np.ndarray:
    """Mean squared error of the forecast probability over the last axis; lower is better."""
    return np.mean((np.asarray(forecast, dtype=float) - happened) ** 2, axis=-1)


def log_score(forecast: np.ndarray, happened: np.ndarray) -> np.ndarray:
    """Mean negative log probability given to what happened, over the last axis; lower is better."""
    p = np.clip(np.asarray(forecast, dtype=float), LOG_FLOOR, 1 - LOG_FLOOR)
    return -np.mean(np.where(happened, np.log(p), np.log1p(-p)), axis=-1)


def auc(forecast: np.ndarray, happened: np.ndarray) -> np.ndarray:
    """Over the last axis, the chance that a year with the event got a higher forecast than a year without (ties
    count half); NaN where every year had the event or none did, or the forecast never varies (it ranks nothing)."""
    happened = np.asarray(happened, dtype=bool)
    forecast = np.asarray(forecast, dtype=float)
    ranks = rankdata(forecast, axis=-1)
    events = happened.sum(axis=-1)
    varies = forecast.max(axis=-1) > forecast.min(axis=-1)
    pairs = np.where(varies, events * (happened.shape[-1] - events), 0)
    above = (ranks * happened).sum(axis=-1) - events * (events + 1) / 2
    return np.divide(above, pairs, out=np.full(np.shape(pairs), np.nan), where=pairs > 0)


def recalibrated(forecast: np.ndarray, happened: np.ndarray) -> np.ndarray:
    """The CORP reliability curve at each forecast: the isotonic regression of what happened on the forecast (the
    observed event rate among forecasts like it, non-decreasing in the forecast; equal forecasts pooled)."""
    values, where, counts = np.unique(np.asarray(forecast, dtype=float), return_inverse=True, return_counts=True)
    rates = np.bincount(where, weights=np.asarray(happened, dtype=float), minlength=len(values)) / counts
    return isotonic_regression(rates, weights=counts.astype(float)).x[where]


def murphy(forecast: np.ndarray, happened: np.ndarray) -> dict[str, float]:
    """The Brier score split into reliability − resolution + uncertainty (CORP; see the module's docstring)."""
    happened = np.asarray(happened, dtype=float)
    calibrated = brier(recalibrated(forecast, happened), happened)
    uncertainty = brier(np.full(len(happened), happened.mean()), happened)
    return {
        "reliability": float(brier(forecast, happened) - calibrated),
        "resolution": float(uncertainty - calibrated),
        "uncertainty": float(uncertainty),
    }


def blocks(n: int, length: int = BLOCK_YEARS) -> np.ndarray:
    """Each of `n` consecutive years' block number, for leave-one-block-out fitting."""
    return np.arange(n) // length


def block_resamples(n: int, seed: int, length: int = BLOCK_YEARS, resamples: int = RESAMPLES) -> np.ndarray:
    """Moving-block bootstrap: `resamples` rows of `n` year indices, each row made of blocks of `length` consecutive
    years starting anywhere in the window."""
    rng = np.random.default_rng(seed)
    length = min(length, n)
    count = -(-n // length)
    starts = rng.integers(0, n - length + 1, size=(resamples, count))
    return (starts[:, :, None] + np.arange(length)).reshape(resamples, -1)[:, :n]


def persistence(happened: np.ndarray, before: np.ndarray, block: np.ndarray) -> np.ndarray:
    """Each year's chance of the event given whether it happened the year before (`before`), with the two
    transition rates counted on the other blocks."""
    forecast = np.empty(len(happened))
    for b in np.unique(block):
        train = block != b
        for state in (False, True):
            seen = train & (before == state)
            rate = (happened[seen].sum() + JEFFREYS) / (seen.sum() + 2 * JEFFREYS)
            forecast[(block == b) & (before == state)] = rate
    return forecast


def logistic(drivers: pd.DataFrame, happened: np.ndarray, block: np.ndarray) -> np.ndarray:
    """Each year's probability from a logistic regression on `drivers` (missing values imputed with the training
    mean, standardised, scikit-learn's default L2 penalty), fitted on the other blocks. A block whose training years
    hold only one outcome gets that outcome's rate."""
    x = drivers.to_numpy(dtype=float)
    forecast = np.empty(len(happened))
    for b in np.unique(block):
        train, test = block != b, block == b
        if happened[train].min() == happened[train].max():
            forecast[test] = happened[train].mean()
            continue
        model = make_pipeline(SimpleImputer(keep_empty_features=True), StandardScaler(), LogisticRegression())
        model.fit(x[train], happened[train])
        forecast[test] = model.predict_proba(x[test])[:, 1]
    return forecast


def _interval(values: np.ndarray) -> list[float] | None:
    """The central 95% interval of resampled values (None if none is defined)."""
    values = values[np.isfinite(values)]
    if not len(values):
        return None
    return list(percentile_interval(values))


def _plain(value: float | np.ndarray) -> float | None:
    return float(value) if np.isfinite(value) else None


def decomposition(forecast: np.ndarray, happened: np.ndarray, seed: int) -> dict[str, dict[str, float | None]]:
    """`murphy` with block-bootstrap intervals: `{"reliability" | "resolution" | "uncertainty": {"value", "lo",
    "hi"}}`."""
    happened = np.asarray(happened, dtype=bool)
    forecast = np.asarray(forecast, dtype=float)
    rows = block_resamples(len(happened), seed)
    resampled = pd.DataFrame([murphy(forecast[r], happened[r]) for r in rows])
    out: dict[str, dict[str, float | None]] = {}
    for part, value in murphy(forecast, happened).items():
        interval = _interval(resampled[part].to_numpy())
        lo, hi = (interval[0], interval[1]) if interval else (None, None)
        out[part] = {"value": value, "lo": lo, "hi": hi}
    return out


def compare(forecasts: Mapping[str, np.ndarray], happened: np.ndarray, model: str, seed: int) -> dict[str, dict]:
    """Score each forecast on the same years, with block-bootstrap intervals: `{NAME: {"brier", "brier_ci",
    "log_score", "log_score_ci", "auc", "auc_ci"}}`, and for every forecast but `model`, the model's Brier skill
    score against it, `"brier_skill": {"value", "lo", "hi"}` (None where undefined)."""
    happened = np.asarray(happened, dtype=bool)
    rows = block_resamples(len(happened), seed)
    drawn = happened[rows]
    out: dict[str, dict] = {}
    resampled = {}
    for name, forecast in forecasts.items():
        forecast = np.asarray(forecast, dtype=float)
        resampled[name] = brier(forecast[rows], drawn)
        out[name] = {
            "brier": float(brier(forecast, happened)),
            "brier_ci": _interval(resampled[name]),
            "log_score": float(log_score(forecast, happened)),
            "log_score_ci": _interval(log_score(forecast[rows], drawn)),
            "auc": _plain(auc(forecast, happened)),
            "auc_ci": _interval(auc(forecast[rows], drawn)),
        }
    for name in forecasts:
        if name == model:
            continue
        reference = resampled[name]
        ratio = np.divide(resampled[model], reference, out=np.full(len(rows), np.nan), where=reference > 0)
        value = 1 - out[model]["brier"] / out[name]["brier"] if out[name]["brier"] > 0 else float("nan")
        interval = _interval(1 - ratio)
        lo, hi = (interval[0], interval[1]) if interval else (None, None)
        out[name]["brier_skill"] = {"value": _plain(value), "lo": lo, "hi": hi}
    return out
