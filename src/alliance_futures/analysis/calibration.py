"""Calibration: the model's start-year hazards beside the base rates the record gives.

Each base rate of the case (`base_rates:`) names a quantity the model produces in its first simulated year under
the current course: the hazards of treaty notice, of an announced troop cut, of a fatal incident and of war onset;
the chance that an election changes who governs; and the chance that the ROK takes a step up the nuclear ladder within
`calibration_window` years of an abandonment signal the size of the 1971 withdrawal (`calibration_signal_cut` of US
forces cut at once, forced in the first year). Each is computed at the central values of the ranges (a switch's forms
each drawn equally often) and over a sample of the ranges (its 5th and 95th percentiles), so an analyst sees both
whether the model starts where the record does and how far the ranges let it stray. Intercepts are set a priori to
start at the base rates (the case says which); nothing here is fitted.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..case import Case, Policy
from ..engine import parameter_values, per_vector, replicate, sample
from ..engine.streams import Streams
from ..limits import CALIBRATION_FUTURES
from ..model import LeverPlan, initial_state, step
from ..model.state import NUCLEAR_EXPLORING, Array, Events, Levers, State
from ..model.step import SIMULATED, Recorded

THRESHOLDS = ("calibration_signal_cut", "calibration_window")  # the case's thresholds this module reads
EVENT_HAZARDS = {  # base rate -> the first year's event that is its hazard
    "treaty_notice": "notice_hazard",
    "troop_cut": "drawdown_hazard",
    "fatal_incident": "incident_hazard",
    "war_onset": "war_hazard",
}
ELECTIONS = {"us_party_switch": "politics.us_switch_probability", "rok_party_switch": "politics.rok_switch_probability"}
BASE_RATES = (*EVENT_HAZARDS, *ELECTIONS, "nuclear_move_after_signal")
REPLICATIONS = 20  # futures per sampled parameter vector over the ranges


@dataclass(frozen=True)
class _ForcedCut:
    """The first year's record for the signal test: the cut made, and its abandonment signal sent, in every future."""

    troops: float
    signal: Array | float  # the cut's abandonment signal in each future (the share cut over `posture.signal_cut`)

    def pin(self, state: State) -> State:
        return state.replace(troops=np.minimum(state.troops, self.troops))

    def levers(self, levers: Levers) -> Levers:
        return levers

    def reference(self, simulated: Array) -> Array:
        return simulated

    def events(self, events: Events) -> Events:
        if "abandonment_signal" not in events:
            return events
        shape = events["abandonment_signal"].shape
        forced = {"drawdown": np.ones(shape, dtype=bool), "abandonment_signal": np.broadcast_to(self.signal, shape)}
        return {**events, **forced}


def _simulate(
    case: Case, policy: Policy, params: Mapping[str, Any], n: int, years: int, seed: int, first: Recorded
) -> tuple[State, Events]:
    """`years` years of `n` futures from the case's start, with `first` recording the first year; the final state
    and the first year's events."""
    plan = LeverPlan.compile(case, policy)
    streams = Streams(seed, np.arange(n))
    state = initial_state(case, n)
    start = case.calendar.start_year + 1
    first_events: Events = {}
    for t in range(years):
        state, events = step(
            state, case, plan, params, streams.for_year(start + t), start + t, first if t == 0 else SIMULATED
        )
        first_events = first_events or events
    return state, first_events


def hazards(case: Case, policy: Policy, params: Mapping[str, Any], n: int, seed: int) -> dict[str, np.ndarray]:
    """Every calibrated quantity in each of `n` futures with the parameters `params`."""
    _, events = _simulate(case, policy, params, n, 1, seed, SIMULATED)
    out = {name: np.asarray(events[event], dtype=float) for name, event in EVENT_HAZARDS.items()}
    out |= {name: np.broadcast_to(np.asarray(params[p], dtype=float), (n,)) for name, p in ELECTIONS.items()}
    share, window = case.thresholds["calibration_signal_cut"].value, int(case.thresholds["calibration_window"].value)
    troops = case.initial["troops"].value * (1.0 - share)
    forced = _ForcedCut(troops, share / np.asarray(params["posture.signal_cut"], dtype=float))
    final, _ = _simulate(case, policy, params, n, window, seed, forced)
    out["nuclear_move_after_signal"] = (final.peak_nuclear_status >= NUCLEAR_EXPLORING).astype(float)
    return out


def central_parameters(case: Case, copies: int) -> tuple[dict[str, Any], int]:
    """Every parameter at its `centre` (its value, the middle of its range, or a piecewise range's median), a switch at
    each of its forms in turn (every combination of forms, each repeated to fill `copies` futures); the parameters and
    the number of futures."""
    flat = case.flat_parameters()
    switches = {name: len(p.choices) for name, p in flat.items() if p.choices and p.range is not None}
    combos = list(itertools.product(*(range(k) for k in switches.values()))) or [()]
    n = len(combos) * copies
    params: dict[str, Any] = {name: p.centre for name, p in flat.items() if name not in switches}
    for i, name in enumerate(switches):
        params[name] = np.repeat([float(c[i]) for c in combos], copies)
    return params, n


def calibrate(case: Case, policy: Policy, futures: int = CALIBRATION_FUTURES, seed: int = 0) -> pd.DataFrame:
    """One row per base rate: the model's quantity at the central values (the mean over `futures` futures, whose
    chance events differ) and its 5th and 95th percentiles over a sample of the ranges, beside the base rate, its
    interval and its source. Over the ranges, each sampled parameter vector's quantity is the mean over
    `REPLICATIONS` futures that share it, so that a yes/no outcome (a nuclear move) has a probability per vector."""
    params, n = central_parameters(case, max(futures // 4, 1))
    central = hazards(case, policy, params, n, seed)
    vectors = max(futures // REPLICATIONS, 1)
    experiments = replicate(sample(case, vectors, seed), REPLICATIONS)
    spread = hazards(case, policy, parameter_values(case, experiments), len(experiments), seed)
    rows = []
    for name, rate in case.base_rates.items():
        vector_means = per_vector(spread[name], REPLICATIONS)
        rows.append(
            {
                "hazard": name,
                "central": float(np.mean(central[name])),
                "p05": float(np.percentile(vector_means, 5)),
                "p95": float(np.percentile(vector_means, 95)),
                "base_rate": rate.value,
                "base_low": rate.low,
                "base_high": rate.high,
                "unit": rate.unit,
                "source": rate.source,
            }
        )
    table = pd.DataFrame(rows).set_index("hazard")
    table["within"] = (table["central"] >= table["base_low"]) & (table["central"] <= table["base_high"])
    return table
