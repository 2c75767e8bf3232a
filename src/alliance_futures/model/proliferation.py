"""Proliferation: South Korean public support for nuclear weapons and the ROK's nuclear status ladder.

Public support moves toward a target that rises with the DPRK threat and falls with nuclear integration and
leader-level consultation (about 7 in 10 in favour in a 2021 national poll; seed 003: "the majority of South Koreans
... want their own nuclear weapons"). Whether doubt about the US commitment raises support is contested, so the slope
on abandonment fear (1 − credibility) spans both signs: support falls as credibility rises in Son & Yim 2021
(*Asian Survey* 61(6)), but rises with it in Sukin's survey experiments (2020, *JCR* 64(6): a more credible US
guarantee raises fear that the ally will miscalculate), and Kim & Jeong 2025 find support high whatever the trust in
extended deterrence. Nuclear integration's effect on support spans both signs for the same reason.

The status ladder (none → latent → exploring → pursuing → armed) climbs when low credibility, public support, threat
and the abandonment signal of a troop cut outweigh sanction exposure and nuclear integration (Monteiro & Debs 2014;
Bleek & Lorber 2014, *JCR* 58(3): security guarantees reduce allies' proliferation; Park Chung-hee's programme after
the 1969 Nixon Doctrine and the 1971 withdrawal). US pressure can reverse early steps, more easily the earlier the step
and only while the treaty holds (Gerzhoy 2015: leverage of the patron; Lanoszka 2018: easier to prevent a programme
than to stop one).
"""

from __future__ import annotations

import numpy as np

from .common import clip01, draw_if, logistic, toward
from .state import (
    INTEGRATION_LEVELS,
    NUCLEAR_ARMED,
    NUCLEAR_EXPLORING,
    NUCLEAR_LATENT,
    NUCLEAR_PURSUING,
    Array,
    Events,
    State,
    Year,
)

PARAMETERS = (
    "proliferation.support_intercept",
    "proliferation.support_threat",
    "proliferation.support_abandonment",
    "proliferation.support_integration",
    "proliferation.support_consultation",
    "proliferation.support_rate",
    "proliferation.advance_intercept",
    "proliferation.advance_abandonment",
    "proliferation.advance_support",
    "proliferation.advance_threat",
    "proliferation.advance_drawdown",
    "proliferation.advance_integration",
    "proliferation.sanction_exposure",
    "proliferation.weapon_hazard",
    "proliferation.reverse_exploring",
    "proliferation.reverse_pursuing",
)
LEVERS = ("leader_consultation",)


def support_target(state: State, y: Year) -> Array:
    p, levers = y.p, y.levers
    return logistic(
        p["proliferation.support_intercept"]
        + p["proliferation.support_threat"] * state.dprk_threat
        + p["proliferation.support_abandonment"] * (1.0 - state.credibility)
        - p["proliferation.support_integration"] * state.nuclear_integration / INTEGRATION_LEVELS
        - p["proliferation.support_consultation"] * levers["leader_consultation"]
    )


def advance_hazard(state: State, y: Year) -> Array:
    """Yearly probability of climbing one rung of the ladder (below 'armed', where the pursuit hazard applies)."""
    p, signal = y.p, y.events["abandonment_signal"]
    return logistic(
        p["proliferation.advance_intercept"]
        + p["proliferation.advance_abandonment"] * (1.0 - state.credibility)
        + p["proliferation.advance_support"] * state.public_support
        + p["proliferation.advance_threat"] * state.dprk_threat
        + p["proliferation.advance_drawdown"] * signal
        - p["proliferation.advance_integration"] * state.nuclear_integration / INTEGRATION_LEVELS
        - p["proliferation.sanction_exposure"]
    )


def advance(state: State, y: Year) -> tuple[State, Events]:
    p, draw = y.p, y.draw
    support = clip01(toward(state.public_support, support_target(state, y), p["proliferation.support_rate"]))
    state = state.replace(public_support=support)
    status = state.nuclear_status
    climb = np.where(status == NUCLEAR_PURSUING, p["proliferation.weapon_hazard"], advance_hazard(state, y))
    up = (status < NUCLEAR_ARMED) & (draw("nuclear_advance") < climb)
    reversal = np.select(
        [status == NUCLEAR_EXPLORING, status == NUCLEAR_PURSUING],
        [p["proliferation.reverse_exploring"], p["proliferation.reverse_pursuing"]],
        0.0,
    ) * (state.treaty_status == 0.0)
    reversible = ~up & (reversal > 0.0)
    down = reversible & (draw_if(draw, "nuclear_reversal", reversible) < reversal)
    new_status = np.where(up, status + 1.0, np.where(down, NUCLEAR_LATENT, status))
    return state.replace(
        nuclear_status=new_status, peak_nuclear_status=np.maximum(state.peak_nuclear_status, new_status)
    ), {"nuclear_hazard": np.where(status < NUCLEAR_ARMED, climb, 0.0), "nuclear_up": up, "nuclear_reversed": down}
