"""The yearly step: a pure function from this year's state to next year's, composing the mechanisms in order.

Order within a year: elections are held and new administrations may undo packages; governments set their levers;
the context moves; posture, regional role and burden sharing follow; each side values the alliance; troops may be
cut; command structure changes; credibility and the public's nuclear views adjust; deterrence holds or fails;
friction accumulates; and the treaty may be ended.

A replay of the past (engine.replay) passes what history recorded for the year: it holds recorded variables at their
recorded values after each mechanism that moves them, sets recorded levers, and takes the recorded troop cuts as the
year's drawdowns. A simulation of the future records nothing (`SIMULATED`).
"""

from __future__ import annotations

from typing import Protocol

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
from .state import Array, Draw, Events, Levers, Params, State


class Recorded(Protocol):
    """What history fixes in one year of a replay."""

    def pin(self, state: State) -> State:
        """The state with recorded variables at their recorded values."""
        ...

    def levers(self, levers: Levers) -> Levers:
        """This year's levers with recorded ones at their recorded values."""
        ...

    def reference(self, simulated: Array) -> Array:
        """The yardstick payment for demands and the payment burden."""
        ...

    def drawdown(self, simulated: Array) -> Array:
        """The year's unilateral troop cuts."""
        ...


class _Simulated:
    """Nothing recorded: every mechanism runs as it is."""

    def pin(self, state: State) -> State:
        return state

    def levers(self, levers: Levers) -> Levers:
        return levers

    def reference(self, simulated: Array) -> Array:
        return simulated

    def drawdown(self, simulated: Array) -> Array:
        return simulated


SIMULATED: Recorded = _Simulated()


def step(
    state: State, case: Case, plan: LeverPlan, p: Params, draw: Draw, year: int, recorded: Recorded = SIMULATED
) -> tuple[State, Events]:
    """Advance every future by one year; return the new state and the year's events (for narratives) with the
    hazards behind them."""
    before = state
    s, events = politics.elections(state, case, p, draw, year)
    s = recorded.pin(s)
    s, ev = politics.reverse_packages(s, plan, p, draw, year, events)
    events |= ev
    levers = recorded.levers(plan.values(s, year))
    reference = recorded.reference(
        burden_sharing.reference_payment(case.initial["cost_share"].value, p, year - case.calendar.start_year)
    )
    s, ev = context.advance(s, p, levers, draw)
    s = recorded.pin(s)
    events |= ev
    s, ev = force_posture.settings(s, p, levers, draw)
    events |= ev
    s, ev = regional.advance(before, s, p, levers)
    events |= ev
    s, ev = burden_sharing.renew(s, p, levers, draw, year, reference)
    s = recorded.pin(s)
    events |= ev
    s = alliance_value.evaluate(s, p, reference)
    s, ev = force_posture.troops(s, p, levers, draw)
    s = recorded.pin(s)
    events |= ev
    drawdown = events["drawdown"] = recorded.drawdown(events["drawdown"])  # unilateral cuts; a scheduled one is agreed
    s = force_posture.remember_cut(s, p, drawdown)
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
