"""Shared fixtures: the built-in case, its parameters at the middle of their ranges, and small states."""

from __future__ import annotations

import pytest

from alliance_futures import load_case, load_policy
from alliance_futures.model import initial_state
from alliance_futures.model.context import dprk_threat


@pytest.fixture(scope="session")
def case():
    return load_case()


@pytest.fixture(scope="session")
def params(case):
    """Every parameter at its value or the middle of its range."""
    return {
        name: p.value if p.value is not None else (p.range[0] + p.range[1]) / 2
        for name, p in case.flat_parameters().items()
    }


@pytest.fixture(scope="session")
def policies(case):
    from alliance_futures.case import builtin_policy_names

    return {name: load_policy(name, case) for name in builtin_policy_names()}


@pytest.fixture
def state(case, params):
    """Two identical futures of the initial state (DPRK threat set from its warheads); tests change one of them."""
    s = initial_state(case, 2)
    return s.replace(dprk_threat=dprk_threat(s.dprk_warheads, params))
