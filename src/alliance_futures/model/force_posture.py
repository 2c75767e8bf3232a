"""Force posture: exercises and readiness, plans, missile defence, nuclear integration, diplomatic coordination, and
troops.

Executive choices (exercise tempo, coordination of DPRK diplomacy) follow the year's lever at once; capabilities
that take investment (gray-zone contingency plans, missile defence) move toward their lever gradually; nuclear
integration climbs or falls one rung at a time (consultation → joint planning → NATO-like sharing), and stands still
in wartime. Combined Forces Command readiness follows the exercises; under a ROK-led command it may gain or lose
(`command.rok_led_readiness`, sign uncertain: see `command`).

Troops are cut in two ways, and neither is free. Washington may announce a cut: a yearly hazard that rises with a
transactional administration, drawdown pressure, friction, low US value of the alliance and the strain of a war
elsewhere (about four cut episodes 1955–2025: 1969–71, 1977, 1990–92, 2004), held back by the legislated floor
(FY2026 NDAA: no funds below 28,500, waivable) and, for a few years after a cut, by the memory of it (the new level
is the plan). Or a package may schedule a drawdown, negotiated with Seoul. Every cut sends an abandonment signal in
proportion to its size (`abandonment_signal`, in units of a reference cut); a negotiated one sends a share of it,
uncertain: the 1971 withdrawal of 20,000 troops was negotiated and compensated with a USD 1.5 bn modernisation
programme (FRUS 1969–76 XIX, docs 64 and 98), and Park's nuclear programme followed all the same (Lanoszka 2018,
*Atomic Assurance*: assurance rests on in-theatre conventional forces). No troops are cut while war is being fought;
all leave once the treaty has ended.
"""

from __future__ import annotations

import numpy as np

from .common import draw_if, logistic, toward
from .context import overstretch_strain
from .state import INTEGRATION_LEVELS, OPCON_ROK_LED, TREATY_TERMINATED, Array, Events, State, Year

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
    "posture.signal_cut",
    "posture.negotiated_signal",
    "posture.troop_floor",
    "posture.floor_strength",
    "posture.cut_memory",
    "command.rok_led_readiness",
    "context.overstretch_relief",
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
    strain = overstretch_strain(state, p)
    exercises = levers["exercise_tempo"] * (1.0 - p["posture.overstretch_exercise_cut"] * strain)
    command_effect = 1.0 + p["command.rok_led_readiness"] * (state.opcon == OPCON_ROK_LED)
    target = np.clip(np.round(levers["nuclear_integration_target"]), 0.0, INTEGRATION_LEVELS)
    at_peace = state.war == 0.0
    below, above = (target > state.nuclear_integration) & at_peace, (target < state.nuclear_integration) & at_peace
    up = below & (draw_if(draw, "integration_up", below) < p["posture.integration_step_up"])
    down = above & (draw_if(draw, "integration_down", above) < p["posture.integration_step_down"])
    new = state.replace(
        exercises=exercises,
        readiness=np.clip(toward(state.readiness, exercises * command_effect, p["posture.readiness_rate"]), 0.0, 1.0),
        gray_zone_plans=toward(state.gray_zone_plans, levers["gray_zone_planning"], p["posture.planning_rate"]),
        missile_defense=toward(
            state.missile_defense, levers["missile_defense_investment"], p["posture.missile_defense_rate"]
        ),
        nuclear_integration=state.nuclear_integration + up - down,
        diplomatic_coordination=np.broadcast_to(levers["diplomatic_coordination"], exercises.shape).copy(),
    )
    return new, {"integration_up": up, "integration_down": down}


def drawdown_hazard(state: State, y: Year) -> Array:
    """Yearly probability that Washington announces a troop cut, before the legislated floor."""
    p, levers = y.p, y.levers
    return logistic(
        p["posture.drawdown_intercept"]
        + p["posture.drawdown_transactional"] * state.us_transactional
        + p["posture.drawdown_pressure"] * levers["drawdown_pressure"]
        + p["posture.drawdown_friction"] * state.friction
        - p["posture.drawdown_value"] * state.us_value
        + p["posture.drawdown_overstretch"] * overstretch_strain(state, p)
        - p["posture.drawdown_refractory"] * state.cut_memory
    )


def troops(state: State, y: Year) -> tuple[State, Events]:
    """Announced cuts, scheduled (negotiated) drawdowns, withdrawal once the treaty has ended, and the abandonment
    signal the year's cuts send."""
    p, levers, draw = y.p, y.levers, y.draw
    cut_to = state.troops * (1.0 - p["posture.cut_fraction"])
    below_floor = cut_to < p["posture.troop_floor"]
    hazard = drawdown_hazard(state, y) * np.where(below_floor, 1.0 - p["posture.floor_strength"], 1.0)
    cut = (draw("drawdown") < hazard) & (state.troops > 0.0) & (state.war == 0.0)
    after_cut = np.where(cut, cut_to, state.troops)
    scheduled = np.minimum(after_cut, levers["troop_target"])
    withdrawn = np.where(state.treaty_status == TREATY_TERMINATED, 0.0, scheduled)
    present = np.maximum(state.troops, 1.0)
    signal = ((state.troops - after_cut) + p["posture.negotiated_signal"] * (after_cut - scheduled)) / present
    return state.replace(troops=withdrawn), {
        "drawdown_hazard": hazard,
        "drawdown": cut,
        "scheduled_cut": scheduled < after_cut,
        "troops_cut": state.troops - withdrawn,
        "abandonment_signal": signal / p["posture.signal_cut"],
    }


def remember_cut(state: State, y: Year) -> tuple[State, Events]:
    """The memory of the last announced cut: 1 in its year, then kept at the share `posture.cut_memory` a year."""
    drawdown = y.events["drawdown"]
    return state.replace(cut_memory=np.where(drawdown, 1.0, state.cut_memory * y.p["posture.cut_memory"])), {}
