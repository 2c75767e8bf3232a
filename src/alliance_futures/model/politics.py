"""Politics and the pendulum: elections, the orientation of each government, and whether governments take up a
policy package, enact it and keep it.

US presidents take office every four years and ROK presidents serve one five-year term, with a small yearly chance
of an early ROK election (presidents were removed in 2017 and 2025). At each election the orientation switches with
a probability calibrated to party changes at presidential elections.

A package is not imposed on whoever governs. In its start year, and again whenever a new administration takes office
on a side, the government in office decides: it takes the package up with the chance the policy file gives for its
orientation. A package already in force is kept by a government that would adopt it; one that would not undoes it
unless the package binds it: the chance that an unwilling government keeps a package rises with its
institutionalisation (executive choice < joint statement < law or treaty). Binding has a price: an adopted package
takes effect only once enacted at the level it seeks, at once by executive choice, with a yearly chance for a joint
statement (a summit) or a law (passage and, for a treaty, ratification). Sources: seed 003 (the pendulum, "policy
combinations that place stress on the alliance"); Leeds & Savun 2007 (alliance commitments are broken when their value
to a member changes, less often when breaking them is costly); the case's sources for each number.
"""

from __future__ import annotations

import numpy as np

from .common import draw_if
from .levers import orientation_flag
from .state import Events, State, Year

LEVELS = ("executive", "joint_statement", "law")
PARAMETERS = (
    "politics.rok_early_election_hazard",
    "politics.us_switch_probability",
    "politics.rok_switch_probability",
    *(f"politics.persistence_{level}" for level in LEVELS),
    *(f"politics.enactment_{level}" for level in LEVELS),
)
LEVERS: tuple[str, ...] = ()


def elections(state: State, y: Year) -> tuple[State, Events]:
    """Hold the elections due this year; return the new state and the election events."""
    cal, p, draw, year = y.case.calendar, y.p, y.draw, y.year
    us_new = year >= cal.us_inauguration_first and (year - cal.us_inauguration_first) % cal.us_term_years == 0
    us_new_admin = np.full(state.credibility.shape, us_new)
    scheduled = state.rok_next_election == year
    early = ~scheduled & (draw("rok_early_election") < p["politics.rok_early_election_hazard"])
    rok_new_admin = scheduled | early
    us_switched = us_new_admin & (draw_if(draw, "us_election", us_new_admin) < p["politics.us_switch_probability"])
    rok_switched = rok_new_admin & (draw_if(draw, "rok_election", rok_new_admin) < p["politics.rok_switch_probability"])
    new = state.replace(
        us_transactional=np.where(us_switched, 1.0 - state.us_transactional, state.us_transactional),
        rok_progressive=np.where(rok_switched, 1.0 - state.rok_progressive, state.rok_progressive),
        rok_next_election=np.where(rok_new_admin, year + cal.rok_term_years, state.rok_next_election),
    )
    events = {
        "us_new_admin": us_new_admin,
        "rok_new_admin": rok_new_admin,
        "rok_early_election": early,
        "us_switched": us_switched,
        "rok_switched": rok_switched,
    }
    return new, events


def put_forward(state: State) -> State:
    """The state as a package is put forward in place of the one followed so far: neither side has taken it up
    and nothing of it is in force."""
    zero = np.zeros_like(state.adopted_us)
    return state.replace(adopted_us=zero, adopted_rok=zero, in_force_us=zero, in_force_rok=zero)


def decide_packages(state: State, y: Year) -> tuple[State, Events]:
    """Each side's government takes the package up, keeps it or undoes it when it decides (the start year, a new
    administration), and an adopted package comes into force once enacted; `in_force_*` counts its years in force."""
    plan, p, draw, year = y.plan, y.p, y.draw, y.year
    level = plan.institutionalisation
    persistence, enactment = p[f"politics.persistence_{level}"], p[f"politics.enactment_{level}"]
    out: Events = {}
    changes: dict[str, np.ndarray] = {}
    for side in ("us", "rok"):
        start = plan.first_start[side]
        adopted, in_force = getattr(state, f"adopted_{side}"), getattr(state, f"in_force_{side}")
        if start is None or year < start:
            for name in ("adopted", "undone", "enacted"):
                out[f"{side}_{name}"] = np.zeros(state.credibility.shape, dtype=bool)
            continue
        first, second = plan.adoption[side]
        willing = np.where(orientation_flag(state, side) == 1.0, second, first)
        decides = y.events[f"{side}_new_admin"] | (year == start)
        keep_or_adopt = np.where(in_force > 0, willing + (1.0 - willing) * persistence, willing)
        yes = draw_if(draw, f"{side}_package", decides) < keep_or_adopt
        now_adopted = np.where(decides, yes, adopted == 1.0)
        still_in_force = now_adopted & (in_force > 0)
        pending = now_adopted & (in_force == 0)
        enacted = pending & (draw_if(draw, f"{side}_enactment", pending) < enactment)
        changes[f"adopted_{side}"] = now_adopted.astype(np.float64)
        changes[f"in_force_{side}"] = np.where(still_in_force | enacted, in_force + 1.0, 0.0)
        out[f"{side}_adopted"] = decides & yes & (adopted == 0.0)
        out[f"{side}_undone"] = decides & ~yes & (adopted == 1.0)
        out[f"{side}_enacted"] = enacted
    return state.replace(**changes), out
