"""The state of many futures at once: one float array per variable, one entry per future.

Ordinal and yes/no variables are stored as floats too (0, 1, 2 …) so that a whole state is one homogeneous set of
arrays that the engine can slice, stack and store without special cases.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..case import Case

if TYPE_CHECKING:
    from .levers import LeverPlan

Array = NDArray[np.float64]
Params = Mapping[str, Any]  # 'group.name' -> float, or an array with one value per future
Levers = Mapping[str, Array | float]  # lever name -> this year's value in each future (or in all of them)
Draw = Callable[[str], Array]  # stream name -> one uniform number in [0, 1) per future, for this year
Events = dict[str, NDArray[Any]]  # this year: event name -> per future (yes/no), and the hazards behind them

# Ladder of ROK nuclear status (model.md): none → latent → exploring → pursuing → armed.
NUCLEAR_LATENT, NUCLEAR_EXPLORING, NUCLEAR_PURSUING, NUCLEAR_ARMED = 1.0, 2.0, 3.0, 4.0
# Nuclear integration: none → consultation (NCG) → joint planning → NATO-like sharing.
INTEGRATION_LEVELS = 3.0
# Regional role: peninsula only → declaratory (Indo-Pacific strategy, trilateral drills) → operational (maritime
# capacity building, logistics support for US operations beyond the peninsula) → formal (Quad-plus membership, agreed
# strategic flexibility of US forces in Korea).
REGIONAL_LEVELS = 3.0
# Wartime operational control: US-led CFC → conditions-based transition → ROK-led Future-CFC.
OPCON_TRANSITION, OPCON_ROK_LED = 1.0, 2.0
# Mutual Defense Treaty: in force → notice given (Art. VI: one year) → terminated.
TREATY_NOTICE, TREATY_TERMINATED = 1.0, 2.0


@dataclass(frozen=True, slots=True)
class State:
    """Every state variable of model.md, per future."""

    us_transactional: Array  # 1: transactional US administration, 0: internationalist
    rok_progressive: Array  # 1: progressive ROK administration, 0: conservative
    rok_next_election: Array  # calendar year of the next ROK presidential election
    adopted_us: Array  # 1 while the US government has taken up the package (enacted or not yet)
    adopted_rok: Array
    in_force_us: Array  # years the package's US levers have been in force (0: not in force)
    in_force_rok: Array
    credibility: Array  # Seoul's belief that the US would defend it, in [0, 1]
    troops: Array  # USFK personnel
    cut_memory: Array  # 1 in the year of a unilateral troop cut, fading each year after (force_posture.remember_cut)
    cost_share: Array  # ROK payment under the Special Measures Agreement, KRW trillion per year
    us_demand: Array  # what Washington asks, KRW trillion per year
    sma_renewal_year: Array  # year the next Special Measures Agreement takes effect
    exercises: Array  # tempo of large combined exercises in [0, 1]
    readiness: Array  # Combined Forces Command readiness in [0, 1], built by exercises
    nuclear_integration: Array  # 0..3
    gray_zone_plans: Array  # [0, 1]
    missile_defense: Array  # [0, 1]
    diplomatic_coordination: Array  # [0, 1]: 1 unified US–ROK position, 0 talks that bypass Seoul
    regional_role: Array  # 0..3 (REGIONAL_LEVELS)
    trilateral: Array  # US–ROK–Japan cooperation in [0, 1]
    division_of_labour: Array  # commitment mode: 1 division of labour (1902 model), 0 unconditional
    opcon: Array  # 0 US-led CFC, 1 conditions-based transition, 2 ROK-led Future-CFC
    nuclear_status: Array  # 0..4
    peak_nuclear_status: Array  # highest status reached so far
    public_support: Array  # share of South Koreans who want their own nuclear weapons
    rok_defense_burden: Array  # ROK defence spending, share of GDP
    rok_strength: Array  # ROK conventional strength against the DPRK, 1 at the case's start
    friction: Array  # accumulated alliance friction in [0, 1]
    dprk_warheads: Array
    dprk_threat: Array  # [0, 1), from the warheads (context.dprk_threat); set each year before it is used
    decoupling: Array  # reach of survivable DPRK ICBMs to US cities in [0, 1]
    dprk_provocation: Array  # provocation intensity this year in [0, 1]
    prc_coercion: Array  # PRC military and economic pressure on the ROK in [0, 1]
    axis_cohesion: Array  # China–Russia–DPRK alignment in [0, 1]
    us_overstretch: Array  # 1 while the US is decisively engaged in a major war elsewhere
    trade_china_share: Array  # ROK exports going to China
    treaty_status: Array  # 0 in force, 1 notice given, 2 terminated
    war: Array  # 1 once war has broken out on the peninsula
    abandoned: Array  # 1 if the US did not honour the commitment when war came
    nuclear_use: Array  # 1 once nuclear weapons have been used
    incidents: Array  # gray-zone incidents so far
    us_value: Array  # US net value of the alliance (alliance_value)
    rok_value: Array  # ROK net value of the alliance
    us_net_cost: Array  # cumulative US stationing cost net of ROK payments, USD billion

    def replace(self, **changes: Array) -> State:
        return replace(self, **changes)

    def map(self, fn: Callable[[Array], Array]) -> State:
        """Apply fn to every variable (slicing, copying, concatenating …)."""
        return State(**{f.name: fn(getattr(self, f.name)) for f in fields(self)})

    def as_dict(self) -> dict[str, Array]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(slots=True)
class Year:
    """What every mechanism reads besides the state: one shape for every call in `step`,
    `mechanism(state, year) -> (state, events)`.

    `start` is the state as the year began; `levers` are filled in once the year's governments have set them;
    `events` collects what has happened so far this year; `reference` is the year's yardstick payment
    (`burden_sharing.reference_payment`)."""

    year: int  # calendar year
    case: Case
    plan: LeverPlan
    p: Params
    draw: Draw
    start: State
    levers: Levers = field(default_factory=dict)
    events: Events = field(default_factory=dict)
    reference: Array | float = 0.0


STATE_VARIABLES: tuple[str, ...] = tuple(f.name for f in fields(State))

# Variables set from the case's calendar, or that start at zero in every future.
_FROM_CALENDAR = {"us_transactional", "rok_progressive", "rok_next_election"}
_START_AT_ZERO = {
    "adopted_us",
    "adopted_rok",
    "in_force_us",
    "in_force_rok",
    "cut_memory",
    "war",
    "abandoned",
    "nuclear_use",
    "incidents",
    "us_net_cost",
    "dprk_threat",
}
_DERIVED_AT_START = {
    "peak_nuclear_status": "nuclear_status",
    "us_demand": "cost_share",
    "readiness": "exercises",
}
INITIAL_VARIABLES = tuple(
    v
    for v in STATE_VARIABLES
    if v not in _FROM_CALENDAR | _START_AT_ZERO | set(_DERIVED_AT_START) and v not in {"us_value", "rok_value"}
)


SHARE = (0.0, 1.0)
ANY_AMOUNT = (0.0, float("inf"))
# The values each initial variable can take, by its definition (the comments on State and model.md): a case giving one
# outside is refused when it is loaded.
DOMAINS: dict[str, tuple[float, float]] = {
    "troops": ANY_AMOUNT,
    "cost_share": ANY_AMOUNT,
    "sma_renewal_year": (1953.0, 2200.0),  # the first Special Measures Agreement was signed in 1991
    "nuclear_integration": (0.0, INTEGRATION_LEVELS),
    "regional_role": (0.0, REGIONAL_LEVELS),
    "opcon": (0.0, OPCON_ROK_LED),
    "nuclear_status": (0.0, NUCLEAR_ARMED),
    "rok_strength": ANY_AMOUNT,
    "dprk_warheads": ANY_AMOUNT,
    "dprk_provocation": ANY_AMOUNT,  # a year with more launches than 2022 exceeds 1
    "treaty_status": (0.0, TREATY_TERMINATED),
} | {
    name: SHARE
    for name in (
        "credibility",
        "exercises",
        "gray_zone_plans",
        "missile_defense",
        "diplomatic_coordination",
        "trilateral",
        "division_of_labour",
        "public_support",
        "rok_defense_burden",
        "friction",
        "decoupling",
        "prc_coercion",
        "axis_cohesion",
        "us_overstretch",
        "trade_china_share",
    )
}


def initial_state(case: Case, n: int) -> State:
    """The case's initial state copied into n futures. Alliance values start neutral and are set by the first
    step."""
    cal = case.calendar
    values: dict[str, float] = {name: case.initial[name].value for name in INITIAL_VARIABLES}
    values["us_transactional"] = float(cal.us_orientation == "transactional")
    values["rok_progressive"] = float(cal.rok_orientation == "progressive")
    values["rok_next_election"] = float(cal.rok_election_next)
    values.update({name: 0.0 for name in _START_AT_ZERO | {"us_value", "rok_value"}})
    values.update({name: values[source] for name, source in _DERIVED_AT_START.items()})
    return State(**{name: np.full(n, values[name], dtype=np.float64) for name in STATE_VARIABLES})
