"""One negotiation forecast: every model on one stakeholder table, and the expected utility model's rounds with who
moved, toward whom and how far."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import models
from .expected_utility import KINDS, EUPath, expected_utility
from .scoring import Settings
from .tables import Stakeholders

VERBS = {"confrontation": "loses a confrontation to", "compromise": "compromises with", "capitulation": "gives in to"}


@dataclass(frozen=True)
class Negotiation:
    table: Stakeholders
    settings: Settings
    forecasts: dict[str, float]
    path: EUPath

    def moves(self, after: int) -> list[dict[str, Any]]:
        """The stakeholders that moved in round `after` (1 = the first round)."""
        kind, partner = self.path.kind[after - 1, 0], self.path.partner[after - 1, 0]
        before, now = self.path.positions[after - 1, 0], self.path.positions[after, 0]
        return [
            {
                "stakeholder": self.table.names[i],
                "kind": KINDS[kind[i]],
                "toward": self.table.names[partner[i]],
                "from": float(before[i]),
                "to": float(now[i]),
            }
            for i in np.flatnonzero(kind)
        ]

    def rounds(self) -> list[dict[str, Any]]:
        """Round by round (round 0 is the start): the weighted median and mean, every position, and the moves."""
        return [
            {
                "round": k,
                "weighted_median": float(self.path.weighted_median[k, 0]),
                "weighted_mean": float(self.path.weighted_mean[k, 0]),
                "positions": dict(zip(self.table.names, map(float, self.path.positions[k, 0]), strict=True)),
                "moves": self.moves(k) if k else [],
            }
            for k in range(len(self.path.positions))
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "issue": self.table.issue,
            "forecasts": self.forecasts,
            "rounds": self.rounds(),
            "settings": {
                "capability_exponent": self.settings.exponent,
                "expected_utility_statistic": self.settings.statistic,
                "expected_utility_rounds": len(self.path.positions) - 1,
            },
        }


def negotiate(table: Stakeholders, settings: Settings, rounds: int | None = None) -> Negotiation:
    """Every model's forecast for one table; the expected utility model runs `rounds` rounds (default: the number
    fitted on DEU III) and forecasts with the fitted statistic."""
    n = settings.rounds if rounds is None else rounds
    pos, cap, sal = table.position[None, :], table.capability, table.salience[None, :]
    path = expected_utility(pos, cap, sal, n)
    forecasts = {
        "compromise": models.compromise(pos, cap, sal)[0],
        "weighted_median": models.weighted_median(pos, cap, sal)[0],
        "power_compromise": models.power_compromise(pos, cap, sal, settings.exponent)[0],
        "expected_utility": path.forecast(settings.statistic, n)[0],
    }
    if np.isfinite(table.status_quo):
        forecasts["nash"] = models.nash(pos, cap, sal, np.array([table.status_quo]), scale=table.scale)[0]
    return Negotiation(table, settings, {k: float(v) for k, v in forecasts.items()}, path)
