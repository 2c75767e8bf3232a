"""Alliance friction: what accumulates from cost-sharing disputes, discordant governments, talks that bypass Seoul,
troop cuts (in proportion to the abandonment signal they send) and an ROK nuclear programme, and decays when nothing
feeds it.

A discordant pairing (transactional US with progressive ROK, like Trump–Moon) adds friction each year (seed 003:
"discordant policies"); the China–Russia–DPRK axis widens fissures once friction is already high (seed 003:
"collaborate assiduously to exploit fissures"). Sources: seeds 000 and 003; model.md.
"""

from __future__ import annotations

import numpy as np

from .common import clip01
from .state import NUCLEAR_PURSUING, Events, State, Year

PARAMETERS = (
    "friction.discord",
    "friction.unmet_demand",
    "friction.bypass",
    "friction.drawdown",
    "friction.nuclear_pursuit",
    "friction.axis_wedge",
    "friction.wedge_above",
    "friction.decay",
)
LEVERS: tuple[str, ...] = ()


def update(state: State, y: Year) -> tuple[State, Events]:
    p, unmet_demand, signal = y.p, y.events["unmet_demand"], y.events["abandonment_signal"]
    discord = state.us_transactional * state.rok_progressive
    inputs = (
        p["friction.discord"] * discord
        + p["friction.unmet_demand"] * unmet_demand
        + p["friction.bypass"] * (1.0 - state.diplomatic_coordination)
        + p["friction.drawdown"] * signal
        + p["friction.nuclear_pursuit"] * (state.nuclear_status >= NUCLEAR_PURSUING)
        + p["friction.axis_wedge"] * state.axis_cohesion * np.maximum(state.friction - p["friction.wedge_above"], 0.0)
    )
    return state.replace(friction=clip01(state.friction * (1.0 - p["friction.decay"]) + inputs)), {}
