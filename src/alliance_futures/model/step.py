"""The yearly step: a pure function from this year's state to next year's, composing the mechanisms in order.

Order within a year: elections are held and new administrations may undo packages; governments set their levers;
the context moves; posture, regional role and burden sharing follow; each side values the alliance; troops may be
cut; command structure changes; credibility and the public's nuclear views adjust; deterrence holds or fails;
friction accumulates; and the treaty may be ended.
"""

from __future__ import annotations

from ..case import Case
from . import (
    alliance_value,
    burden_sharing,
    command,
    context,
    credibility,
    deterrence,
    force_posture,
    friction,
    politics,
    proliferation,
    regional,
    termination,
)
from .levers import LeverPlan
from .state import Draw, Events, Params, State


def step(state: State, case: Case, plan: LeverPlan, p: Params, draw: Draw, year: int) -> tuple[State, Events]:
    """Advance every future by one year; return the new state and the year's events (for narratives)."""
    before = state
    s, events = politics.elections(state, case, p, draw, year)
    s, ev = politics.reverse_packages(s, plan, p, draw, year, events)
    events |= ev
    levers = plan.values(s, year)
    reference = burden_sharing.reference_payment(case.initial["cost_share"].value, p, year - case.calendar.start_year)
    s, ev = context.advance(s, p, levers, draw)
    events |= ev
    s, ev = force_posture.settings(s, p, levers, draw)
    events |= ev
    s, ev = regional.advance(before, s, p, levers)
    events |= ev
    s, ev = burden_sharing.renew(s, p, levers, draw, year, reference)
    events |= ev
    s = alliance_value.evaluate(s, p, reference)
    s, ev = force_posture.troops(s, p, levers, draw)
    events |= ev
    drawdown = events["drawdown"]  # unilateral cuts; a scheduled drawdown is agreed and priced in
    s, ev = command.advance(s, p, levers, draw, year)
    events |= ev
    s = credibility.update(s, p, levers, drawdown)
    s, ev = proliferation.advance(s, p, levers, draw, drawdown)
    events |= ev
    s, ev = deterrence.advance(s, p, levers, draw)
    events |= ev
    s = friction.update(s, p, events["unmet_demand"], drawdown)
    s, ev = termination.advance(s, p, draw)
    events |= ev
    net_cost = alliance_value.us_stationing_cost(s, p) - alliance_value.rok_payment_usd(s, p)
    return s.replace(us_net_cost=s.us_net_cost + net_cost), events
