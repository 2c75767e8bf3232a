"""Alliance termination under the Mutual Defense Treaty.

The yearly hazard of treaty notice is a base rate (US defence-pact dyads ended at 0.22% a year 1946–2018, all
defence pacts at 0.55%: counts over ATOP 5.1 dyad-years, Leeds et al. 2002) raised exponentially as the weaker side's
net value of the alliance falls below its level at the case's start (Leeds & Savun 2007, *JOP* 69(4): alliances are
abrogated when their value to a member changes; Bennett 1997), plus sudden shocks: an ROK nuclear programme past
'pursuing' (Washington's response; Gerzhoy 2015) and the strain of a US war elsewhere. Notice takes a year to take
effect (Article VI), after which US forces leave. No notice is given in wartime.
"""

from __future__ import annotations

import numpy as np

from .context import overstretch_strain
from .state import NUCLEAR_PURSUING, TREATY_NOTICE, TREATY_TERMINATED, Array, Events, State, Year

PARAMETERS = (
    "termination.base_hazard",
    "termination.value_slope",
    "termination.value_reference",
    "termination.pursuit_shock",
    "termination.overstretch_shock",
    "context.overstretch_relief",
)
LEVERS: tuple[str, ...] = ()


def notice_hazard(state: State, y: Year) -> Array:
    p = y.p
    weakest = np.minimum(state.us_value, state.rok_value)
    hazard = p["termination.base_hazard"] * np.exp(
        p["termination.value_slope"] * np.maximum(p["termination.value_reference"] - weakest, 0.0)
    )
    hazard = hazard + p["termination.pursuit_shock"] * (state.nuclear_status >= NUCLEAR_PURSUING)
    hazard = hazard + p["termination.overstretch_shock"] * overstretch_strain(state, p)
    return np.minimum(hazard, 1.0)


def advance(state: State, y: Year) -> tuple[State, Events]:
    takes_effect = state.treaty_status == TREATY_NOTICE
    hazard = notice_hazard(state, y)
    notice = (state.treaty_status == 0.0) & (state.war == 0.0) & (y.draw("treaty_notice") < hazard)
    status = np.where(takes_effect, TREATY_TERMINATED, np.where(notice, TREATY_NOTICE, state.treaty_status))
    return state.replace(treaty_status=status), {
        "notice_hazard": hazard,
        "treaty_notice": notice,
        "termination": takes_effect,
    }
