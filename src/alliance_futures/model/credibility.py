"""Credibility: Seoul's belief that the United States would defend it, nuclear umbrella included.

Credibility moves part of the way each year toward a target, a logistic function of costly signals (Schelling 1966;
Fearon 1997: tying hands and sinking costs): troops in theatre, combined exercises through CFC readiness, nuclear
integration, gray-zone plans, missile defence against decoupling, coordinated diplomacy, leader-level consultation
(seed 001), and the explicit nuclear guarantee of a division of labour (seed 002). It falls with decoupling
(seed 000), the strain of a US war elsewhere (seed 002), a transactional administration (seed 000), friction, and
treaty notice. A troop cut is an immediate shock in proportion to the abandonment signal it sends (`force_posture`).

Where the literature disagrees, the case's ranges span the positions, zero or the opposite sign included: a nuclear
guarantee that replaces in-theatre forces may read as reassurance (seed 002) or as the erosion of the commitment
(Lanoszka 2018); nuclear integration may add to credibility (seeds 000, 001) or add little beyond the alliance itself
(Fuhrmann & Sechser 2014, *AJPS* 58(4)); homeland missile defence may offset decoupling (seed 000) or, as Europeans
feared of the Strategic Defense Initiative, signal a United States that can stand aside. How troops signal is a
structural switch (`credibility.troop_signal`): as a *tripwire*, a small force signals nearly as much as a large one
(Schelling 1966), concave in numbers; as a share of the *balance*, the signal is in proportion to the forces
(Reiter & Poast 2021, *TNSR* 4(3): only forces that change the local balance deter; Lanoszka 2018: conventional
forces able to defend the ally are what assures it).
"""

from __future__ import annotations

import numpy as np

from .common import clip01, logistic, toward
from .context import overstretch_strain
from .state import INTEGRATION_LEVELS, Array, Events, Params, State, Year

TROOP_SIGNAL = ("tripwire", "balance")  # the forms of `credibility.troop_signal`, in the case's order
PARAMETERS = (
    "credibility.troop_signal",
    "credibility.troop_scale",
    "posture.troop_reference",
    "credibility.missile_defense_offset",
    "credibility.intercept",
    "credibility.troops",
    "credibility.exercises",
    "credibility.nuclear_integration",
    "credibility.gray_zone_plans",
    "credibility.coordination",
    "credibility.consultation",
    "credibility.nuclear_guarantee",
    "credibility.decoupling",
    "credibility.overstretch",
    "credibility.transactional",
    "credibility.friction",
    "credibility.treaty_notice",
    "credibility.memory",
    "credibility.drawdown_shock",
    "context.overstretch_relief",
)
LEVERS = ("leader_consultation",)
CHOICES = {"credibility.troop_signal": TROOP_SIGNAL}


def troop_index(troops: Array, p: Params) -> Array:
    """0 with no troops, 1 at the reference level: concave in between for a tripwire (diminishing returns from
    `credibility.troop_scale`), in proportion to the forces for the balance."""
    scale, reference = p["credibility.troop_scale"], p["posture.troop_reference"]
    tripwire = np.log1p(troops / scale) / np.log1p(reference / scale)
    return np.where(p["credibility.troop_signal"] == TROOP_SIGNAL.index("balance"), troops / reference, tripwire)


def target(state: State, y: Year) -> Array:
    p, levers = y.p, y.levers
    exposed = state.decoupling * (1.0 - p["credibility.missile_defense_offset"] * state.missile_defense)
    return logistic(
        p["credibility.intercept"]
        + p["credibility.troops"] * troop_index(state.troops, p)
        + p["credibility.exercises"] * state.readiness
        + p["credibility.nuclear_integration"] * state.nuclear_integration / INTEGRATION_LEVELS
        + p["credibility.gray_zone_plans"] * state.gray_zone_plans
        + p["credibility.coordination"] * state.diplomatic_coordination
        + p["credibility.consultation"] * levers["leader_consultation"]
        + p["credibility.nuclear_guarantee"] * state.division_of_labour
        - p["credibility.decoupling"] * exposed
        - p["credibility.overstretch"] * overstretch_strain(state, p)
        - p["credibility.transactional"] * state.us_transactional
        - p["credibility.friction"] * state.friction
        - p["credibility.treaty_notice"] * (state.treaty_status > 0.0)
    )


def update(state: State, y: Year) -> tuple[State, Events]:
    p, signal = y.p, y.events["abandonment_signal"]
    adjusted = toward(state.credibility, target(state, y), p["credibility.memory"])
    shock = np.minimum(p["credibility.drawdown_shock"] * signal, 1.0)
    credibility = np.where(state.abandoned == 1.0, 0.0, clip01(adjusted - shock * adjusted))
    return state.replace(credibility=credibility), {}
