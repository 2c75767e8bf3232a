"""Scoring the stakeholder models on DEU III, out of sample.

Proposals (not issues) are split in two by a fixed rule, so that issues of one proposal never sit on both sides:
the training half is used only to fit our model's exponent; every model is scored on the held-out half. Errors are
absolute differences from the recorded outcome on the 0–100 scale, with 95% bootstrap intervals over issues.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable

import numpy as np

from . import models
from .tables import Deu3

EXPONENTS = np.round(np.arange(0.0, 1.51, 0.05), 2)  # candidate capability exponents for `power_compromise`
BOOTSTRAP = 2000
SEED = 2021  # fixed, so the intervals are the same in every run


def held_out(proposals: np.ndarray) -> np.ndarray:
    """True for issues whose proposal falls in the held-out half (a CRC-32 of the proposal id is odd)."""
    return np.array([zlib.crc32(str(p).encode()) % 2 == 1 for p in proposals])


def absolute_errors(forecast: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    return np.abs(forecast - outcome)


def summary(errors: np.ndarray, seconds: float) -> dict[str, float]:
    """MAE with a bootstrap 95% interval, median absolute error, the number of issues scored and the runtime."""
    e = errors[np.isfinite(errors)]
    rng = np.random.default_rng(SEED)
    means = rng.choice(e, size=(BOOTSTRAP, len(e)), replace=True).mean(axis=1)
    lo, hi = np.quantile(means, [0.025, 0.975])
    return {
        "mae": float(e.mean()),
        "mae_lo": float(lo),
        "mae_hi": float(hi),
        "median_ae": float(np.median(e)),
        "n": len(e),
        "seconds": seconds,
    }


def fit_exponent(data: Deu3, train: np.ndarray) -> float:
    """The capability exponent with the lowest training MAE."""
    maes = [
        np.nanmean(
            absolute_errors(
                models.power_compromise(data.position[train], data.capability, data.salience[train], a),
                data.outcome[train],
            )
        )
        for a in EXPONENTS
    ]
    return float(EXPONENTS[int(np.argmin(maes))])


def scored(data: Deu3) -> np.ndarray:
    """Issues on which three or more actors took a position: the only ones scored."""
    return (~np.isnan(data.position)).sum(axis=1) >= 3


def training_issues(data: Deu3) -> np.ndarray:
    """Scored issues of the training half."""
    return ~held_out(data.proposal) & scored(data)


def score_models(data: Deu3, test: np.ndarray, exponent: float) -> dict[str, dict[str, float]]:
    """Every model's scores on the issues `test`, our model with the given exponent."""
    pos, sal, cap = data.position[test], data.salience[test], data.capability
    candidates: dict[str, Callable[[], np.ndarray]] = {
        "compromise": lambda: models.compromise(pos, cap, sal),
        "weighted_median": lambda: models.weighted_median(pos, cap, sal),
        "nash": lambda: models.nash(pos, cap, sal, data.status_quo[test]),
        "power_compromise": lambda: models.power_compromise(pos, cap, sal, exponent),
        "status_quo": lambda: data.status_quo[test],
    }
    scores = {}
    for name, forecast in candidates.items():
        start = time.perf_counter()
        f = forecast()
        scores[name] = summary(absolute_errors(f, data.outcome[test]), time.perf_counter() - start)
    return scores


def score_deu3(data: Deu3) -> tuple[dict[str, dict[str, dict[str, float]]], float]:
    """Every model's scores on the held-out issues ('all') and on those that are not yes/no ('scaled'), and the
    exponent, fitted once on the training half."""
    exponent = fit_exponent(data, training_issues(data))
    test = held_out(data.proposal) & scored(data)
    subsets = {"all": test, "scaled": test & ~data.yes_no}
    return {name: score_models(data, issues, exponent) for name, issues in subsets.items()}, exponent
