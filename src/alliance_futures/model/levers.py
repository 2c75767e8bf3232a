"""Policy levers: what each government does by default, and what a policy package sets instead.

A package sets levers once it is in force on their side (taken up and enacted, see `politics.decide_packages`),
ramping from the default to its value over its years in force; it holds only while the governments named in its
conditions are in office.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..case import Case, LeverSetting, Policy
from ..case.schema import ORIENTATIONS
from .state import Array, State


def orientation_flag(state: State, side: str) -> Array:
    """1 where the side's second orientation governs (US transactional, ROK progressive), 0 where its first."""
    return state.us_transactional if side == "us" else state.rok_progressive


@dataclass(frozen=True)
class LeverPlan:
    """A case's levers and one policy package, compiled for fast yearly evaluation."""

    side: Mapping[str, str]
    defaults: dict[str, NDArray[np.float64]]  # lever -> [first orientation's default, second's]
    settings: dict[str, LeverSetting]
    conditions: dict[str, float]  # side -> orientation flag that must hold
    institutionalisation: str  # the level the package seeks
    first_start: dict[str, int | None]  # side -> first year the package sets one of its levers (None: no lever)
    adoption: dict[str, tuple[float, float]]  # side -> chance that each orientation (first, second) adopts it

    @classmethod
    def compile(cls, case: Case, policy: Policy, put_forward: int | None = None) -> LeverPlan:
        """The package's plan; `put_forward`: the year it is proposed, when later than the case's start (the
        governments decide on it then, or at its first lever year if later)."""
        side = {name: lever.side for name, lever in case.levers.items()}
        defaults = {
            name: np.array([lever.defaults[orientation] for orientation in ORIENTATIONS[lever.side]])
            for name, lever in case.levers.items()
        }
        conditions = {
            s: float(ORIENTATIONS[s].index(o)) for s, o in policy.conditions.model_dump(exclude_none=True).items()
        }
        settings = policy.settings()
        first_start = {
            s: min((x.start_year for n, x in settings.items() if side[n] == s and x.start_year), default=None)
            for s in ORIENTATIONS
        }
        if put_forward is not None:
            first_start = {s: None if y is None else max(y, put_forward) for s, y in first_start.items()}
        adoption = {s: policy.adoption.chance(s) if policy.adoption else (0.0, 0.0) for s in ORIENTATIONS}
        return cls(side, defaults, settings, conditions, policy.institutionalisation, first_start, adoption)

    def values(self, state: State, year: int) -> dict[str, Array | float]:
        """Every lever's value in each future for this year (one number where it is the same in every future)."""
        flags = {s: orientation_flag(state, s) for s in ORIENTATIONS}
        # Which orientation governs, as an index into each lever's pair of defaults: looking a default up is many
        # times faster than np.where on a mask that varies from future to future as who governs does.
        governs = {s: (flag == 1.0).astype(np.intp) for s, flag in flags.items()}
        holds = np.ones_like(state.credibility, dtype=bool)
        for s, wanted in self.conditions.items():
            holds &= flags[s] == wanted
        in_force = {"us": state.in_force_us, "rok": state.in_force_rok}
        out: dict[str, Array | float] = {}
        for name, pair in self.defaults.items():
            default = float(pair[0]) if pair[0] == pair[1] else pair[governs[self.side[name]]]
            setting = self.settings.get(name)
            if setting is None or setting.start_year is None or year < setting.start_year:
                out[name] = default
                continue
            years = np.minimum(in_force[self.side[name]], year - setting.start_year + 1)
            ramp = np.minimum(1.0, years / setting.ramp_years)
            out[name] = np.where(holds & (years > 0), default + ramp * (setting.value - default), default)
        return out
