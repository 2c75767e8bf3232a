"""Regional role and China: the ROK's contribution beyond the peninsula, US–ROK–Japan cooperation, and PRC coercion.

The regional role (Indo-Pacific strategy, Quad-plus, blue-water navy, logistics support, maritime capacity
building, infrastructure investment; seed 000) moves toward the ROK's effort, slowed by PRC coercion. Each step up in
the regional role, in missile defence or in trilateral cooperation draws coercion in proportion to the ROK's trade
dependence on China; the 2017 THAAD boycott is the precedent (losses about 0.5% of ROK GDP). Coercion decays when
nothing provokes it. Sources: seed 000, seed 003; Lim & Cooper 2015; literature-and-base-rates.md.
"""

from __future__ import annotations

import numpy as np

from .common import clip01, toward
from .state import Events, State, Year

PARAMETERS = (
    "regional.coercion_restraint",
    "regional.role_rate",
    "regional.trilateral_rate",
    "regional.trade_reference",
    "regional.coercion_per_role",
    "regional.coercion_per_missile_defense",
    "regional.coercion_per_trilateral",
    "regional.coercion_decay",
)
LEVERS = ("regional_role_effort", "trilateral_effort")


def advance(state: State, y: Year) -> tuple[State, Events]:
    """The year's steps (missile defence included) draw coercion, measured from the state as the year began."""
    before, p, levers = y.start, y.p, y.levers
    role = toward(
        state.regional_role,
        levers["regional_role_effort"] * (1.0 - p["regional.coercion_restraint"] * state.prc_coercion),
        p["regional.role_rate"],
    )
    trilateral = toward(state.trilateral, levers["trilateral_effort"], p["regional.trilateral_rate"])
    exposure = state.trade_china_share / p["regional.trade_reference"]
    provoked = exposure * (
        p["regional.coercion_per_role"] * np.maximum(role - before.regional_role, 0.0)
        + p["regional.coercion_per_missile_defense"] * np.maximum(state.missile_defense - before.missile_defense, 0.0)
        + p["regional.coercion_per_trilateral"] * np.maximum(trilateral - before.trilateral, 0.0)
    )
    coercion = clip01(state.prc_coercion * (1.0 - p["regional.coercion_decay"]) + provoked)
    return state.replace(regional_role=role, trilateral=trilateral, prc_coercion=coercion), {
        "coercion_rise": coercion - state.prc_coercion
    }
