"""The backtest: the history data, the replay that holds it, the scoring functions, and the command."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import cli, write_edited

from alliance_futures.analysis import skill
from alliance_futures.analysis.backtest import backtest_history, recorded_drivers, scores, verdict, window_scores
from alliance_futures.analysis.skill import auc, brier
from alliance_futures.case import load_history
from alliance_futures.case.history import BUILTIN_HISTORY, Window
from alliance_futures.case.loader import cited_keys, load_bibliography
from alliance_futures.engine.replay import SERIES, recorded_years, replay, replay_case
from alliance_futures.errors import InputError
from alliance_futures.model import STATE_VARIABLES, initial_state

DOCS = Path(__file__).resolve().parents[1] / "docs"

KINDS = {"troop_cut", "rok_nuclear", "cost_dispute", "exercise_suspension", "fatal_incident"}


@pytest.fixture(scope="module")
def history(case):
    return load_history(None, case, STATE_VARIABLES)


ADDRESS = re.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/")  # a public page: domain/path
DATED_DOCUMENT = re.compile(r"\b[A-Z][A-Za-z'’.-]+\b.*\b(?:1[89]|20)\d{2}\b")  # a named author or document and its year
JUDGEMENT = re.compile(r"analyst judgement[:;,]? \S.{10,}", re.IGNORECASE)  # a judgement with what it rests on
NOT_A_SOURCE = re.compile(
    r"us-rok-facts|literature-and-base-rates|\bmodel\.md|\[unverified\]|\(check\)|wikipedia|/wiki/"
)


def test_every_history_row_cites_a_source_one_can_follow(history):
    """Each row cites a public page's address, a work in the shipped bibliography, a named document or author with
    its year, or an analyst judgement with its reasoning; none points at the project's unshipped notes, an unchecked
    figure or an encyclopaedia."""
    bibliography = load_bibliography()
    rows = [
        *history.rules.values(),
        *history.initial.values(),
        *(term for terms in history.administrations.values() for term in terms),
        *history.agreements,
        *(point for series in history.series.values() for point in series.points),
        *history.events,
        *history.kinds.values(),
        *history.thresholds.values(),
    ]
    assert len(rows) > 250
    for row in rows:
        text = row.source
        assert not NOT_A_SOURCE.search(text), text
        keys = cited_keys(text)
        assert set(keys) <= set(bibliography), text
        assert ADDRESS.search(text) or keys or DATED_DOCUMENT.search(text) or JUDGEMENT.search(text), text


def test_the_source_check_refuses_what_it_should():
    for weak in ("us-rok-facts.md §6", "SIPRI 10–20 [unverified]", "en.wikipedia.org/wiki/Team_Spirit"):
        assert NOT_A_SOURCE.search(weak), weak
    for bare in ("cons./authoritarian", "no launches in the year of the summits", "analyst judgement"):
        assert not (ADDRESS.search(bare) or cited_keys(bare) or DATED_DOCUMENT.search(bare) or JUDGEMENT.search(bare))


def test_every_coded_row_names_its_rule_and_evidence(history):
    """Orientations, axis turns and wars counted as overstretch are codings by a written rule: every such row names
    its rule and the evidence it rests on, and docs/backtest.md states every rule."""
    terms = [term for terms in history.administrations.values() for term in terms]
    coded = {name: series for name, series in history.series.items() if series.rule is not None}
    assert {"axis", "us_overstretch"} <= set(coded)
    assert {t.rule for t in terms} | {s.rule for s in coded.values()} == set(history.rules)
    assert all(t.evidence.strip() for t in terms)
    assert all(p.evidence and p.evidence.strip() for s in coded.values() for p in s.points)
    page = (DOCS / "backtest.md").read_text(encoding="utf-8")
    assert all(f"**`{name}`**" in page for name in history.rules)


def test_orientations_follow_the_rule_from_evidence_before_office(history):
    """Nixon and Carter are transactional on their pre-office statements, not on the cuts they are scored on."""
    terms = {t.leader: t for t in history.administrations["us"]}
    assert history.orientation("us", 1970) == history.orientation("us", 1978) == "transactional"
    assert "1967" in terms["Nixon"].evidence and "Guam" in terms["Nixon"].evidence  # Guam: named as not used
    assert "campaign" in terms["Carter"].evidence


def test_flips_reverse_one_coding_at_a_time(history):
    flips = {what: variant for what, _, variant in history.flips()}
    terms = sum(len(t) for t in history.administrations.values())
    onsets = sum(1 for p in history.series["us_overstretch"].points if p.value)
    assert len(flips) == terms + len(history.series["axis"].points) + onsets
    years = range(history.first_year, history.last_year + 1)

    def differs(variant, read):
        return [y for y in years if read(variant, y) != read(history, y)]

    carter = flips["Carter (1977) → internationalist"]
    assert differs(carter, lambda h, y: h.orientation("us", y)) == [1977, 1978, 1979, 1980]
    vietnam = flips["us_overstretch 1965–1972 removed"]
    assert differs(vietnam, lambda h, y: h.series["us_overstretch"].value_in(y)) == list(range(1965, 1973))
    nixon_china = flips["axis 1972 turn dropped"]
    assert differs(nixon_china, lambda h, y: h.series["axis"].value_in(y)) == list(range(1972, 1990))
    assert nixon_china.series["axis"].value_in(1980) == history.series["axis"].value_in(1971)


def test_history_covers_what_the_issue_lists(history):
    assert {"troops", "cost_share", "us_demand", "dprk_warheads", "dprk_missiles", "trade_china_share"} <= set(
        history.series
    )
    assert "rok_defence_budget" in history.series and history.series["rok_defence_budget"].sets is None
    assert history.orientation("us", 1970) == "transactional" and history.orientation("us", 1985) == "internationalist"
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


def test_the_start_of_year_forecast_sees_nothing_recorded_in_its_year(case, history, tmp_path):
    """Change what was recorded for 1971 (no withdrawal, a missile barrage): the replay's 1971 moves, the forecast
    made at the start of 1971 does not, and the one made at the start of 1972 does."""

    def rewrite_1971(d):
        troops = d["series"]["troops"]["points"]
        assert troops[7]["year"] == 1971
        troops[7]["value"] = 66531  # no cut in 1971: it comes in 1972
        troops.insert(8, {"year": 1972, "value": 43000, "source": "a test"})
        d["series"]["dprk_missiles"]["points"].insert(0, {"year": 1971, "value": 69, "source": "a test"})
        d["series"]["dprk_missiles"]["points"].insert(1, {"year": 1972, "value": None, "source": "a test"})

    edited = load_history(_history_with(tmp_path, rewrite_1971), case, STATE_VARIABLES)
    base, changed = replay(case, history, 300, 5), replay(case, edited, 300, 5)
    t = {int(y): i for i, y in enumerate(base.calendar_years)}
    for name in SERIES:
        np.testing.assert_array_equal(base.ahead[name][:, : t[1971] + 1], changed.ahead[name][:, : t[1971] + 1])
    assert not np.array_equal(base.series["credibility"][:, t[1971]], changed.series["credibility"][:, t[1971]])
    assert not np.array_equal(base.ahead["credibility"][:, t[1972]], changed.ahead["credibility"][:, t[1972]])


def test_a_recorded_floor_raises_the_state_and_keeps_what_lies_above(case, history):
    start = replay_case(case, history)
    recorded, _ = recorded_years(history, start, {"dprk.warheads_scale": 60.0, "posture.signal_cut": 0.16})[1962]
    state = initial_state(start, 3).replace(nuclear_status=np.array([0.0, 1.0, 3.0]))
    np.testing.assert_array_equal(recorded.pin(state).nuclear_status, [1.0, 1.0, 3.0])


def test_replay_is_deterministic_and_seeded(case, history):
    a, b, c = (replay(case, history, 200, seed) for seed in (7, 7, 8))
    for name in SERIES:
        np.testing.assert_array_equal(a.series[name], b.series[name])
        np.testing.assert_array_equal(a.ahead[name], b.ahead[name])
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


def test_murphy_decomposition_adds_up_and_tells_calibration_from_discrimination():
    """CORP (Dimitriadis, Gneiting & Jordan 2021): BS = reliability − resolution + uncertainty exactly; a calibrated
    forecast has reliability 0; a constant forecast resolves nothing; squeezing a good forecast toward 0 keeps its
    resolution (its ranking) and costs reliability."""
    happened = np.array([False] * 6 + [True] * 2 + [False] * 6 + [True] * 2)
    sharp = np.where(happened, 0.8, 0.1)
    for forecast in (sharp, np.full(16, 0.25), sharp / 4, np.linspace(0.05, 0.9, 16)):
        m = skill.murphy(forecast, happened)
        assert m["reliability"] - m["resolution"] + m["uncertainty"] == pytest.approx(brier(forecast, happened))
        assert m["reliability"] >= 0 and m["resolution"] >= 0 and m["uncertainty"] == pytest.approx(0.25 * 0.75)
    assert skill.murphy(np.full(16, 0.25), happened) == pytest.approx(
        {"reliability": 0.0, "resolution": 0.0, "uncertainty": 0.1875}
    )
    calibrated = np.where(happened, 1.0, 0.0)  # perfectly sharp and right: calibrated and fully resolving
    assert skill.murphy(calibrated, happened) == pytest.approx(
        {"reliability": 0.0, "resolution": 0.1875, "uncertainty": 0.1875}
    )
    squeezed = skill.murphy(sharp / 4, happened)
    assert squeezed["resolution"] == pytest.approx(skill.murphy(sharp, happened)["resolution"])
    assert squeezed["reliability"] > skill.murphy(sharp, happened)["reliability"]
    np.testing.assert_array_equal(
        skill.recalibrated(np.array([0.3, 0.1, 0.2, 0.2]), np.array([1, 0, 1, 0])), [1, 0, 0.5, 0.5]
    )
    parts = skill.decomposition(sharp, happened, seed=3)
    assert all(p["lo"] <= p["value"] <= p["hi"] for p in parts.values())


def test_brier_on_hand_made_cases():
    assert brier(np.array([0.2, 0.8]), np.array([False, True])) == pytest.approx(0.04)
    assert brier(np.array([1.0, 0.0]), np.array([True, False])) == 0.0
    assert brier(np.array([0.0, 1.0]), np.array([True, False])) == 1.0


def test_auc_on_hand_made_cases():
    happened = np.array([False, False, True, True])
    assert auc(np.array([0.1, 0.2, 0.3, 0.4]), happened) == 1.0
    assert auc(np.array([0.4, 0.3, 0.2, 0.1]), happened) == 0.0
    assert auc(np.array([0.1, 0.5, 0.5, 0.9]), happened) == 0.875  # the tied pair counts half: 3.5 of 4 pairs
    assert auc(np.array([0.1, 0.3, 0.2, 0.4]), happened) == 0.75  # 3 of the 4 event/no-event pairs in order
    assert np.isnan(auc(np.array([0.1, 0.2]), np.array([True, True])))  # nothing to rank
    assert np.isnan(auc(np.full(4, 0.3), happened))  # a forecast that never varies ranks nothing
    rows = np.array([[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]])
    assert auc(rows, happened).tolist() == [1.0, 0.0]  # one AUC per row


def test_scores_compare_with_the_windows_base_rate_and_the_references(history):
    years = np.arange(1960, 2000)
    happened = np.isin(years, [1969, 1970, 1971, 1977, 1990, 1991])
    events = pd.DataFrame(
        {
            "kind": "troop_cut",
            "year": years,
            "forecast": np.where(happened, 0.6, 0.05),
            "ahead": np.where(happened, 0.6, 0.05),  # what was known at the start of each year was enough
            "happened": happened,
            "before": np.isin(years - 1, [1969, 1970, 1971, 1977, 1990, 1991]),
        }
    )
    row = scores(events, recorded_drivers(history, years), history.kinds, seed=1)["troop_cut"]
    rate = happened.mean()
    assert row["base_rate"] == rate and row["n_event_years"] == 6 and row["n_years"] == 40
    assert row["brier_base"] == pytest.approx(rate * (1 - rate))  # a constant r scores r(1 - r)
    assert row["brier_model"] == pytest.approx(np.mean((events["forecast"] - happened) ** 2))
    assert row["brier_skill"]["value"] == pytest.approx(1 - row["brier_model"] / row["brier_base"])
    assert row["auc"] == 1.0 and row["auc_ci"] == [1.0, 1.0]
    assert set(row["baselines"]) == {"base_rate", "persistence", "logistic"}
    assert row["baselines"]["base_rate"]["auc"] is None  # a constant forecast ranks nothing
    lo, hi = row["brier_model_ci"]
    assert lo <= row["brier_model"] <= hi
    assert row["verdict"] == "skill"  # a forecast that separates every year beats every reference
    assert row["ahead"]["brier_model"] == row["brier_model"]
    assert set(row["ahead"]["brier_skill"]) == {"base_rate", "persistence", "logistic"}
    late = events.assign(ahead=np.where(events["before"], 0.6, 0.05))  # from the start of a year, a year behind
    behind = scores(late, recorded_drivers(history, years), history.kinds, seed=1)["troop_cut"]
    assert behind["ahead"]["brier_model"] == pytest.approx(np.mean((late["ahead"] - happened) ** 2))
    assert behind["ahead"]["brier_model"] > row["brier_model"] and behind["brier_model"] == row["brier_model"]
    assert behind["verdict"] == "no demonstrated skill"  # skill must hold from what was known at the start
    carried = scores(events, recorded_drivers(history, years), {"troop_cut": _carried(history)}, seed=1)["troop_cut"]
    assert carried["carried_by"] == ["troops"] and carried["verdict"] == "no demonstrated skill"


def test_each_window_is_scored_against_its_own_base_rate():
    years = np.arange(1960, 2000)
    happened = np.isin(years, [1969, 1970, 1977, 1991, 1992])
    early = years < 1980
    forecast = np.where(happened == early, 0.5, 0.05)  # right before 1980, backwards after
    group = pd.DataFrame({"year": years, "forecast": forecast, "happened": happened})
    before = window_scores(group, Window(name="a", first_year=1954, last_year=1979, meaning="m"), seed=1)
    after = window_scores(group, Window(name="b", first_year=1980, last_year=1999, meaning="m"), seed=1)
    assert before["years"] == [1960, 1979] and before["n_event_years"] == 3 and after["n_event_years"] == 2
    assert before["auc"] == 1.0 and after["auc"] == 0.0
    assert before["brier_base"] == pytest.approx(0.15 * 0.85) and after["brier_base"] == pytest.approx(0.1 * 0.9)
    assert before["brier_skill"]["value"] > 0 > after["brier_skill"]["value"]
    assert window_scores(group, Window(name="c", first_year=2001, last_year=2010, meaning="m"), seed=1) is None


def _carried(history):
    return history.kinds["troop_cut"].model_copy(update={"carried_by": ["troops"]})


def test_verdicts_follow_the_intervals():
    def row(base, *others, carried=(), ahead=(0.1, 0.3)):
        skills = [{"value": 0.0, "lo": lo, "hi": hi} for lo, hi in (base, *others)]
        names = ["base_rate", "persistence", "logistic"][: len(skills)]
        return {
            "brier_skill": skills[0],
            "carried_by": list(carried),
            "baselines": {n: {"brier_skill": k} for n, k in zip(names, skills, strict=True)},
            "ahead": {"brier_skill": {"base_rate": {"value": 0.0, "lo": ahead[0], "hi": ahead[1]}}},
        }

    assert verdict(row((0.1, 0.3), (0.05, 0.2))) == "skill"
    assert verdict(row((0.1, 0.3), (-0.05, 0.2))) == "no demonstrated skill"  # persistence is not beaten
    assert verdict(row((-0.1, 0.3), (0.05, 0.2))) == "no demonstrated skill"
    assert verdict(row((-0.3, -0.1), (0.05, 0.2))) == "worse than base rate"
    assert verdict(row((0.1, 0.3), (0.05, 0.2), carried=["us_demand"])) == "no demonstrated skill"
    assert verdict(row((0.1, 0.3), (0.05, 0.2), ahead=(-0.1, 0.2))) == "no demonstrated skill"  # not from the start


def test_block_resamples_keep_runs_of_consecutive_years():
    rows = skill.block_resamples(23, seed=3, length=5, resamples=200)
    assert rows.shape == (200, 23) and rows.min() >= 0 and rows.max() <= 22
    steps = np.diff(rows, axis=1)[:, :4]  # the first block: five consecutive years
    assert (steps == 1).all()
    assert len(np.unique(rows[:, 0])) > 10  # blocks start anywhere


def test_references_never_see_the_block_they_forecast():
    n = 30
    block = skill.blocks(n, 5)
    happened = np.zeros(n, dtype=bool)
    happened[10:15] = True  # all events in block 2, each after an event year except the first
    before = np.roll(happened, 1)
    p = skill.persistence(happened, before, block)
    # block 2's own transitions are left out: outside it, one year followed an event year (15) and had none
    assert p[11:15].tolist() == [(0 + 0.5) / (1 + 1)] * 4  # Jeffreys' prior: half an event, half a non-event
    assert p[15] == pytest.approx((4 + 0.5) / (4 + 1))  # block 3 learns from block 2: four of four continued
    # a driver that marks the event years, out of sample, ranks the held-out block's years with the training ones
    x = pd.DataFrame({"signal": happened.astype(float) + np.linspace(0, 0.1, n), "noise": np.cos(np.arange(n))})
    twice = np.concatenate([happened, happened])
    q = skill.logistic(pd.concat([x, x], ignore_index=True), twice, skill.blocks(2 * n, 5))
    assert auc(q, twice) > 0.9
    only_one = skill.logistic(x, happened, block)  # block 2 held out: training years hold no event
    assert only_one[10:15].tolist() == [0.0] * 5


def test_skill_scores_against_a_copy_are_zero_and_worse_forecasts_score_below_zero():
    rng = np.random.default_rng(0)
    happened = rng.random(60) < 0.2
    good = np.where(happened, 0.7, 0.1)
    scored = skill.compare({"model": good, "copy": good, "flat": np.full(60, 0.5)}, happened, "model", seed=2)
    assert scored["copy"]["brier_skill"] == {"value": 0.0, "lo": 0.0, "hi": 0.0}
    flat = scored["flat"]["brier_skill"]
    assert flat["value"] == pytest.approx(1 - brier(good, happened) / 0.25) and flat["lo"] > 0
    assert scored["model"]["log_score"] < scored["flat"]["log_score"]


def test_backtest_scores_every_kind_over_its_window(case, history):
    result = backtest_history(case, history, 300, 1953)
    assert set(result.scores) == set(history.kinds)
    assert result.scores["cost_dispute"]["carried_by"] == ["us_demand", "cost_share"]
    assert result.scores["cost_dispute"]["verdict"] != "skill"
    cut = result.events[result.events["kind"] == "troop_cut"]
    assert cut["year"].min() == 1957 and cut["year"].max() == 2025 and cut["happened"].sum() == 8


def _history_with(tmp_path, change):
    return write_edited(BUILTIN_HISTORY, tmp_path / "history.yaml", change)


def _parent(data, path):
    for key in path[:-1]:
        data = data[key]
    return data


def _set(*path_and_value):
    """An edit of the parsed history: the item at `path` set to `value` (the last argument)."""
    *path, value = path_and_value
    return lambda data: _parent(data, path).__setitem__(path[-1], value)


def _delete(*path):
    """An edit of the parsed history: the item at `path` removed."""
    return lambda data: _parent(data, path).__delitem__(path[-1])


@pytest.mark.parametrize(
    ("edit", "message", "key"),
    [
        (_set("series", "troops", "sets", {"state": "troopz"}), "no state called 'troopz'", "series.troops.sets.state"),
        (_set("events", 0, "source", ""), "at least 1 character", "events.0.source"),
        (_set("events", 0, "kinds", ["coup"]), "kind 'coup'", None),
        (_delete("series", "troops"), r"'series' must include \['troops'\]", None),
        (
            _set("kinds", "cost_dispute", "carried_by", ["us_demands"]),
            r"kinds\.cost_dispute\.carried_by names no recorded series: us_demands",
            None,
        ),
        (
            _set("series", "us_demand", "sets", "at_least", True),
            "'at_least' applies to a state variable only",
            "series.us_demand.sets",
        ),
        (_set("windows", 1, "last_year", 2030), "window 'after the Cold War' must lie within 1954–2025", None),
        (
            _delete("series", "axis", "points", 2, "evidence"),
            r"rule 'axis_turns' needs 'evidence' on every point: \[1972\]",
            "series.axis",
        ),
        (_set("administrations", "us", 3, "rule", "hunch"), "Nixon: rule 'hunch' is not one of the 'rules'", None),
        (
            _set("series", "axis", "rule", "us_orientation"),
            r"series\.axis: rule 'us_orientation' flips by orientation",
            None,
        ),
    ],
)
def test_bad_history_files_get_a_clear_answer(tmp_path, case, edit, message, key):
    with pytest.raises(InputError, match=message) as e:
        load_history(_history_with(tmp_path, edit), case, STATE_VARIABLES)
    if key is not None:
        assert e.value.key == key and e.value.line


def test_backtest_command_prints_scores_and_writes_the_csv(tmp_path):
    target = tmp_path / "bands.csv"
    done = cli("backtest", "--futures", 300, "--csv", target, "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result["events"]) == KINDS
    for kind in result["events"].values():
        assert {"brier_model", "brier_base", "auc", "n_event_years", "brier_skill", "auc_ci", "baselines"} <= set(kind)
        assert 0.0 <= kind["brier_model"] <= 1.0 and kind["n_event_years"] >= 1
        assert set(kind["baselines"]) == {"base_rate", "persistence", "logistic"}
        assert all({"brier", "auc", "brier_skill"} <= set(b) for b in kind["baselines"].values())
        assert kind["verdict"] in ("skill", "no demonstrated skill", "worse than base rate")
        skill_ci = kind["brier_skill"]
        assert skill_ci["lo"] <= skill_ci["value"] <= skill_ci["hi"]
    with target.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["year", "variable", "mean", "p05", "p50", "p95"]
    assert len(rows) == len(SERIES) * (2025 - 1953)
    assert {r["variable"] for r in rows} == set(SERIES)
    assert all(float(r["p05"]) <= float(r["p50"]) <= float(r["p95"]) for r in rows)

    table = cli("backtest", "--futures", 300)
    assert table.returncode == 0 and "troop cut" in table.stdout and "Brier" in table.stdout
    troop = next(line for line in table.stdout.splitlines() if line.strip().startswith("troop cut"))
    assert "skill" in troop and " to " in troop  # every score is printed with its interval
    assert "cost dispute: carried by the recorded us_demand, cost_share" in table.stdout
    assert "Cold War (1954–1989)" in table.stdout and "after the Cold War (1990–2025)" in table.stdout
    assert set(result["events"]["troop_cut"]["windows"]) == {"Cold War", "after the Cold War"}
    assert result["events"]["cost_dispute"]["windows"]["Cold War"] is None  # scored from 1991 only


def test_backtest_sensitivity_replays_every_reversal_on_the_same_futures(history):
    done = cli("backtest", "--futures", 100, "--sensitivity", "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    flips = len(history.flips())
    assert len(result["codings"]) == (1 + flips) * len(KINDS)
    plain = json.loads(cli("backtest", "--futures", 100, "--format", "json").stdout)["events"]
    for kind, summary in result["kinds"].items():
        assert summary["flips"] == flips
        assert summary["verdict"] == plain[kind]["verdict"]  # "as coded" is the plain backtest, same futures
        assert summary["as_coded"]["brier_skill"] == pytest.approx(plain[kind]["brier_skill"]["value"])
        lo, hi = summary["brier_skill_range"]
        rows = [r for r in result["codings"] if r["kind"] == kind and r["coding"] != "as coded"]
        assert lo == min(r["brier_skill"] for r in rows) and hi == max(r["brier_skill"] for r in rows)
        changed = [r["coding"] for r in rows if r["verdict"] != summary["verdict"]]
        assert [c["coding"] for c in summary["verdict_changes"]] == changed
    table = cli("backtest", "--futures", 100, "--sensitivity")
    assert table.returncode == 0, table.stderr
    assert "Carter (1977) → internationalist" in table.stdout and "us_overstretch 1965–1972 removed" in table.stdout
    assert f"over {flips} reversals" in table.stdout.replace("\n", " ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--futures", 0], "at '--futures': futures must be from 1 to 100,000"),
        (["--csv", "/no/such/folder/bands.csv"], "the folder does not exist"),
        (["--history", "/no/such/history.yaml"], "no such file"),
    ],
)
def test_backtest_command_refuses_bad_input(args, message):
    result = cli("backtest", "--futures", 100, *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
