"""Credibility: Seoul's belief that the United States would defend it, nuclear umbrella included.

Credibility moves part of the way each year toward a target, a logistic function of costly signals (Schelling 1966;
Fearon 1997: tying hands and sinking costs): troops in theatre with diminishing returns (Lanoszka 2018: in-theatre
conventional forces drive assurance), combined exercises through CFC readiness, nuclear integration, gray-zone
plans, missile defence against decoupling, coordinated diplomacy and leader-level consultation (seed 001), and the
division of labour's explicit nuclear guarantee (seed 002). It falls with decoupling (seed 000), US overstretch
(seed 002), a transactional administration (seed 000), friction, and treaty notice. A troop cut is an immediate
shock on top of the slower adjustment.
"""

from __future__ import annotations

import numpy as np

from .common import clip01, logistic, toward
from .state import INTEGRATION_LEVELS, Array, Events, Params, State, Year

PARAMETERS = (
    "credibility.troop_scale",
    "posture.troop_reference",
    "credibility.missile_defense_offset",
    "credibility.intercept",
    "credibility.troops",
    "credibility.exercises",
    "credibility.nuclear_integration",
    "credibility.gray_zone_plans",
    "credibility.coordination",
    "credibility.consultation",
    "credibility.nuclear_guarantee",
    "credibility.decoupling",
    "credibility.overstretch",
    "credibility.transactional",
    "credibility.friction",
    "credibility.treaty_notice",
    "credibility.memory",
    "credibility.drawdown_shock",
)
LEVERS = ("leader_consultation",)


def troop_index(troops: Array, p: Params) -> Array:
    """0 with no troops, 1 at the reference level, concave in between (diminishing returns)."""
    scale = p["credibility.troop_scale"]
    return np.log1p(troops / scale) / np.log1p(p["posture.troop_reference"] / scale)


def target(state: State, y: Year) -> Array:
    p, levers = y.p, y.levers
    exposed = state.decoupling * (1.0 - p["credibility.missile_defense_offset"] * state.missile_defense)
    return logistic(
        p["credibility.intercept"]
        + p["credibility.troops"] * troop_index(state.troops, p)
        + p["credibility.exercises"] * state.readiness
        + p["credibility.nuclear_integration"] * state.nuclear_integration / INTEGRATION_LEVELS
        + p["credibility.gray_zone_plans"] * state.gray_zone_plans
        + p["credibility.coordination"] * state.diplomatic_coordination
        + p["credibility.consultation"] * levers["leader_consultation"]
        + p["credibility.nuclear_guarantee"] * state.division_of_labour
        - p["credibility.decoupling"] * exposed
        - p["credibility.overstretch"] * state.us_overstretch
        - p["credibility.transactional"] * state.us_transactional
        - p["credibility.friction"] * state.friction
        - p["credibility.treaty_notice"] * (state.treaty_status > 0.0)
    )


def update(state: State, y: Year) -> tuple[State, Events]:
    p, drawdown = y.p, y.events["drawdown"]
    adjusted = toward(state.credibility, target(state, y), p["credibility.memory"])
    return state.replace(credibility=clip01(adjusted - p["credibility.drawdown_shock"] * drawdown * adjusted)), {}
