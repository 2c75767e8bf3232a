"""Deterrence: gray-zone incidents, war, the US decision to fight, and nuclear use on the peninsula.

Both hazards are log-linear in their drivers. Fatal incidents (the onset of a fatal militarised dispute between the
two Koreas in 16% of years 1990–2014, COW MID 5.0) rise with DPRK nuclear maturity and provocation (Bell & Miller
2015, *JCR* 59(1): nuclear asymmetry brings more low-level conflict, not more war), the axis and the strain of a US
war elsewhere, and fall with credibility and gray-zone plans (seed 000). War falls with credibility (Benson 2011:
deterrent pacts cut initiation; Fuhrmann & Sechser 2014: alliances with nuclear powers deter) and with the
conventional balance: ROK strength (`rok_strength`, which its spending builds) plus US forces in theatre in proportion
to their number and CFC readiness (Reiter & Poast 2021: only forces that change the local balance deter); it rises
with DPRK maturity and the strain of a war elsewhere. An incident can escalate; the Armistice and UN Command channel
(seed 003) lowers that chance. A division of labour's explicit deterrence of third-party entry (seed 002) may lower
the war hazard, or a commitment narrowed to nuclear and third-party deterrence may invite conventional attack, as the
1949–50 withdrawal did (Reiter & Poast 2021); the range spans both.

When war comes, Washington decides whether to fight. Post-1945 defence pacts were honoured in 41% of the wars that
invoked them (Berkemeier & Fuhrmann 2018, *Research & Politics*; 22% for all alliance types after 1945, 66% before);
US forces in the attacker's path raise the chance (the tripwire; how much is disputed: Reiter & Poast 2021), and so
does the value Washington puts on the alliance (Leeds 2003, *IO* 57(4): commitments are broken when their value to
the guarantor has changed). A commitment not honoured ends the alliance. Nuclear use follows war with a chance that
grows with the DPRK arsenal.
"""

from __future__ import annotations

import numpy as np

from .common import draw_if, logistic, yearly_probability
from .context import overstretch_strain
from .state import TREATY_TERMINATED, Array, Events, Params, State, Year

PARAMETERS = (
    "deterrence.rok_conventional",
    "deterrence.us_conventional",
    "posture.troop_reference",
    "deterrence.incident_base",
    "deterrence.incident_maturity",
    "deterrence.incident_provocation",
    "deterrence.incident_axis",
    "deterrence.incident_overstretch",
    "deterrence.incident_credibility",
    "deterrence.incident_plans",
    "deterrence.war_base",
    "deterrence.war_maturity",
    "deterrence.war_overstretch",
    "deterrence.war_credibility",
    "deterrence.war_conventional",
    "deterrence.war_third_party",
    "deterrence.escalation",
    "deterrence.armistice_channel",
    "deterrence.honour_base",
    "deterrence.honour_presence",
    "deterrence.honour_value",
    "deterrence.nuclear_use_given_war",
    "context.overstretch_relief",
)
LEVERS = ("armistice_adherence",)


def conventional_balance(state: State, p: Params) -> Array:
    """ROK strength plus US forces in theatre, in proportion to their number and readiness."""
    us_forces = state.troops / p["posture.troop_reference"] * state.readiness
    return p["deterrence.rok_conventional"] * state.rok_strength + p["deterrence.us_conventional"] * us_forces


def incident_rate(state: State, y: Year) -> Array:
    p = y.p
    return p["deterrence.incident_base"] * np.exp(
        p["deterrence.incident_maturity"] * state.dprk_threat
        + p["deterrence.incident_provocation"] * state.dprk_provocation
        + p["deterrence.incident_axis"] * state.axis_cohesion
        + p["deterrence.incident_overstretch"] * overstretch_strain(state, p)
        - p["deterrence.incident_credibility"] * state.credibility
        - p["deterrence.incident_plans"] * state.gray_zone_plans
    )


def war_rate(state: State, y: Year) -> Array:
    p = y.p
    return p["deterrence.war_base"] * np.exp(
        p["deterrence.war_maturity"] * state.dprk_threat
        + p["deterrence.war_overstretch"] * overstretch_strain(state, p)
        - p["deterrence.war_credibility"] * state.credibility
        - p["deterrence.war_conventional"] * conventional_balance(state, p)
        - p["deterrence.war_third_party"] * state.division_of_labour
    )


def honour_chance(state: State, p: Params) -> Array:
    """Chance that Washington fights when war comes: the post-1945 base rate, raised by US forces in the path and by
    the value Washington puts on the alliance."""
    base = p["deterrence.honour_base"]
    return logistic(
        np.log(base / (1.0 - base))
        + p["deterrence.honour_presence"] * state.troops / p["posture.troop_reference"]
        + p["deterrence.honour_value"] * state.us_value
    )


def advance(state: State, y: Year) -> tuple[State, Events]:
    p, levers, draw = y.p, y.levers, y.draw
    at_peace = state.war == 0.0
    incident_hazard = yearly_probability(incident_rate(state, y))
    war_hazard = yearly_probability(war_rate(state, y))
    incident = at_peace & (draw("incident") < incident_hazard)
    escalation = p["deterrence.escalation"] * (1.0 - p["deterrence.armistice_channel"] * levers["armistice_adherence"])
    escalated = incident & (draw_if(draw, "escalation", incident) < escalation)
    onset = at_peace & ((draw("war") < war_hazard) | escalated)
    allied = onset & (state.treaty_status < TREATY_TERMINATED)
    abandoned = allied & (draw_if(draw, "honour", allied) >= honour_chance(state, p))
    nuclear = onset & (draw_if(draw, "nuclear_use", onset) < p["deterrence.nuclear_use_given_war"] * state.dprk_threat)
    return state.replace(
        war=np.where(onset, 1.0, state.war),
        abandoned=np.where(abandoned, 1.0, state.abandoned),
        treaty_status=np.where(abandoned, TREATY_TERMINATED, state.treaty_status),
        nuclear_use=np.where(nuclear, 1.0, state.nuclear_use),
        incidents=state.incidents + incident,
    ), {
        "incident_hazard": incident_hazard,
        "war_hazard": 1.0 - (1.0 - war_hazard) * (1.0 - incident_hazard * escalation),  # directly or by escalation
        "incident": incident,
        "war_onset": onset,
        "abandoned": abandoned,
        "nuclear_use": nuclear,
    }
