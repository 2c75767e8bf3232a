"""Alliance value and the security dilemma: each side's net value of the alliance.

US: strategic value (containing the DPRK threat and the China–Russia–DPRK axis behind it, the ROK's regional role in
the competition with China, trilateral cooperation) minus the net stationing cost not covered by Seoul's payment,
minus entrapment in an ROK nuclear programme, overstretch elsewhere and the discount a transactional administration
puts on commitments abroad.
ROK: the security benefit (credibility times threat) minus autonomy costs (US-led wartime command), entrapment
(pressure to side against China times trade dependence), the payment burden and friction. Abandonment fear is
1 − credibility (used in `proliferation`). An alliance is worth what the threat it meets is worth, and declines as that
threat recedes (Walt 1987; Walt 1997, "Why alliances endure or collapse"). Sources: Snyder 1984; Morrow 1991; Cha
1999; seed 000; seed 002; seed 003 (the axis).
"""

from __future__ import annotations

import numpy as np

from .common import clip01
from .state import NUCLEAR_EXPLORING, OPCON_ROK_LED, Array, Params, State


def us_stationing_cost(state: State, p: Params) -> Array:
    """US cost of USFK in USD billion a year."""
    return p["value.stationing_cost"] * state.troops / p["posture.troop_reference"]


def rok_payment_usd(state: State, p: Params) -> Array:
    return state.cost_share * p["value.usd_per_trillion_krw"]


def net_cost_share(state: State, p: Params) -> Array:
    """Share of the US stationing cost that Seoul's payment does not cover, in [0, 1]."""
    cost = us_stationing_cost(state, p)
    return np.where(cost > 0.0, clip01(1.0 - rok_payment_usd(state, p) / np.maximum(cost, 1e-300)), 0.0)


def evaluate(state: State, p: Params, reference: Array) -> State:
    """Both sides' net value; `reference` is this year's `burden_sharing.reference_payment`."""
    us_value = (
        p["value.us_baseline"]
        + p["value.us_containment"] * state.dprk_threat
        + p["value.us_axis"] * state.axis_cohesion
        + p["value.us_regional_role"] * state.regional_role
        + p["value.us_trilateral"] * state.trilateral
        - p["value.us_net_cost"] * net_cost_share(state, p)
        - p["value.us_entrapment"] * (state.nuclear_status >= NUCLEAR_EXPLORING)
        - p["value.us_overstretch"] * state.us_overstretch
        - p["value.us_transactional_discount"] * state.us_transactional
    )
    rok_value = (
        p["value.rok_baseline"]
        + p["value.rok_security"] * state.credibility * state.dprk_threat
        - p["value.rok_autonomy"] * (1.0 - state.opcon / OPCON_ROK_LED) * state.rok_progressive
        - p["value.rok_entrapment"] * state.prc_coercion * state.trade_china_share / p["regional.trade_reference"]
        - p["value.rok_payment"] * state.cost_share / reference
        - p["value.rok_friction"] * state.friction
    )
    return state.replace(us_value=us_value, rok_value=rok_value)
