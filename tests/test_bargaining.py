"""Stakeholder models on hand-computed tables, the DEU III reader and the out-of-sample scoring."""

from __future__ import annotations

import numpy as np
import pytest

from alliance_futures.bargaining import (
    compromise,
    nash,
    power_compromise,
    read_deu3,
    read_stakeholders,
    score_deu3,
    weighted_median,
)
from alliance_futures.bargaining.scoring import held_out
from alliance_futures.case import InputError

POS = np.array([[10.0, 50.0, 90.0, np.nan]])
CAP = np.array([1.0, 2.0, 1.0, 5.0])
SAL = np.array([[1.0, 0.5, 1.0, 1.0]])


def test_compromise_is_the_weighted_mean():
    # weights 1, 1, 1 (the stakeholder without a position does not count): (10 + 50 + 90) / 3
    assert compromise(POS, CAP, SAL)[0] == pytest.approx(50.0)
    assert compromise(np.array([[0.0, 100.0]]), np.array([3.0, 1.0]), np.array([[1.0, 1.0]]))[0] == 25.0


def test_weighted_median_is_where_half_the_weight_lies():
    pos = np.array([[0.0, 30.0, 100.0], [0.0, 30.0, 100.0]])
    cap = np.array([1.0, 1.0, 3.0])
    sal = np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 0.2]])
    assert list(weighted_median(pos, cap, sal)) == [100.0, 30.0]


def test_nash_two_actor_closed_form():
    # both prefer less than the status quo 80; with x between them the gains are 80 - x and x,
    # so max 1.5 log(80 - x) + log(x) gives x = 80 / 2.5 = 32
    pos = np.array([[20.0, 40.0]])
    assert nash(pos, np.array([1.5, 1.0]), np.ones((1, 2)), np.array([80.0]))[0] == pytest.approx(32.0)


def test_nash_keeps_the_status_quo_when_someone_would_lose():
    pos = np.array([[20.0, 80.0]])
    assert nash(pos, np.ones(2), np.ones((1, 2)), np.array([50.0]))[0] == 50.0
    assert np.isnan(nash(pos, np.ones(2), np.ones((1, 2)), np.array([np.nan]))[0])


def test_power_compromise_spans_the_unweighted_and_the_compromise_model():
    pos, cap, sal = np.array([[0.0, 100.0]]), np.array([9.0, 1.0]), np.ones((1, 2))
    assert power_compromise(pos, cap, sal, 1.0)[0] == pytest.approx(compromise(pos, cap, sal)[0]) == 10.0
    assert power_compromise(pos, cap, sal, 0.0)[0] == 50.0
    assert power_compromise(pos, cap, sal, 0.5)[0] == pytest.approx(25.0)


def test_deu3_loads_with_its_weights_and_known_compromise_error():
    d = read_deu3()
    assert d.position.shape == (353, 30) and d.actors[:2] == ("com", "ep")
    assert d.capability[0] == 4.1 and np.isfinite(d.outcome).all()
    enough = (~np.isnan(d.position)).sum(axis=1) >= 3
    assert enough.sum() == 351
    mae = np.mean(np.abs(compromise(d.position, d.capability, d.salience) - d.outcome)[enough])
    assert mae == pytest.approx(23.2, abs=0.05)  # the figure the data's README reports


def test_split_is_by_proposal_and_fixed():
    d = read_deu3()
    test = held_out(d.proposal)
    assert 0.3 < test.mean() < 0.7
    assert not set(d.proposal[test]) & set(d.proposal[~test])
    assert np.array_equal(test, held_out(d.proposal))


def test_scores_are_out_of_sample_and_complete():
    results, exponent = score_deu3(read_deu3())
    assert 0.0 <= exponent <= 1.5
    assert set(results) == {"all", "scaled"}
    for scores in results.values():
        assert set(scores) >= {"compromise", "weighted_median", "nash", "power_compromise"}
        for s in scores.values():
            assert s["mae_lo"] <= s["mae"] <= s["mae_hi"] and s["n"] > 50
    assert results["scaled"]["compromise"]["n"] < results["all"]["compromise"]["n"]


def test_stakeholder_table_reads_and_bad_tables_are_named(tmp_path):
    good = tmp_path / "t.csv"
    good.write_text("name,capability,position,salience,group\nA,1,10,0.5,x\nB,2,80,1,y\n", encoding="utf-8")
    t = read_stakeholders(good)
    assert t.names == ("A", "B") and list(t.position) == [10, 80] and t.groups == ("x", "y")
    cases = {
        "name,capability,position,salience\nA,-1,10,0.5\nB,2,80,1\n": "capability must be 0 or more",
        "name,capability,position,salience\nA,1,10,150\nB,2,80,1\n": "salience must lie",
        "name,capability,position,salience\nA,1,10,0.5\n": "at least two stakeholders",
        "name,capability,position,salience\nA,1,,0.5\nB,2,80,1\n": "missing position",
        "name,capability,position,salience\nA,1,ten,0.5\nB,2,80,1\n": "expected a number",
    }
    for text, message in cases.items():
        bad = tmp_path / "bad.csv"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=message) as info:
            read_stakeholders(bad)
        assert info.value.file == str(bad)
