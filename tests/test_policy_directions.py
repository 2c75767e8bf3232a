"""The six packages differ in the directions the seeds argue, by more than the sampling noise.

Each comparison asks that the two 95% intervals do not overlap (a stricter test than the paired difference the
common random numbers allow).
"""

from __future__ import annotations

import pytest

from alliance_futures.analysis import outcome_tables, summarize
from alliance_futures.engine import run_ensemble

BAD_FUTURES = ["war", "nuclear_south_korea", "rupture", "hollowed_alliance"]


@pytest.fixture(scope="module")
def tables(case, policies):
    ensemble = run_ensemble(case, list(policies.values()), 4000, 20, seed=1953, record=False)
    return outcome_tables(ensemble)


@pytest.fixture(scope="module")
def summary(tables):
    return summarize(tables)["packages"]


def higher(summary, outcome, a, b):
    """a's probability of outcome is above b's, with the intervals apart."""
    return summary[a][outcome]["lo"] > summary[b][outcome]["hi"]


@pytest.mark.parametrize("outcome", ["rupture", "nuclear_pursuit", "drawdown", "future:nuclear_south_korea"])
def test_transactional_pressure_is_worse_than_the_current_course(summary, outcome):
    assert higher(summary, outcome, "transactional_pressure", "current_course")


def test_transactional_pressure_moves_futures_from_good_to_bad(tables):
    """Paired on common random numbers: the share of bad named futures rises by more than its 95% interval."""
    bad = {name: t["named_future"].isin(BAD_FUTURES).to_numpy(dtype=float) for name, t in tables.items()}
    diff = bad["transactional_pressure"] - bad["current_course"]
    half_width = 1.96 * diff.std(ddof=1) / len(diff) ** 0.5
    assert diff.mean() > half_width > 0


def test_deep_nuclear_consultation_lowers_nuclear_pursuit(summary):
    assert higher(summary, "nuclear_pursuit", "current_course", "deep_nuclear_consultation")
    assert higher(summary, "future:nuclear_south_korea", "current_course", "deep_nuclear_consultation")


def test_reciprocal_strengthening_lowers_rupture_and_expands_the_regional_role(summary):
    assert higher(summary, "rupture", "current_course", "reciprocal_strengthening")
    assert higher(summary, "regional_role_expanded", "reciprocal_strengthening", "current_course")


def test_division_of_labour_draws_down_and_transfers_command(summary):
    assert summary["division_of_labour"]["drawdown"]["p"] > 0.99
    assert higher(summary, "opcon_transfer", "division_of_labour", "current_course")


def test_structural_adherence_keeps_continuity_and_troops(summary):
    assert higher(summary, "future:managed_continuity", "structural_adherence", "current_course")
    assert higher(summary, "drawdown", "current_course", "structural_adherence")


def test_probabilities_of_named_futures_sum_to_one(summary):
    for package in summary.values():
        total = sum(v["p"] for k, v in package.items() if k.startswith("future:"))
        assert total == pytest.approx(1.0)
