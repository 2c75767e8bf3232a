"""Helpers for building small test states."""

from __future__ import annotations

import numpy as np

from alliance_futures.case import load_policy
from alliance_futures.model import LeverPlan


def with_values(state, **columns):
    """Replace variables with per-future values, e.g. with_values(s, troops=[28500, 10000])."""
    return state.replace(**{k: np.asarray(v, dtype=np.float64) for k, v in columns.items()})


def levers_for(case, state, year=2027, policy=None):
    plan = LeverPlan.compile(case, policy or load_policy("current_course", case))
    return plan.values(state, year)
