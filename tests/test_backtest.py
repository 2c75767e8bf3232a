"""The backtest: the history data, the replay that holds it, the scoring functions, and the command."""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest
from helpers import cli, write_edited

from alliance_futures.analysis.backtest import auc, backtest_history, brier, scores
from alliance_futures.case import InputError, load_history
from alliance_futures.case.history import BUILTIN_HISTORY
from alliance_futures.engine.replay import SERIES, recorded_years, replay, replay_case
from alliance_futures.model import STATE_VARIABLES, initial_state

KINDS = {"troop_cut", "rok_nuclear", "cost_dispute", "exercise_suspension", "fatal_incident"}


@pytest.fixture(scope="module")
def history(case):
    return load_history(None, case, STATE_VARIABLES)


def test_every_history_row_names_its_source(history):
    rows = [
        *history.initial.values(),
        *(term for terms in history.administrations.values() for term in terms),
        *history.agreements,
        *(point for series in history.series.values() for point in series.points),
        *history.events,
        *history.kinds.values(),
        *history.thresholds.values(),
    ]
    assert len(rows) > 200
    assert all(row.source.strip() for row in rows)


def test_history_covers_what_the_issue_lists(history):
    assert {"troops", "cost_share", "us_demand", "dprk_warheads", "dprk_missiles", "trade_china_share"} <= set(
        history.series
    )
    assert "rok_defence_budget" in history.series and history.series["rok_defence_budget"].sets is None
    assert history.orientation("us", 1970) == "transactional" and history.orientation("us", 1980) == "internationalist"
    assert history.orientation("rok", 2019) == "progressive" and history.orientation("rok", 2023) == "conservative"
    assert set(history.event_years) == KINDS
    assert history.event_years["rok_nuclear"] == {1972, 1973, 1974, 1975, 1976}


def test_unrecorded_years_hold_the_last_record_and_null_ends_it(history):
    troops = history.series["troops"]
    assert troops.value_in(1952) is None  # before the first record
    assert troops.value_in(1958) == 46024  # 1956's figure holds until 1960's
    decoupling = history.series["decoupling"]
    assert decoupling.value_in(2016) == 0 and decoupling.value_in(2017) is None  # the model's maturation from 2017
    assert history.series["cost_share"].value_in(1991) == pytest.approx(0.1073)  # KRW billion scaled to trillion


def test_sma_renewals_fall_due_in_each_agreements_first_year(history):
    assert history.sma_renewal_year(1990) == 1991
    assert history.sma_renewal_year(1991) == 1991
    assert history.sma_renewal_year(1992) == 1994
    assert history.sma_renewal_year(2021) == 2026


def test_replay_holds_recorded_drivers(case, history):
    start = replay_case(case, history)
    params = {"dprk.warheads_scale": 60.0, "posture.signal_cut": 0.16}
    years = recorded_years(history, start, params)
    nixon, _ = years[1970]
    assert nixon.state["us_transactional"] == 1.0 and nixon.state["us_overstretch"] == 1.0
    assert nixon.state["troops"] == 66531 and nixon.cut_share == 0.0
    seventh = years[1971][0]  # the 7th Infantry Division: 66,531 to 43,000
    assert seventh.cut_share == pytest.approx(1 - 43000 / 66531)
    events = seventh.events({"drawdown": np.zeros(2, dtype=bool), "abandonment_signal": np.zeros(2)})
    assert events["drawdown"].all() and np.allclose(events["abandonment_signal"], seventh.cut_share / 0.16)
    assert years[2019][0].lever_values == {"cost_demand_multiplier": 5.0}
    assert years[2020][1] == {"posture.troop_floor": 28500.0}
    assert "decoupling" not in years[2020][0].state  # unrecorded: simulated
    assert years[1985][0].payment_reference == pytest.approx(0.1073)  # before the first SMA: its first payment
    assert years[1961][0].floors == {"nuclear_status": 0.0} and years[1962][0].floors == {"nuclear_status": 1.0}


def test_a_recorded_floor_raises_the_state_and_keeps_what_lies_above(case, history):
    start = replay_case(case, history)
    recorded, _ = recorded_years(history, start, {"dprk.warheads_scale": 60.0, "posture.signal_cut": 0.16})[1962]
    state = initial_state(start, 3).replace(nuclear_status=np.array([0.0, 1.0, 3.0]))
    np.testing.assert_array_equal(recorded.pin(state).nuclear_status, [1.0, 1.0, 3.0])


def test_replay_is_deterministic_and_seeded(case, history):
    a, b, c = (replay(case, history, 200, seed) for seed in (7, 7, 8))
    for name in SERIES:
        np.testing.assert_array_equal(a.series[name], b.series[name])
    assert not np.array_equal(a.series["credibility"], c.series["credibility"])


def test_replay_directions_follow_the_recorded_drivers(case, history):
    result = replay(case, history, 1_000, 1953)
    year = {int(y): t for t, y in enumerate(result.calendar_years)}
    mean = {name: values.mean(axis=0) for name, values in result.series.items()}
    # A transactional administration at war elsewhere (Nixon, Vietnam) against an internationalist one at peace.
    assert mean["drawdown_hazard"][year[1970]] > 3 * mean["drawdown_hazard"][year[1985]]
    # The 1971 withdrawal costs credibility; the 1978–2002 years of steady troops rebuild it.
    assert mean["credibility"][year[1972]] < mean["credibility"][year[1969]] < mean["credibility"][year[1995]]
    # No cost-sharing dispute can happen before the first Special Measures Agreement.
    assert mean["cost_dispute"][: year[1990] + 1].max() == 0.0
    for name in SERIES:
        assert result.series[name].min() >= 0.0 and result.series[name].max() <= 1.0


