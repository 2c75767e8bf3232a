"""Force posture: exercises, plans, missile defence, nuclear integration, diplomatic coordination, and troops.

Executive choices (exercise tempo, coordination of DPRK diplomacy) follow the year's lever at once; capabilities
that take investment (gray-zone contingency plans, missile defence) move toward their lever gradually; nuclear
integration climbs or falls one rung at a time (consultation → joint planning → NATO-like sharing). Troop cuts are a
yearly hazard that rises with a transactional administration, drawdown pressure, friction and low US value of the
alliance (about four cut episodes 1955–2025: 1969–71, 1977, 1990–92, 2004), held back by the legislated floor
(FY2026 NDAA: no funds below 28,500, waivable), plus any scheduled drawdown a package sets (seed 002's division of
labour; seed 003's "minor adjustments to the footprint"). A cut sets the new posture: the hazard falls after one and
recovers as its memory fades, so that cuts come as episodes years apart, not as a run of yearly cuts. Sources: seed
000 (exercises as signals, gray-zone plans, missile defence, nuclear planning); Lanoszka 2018; us-rok-facts.md §2.
"""

from __future__ import annotations

import numpy as np

from .common import draw_if, logistic, toward
from .state import INTEGRATION_LEVELS, TREATY_TERMINATED, Array, Events, State, Year

PARAMETERS = (
    "posture.overstretch_exercise_cut",
    "posture.integration_step_up",
    "posture.integration_step_down",
    "posture.readiness_rate",
    "posture.planning_rate",
    "posture.missile_defense_rate",
    "posture.drawdown_intercept",
    "posture.drawdown_transactional",
    "posture.drawdown_pressure",
    "posture.drawdown_friction",
    "posture.drawdown_value",
    "posture.drawdown_overstretch",
    "posture.drawdown_refractory",
    "posture.cut_fraction",
    "posture.troop_floor",
    "posture.floor_strength",
    "posture.cut_memory",
)
LEVERS = (
    "exercise_tempo",
    "nuclear_integration_target",
    "gray_zone_planning",
    "missile_defense_investment",
    "diplomatic_coordination",
    "drawdown_pressure",
    "troop_target",
)


def settings(state: State, y: Year) -> tuple[State, Events]:
    """Exercises, readiness, plans, missile defence, nuclear integration and coordination for this year."""
    p, levers, draw = y.p, y.levers, y.draw
    exercises = levers["exercise_tempo"] * (1.0 - p["posture.overstretch_exercise_cut"] * state.us_overstretch)
    target = np.clip(np.round(levers["nuclear_integration_target"]), 0.0, INTEGRATION_LEVELS)
    below, above = target > state.nuclear_integration, target < state.nuclear_integration
    up = below & (draw_if(draw, "integration_up", below) < p["posture.integration_step_up"])
    down = above & (draw_if(draw, "integration_down", above) < p["posture.integration_step_down"])
    new = state.replace(
        exercises=exercises,
        readiness=toward(state.readiness, exercises, p["posture.readiness_rate"]),
        gray_zone_plans=toward(state.gray_zone_plans, levers["gray_zone_planning"], p["posture.planning_rate"]),
        missile_defense=toward(
            state.missile_defense, levers["missile_defense_investment"], p["posture.missile_defense_rate"]
        ),
        nuclear_integration=state.nuclear_integration + up - down,
        diplomatic_coordination=np.broadcast_to(levers["diplomatic_coordination"], exercises.shape).copy(),
    )
    return new, {"integration_up": up, "integration_down": down}


def drawdown_hazard(state: State, y: Year) -> Array:
    """Yearly probability that Washington orders a troop cut, before the legislated floor."""
    p, levers = y.p, y.levers
    return logistic(
        p["posture.drawdown_intercept"]
        + p["posture.drawdown_transactional"] * state.us_transactional
        + p["posture.drawdown_pressure"] * levers["drawdown_pressure"]
        + p["posture.drawdown_friction"] * state.friction
        - p["posture.drawdown_value"] * state.us_value
        + p["posture.drawdown_overstretch"] * state.us_overstretch
        - p["posture.drawdown_refractory"] * state.cut_memory
    )


def troops(state: State, y: Year) -> tuple[State, Events]:
    """Troop cuts: hazard-driven cuts, scheduled drawdowns, and withdrawal once the treaty has ended."""
    p, levers, draw = y.p, y.levers, y.draw
    cut_to = state.troops * (1.0 - p["posture.cut_fraction"])
    below_floor = cut_to < p["posture.troop_floor"]
    hazard = drawdown_hazard(state, y) * np.where(below_floor, 1.0 - p["posture.floor_strength"], 1.0)
    cut = (draw("drawdown") < hazard) & (state.troops > 0.0)
    after_cut = np.where(cut, cut_to, state.troops)
    scheduled = np.minimum(after_cut, levers["troop_target"])
    withdrawn = np.where(state.treaty_status == TREATY_TERMINATED, 0.0, scheduled)
    return state.replace(troops=withdrawn), {
        "drawdown_hazard": hazard,
        "drawdown": cut,
        "scheduled_cut": scheduled < after_cut,
        "troops_cut": state.troops - withdrawn,
    }


def remember_cut(state: State, y: Year) -> tuple[State, Events]:
    """The memory of the last unilateral cut: 1 in its year, then kept at the share `posture.cut_memory` a year."""
    drawdown = y.events["drawdown"]
    return state.replace(cut_memory=np.where(drawdown, 1.0, state.cut_memory * y.p["posture.cut_memory"])), {}
