"""Burden sharing under the Special Measures Agreement (SMA).

Between renewals the ROK payment rises by the agreement's escalator (12th SMA, 2026–30: CPI-linked, capped at 5% a
year). The payment pays for the forces: it funds USFK's Korean employees, logistics contracts and construction (US
Department of Defense statement on the lapsed SMA, 2 June 2020), so when troops leave it falls with them
(`follow_forces`; part of it, construction and fixed installations, does not scale), and what Washington asks is the
start-year payment, grown by the escalator and scaled to the forces now present, times the year's demand lever (a
transactional administration asked about five-fold in 2019 and spoke of USD 10 bn a year in 2024). A renewal falls
due when the agreement expires, or early when a transactional administration reopens one in force (the one-year
10th SMA of 2019; before the first SMA, in a replay of the past, there is none). A renewal is settled by the
stakeholder bargaining engine, in every future at once: the weighted median (`bargaining.models.stakeholder_median`)
of six stakeholders whose positions are set by who governs. The US
president asks the demand; the US negotiators their own ask; Congress, the National Assembly and the ROK public
defend the current payment; the ROK president offers a share of the gap that is larger for conservative governments
and grows with abandonment fear (1 − credibility). The weighted median is the payment no weighted majority of them
would move, so a ratified agreement does not split the difference with an extreme opening demand (the five-fold
demand of 2019 ended in +13.9%). The demand left unmet is a dispute when it is large, feeding friction and troop-cut
risk. No agreement is renegotiated while war is fought; payments stop when the treaty ends. Sources: Black 1948 (the
median); Olson & Zeckhauser 1966; Sandler 1993; Blankenship 2023; docs/bargaining.md; the case's sources for the
agreements' terms.
"""

from __future__ import annotations

import numpy as np

from ..bargaining.models import stakeholder_median
from .common import ALL, Index, at, clip01, draw_if
from .state import TREATY_TERMINATED, Array, Events, Params, State, Year

PARAMETERS = (
    "burden.sma_escalation",
    "burden.sma_term_years",
    "burden.reopen_ratio",
    "burden.reopen_probability",
    "burden.offer_conservative",
    "burden.offer_progressive",
    "burden.offer_fear",
    "burden.agencies_ask",
    "burden.weight_president_transactional",
    "burden.weight_president_internationalist",
    "burden.weight_agencies",
    "burden.weight_congress",
    "burden.weight_rok_president",
    "burden.weight_assembly",
    "burden.weight_public",
    "burden.dispute_threshold",
    "burden.payment_follows_troops",
)
LEVERS = ("cost_demand_multiplier",)


def reference_payment(state: State, y: Year) -> Array:
    """The start-year payment (the case's initial `cost_share`) grown by the escalator and scaled to the troops now
    present: the yardstick for demands and for the payment's burden."""
    initial = y.case.initial
    grown = initial["cost_share"].value * (1.0 + y.p["burden.sma_escalation"]) ** (y.year - y.case.calendar.start_year)
    return grown * state.troops / initial["troops"].value


def settle(state: State, p: Params, payment: Array, demand: Array, due: Index = ALL) -> Array:
    """The payment a renewal settles on in the futures `due` (whose `payment` and `demand` are given): the weighted
    median of the six stakeholders' positions."""
    offer = clip01(
        np.where(
            at(state.rok_progressive, due) == 1.0,
            at(p["burden.offer_progressive"], due),
            at(p["burden.offer_conservative"], due),
        )
        * (1.0 + at(p["burden.offer_fear"], due) * (1.0 - at(state.credibility, due)))
    )
    president = np.where(
        at(state.us_transactional, due) == 1.0,
        at(p["burden.weight_president_transactional"], due),
        at(p["burden.weight_president_internationalist"], due),
    )
    defenders = p["burden.weight_congress"] + p["burden.weight_assembly"] + p["burden.weight_public"]
    columns = [  # (position, weight); Congress, the Assembly and the public share one position, the current payment
        (demand, president),
        (payment * at(p["burden.agencies_ask"], due), at(p["burden.weight_agencies"], due)),
        (payment + offer * np.maximum(demand - payment, 0.0), at(p["burden.weight_rok_president"], due)),
        (payment, at(defenders, due)),
    ]
    futures = np.shape(demand)
    positions = np.stack([np.broadcast_to(x, futures) for x, _ in columns])
    weights = np.stack([np.broadcast_to(w, futures) for _, w in columns])
    return stakeholder_median(positions, weights)


def renew(state: State, y: Year) -> tuple[State, Events]:
    """Escalate the payment, set the demand against the year's reference payment, and settle a renewal if one
    falls due."""
    p, levers, draw, year, reference = y.p, y.levers, y.draw, y.year, y.reference
    payment = state.cost_share * (1.0 + p["burden.sma_escalation"])
    demand = np.maximum(reference * levers["cost_demand_multiplier"], payment)
    may_reopen = (demand > payment * p["burden.reopen_ratio"]) & (state.sma_renewal_year > year) & (payment > 0.0)
    reopen = may_reopen & (draw_if(draw, "sma_reopen", may_reopen) < p["burden.reopen_probability"])
    in_force = state.treaty_status < TREATY_TERMINATED
    renewal = ((state.sma_renewal_year <= year) | reopen) & in_force & (state.war == 0.0)
    due = np.flatnonzero(renewal)  # settled only where a renewal falls due (about one future-year in five)
    cost_share = np.where(in_force, payment, 0.0)
    asked = demand[due]
    cost_share[due] = settled = settle(state, p, payment[due], asked, due)
    unmet = np.zeros_like(demand)
    unmet[due] = np.divide(np.maximum(asked - settled, 0.0), asked, out=np.zeros_like(asked), where=asked > 0.0)
    new = state.replace(
        cost_share=cost_share,
        us_demand=demand,
        sma_renewal_year=np.where(renewal, year + p["burden.sma_term_years"], state.sma_renewal_year),
    )
    return new, {
        "sma_renewal": renewal,
        "sma_reopened": reopen,
        "unmet_demand": unmet,
        "cost_dispute": unmet > p["burden.dispute_threshold"],
    }


def follow_forces(state: State, y: Year) -> tuple[State, Events]:
    """The payment falls with the troops it pays for: by the share `burden.payment_follows_troops` of the share of
    troops that left this year."""
    left = y.events["troops_cut"] / np.maximum(state.troops + y.events["troops_cut"], 1.0)
    return state.replace(cost_share=state.cost_share * (1.0 - y.p["burden.payment_follows_troops"] * left)), {}
