"""Alliance value and the security dilemma: each side's net value of the alliance.

US: strategic value (containing the DPRK threat and the China–Russia–DPRK axis behind it, the ROK's regional role in
the competition with China, trilateral cooperation) minus the net stationing cost not covered by Seoul's payment,
minus entrapment in an ROK nuclear programme, the strain of a war elsewhere on the commitment (less under a division
of labour: `context.overstretch_strain`) and the discount a transactional administration puts on commitments abroad.
ROK: the security benefit (credibility times threat) minus autonomy costs (US-led wartime command), entrapment
(pressure to side against China times trade dependence), the payment burden and friction. Abandonment fear is
1 − credibility (used in `proliferation`). An alliance is worth what the threat it meets is worth, and declines as that
threat recedes (Walt 1987; Walt 1997, "Why alliances endure or collapse"). Sources: Snyder 1984; Morrow 1991; Cha
1999; seed 000; seed 002; seed 003 (the axis).
"""

from __future__ import annotations

import numpy as np

from .common import clip01
from .context import overstretch_strain
from .state import NUCLEAR_EXPLORING, OPCON_ROK_LED, REGIONAL_LEVELS, Array, Events, Params, State, Year

PARAMETERS = (
    "value.stationing_cost",
    "value.usd_per_trillion_krw",
    "value.us_baseline",
    "value.us_containment",
    "value.us_axis",
    "value.us_regional_role",
    "value.us_trilateral",
    "value.us_net_cost",
    "value.us_entrapment",
    "value.us_overstretch",
    "value.us_transactional_discount",
    "value.rok_baseline",
    "value.rok_security",
    "value.rok_autonomy",
    "value.rok_entrapment",
    "value.rok_payment",
    "value.rok_friction",
    "posture.troop_reference",
    "regional.trade_reference",
    "context.overstretch_relief",
)
LEVERS: tuple[str, ...] = ()


def us_stationing_cost(state: State, p: Params) -> Array:
    """US cost of USFK in USD billion a year."""
    return p["value.stationing_cost"] * state.troops / p["posture.troop_reference"]


def rok_payment_usd(state: State, p: Params) -> Array:
    return state.cost_share * p["value.usd_per_trillion_krw"]


def net_cost_share(state: State, p: Params) -> Array:
    """Share of the US stationing cost that Seoul's payment does not cover, in [0, 1]."""
    cost = us_stationing_cost(state, p)
    return np.where(cost > 0.0, clip01(1.0 - rok_payment_usd(state, p) / np.maximum(cost, 1e-300)), 0.0)


def evaluate(state: State, y: Year) -> tuple[State, Events]:
    """Both sides' net value; the payment burden is measured against the year's reference payment."""
    p, reference = y.p, y.reference
    us_value = (
        p["value.us_baseline"]
        + p["value.us_containment"] * state.dprk_threat
        + p["value.us_axis"] * state.axis_cohesion
        + p["value.us_regional_role"] * state.regional_role / REGIONAL_LEVELS
        + p["value.us_trilateral"] * state.trilateral
        - p["value.us_net_cost"] * net_cost_share(state, p)
        - p["value.us_entrapment"] * (state.nuclear_status >= NUCLEAR_EXPLORING)
        - p["value.us_overstretch"] * overstretch_strain(state, p)
        - p["value.us_transactional_discount"] * state.us_transactional
    )
    rok_value = (
        p["value.rok_baseline"]
        + p["value.rok_security"] * state.credibility * state.dprk_threat
        - p["value.rok_autonomy"] * (1.0 - state.opcon / OPCON_ROK_LED) * state.rok_progressive
        - p["value.rok_entrapment"] * state.prc_coercion * state.trade_china_share / p["regional.trade_reference"]
        - p["value.rok_payment"]
        * np.divide(state.cost_share, reference, out=np.zeros_like(state.cost_share), where=reference > 0.0)
        - p["value.rok_friction"] * state.friction
    )
    return state.replace(us_value=us_value, rok_value=rok_value), {}


def account(state: State, y: Year) -> tuple[State, Events]:
    """Add the year's US stationing cost net of Seoul's payment to the running total."""
    net_cost = us_stationing_cost(state, y.p) - rok_payment_usd(state, y.p)
    return state.replace(us_net_cost=state.us_net_cost + net_cost), {}
