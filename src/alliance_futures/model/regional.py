"""Regional role and China: the ROK's commitments beyond the peninsula, US–ROK–Japan cooperation, and PRC coercion.

The regional role is a ladder of concrete commitments (seed 000's list): 0 the peninsula only; 1 declaratory (an
Indo-Pacific strategy, trilateral drills: the 2026 level); 2 operational (maritime capacity building in Southeast Asia,
logistics support for US operations beyond the peninsula, a blue-water navy working with US forces); 3 formal (a seat
in a Quad-plus, agreed strategic flexibility of US forces in Korea). The ROK's effort (a lever, in rungs) sets how far
it climbs: each year it climbs a rung with a chance in proportion to how far the effort lies above its rung, held back
by PRC coercion, and falls back when the effort lies below. Nothing moves in wartime.

PRC coercion persists: it moves toward a level set by how far Seoul aligns with Washington (its regional rung,
missile defence, trilateral cooperation) times its trade exposure to China (seed 003: China "maintains coercive
military pressure"), and each new step (a rung, a missile-defence gain, a trilateral gain) draws a jump on top, in
proportion to trade dependence; the 2017 THAAD retaliation is the precedent (Lim & Cooper 2015 on hedging; losses of
about 0.5% of ROK GDP by press accounts of official estimates). Sources: seed 000, seed 003.
"""

from __future__ import annotations

import numpy as np

from .common import clip01, draw_if, toward
from .state import REGIONAL_LEVELS, Array, Events, Params, State, Year

PARAMETERS = (
    "regional.role_step_up",
    "regional.role_step_down",
    "regional.coercion_restraint",
    "regional.trilateral_rate",
    "regional.trade_reference",
    "regional.coercion_base",
    "regional.coercion_alignment",
    "regional.coercion_adjust",
    "regional.coercion_per_role",
    "regional.coercion_per_missile_defense",
    "regional.coercion_per_trilateral",
)
LEVERS = ("regional_role_effort", "trilateral_effort")


def alignment(state: State) -> Array:
    """How far Seoul stands with Washington against Beijing's wishes, in [0, 1]: the mean of its regional rung (as a
    share of the ladder), missile defence and trilateral cooperation."""
    return (state.regional_role / REGIONAL_LEVELS + state.missile_defense + state.trilateral) / 3.0


def exposure(state: State, p: Params) -> Array:
    """Trade dependence on China relative to the reference share: what gives coercion its bite."""
    return state.trade_china_share / p["regional.trade_reference"]


def advance(state: State, y: Year) -> tuple[State, Events]:
    """The regional role's rung, trilateral cooperation, and PRC coercion for this year. Steps taken this year
    (missile defence included) are measured from the state as the year began."""
    before, p, levers, draw = y.start, y.p, y.levers, y.draw
    at_peace = state.war == 0.0
    gap = levers["regional_role_effort"] - state.regional_role
    climb = at_peace & (state.regional_role < REGIONAL_LEVELS) & (gap > 0.0)
    fall = at_peace & (state.regional_role > 0.0) & (gap < 0.0)
    climb_chance = (
        p["regional.role_step_up"]
        * np.minimum(gap, 1.0)
        * (1.0 - p["regional.coercion_restraint"] * state.prc_coercion)
    )
    up = climb & (draw_if(draw, "regional_up", climb) < climb_chance)
    down = fall & (draw_if(draw, "regional_down", fall) < p["regional.role_step_down"] * np.minimum(-gap, 1.0))
    role = state.regional_role + up - down
    trilateral = toward(state.trilateral, levers["trilateral_effort"], p["regional.trilateral_rate"])
    moved = state.replace(regional_role=role, trilateral=trilateral)
    bite = exposure(moved, p)
    jump = bite * (
        p["regional.coercion_per_role"] * up / REGIONAL_LEVELS
        + p["regional.coercion_per_missile_defense"] * np.maximum(state.missile_defense - before.missile_defense, 0.0)
        + p["regional.coercion_per_trilateral"] * np.maximum(trilateral - before.trilateral, 0.0)
    )
    level = p["regional.coercion_base"] + p["regional.coercion_alignment"] * alignment(moved) * bite
    coercion = clip01(toward(state.prc_coercion, level, p["regional.coercion_adjust"]) + jump)
    return moved.replace(prc_coercion=coercion), {
        "regional_up": up,
        "regional_down": down,
        "coercion_rise": coercion - state.prc_coercion,
    }
