"""Burden sharing under the Special Measures Agreement (SMA).

Between renewals the ROK payment rises by the agreement's escalator (12th SMA, 2026–30: CPI-linked, capped at 5% a
year). Washington's ask is the start-year payment, grown by the escalator, times the year's demand lever (a
transactional administration asked about five-fold in 2019 and spoke of USD 10 bn a year in 2024). A renewal falls
due when the agreement expires, or early when a transactional administration reopens it (the one-year 10th SMA of
2019). Seoul concedes a share of the gap that is larger for conservative governments and grows with abandonment fear
(1 − credibility); the demand left unmet is a dispute when it is large, feeding friction and troop-cut risk. Payments
stop when the treaty ends. Sources: Olson & Zeckhauser 1966; Sandler 1993; Blankenship 2023; us-rok-facts.md §1.
"""

from __future__ import annotations

import numpy as np

from .common import clip01, draw_if
from .state import TREATY_TERMINATED, Array, Draw, Events, Levers, Params, State


def reference_payment(start_payment: float, p: Params, years_since_start: int) -> Array:
    """The start-year payment (the case's initial `cost_share`) grown by the escalator: the yardstick for demands
    and for the payment's burden."""
    return start_payment * (1.0 + p["burden.sma_escalation"]) ** years_since_start


def renew(state: State, p: Params, levers: Levers, draw: Draw, year: int, reference: Array) -> tuple[State, Events]:
    """Escalate the payment, set the demand, and settle a renewal if one falls due. `reference` is this year's
    `reference_payment`."""
    payment = state.cost_share * (1.0 + p["burden.sma_escalation"])
    demand = np.maximum(reference * levers["cost_demand_multiplier"], payment)
    may_reopen = (demand > payment * p["burden.reopen_ratio"]) & (state.sma_renewal_year > year)
    reopen = may_reopen & (draw_if(draw, "sma_reopen", may_reopen) < p["burden.reopen_probability"])
    in_force = state.treaty_status < TREATY_TERMINATED
    renewal = ((state.sma_renewal_year <= year) | reopen) & in_force
    concession = clip01(
        np.where(
            state.rok_progressive == 1.0,
            p["burden.concession_progressive"],
            p["burden.concession_conservative"],
        )
        * (1.0 + p["burden.concession_fear"] * (1.0 - state.credibility))
    )
    settled = payment + concession * np.maximum(demand - payment, 0.0)
    unmet = np.where(renewal, np.maximum(demand - settled, 0.0) / demand, 0.0)
    new = state.replace(
        cost_share=np.where(renewal, settled, np.where(in_force, payment, 0.0)),
        us_demand=demand,
        sma_renewal_year=np.where(renewal, year + p["burden.sma_term_years"], state.sma_renewal_year),
    )
    return new, {
        "sma_renewal": renewal,
        "sma_reopened": reopen,
        "unmet_demand": unmet,
        "cost_dispute": unmet > p["burden.dispute_threshold"],
    }
