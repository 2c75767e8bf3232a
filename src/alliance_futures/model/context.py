"""The context actors: DPRK arsenal and provocation, the China–Russia–DPRK axis, US overstretch, and the ROK's trade
dependence on China.

DPRK warheads grow by a yearly production that fissile-material output bounds: about half a dozen warheads' worth a
year (Kristensen, Korda, Johns & Knight 2024, *Bulletin of the Atomic Scientists*, "North Korean nuclear weapons,
2024") to 12–18 a year (Bennett et al. 2021, RAND/Asan, *Countering the Risks of North Korean Nuclear Weapons*), from
about 50 assembled in 2024. The reach of survivable ICBMs to US cities (decoupling) matures toward 1 (seed 000).

DPRK provocation (1 is a 2022-like year of 69 missile launches, CNS database) answers what others do: it rises with
axis backing and, where the literature finds it, with combined exercises (Bernhardt & Sukin 2021, *JCR* 65(5): the
DPRK answers exercises with provocations; D'Orazio 2012, *Journal of East Asian Studies* 12(2): no systematic
response; the range spans both), grows with the arsenal it has to test and display, and falls with coordinated
engagement (2018, the year of the summits, saw no launches).

US overstretch is a two-state process (seed 002: "decisively engaged in a large-scale conflict" elsewhere). Its
strain on the Korean commitment (`overstretch_strain`) is what it costs where US conventional forces are committed:
a division of labour that leaves conventional defence to the ROK relieves part of it (seed 002's solvency argument);
how much is uncertain, from none (the doubt is about the nuclear promise, which a war elsewhere strains as much) to
most. The axis drifts (seed 003's "budding partnership"); trade with China drifts and is diverted by coercion.
"""

from __future__ import annotations

import numpy as np

from .common import clip01
from .state import Array, Events, Params, State, Year

PARAMETERS = (
    "dprk.provocation_base",
    "dprk.provocation_axis",
    "dprk.provocation_exercises",
    "dprk.provocation_arsenal",
    "dprk.provocation_engagement",
    "dprk.provocation_noise",
    "dprk.warhead_production",
    "dprk.warheads_scale",
    "dprk.icbm_maturation",
    "context.overstretch_onset",
    "context.overstretch_end",
    "context.overstretch_relief",
    "context.axis_drift",
    "context.axis_noise",
    "context.trade_drift",
    "context.trade_diversion",
)
LEVERS = ("inter_korean_engagement", "engagement_support")


def dprk_threat(warheads: Array, p: Params) -> Array:
    """DPRK nuclear threat in [0, 1): saturating in the number of warheads."""
    return -np.expm1(-warheads / p["dprk.warheads_scale"])


def overstretch_strain(state: State, p: Params) -> Array:
    """How much a US war elsewhere strains the Korean commitment: 1 under an unconditional commitment, less under a
    division of labour that leaves conventional defence to the ROK (seed 002)."""
    return state.us_overstretch * (1.0 - p["context.overstretch_relief"] * state.division_of_labour)


def advance(state: State, y: Year) -> tuple[State, Events]:
    """One year of the context drivers."""
    p, levers, draw = y.p, y.levers, y.draw
    engagement = levers["inter_korean_engagement"] * levers["engagement_support"] * state.diplomatic_coordination
    provocation = clip01(
        p["dprk.provocation_base"]
        + p["dprk.provocation_axis"] * state.axis_cohesion
        + p["dprk.provocation_exercises"] * state.exercises
        + p["dprk.provocation_arsenal"] * state.dprk_threat
        - p["dprk.provocation_engagement"] * engagement
        + p["dprk.provocation_noise"] * (2.0 * draw("dprk_provocation") - 1.0)
    )
    overstretched = state.us_overstretch == 1.0
    u = draw("us_overstretch")
    onset = ~overstretched & (u < p["context.overstretch_onset"])
    ends = overstretched & (u < p["context.overstretch_end"])
    warheads = state.dprk_warheads + p["dprk.warhead_production"]
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
