"""The yearly step: a pure function from this year's state to next year's, composing the mechanisms in order.

Order within a year: elections are held, and governments take up, keep or undo the package; governments set their
levers; the context moves; posture, regional role and burden sharing follow; each side values the alliance; troops
may be cut and the payment follows them; command structure changes; credibility, the ROK's own defence effort and the
public's nuclear views adjust; deterrence holds or fails; friction accumulates; and the treaty may be ended.

A replay of the past (engine.replay) passes what history recorded for the year: it holds recorded variables at their
recorded values after each mechanism, sets recorded levers, and takes the recorded troop cuts as the year's
drawdowns. A simulation of the future records nothing (`SIMULATED`).
"""

from __future__ import annotations

from collections.abc import Callable
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
    rok_effort,
    termination,
)
from .levers import LeverPlan
from .state import Array, Draw, Events, Levers, Params, State, Year


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

    def events(self, events: Events) -> Events:
        """The year's events with recorded ones (the troop cuts) as they happened."""
        ...


class _Simulated:
    """Nothing recorded: every mechanism runs as it is."""

    def pin(self, state: State) -> State:
        return state

    def levers(self, levers: Levers) -> Levers:
        return levers

    def reference(self, simulated: Array) -> Array:
        return simulated

    def events(self, events: Events) -> Events:
        return events


SIMULATED: Recorded = _Simulated()

Mechanism = Callable[[State, Year], tuple[State, Events]]

# The year's mechanisms after the governments have set their levers, in order.
SEQUENCE: tuple[Mechanism, ...] = (
    context.advance,
    force_posture.settings,
    regional.advance,
    burden_sharing.renew,
    alliance_value.evaluate,
    force_posture.troops,
    burden_sharing.follow_forces,
    force_posture.remember_cut,
    command.advance,
    credibility.update,
    rok_effort.invest,
    proliferation.advance,
    deterrence.advance,
    friction.update,
    termination.advance,
    alliance_value.account,
)
# Mechanisms that run before the levers are set: who governs, and whether they keep the package.
POLITICS: tuple[Mechanism, ...] = (politics.elections, politics.decide_packages)
MODULES = (
    politics,
    context,
    force_posture,
    regional,
    burden_sharing,
    alliance_value,
    command,
    credibility,
    rok_effort,
    proliferation,
    deterrence,
    friction,
    termination,
)


def step(
    state: State, case: Case, plan: LeverPlan, p: Params, draw: Draw, year: int, recorded: Recorded = SIMULATED
) -> tuple[State, Events]:
    """Advance every future by one year; return the new state and the year's events (for narratives) with the
    hazards behind them. Every mechanism is called as `mechanism(state, y)` and returns the new state and its
    events; what history recorded is held after each one."""
    y = Year(year, case, plan, p, draw, state)
    for mechanism in POLITICS:
        state, events = mechanism(state, y)
        state = recorded.pin(state)
        y.events |= events
    y.levers = recorded.levers(plan.values(state, year))
    y.reference = recorded.reference(burden_sharing.reference_payment(state, y))
    for mechanism in SEQUENCE:
        state, events = mechanism(state, y)
        state = recorded.pin(state)
        y.events |= recorded.events(events)
    return state, y.events
