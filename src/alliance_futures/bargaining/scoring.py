"""Scoring the stakeholder models on DEU III, out of sample.

Proposals (not issues) are split in two by a fixed rule, so that issues of one proposal never sit on both sides:
the training half is used only to fit settings (our model's exponent; the expected utility model's number of rounds
and summary statistic); every model is scored on the held-out half. Errors are
absolute differences from the recorded outcome on the 0–100 scale, with 95% bootstrap intervals over issues.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import models
from .expected_utility import expected_utility
from .tables import Deu3

EXPONENTS = np.round(np.arange(0.0, 1.51, 0.05), 2)  # candidate capability exponents for `power_compromise`
MAX_ROUNDS = 10  # candidate numbers of rounds for the expected utility model: 1 to this
STATISTICS = ("weighted_median", "weighted_mean")  # candidate summaries of the expected utility model's positions
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


@dataclass(frozen=True)
class Settings:
    """Model settings fitted on the training half."""

    exponent: float  # power_compromise's capability exponent
    rounds: int  # expected utility model: rounds run before the forecast
    statistic: str  # expected utility model: 'weighted_median' or 'weighted_mean' of the positions

    def __str__(self) -> str:
        return (
            f"capability exponent {self.exponent}; expected utility: {self.statistic.replace('_', ' ')} "
            f"after {self.rounds} rounds"
        )


def fit_expected_utility(data: Deu3, train: np.ndarray) -> tuple[int, str]:
    """The number of rounds (1 to MAX_ROUNDS) and summary statistic with the lowest training MAE."""
    path = expected_utility(data.position[train], data.capability, data.salience[train], MAX_ROUNDS)
    maes = {
        (rounds, statistic): np.nanmean(absolute_errors(path.forecast(statistic, rounds), data.outcome[train]))
        for rounds in range(1, MAX_ROUNDS + 1)
        for statistic in STATISTICS
    }
    return min(maes, key=lambda k: maes[k])


def fit(data: Deu3) -> Settings:
    """Every fitted setting, from the training half only."""
    train = training_issues(data)
    rounds, statistic = fit_expected_utility(data, train)
    return Settings(fit_exponent(data, train), rounds, statistic)


def scored(data: Deu3) -> np.ndarray:
    """Issues on which three or more actors took a position: the only ones scored."""
    return (~np.isnan(data.position)).sum(axis=1) >= 3


def training_issues(data: Deu3) -> np.ndarray:
    """Scored issues of the training half."""
    return ~held_out(data.proposal) & scored(data)


def forecasts(data: Deu3, test: np.ndarray, settings: Settings) -> dict[str, tuple[np.ndarray, float]]:
    """Every model's forecasts for the issues `test`, with the fitted settings, and the seconds each took."""
    pos, sal, cap = data.position[test], data.salience[test], data.capability
    candidates: dict[str, Callable[[], np.ndarray]] = {
        "compromise": lambda: models.compromise(pos, cap, sal),
        "weighted_median": lambda: models.weighted_median(pos, cap, sal),
        "nash": lambda: models.nash(pos, cap, sal, data.status_quo[test]),
        "power_compromise": lambda: models.power_compromise(pos, cap, sal, settings.exponent),
        "expected_utility": lambda: expected_utility(pos, cap, sal, settings.rounds).forecast(
            settings.statistic, settings.rounds
        ),
        "status_quo": lambda: data.status_quo[test],
    }
    timed = {}
    for name, forecast in candidates.items():
        start = time.perf_counter()
        timed[name] = (forecast(), time.perf_counter() - start)
    return timed


def score_deu3(data: Deu3) -> tuple[dict[str, dict[str, dict[str, float]]], Settings]:
    """Every model's scores on the held-out issues ('all') and on those that are not yes/no ('scaled'), and the
    settings, fitted once on the training half. Each model forecasts the held-out issues once; `seconds` is that
    time, the same in both subsets."""
    settings = fit(data)
    test = held_out(data.proposal) & scored(data)
    timed, outcome = forecasts(data, test, settings), data.outcome[test]
    subsets = {"all": np.ones(int(test.sum()), dtype=bool), "scaled": ~data.yes_no[test]}
    scores = {
        subset: {name: summary(absolute_errors(f[rows], outcome[rows]), sec) for name, (f, sec) in timed.items()}
        for subset, rows in subsets.items()
    }
    return scores, settings
