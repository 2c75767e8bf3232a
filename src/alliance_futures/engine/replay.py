"""Replays of the past: the model run through a case's recorded history, for the backtest.

Each year, what history recorded is held at its recorded value (see case.history): who governed, the Special
Measures Agreements' renewal years, and every series that sets a state variable (troops, payments, DPRK warheads and
missile launches, US wars elsewhere, OPCON, nuclear consultation, trade with China; no war and no treaty notice), a
lever (the demands on record) or a parameter (the troop-floor law). A recorded cut of troops by the case's drawdown
threshold or more is that year's drawdown. Everything unrecorded is simulated as in a run: deep-uncertainty
parameters are sampled from the case (with the history's unknown initial values as extra ranges), and the yearly
random events are drawn. Since recorded variables are reset to what happened, each year's hazards are the model's
forecast given the recorded past; the ROK's nuclear status, credibility, public support, friction and exercises
evolve as the model says, and are what the backtest checks.

A year's recorded values include what happened during the year (that year's troops, payment, missile launches). So
each year is also stepped once more from the same state and random draws with only what was known at its start
(who governs it, and the recorded series as they stood at the end of the year before): `Replay.ahead` holds those
forecasts, which no same-year record can inform.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..case import Case, History, Policy, Quantity
from ..model import LeverPlan, initial_state, step
from ..model.context import dprk_threat
from ..model.state import NUCLEAR_EXPLORING, Array, Events, Levers, Params, State
from .design import sample
from .ensemble import parameter_values
from .streams import Streams

# The yearly series a replay keeps for every future (float32, futures × years).
SERIES: tuple[str, ...] = (
    "credibility",
    "public_support",
    "nuclear_hazard",  # yearly probability that the ROK climbs a rung of the nuclear ladder
    "drawdown_hazard",  # yearly probability that Washington orders a troop cut
    "termination_hazard",  # yearly probability of treaty notice
    "gray_zone_hazard",  # yearly probability of a gray-zone incident
    "war_hazard",  # yearly probability of war, directly or by an incident's escalation
    "nuclear_activity",  # 1 while the ROK is exploring or pursuing nuclear weapons (or armed)
    "cost_dispute",  # 1 in a year a renewal leaves a disputed share of the US demand unmet
    "exercise_suspension",  # 1 in a year exercise tempo is at or below the history's suspension threshold
)
INITIAL_GROUP = "initial"  # parameter group of the history's uncertain initial values in the experiments table
HISTORY_PACKAGE = Policy(
    name="history",
    title="As it happened",
    source="the case's recorded history",
    description="No package: recorded levers hold; the rest follow each government's defaults.",
    start_year=1953,
    institutionalisation="executive",
)


@dataclass(frozen=True)
class _RecordedYear:
    """What history fixes in one year (implements model.step.Recorded)."""

    state: dict[str, float]
    floors: dict[str, float]  # state variables recorded as a minimum (`sets.at_least`)
    lever_values: dict[str, float]
    payment_reference: float
    cut_share: float | None  # share of troops the record shows withdrawn this year; None if troops are not recorded
    cut_threshold: float  # a cut at least this large is a drawdown (the case's `drawdown_cut`)
    signal_cut: Array | float  # cut share that sends one unit of abandonment signal (`posture.signal_cut`)
    warheads_scale: Array | float

    def pin(self, state: State) -> State:
        futures = state.credibility.shape
        values = {name: np.full(futures, v) for name, v in self.state.items()}
        values |= {name: np.maximum(getattr(state, name), v) for name, v in self.floors.items()}
        if "dprk_warheads" in values:
            values["dprk_threat"] = dprk_threat(values["dprk_warheads"], {"dprk.warheads_scale": self.warheads_scale})
        return state.replace(**values)

    def levers(self, levers: Levers) -> Levers:
        return {**levers, **self.lever_values}

    def reference(self, simulated: Array) -> Array:
        return np.full_like(simulated, self.payment_reference)

    def events(self, events: Events) -> Events:
        """The recorded cut replaces the simulated ones, as a cut Washington announced (the record does not say how
        each was negotiated, so every recorded cut sends its full signal)."""
        if self.cut_share is None or "drawdown" not in events:
            return events
        recorded = {
            "drawdown": np.full_like(events["drawdown"], self.cut_share >= self.cut_threshold),
            "abandonment_signal": np.full_like(events["abandonment_signal"], self.cut_share) / self.signal_cut,
        }
        return {**events, **recorded}


def recorded_years(
    history: History, case: Case, params: Params, ahead: bool = False
) -> dict[int, tuple[_RecordedYear, dict[str, float]]]:
    """For each replayed year: what history fixes, and the parameters it sets (to override the sampled ones).
    With `ahead`, what was known at the start of the year: who governs it and when its agreement falls due, and
    the recorded series as they stood at the end of the year before, with no recorded troop cut."""
    sets = {name: s for name, s in history.series.items() if s.sets is not None}
    payments = [v for p in history.series["cost_share"].points if (v := p.value) is not None and v > 0]
    troops = history.series["troops"]
    cut = case.thresholds["drawdown_cut"].value
    out = {}
    for year in range(history.first_year + 1, history.last_year + 1):
        known = year - 1 if ahead else year
        state = {
            "us_transactional": float(history.orientation("us", year) == "transactional"),
            "rok_progressive": float(history.orientation("rok", year) == "progressive"),
        }
        state["sma_renewal_year"] = float(history.sma_renewal_year(year))
        floors: dict[str, float] = {}
        levers: dict[str, float] = {}
        fixed: dict[str, float] = {}
        for series in sets.values():
            value = series.value_in(known)
            if value is None:
                continue
            assert series.sets is not None
            if series.sets.state:
                (floors if series.sets.at_least else state)[series.sets.state] = value
            elif series.sets.lever:
                levers[series.sets.lever] = value
            else:
                fixed[str(series.sets.parameter)] = value
        if "dprk_provocation" in state:
            state["dprk_provocation"] = min(state["dprk_provocation"], 1.0)
        last_payment = history.series["cost_share"].value_in(year - 1)
        reference = last_payment if last_payment else payments[0] * history.series["cost_share"].scale
        now, before = troops.value_in(year), troops.value_in(year - 1)
        share = None if ahead or now is None or not before else max(1.0 - now / before, 0.0)
        out[year] = (
            _RecordedYear(
                state,
                floors,
                levers,
                reference,
                share,
                cut,
                params["posture.signal_cut"],
                params["dprk.warheads_scale"],
            ),
            fixed,
        )
    return out


def replay_case(case: Case, history: History) -> Case:
    """The case started from the history's first year: its initial state, with the unknown initial values as
    extra deep-uncertainty parameters (group 'initial') sampled with the rest."""
    initial = {
        name: Quantity(
            value=p.centre,
            unit=p.unit,
            meaning=p.meaning,
            source=p.source,
        )
        for name, p in history.initial.items()
    }
    uncertain = {name: p for name, p in history.initial.items() if p.is_uncertain}
    calendar = case.calendar.model_copy(update={"start_year": history.first_year})
    return case.model_copy(
        update={"calendar": calendar, "initial": initial, "parameters": {**case.parameters, INITIAL_GROUP: uncertain}}
    )


@dataclass
class Replay:
    """Futures of the past: the experiments (parameters and unknown initial values) and yearly series."""

    case: Case  # as replayed, from the history's first year
    history: History
    seed: int
    experiments: pd.DataFrame
    series: dict[str, np.ndarray]  # name -> (futures, years) float32
    ahead: dict[str, np.ndarray]  # the same, as forecast at the start of each year (see `replay`)

    @property
    def calendar_years(self) -> np.ndarray:
        return np.arange(self.history.first_year + 1, self.history.last_year + 1)


def replay(case: Case, history: History, futures: int, seed: int) -> Replay:
    """Replay `futures` sampled futures of the case through its recorded history."""
    start = replay_case(case, history)
    experiments = sample(start, futures, seed)
    params: Params = parameter_values(start, experiments)
    plan = LeverPlan.compile(start, HISTORY_PACKAGE)
    streams = Streams(seed, np.arange(futures))
    state = initial_state(start, futures)
    state = state.replace(
        **{
            name: np.asarray(params[f"{INITIAL_GROUP}.{name}"], dtype=np.float64)
            for name, p in history.initial.items()
            if p.is_uncertain
        }
    )
    suspended = history.thresholds["exercise_suspended"].value
    years = recorded_years(history, start, params)
    known = recorded_years(history, start, params, ahead=True)
    series = {name: np.empty((futures, len(years)), dtype=np.float32) for name in SERIES}
    ahead = {name: np.empty((futures, len(years)), dtype=np.float32) for name in SERIES}
    for t, (year, (recorded, recorded_params)) in enumerate(years.items()):
        early, early_params = known[year]
        draw = streams.for_year(year)
        _observe(ahead, t, *step(state, start, plan, {**params, **early_params}, draw, year, early), suspended)
        state, ev = step(state, start, plan, {**params, **recorded_params}, draw, year, recorded)
        _observe(series, t, state, ev, suspended)
    return Replay(start, history, seed, experiments, series, ahead)


def _observe(series: dict[str, np.ndarray], t: int, state: State, ev: Events, suspended: float) -> None:
    """Write year `t` of every replayed series from the state after the year's step and its events."""
    now = {
        "credibility": state.credibility,
        "public_support": state.public_support,
        "nuclear_hazard": ev["nuclear_hazard"],
        "drawdown_hazard": ev["drawdown_hazard"],
        "termination_hazard": ev["notice_hazard"],
        "gray_zone_hazard": ev["incident_hazard"],
        "war_hazard": ev["war_hazard"],
        "nuclear_activity": state.nuclear_status >= NUCLEAR_EXPLORING,
        "cost_dispute": ev["cost_dispute"],
        "exercise_suspension": state.exercises <= suspended,
    }
    for name in SERIES:
        series[name][:, t] = now[name]
