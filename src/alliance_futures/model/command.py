"""Command structure: wartime operational control (OPCON) and the commitment mode.

The transition is conditions-based (46th SCM, 2014; the Conditions-based OPCON Transition Plan approved in 2015):
the ROK armed forces must hold the core military capabilities to lead the combined defence and the capabilities to
answer the DPRK's nuclear and missile threats, and the combined command must be certified through combined exercises
(ROK Ministry of National Defense, *2018 Defense White Paper*, ch. 5). So transfer is a yearly chance, scaled by how
hard Seoul pushes (progressive governments push, conservative ones defer), that exists only while the alliance is in
force and at peace, ROK strength has risen the uncertain distance `command.capability_gap` above its 2026 level, and
CFC readiness meets the certification bar. The conditions can recede (spending falls, exercises are cut), and the
transfer then slips, as the 2012 and 2015 dates did.

A ROK-led Future-CFC changes readiness (in `force_posture`) by an amount of uncertain sign: the alliance's combined
structure is kept (a US deputy commander), and proponents expect ROK ownership to strengthen it (Chung 2025, EAI
commentary on the transition), while others warn that a ROK-led command is not ready to lead, above all in a nuclear
crisis (Bennett et al. 2021, RAND/Asan, who advise delaying the transfer).

The commitment mode switches to a division of labour (seed 002, after the 1902 Anglo-Japanese alliance) when a package
adopts it; conventional defence then rests on a ROK-led command, so adoption needs OPCON transfer. The Armistice and
UN Command channel (seed 003) works in `deterrence`.
"""

from __future__ import annotations

import numpy as np

from .common import draw_if
from .state import OPCON_ROK_LED, OPCON_TRANSITION, Array, Events, Params, State, Year

PARAMETERS = ("command.capability_gap", "command.readiness_condition", "command.transfer_hazard")
LEVERS = ("opcon_push", "division_of_labour")


def conditions_met(state: State, p: Params) -> Array:
    """Whether the transfer's conditions hold: the alliance in force and at peace, ROK strength and CFC readiness at
    their bars."""
    return (
        (state.treaty_status == 0.0)
        & (state.war == 0.0)
        & (state.rok_strength >= 1.0 + p["command.capability_gap"])
        & (state.readiness >= p["command.readiness_condition"])
    )


def advance(state: State, y: Year) -> tuple[State, Events]:
    p, levers, draw = y.p, y.levers, y.draw
    hazard = p["command.transfer_hazard"] * levers["opcon_push"]
    eligible = (state.opcon == OPCON_TRANSITION) & (hazard > 0.0) & conditions_met(state, p)
    transfer = eligible & (draw_if(draw, "opcon_transfer", eligible) < hazard)
    opcon = np.where(transfer, OPCON_ROK_LED, state.opcon)
    adopt = (levers["division_of_labour"] >= 0.5) & (opcon == OPCON_ROK_LED)
    mode = np.where(adopt, 1.0, np.where(levers["division_of_labour"] < 0.5, 0.0, state.division_of_labour))
    return state.replace(opcon=opcon, division_of_labour=mode), {
        "opcon_transfer": transfer,
        "division_adopted": (mode == 1.0) & (state.division_of_labour == 0.0),
    }