def test_brier_on_hand_made_cases():
    assert brier(np.array([0.2, 0.8]), np.array([False, True])) == pytest.approx(0.04)
    assert brier(np.array([1.0, 0.0]), np.array([True, False])) == 0.0
    assert brier(np.array([0.0, 1.0]), np.array([True, False])) == 1.0


def test_auc_on_hand_made_cases():
    happened = np.array([False, False, True, True])
    assert auc(np.array([0.1, 0.2, 0.3, 0.4]), happened) == 1.0
    assert auc(np.array([0.4, 0.3, 0.2, 0.1]), happened) == 0.0
    assert auc(np.full(4, 0.5), happened) == 0.5  # ties count half
    assert auc(np.array([0.1, 0.3, 0.2, 0.4]), happened) == 0.75  # 3 of the 4 event/no-event pairs in order
    assert auc(np.array([0.1, 0.2]), np.array([True, True])) is None


def test_scores_compare_with_the_windows_base_rate():
    events = pd.DataFrame(
        {
            "kind": ["cut"] * 4,
            "year": [1, 2, 3, 4],
            "forecast": [0.1, 0.1, 0.1, 0.7],
            "happened": [False, False, False, True],
        }
    )
    row = scores(events).loc["cut"]
    assert row["base_rate"] == 0.25
    assert row["brier_base"] == pytest.approx(0.25 * 0.75)  # a constant r scores r(1 - r)
    assert row["brier_model"] == pytest.approx((3 * 0.01 + 0.09) / 4)
    assert row["auc"] == 1.0 and row["n_event_years"] == 1 and row["n_years"] == 4


def test_backtest_scores_every_kind_over_its_window(case, history):
    result = backtest_history(case, history, 300, 1953)
    assert set(result.scores.index) == set(history.kinds)
    cut = result.events[result.events["kind"] == "troop_cut"]
    assert cut["year"].min() == 1957 and cut["year"].max() == 2025 and cut["happened"].sum() == 8


def _history_with(tmp_path, change):
    return write_edited(BUILTIN_HISTORY, tmp_path / "history.yaml", change)


def test_bad_history_files_get_a_clear_answer(tmp_path, case):
    def unknown_variable(d):
        d["series"]["troops"]["sets"] = {"state": "troopz"}

    def no_source(d):
        d["events"][0]["source"] = ""

    def unknown_kind(d):
        d["events"][0]["kinds"] = ["coup"]

    def no_troops(d):
        del d["series"]["troops"]

    def floor_on_a_lever(d):
        d["series"]["us_demand"]["sets"]["at_least"] = True

    with pytest.raises(InputError, match="no state called 'troopz'") as e:
        load_history(_history_with(tmp_path, unknown_variable), case, STATE_VARIABLES)
    assert e.value.key == "series.troops.sets.state" and e.value.line
    with pytest.raises(InputError, match="at least 1 character") as e:
        load_history(_history_with(tmp_path, no_source), case, STATE_VARIABLES)
    assert e.value.key == "events.0.source"
    with pytest.raises(InputError, match="kind 'coup'"):
        load_history(_history_with(tmp_path, unknown_kind), case, STATE_VARIABLES)
    with pytest.raises(InputError, match=r"'series' must include \['troops'\]"):
        load_history(_history_with(tmp_path, no_troops), case, STATE_VARIABLES)
    with pytest.raises(InputError, match="'at_least' applies to a state variable only") as e:
        load_history(_history_with(tmp_path, floor_on_a_lever), case, STATE_VARIABLES)
    assert e.value.key == "series.us_demand.sets"


def test_backtest_command_prints_scores_and_writes_the_csv(tmp_path):
    target = tmp_path / "bands.csv"
    done = cli("backtest", "--futures", 300, "--csv", target, "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result["events"]) == KINDS
    for kind in result["events"].values():
        assert {"brier_model", "brier_base", "auc", "n_event_years"} <= set(kind)
        assert 0.0 <= kind["brier_model"] <= 1.0 and kind["n_event_years"] >= 1
    with target.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["year", "variable", "mean", "p05", "p50", "p95"]
    assert len(rows) == len(SERIES) * (2025 - 1953)
    assert {r["variable"] for r in rows} == set(SERIES)
    assert all(float(r["p05"]) <= float(r["p50"]) <= float(r["p95"]) for r in rows)

    table = cli("backtest", "--futures", 300)
    assert table.returncode == 0 and "troop cut" in table.stdout and "Brier" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--futures", 0], "--futures must be from 1 to 100,000"),
        (["--csv", "/no/such/folder/bands.csv"], "the folder does not exist"),
        (["--history", "/no/such/history.yaml"], "no such file"),
    ],
)
def test_backtest_command_refuses_bad_input(args, message):
    result = cli("backtest", "--futures", 100, *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
