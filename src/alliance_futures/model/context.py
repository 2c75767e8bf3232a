"""The context actors' drivers: DPRK capability and provocation, the China–Russia–DPRK axis, US overstretch, and
the ROK's trade dependence on China.

DPRK warheads grow geometrically from SIPRI's January 2025 estimate (about 50 assembled, fissile material for up to
90); the reach of survivable ICBMs to US cities (decoupling) matures toward 1 (seed 000: "moved closer to a nuclear
arsenal capable of striking the U.S. homeland"). Provocation intensity is normalised so that 1 is a 2022-like year
(69 missiles, CNS database). US overstretch is a two-state process (seed 002: "decisively engaged in a large-scale
conflict" elsewhere). The axis (seed 003: "China-Russia-North Korea bloc") drifts and amplifies friction in
`friction`. Trade with China drifts from 19.5% of ROK exports in 2024 (us-rok-facts.md §5).
"""

from __future__ import annotations

import numpy as np

from .common import clip01
from .state import Array, Events, Params, State, Year

PARAMETERS = (
    "dprk.provocation_base",
    "dprk.provocation_axis",
    "dprk.provocation_engagement",
    "dprk.provocation_noise",
    "dprk.warhead_growth",
    "dprk.warheads_scale",
    "dprk.icbm_maturation",
    "context.overstretch_onset",
    "context.overstretch_end",
    "context.axis_drift",
    "context.axis_noise",
    "context.trade_drift",
    "context.trade_diversion",
)
LEVERS = ("inter_korean_engagement", "engagement_support")


def dprk_threat(warheads: Array, p: Params) -> Array:
    """DPRK nuclear threat in [0, 1): saturating in the number of warheads."""
    return -np.expm1(-warheads / p["dprk.warheads_scale"])


def advance(state: State, y: Year) -> tuple[State, Events]:
    """One year of the context drivers."""
    p, levers, draw = y.p, y.levers, y.draw
    engagement = levers["inter_korean_engagement"] * levers["engagement_support"] * state.diplomatic_coordination
    provocation = clip01(
        p["dprk.provocation_base"]
        + p["dprk.provocation_axis"] * state.axis_cohesion
        - p["dprk.provocation_engagement"] * engagement
        + p["dprk.provocation_noise"] * (2.0 * draw("dprk_provocation") - 1.0)
    )
    overstretched = state.us_overstretch == 1.0
    u = draw("us_overstretch")
    onset = ~overstretched & (u < p["context.overstretch_onset"])
    ends = overstretched & (u < p["context.overstretch_end"])
    warheads = state.dprk_warheads * (1.0 + p["dprk.warhead_growth"])
    new = state.replace(
        dprk_warheads=warheads,
        dprk_threat=dprk_threat(warheads, p),
        decoupling=state.decoupling + p["dprk.icbm_maturation"] * (1.0 - state.decoupling),
        dprk_provocation=provocation,
        axis_cohesion=clip01(
            state.axis_cohesion + p["context.axis_drift"] + p["context.axis_noise"] * (2.0 * draw("axis") - 1.0)
        ),
        us_overstretch=np.where(onset, 1.0, np.where(ends, 0.0, state.us_overstretch)),
        trade_china_share=clip01(
            state.trade_china_share + p["context.trade_drift"] - p["context.trade_diversion"] * state.prc_coercion
        ),
    )
    return new, {"overstretch_onset": onset, "overstretch_end": ends}
