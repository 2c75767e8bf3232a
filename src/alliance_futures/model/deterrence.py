"""Deterrence: gray-zone incidents, war, and nuclear use on the peninsula.

Both hazards are log-linear in their drivers. Incidents (fatal militarised disputes in about 19% of years 1990–2010)
rise with DPRK nuclear maturity and provocation (Bell & Miller 2015: nuclear asymmetry brings more low-level
conflict, not more war), the axis and US overstretch, and fall with credibility and gray-zone plans (seed 000). War
(onset about 1.7% a year in strategic rivalries, none in Korea since 1953) falls with credibility (Benson 2011:
deterrent pacts cut initiation) and the conventional balance (ROK forces plus US forces in theatre with CFC
readiness; Reiter & Poast 2021), and rises with DPRK maturity and overstretch. An incident can escalate; the
Armistice and UN Command channel (seed 003) lowers that chance. In a division of labour the US deters third-party
entry (seed 002), which lowers the war hazard. Nuclear use follows war with a probability that grows with the
DPRK arsenal.
"""

from __future__ import annotations

import numpy as np

from .common import draw_if, yearly_probability
from .credibility import troop_index
from .state import Array, Events, Params, State, Year

PARAMETERS = (
    "deterrence.rok_conventional",
    "deterrence.us_conventional",
    "credibility.troop_scale",
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
    "deterrence.nuclear_use_given_war",
)
LEVERS = ("armistice_adherence",)


def conventional_balance(state: State, p: Params) -> Array:
    return (
        p["deterrence.rok_conventional"]
        + p["deterrence.us_conventional"] * troop_index(state.troops, p) * state.readiness
    )


def incident_rate(state: State, y: Year) -> Array:
    p = y.p
    return p["deterrence.incident_base"] * np.exp(
        p["deterrence.incident_maturity"] * state.dprk_threat
        + p["deterrence.incident_provocation"] * state.dprk_provocation
        + p["deterrence.incident_axis"] * state.axis_cohesion
        + p["deterrence.incident_overstretch"] * state.us_overstretch
        - p["deterrence.incident_credibility"] * state.credibility
        - p["deterrence.incident_plans"] * state.gray_zone_plans
    )


def war_rate(state: State, y: Year) -> Array:
    p = y.p
    return p["deterrence.war_base"] * np.exp(
        p["deterrence.war_maturity"] * state.dprk_threat
        + p["deterrence.war_overstretch"] * state.us_overstretch
        - p["deterrence.war_credibility"] * state.credibility
        - p["deterrence.war_conventional"] * conventional_balance(state, p)
        - p["deterrence.war_third_party"] * state.division_of_labour
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
    nuclear = onset & (draw_if(draw, "nuclear_use", onset) < p["deterrence.nuclear_use_given_war"] * state.dprk_threat)
    return state.replace(
        war=np.where(onset, 1.0, state.war),
        nuclear_use=np.where(nuclear, 1.0, state.nuclear_use),
        incidents=state.incidents + incident,
    ), {
        "incident_hazard": incident_hazard,
        "war_hazard": 1.0 - (1.0 - war_hazard) * (1.0 - incident_hazard * escalation),  # directly or by escalation
        "incident": incident,
        "war_onset": onset,
        "nuclear_use": nuclear,
    }
