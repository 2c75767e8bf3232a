"""Politics and the pendulum: elections, the orientation of each government, and the durability of policy.

US presidents take office every four years and ROK presidents serve one five-year term, with a small yearly chance
of an early ROK election (presidents were removed in 2017 and 2025). At each election the orientation switches with
a probability calibrated to party changes (US about 6 in 10, ROK about 7 in 10 presidential elections in recent
decades). A new administration may undo its predecessor's package; the chance falls as the package is
institutionalised (executive choice > joint statement > law or treaty), and is lower when the new administration
shares its predecessor's orientation. Sources: seed 003 (the pendulum); model.md; us-rok-facts.md §6.
"""

from __future__ import annotations

import numpy as np

from .common import draw_if
from .state import Events, State, Year

PARAMETERS = (
    "politics.rok_early_election_hazard",
    "politics.us_switch_probability",
    "politics.rok_switch_probability",
    "politics.reversal_executive",
    "politics.reversal_joint_statement",
    "politics.reversal_law",
    "politics.same_orientation_reversal_factor",
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


def reverse_packages(state: State, y: Year) -> tuple[State, Events]:
    """A new administration undoes the package's levers on its side with a probability set by how deeply the
    package is institutionalised; once undone, the package stays undone in that future."""
    plan, p, draw, year, events = y.plan, y.p, y.draw, y.year, y.events
    out: Events = {}
    changes: Events = {}
    for side in ("us", "rok"):
        start = plan.first_start[side]
        already = state.reversed_us if side == "us" else state.reversed_rok
        if start is None or year <= start:
            out[f"{side}_reversed"] = np.zeros(state.credibility.shape, dtype=bool)
            continue
        base = p[f"politics.reversal_{plan.institutionalisation}"]
        prob = base * np.where(events[f"{side}_switched"], 1.0, p["politics.same_orientation_reversal_factor"])
        exposed = events[f"{side}_new_admin"] & (already == 0.0)
        undone = exposed & (draw_if(draw, f"{side}_reversal", exposed) < prob)
        out[f"{side}_reversed"] = undone
        changes[f"reversed_{side}"] = np.where(undone, 1.0, already)
    return state.replace(**changes), out
