"""Command structure: wartime operational control (OPCON) and the commitment mode.

The transition is conditions-based (46th SCM, 2014); the 57th SCM (2025) set a full-operational-capability test of
the ROK-led Future-CFC for 2026 and a goal of transfer by 2030. Transfer is a yearly hazard once ROK capability is
judged ready, scaled by how hard the ROK government pushes it (progressive governments push, conservative ones
defer). The commitment mode switches to a division of labour (seed 002, after the 1902 Anglo-Japanese alliance)
when a package adopts it; conventional defence then rests on a ROK-led command, so adoption needs OPCON transfer.
The Armistice and UN Command channel (seed 003) works in `deterrence`. Sources: us-rok-facts.md §7; seed 002;
seed 003.
"""

from __future__ import annotations

import numpy as np

from .common import draw_if
from .state import OPCON_ROK_LED, OPCON_TRANSITION, Events, State, Year

PARAMETERS = ("command.capability_ready_year", "command.transfer_hazard")
LEVERS = ("opcon_push", "division_of_labour")


def advance(state: State, y: Year) -> tuple[State, Events]:
    p, levers, draw, year = y.p, y.levers, y.draw, y.year
    ready = year >= p["command.capability_ready_year"]
    hazard = p["command.transfer_hazard"] * levers["opcon_push"] * ready
    eligible = (state.opcon == OPCON_TRANSITION) & (hazard > 0.0)
    transfer = eligible & (draw_if(draw, "opcon_transfer", eligible) < hazard)
    opcon = np.where(transfer, OPCON_ROK_LED, state.opcon)
    adopt = (levers["division_of_labour"] >= 0.5) & (opcon == OPCON_ROK_LED)
    mode = np.where(adopt, 1.0, np.where(levers["division_of_labour"] < 0.5, 0.0, state.division_of_labour))
    return state.replace(opcon=opcon, division_of_labour=mode), {
        "opcon_transfer": transfer,
        "division_adopted": (mode == 1.0) & (state.division_of_labour == 0.0),
    }
