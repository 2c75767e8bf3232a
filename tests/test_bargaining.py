"""Stakeholder models on hand-computed tables, the DEU III reader and the out-of-sample scoring."""

from __future__ import annotations

import re

import numpy as np
import pytest
import yaml

from alliance_futures.bargaining import (
    compromise,
    expected_utility,
    nash,
    power_compromise,
    read_deu3,
    read_stakeholders,
    score_deu3,
    weighted_median,
)
from alliance_futures.bargaining.expected_utility import KINDS
from alliance_futures.bargaining.scoring import held_out
from alliance_futures.bargaining.tables import BUILTIN_TABLES, DATA
from alliance_futures.errors import InputError

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


def test_expected_utility_two_actor_round_by_hand():
    # Positions 0 and 1, equal capability, saliences 0.2 and 0.6. With r = 1 every vote is ±w over four ordered
    # pairs, so P = 1/4 both ways; U_success = 2, U_failure = -2, U_status_quo = 0 and the danger to actor k is
    # 2 - 3 s_k: 1.4 and 0.2, so the exposed actor 0 becomes risk-acceptant (r = 0.5), actor 1 risk-averse (r = 2).
    # Seen by actor 0 (r = 0.5, U_status_quo = 2 - 4 √0.5): its own challenge is worth 1.03, actor 1's 2.23, so it
    # expects to lose a confrontation and moves to 1. Seen by actor 1 (r = 2), actor 0's challenge is worth -0.8:
    # actor 1 receives no offer and stays.
    path = expected_utility(np.array([[0.0, 1.0]]), np.ones(2), np.array([[0.2, 0.6]]), rounds=1)
    assert path.risk[0, 0].tolist() == pytest.approx([0.5, 2.0])
    assert path.positions[1, 0].tolist() == [1.0, 1.0]
    assert [KINDS[k] for k in path.kind[0, 0]] == ["confrontation", "none"]
    assert path.partner[0, 0].tolist() == [1, -1]


def test_expected_utility_path_on_the_ten_state_example_is_stable():
    """The documented path (docs/bargaining.md) of the EC example of Bueno de Mesquita and Scholz et al."""
    t = read_stakeholders(DATA / "scholz-example-actors.csv")
    path = expected_utility(t.position[None], t.capability, t.salience[None], rounds=5)
    assert path.risk[0, 0].round(3).tolist() == [1.406, 0.754, 0.509, 1.406, 1.047, 1.047, 1.965, 0.5, 2.0, 1.112]
    # round 1: Belgium compromises with France, Luxembourg loses a confrontation to Belgium, Ireland to Luxembourg
    assert path.positions[1, 0].round(3).tolist() == [4.0, 8.416, 7.0, 4.0, 10.0, 10.0, 10.0, 4.0, 4.0, 7.0]
    kind, partner = path.kind[0, 0], path.partner[0, 0]
    moved = {t.names[i]: (KINDS[kind[i]], t.names[partner[i]]) for i in np.flatnonzero(kind)}
    assert moved == {
        "Belgium": ("compromise", "France"),
        "Luxembourg": ("confrontation", "Belgium"),
        "Ireland": ("confrontation", "Luxembourg"),
    }
    assert path.weighted_mean[:, 0].round(3).tolist() == [7.39, 7.461, 7.553, 7.59, 7.604, 7.607]
    assert path.weighted_median[:, 0].round(3).tolist() == [7.0, 8.416, 9.611, 9.962, 10.0, 10.0]
    # bounds: risk exponents in [0.5, 2], positions never leave the range of the starting positions
    assert ((path.risk >= 0.5 - 1e-12) & (path.risk <= 2.0 + 1e-12)).all()
    assert (path.positions >= 4.0).all() and (path.positions <= 10.0).all()


def test_expected_utility_runs_many_issues_at_once_like_one_at_a_time():
    d = read_deu3()
    rows = slice(0, 12)
    together = expected_utility(d.position[rows], d.capability, d.salience[rows], rounds=3)
    for i in range(12):
        alone = expected_utility(d.position[i : i + 1], d.capability, d.salience[i : i + 1], rounds=3)
        np.testing.assert_allclose(alone.positions[:, 0], together.positions[:, i])
    assert np.isnan(together.positions[:, np.isnan(d.position[rows])]).all()


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
    results, settings = score_deu3(read_deu3())
    assert 0.0 <= settings.exponent <= 1.5 and 1 <= settings.rounds <= 10
    assert set(results) == {"all", "scaled"}
    for scores in results.values():
        assert set(scores) >= {"compromise", "weighted_median", "nash", "power_compromise", "expected_utility"}
        for s in scores.values():
            assert s["mae_lo"] <= s["mae"] <= s["mae_hi"] and s["n"] > 50
    assert results["scaled"]["compromise"]["n"] < results["all"]["compromise"]["n"]


def test_builtin_tables_load_and_every_stakeholder_has_a_source():
    for name in BUILTIN_TABLES:
        t = read_stakeholders(name)
        assert len(t.names) >= 6 and {"US president", "ROK president", "US Congress"} <= set(t.names)
        assert t.scale[0] <= t.status_quo <= t.scale[1]
        assert ((t.position >= t.scale[0]) & (t.position <= t.scale[1])).all()
        text = (DATA / f"{name}.yaml").read_text(encoding="utf-8")
        rows, references = yaml.safe_load(text)["stakeholders"], yaml.safe_load(text)["references"]
        assert all(len(str(r.get("source", ""))) > 20 for r in rows), name
        # every source key the table cites (in its sources and comments) is listed with the package, with its link
        cited = set(re.findall(r"\b[A-Z]{1,6}\d{2}[a-z]?\b", text.partition("\nreferences:")[0])) - {"FY2026"}
        assert cited == set(references), (name, cited ^ set(references))
        assert all("https://" in str(reference) for reference in references.values()), name


def test_stakeholder_table_reads_and_bad_tables_are_named(tmp_path):
    good = tmp_path / "t.csv"
    good.write_text("name,capability,position,salience,group\nA,1,10,0.5,x\nB,2,80,1,y\n", encoding="utf-8")
    t = read_stakeholders(good)
    assert t.names == ("A", "B") and list(t.position) == [10, 80] and t.groups == ("x", "y")
    cases = {
        "name,capability,position,salience\nA,-1,10,0.5\nB,2,80,1\n": "capability must be 0 or more",
        "name,capability,position,salience\nA,1,10,150\nB,2,80,1\n": "salience must lie",
        "name,capability,position,salience\nA,1,10,0.5\n": "needs 2 to 200 stakeholders, got 1",
        "name,capability,position,salience\nA,1,,0.5\nB,2,80,1\n": "missing position",
        "name,capability,position,salience\nA,1,ten,0.5\nB,2,80,1\n": "expected a number",
    }
    for text, message in cases.items():
        bad = tmp_path / "bad.csv"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=message) as info:
            read_stakeholders(bad)
        assert info.value.file == str(bad)
