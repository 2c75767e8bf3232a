"""The ROK's own defence effort: its defence spending and the conventional strength that spending builds.

An ally's contribution to its own defence is not fixed. In the joint-products view of alliances (Olson & Zeckhauser
1966, *Review of Economics and Statistics* 48(3); Sandler 1993, *JCR* 37(3)) a protected ally spends less than it
would alone and spends more when the protection it can count on shrinks; Plümper & Neumayer 2015 (*Conflict
Management and Peace Science* 32(3)) find most smaller NATO allies free-riding on US spending, while Alley 2021 finds
little free-riding across 204 alliances, so the responses span zero. The ROK's own record: its defence budget rose from
3.3% of GDP in 1975 to 5.25% in 1980, after the Nixon Doctrine, the 1971 withdrawal and Carter's withdrawal plan, and
has held near 2.2–2.6% since 2000 (ROK Ministry of National Defense budget series).

Each year the spending share moves part of the way toward a target that rises with the DPRK threat, with abandonment
fear (1 − credibility) and with the share of US forces gone from the peninsula, up to a fiscal ceiling. Conventional
strength (1 at the case's start) grows when spending is above the share that holds it steady (`rok.burden_upkeep`,
the 2026 share) and wears down when below, a share of the force being renewed each year.
"""

from __future__ import annotations

import numpy as np

from .common import toward
from .state import Events, State, Year

PARAMETERS = (
    "rok.burden_base",
    "rok.burden_threat",
    "rok.burden_abandonment",
    "rok.burden_us_forces",
    "rok.burden_ceiling",
    "rok.burden_rate",
    "rok.burden_upkeep",
    "rok.strength_rate",
    "posture.troop_reference",
)
LEVERS: tuple[str, ...] = ()


def invest(state: State, y: Year) -> tuple[State, Events]:
    """This year's defence spending share and the strength it builds."""
    p = y.p
    us_forces_gone = 1.0 - np.minimum(state.troops / p["posture.troop_reference"], 1.0)
    target = np.clip(
        p["rok.burden_base"]
        + p["rok.burden_threat"] * state.dprk_threat
        + p["rok.burden_abandonment"] * (1.0 - state.credibility)
        + p["rok.burden_us_forces"] * us_forces_gone,
        0.0,
        p["rok.burden_ceiling"],
    )
    burden = toward(state.rok_defense_burden, target, p["rok.burden_rate"])
    strength = state.rok_strength * (1.0 + p["rok.strength_rate"] * (burden / p["rok.burden_upkeep"] - 1.0))
    return state.replace(rok_defense_burden=burden, rok_strength=np.maximum(strength, 0.0)), {}
