"""Outcomes over time, signposts and the alternative futures matrix: hand-made cases with known answers, and
consistency with the ensemble they read."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import alliance_futures as af
from alliance_futures.analysis import NAMED_FUTURES, outcome_tables, probabilities
from alliance_futures.analysis.discovery import future_drivers
from alliance_futures.analysis.matrix import (
    PERMUTATIONS,
    futures_matrix,
    mix_distance,
    permuted,
    split_point,
    top_drivers,
)
from alliance_futures.analysis.signposts import likelihood_ratios, rank_signposts, watch_list
from alliance_futures.analysis.timeline import fan, outcomes_over_time, typical_future
from alliance_futures.errors import InputError


@pytest.fixture(scope="module")
def ensemble():
    return af.run(futures=800, years=12, policies=["current_course", "transactional_pressure"], seed=11)


def test_likelihood_ratio_matches_a_hand_count():
    # 100 futures: 20 wars. The signpost shows in 15 of the wars and in 16 of the 80 others.
    named = pd.Series(pd.Categorical(["war"] * 20 + ["rupture"] * 80, categories=["war", "rupture"]))
    seen = pd.DataFrame({"s": [True] * 15 + [False] * 5 + [True] * 16 + [False] * 64, "never": False})
    ratios = likelihood_ratios(seen, named)
    war = ratios.loc[("s", "war")]
    assert war["lr"] == pytest.approx((15 / 20) / (16 / 80))  # 3.75
    se = np.sqrt(1 / 15 - 1 / 20 + 1 / 16 - 1 / 80)
    assert war["lo"] == pytest.approx(3.75 * np.exp(-1.959964 * se), rel=1e-5)
    assert ratios.loc[("s", "rupture"), "lr"] == pytest.approx((16 / 80) / (15 / 20))
    assert np.isnan(ratios.loc[("never", "war"), "lr"])  # never seen: says nothing
    listed = watch_list(ratios, seen)
    assert list(listed.index) == ["s", "never"]
    assert listed.loc["s", "points_to"] == "war" and listed.loc["s", "points_away_from"] == "rupture"
    assert listed.loc["s", "strength"] == pytest.approx(np.log(3.75))
    assert listed.loc["s", "seen"] == pytest.approx(0.31)


def test_copies_of_each_future_leave_a_likelihood_ratio_and_its_interval_as_they_were():
    """Five futures of one vector that agree (copies) tell what one does: counted by vector, the interval of the
    hand count above comes back; counted as independent futures, it would shrink about √5 times."""
    named = pd.Series(pd.Categorical(["war"] * 20 + ["rupture"] * 80, categories=["war", "rupture"]))
    seen = pd.DataFrame({"s": [True] * 15 + [False] * 5 + [True] * 16 + [False] * 64})
    once = likelihood_ratios(seen, named).loc[("s", "war")]
    copies = pd.Series(pd.Categorical(np.repeat(named.to_numpy(), 5), categories=["war", "rupture"]))
    fivefold = seen.loc[seen.index.repeat(5)].reset_index(drop=True)
    clustered = likelihood_ratios(fivefold, copies, clusters=np.repeat(np.arange(100), 5)).loc[("s", "war")]
    assert clustered["lr"] == pytest.approx(once["lr"])
    assert np.log(clustered["hi"] / clustered["lo"]) == pytest.approx(np.log(once["hi"] / once["lo"]), rel=0.02)
    independent = likelihood_ratios(fivefold, copies).loc[("s", "war")]
    assert np.log(independent["hi"] / independent["lo"]) == pytest.approx(
        np.log(once["hi"] / once["lo"]) / np.sqrt(5), rel=0.02
    )


def test_signposts_on_an_ensemble_are_read_in_undecided_futures(ensemble):
    listed, ratios = rank_signposts(ensemble, "current_course", window=4)
    assert set(listed.index) == set(ensemble.case.signposts)
    assert listed["strength"].dropna().is_monotonic_decreasing
    assert ((listed["seen"] >= 0) & (listed["seen"] <= 1)).all()
    defined = ratios["lr"].dropna()
    assert (defined > 0).all() and (ratios.loc[defined.index, "lo"] <= defined).all()
    # a drawdown below 25,000 troops in the first years makes a hollowed alliance more likely, not less
    assert ratios.loc[("usfk_below_25k", "hollowed_alliance"), "lo"] > 1
    with pytest.raises(InputError, match="watch window"):
        rank_signposts(ensemble, "current_course", window=13)


def test_timeline_ends_where_the_final_outcomes_are(ensemble):
    line = outcomes_over_time(ensemble)
    last = line[line["year"] == ensemble.calendar_years[-1]].set_index(["package", "outcome"])["p"]
    for package, table in outcome_tables(ensemble).items():
        for key, c in probabilities(table).items():
            assert last[(package, key)] == pytest.approx(c["p"], abs=2e-3)  # yearly paths are float32
    rupture = line[(line["package"] == "current_course") & (line["outcome"] == "rupture")]["p"].to_numpy()
    assert rupture[-1] > rupture[0]
    assert ((line["lo"] <= line["p"]) & (line["p"] <= line["hi"])).all()


def test_fan_bands_are_ordered(ensemble):
    bands = fan(ensemble, "credibility")
    q = bands[["q05", "q25", "q50", "q75", "q95"]].to_numpy()
    assert (np.diff(q, axis=1) >= 0).all()
    assert len(bands) == 2 * ensemble.years
    with pytest.raises(KeyError, match="not recorded"):
        fan(ensemble, "rok_value")


def test_typical_future_is_the_member_nearest_the_mean_path(ensemble):
    yearly = ensemble.yearly["current_course"]
    members = np.zeros(ensemble.futures, dtype=bool)
    members[:50] = True
    chosen = typical_future(ensemble, "current_course", members)
    assert members[chosen]
    # moving one member's paths far from the others never makes it the typical one
    saved = {v: yearly[v][chosen].copy() for v in yearly}
    for v in ("credibility", "troops"):
        yearly[v][chosen] += 10 * yearly[v].std() + 1
    try:
        assert typical_future(ensemble, "current_course", members) != chosen
    finally:
        for v, row in saved.items():
            yearly[v][chosen] = row


def test_futures_matrix_splits_futures_into_four_quadrants(ensemble):
    m = futures_matrix(ensemble, "current_course", ["years_us_transactional", "years_rok_progressive"])
    assert sum(q.probability for q in m.quadrants) == pytest.approx(1.0)
    x = future_drivers(ensemble, "current_course")  # the matrix splits futures by their own path drivers
    both_high = ((x["years_us_transactional"] >= 0.5) & (x["years_rok_progressive"] >= 0.5)).mean()
    assert m.quadrants[0].high == (True, True) and m.quadrants[0].probability == pytest.approx(both_high)
    for q in m.quadrants:
        if q.probability:
            assert sum(q.rates.values()) == pytest.approx(1.0)
            assert q.typical_future == max(q.rates, key=q.rates.get)
            assert NAMED_FUTURES[q.typical_future] in q.narrative.splitlines()[-1]
    # a sampled parameter is split at its median: about half the futures on each side
    name = "termination.base_hazard"
    high = (x[name] >= split_point(ensemble, name)).mean()
    assert 0.45 < high < 0.55
    with pytest.raises(InputError, match="unknown driver"):
        futures_matrix(ensemble, "current_course", ["nope", name])


def test_a_quadrants_mix_distance_and_its_permutation_p_value():
    named = np.array(["war", "rupture", "rupture", "war", "rupture", "rupture"])
    # the whole: war 1/3, rupture 2/3; members 0 and 3: all war, so the distance is |1 - 1/3| (half of both gaps)
    members = np.array([True, False, False, True, False, False])
    assert mix_distance(named, members)[0] == pytest.approx(2 / 3)
    assert mix_distance(named, np.ones(6, dtype=bool))[0] == pytest.approx(0.0)
    assert mix_distance(named, np.zeros(6, dtype=bool))[0] == 0.0  # an empty quadrant
    # permutations move whole parameter vectors: replications stay together
    blocks = permuted(np.repeat([True, False, False], 2), 2, np.random.default_rng(0))
    assert blocks.shape == (PERMUTATIONS, 6) and (blocks[:, ::2] == blocks[:, 1::2]).all()
    assert set(blocks.sum(axis=1)) == {2}
    # a posterior run's clusters (futures from one source vector) differ in size: each moves whole, to a place of
    # its size
    ids = np.array([7, 7, 7, 3, 5, 5, 9, 9, 9, 4])
    members = np.isin(ids, [7, 5])
    shuffled = permuted(members, ids, np.random.default_rng(1))
    for cluster in np.unique(ids):
        same = shuffled[:, ids == cluster]
        assert (same == same[:, :1]).all()
    assert (shuffled[:, ids == 7] | shuffled[:, ids == 9]).all(axis=1).all()  # one of the two triples stays in
    assert (shuffled[:, ids == 7] ^ shuffled[:, ids == 9]).any(axis=1).all() and shuffled[:, ids == 7].any()


def test_matrix_quadrants_differ_from_the_whole_only_when_their_driver_matters(ensemble):
    m = futures_matrix(ensemble, "current_course", ["years_us_transactional", "years_rok_progressive"])
    for q in m.quadrants:
        assert 0 <= q.difference <= 1 and 1 / (PERMUTATIONS + 1) <= q.p_value <= 1
        assert q.contrast().startswith("differs" if q.p_value <= 0.05 else "not distinguishable")
    # drivers that are pure noise (columns no mechanism read) separate nothing; one that is the outcome does
    name, other = "termination.base_hazard", "politics.us_switch_probability"
    lo, hi = ensemble.case.flat_parameters()[name].range
    rng = np.random.default_rng(5)
    noise = ensemble.experiments.copy()
    for column in (name, other):
        noise[column] = np.repeat(rng.uniform(*ensemble.case.flat_parameters()[column].range, ensemble.vectors), 10)
    flat = futures_matrix(dataclasses.replace(ensemble, experiments=noise), "current_course", [name, other])
    assert all(q.p_value > 0.01 for q in flat.quadrants)
    named = outcome_tables(ensemble)["current_course"]["named_future"]
    continuity = ensemble.per_vector((named == "managed_continuity").to_numpy())
    ranked = pd.Series(continuity).rank(pct=True).to_numpy()  # half the vectors above the split: the likelier ones
    oracle = noise.assign(**{name: np.repeat(lo + ranked * (hi - lo), ensemble.replications)})
    sharp = futures_matrix(dataclasses.replace(ensemble, experiments=oracle), "current_course", [name, other])
    assert all(q.p_value <= 0.01 for q in sharp.quadrants if q.high[0])


def test_top_drivers_sum_total_indices_over_outputs():
    index = pd.MultiIndex.from_product([["war", "rupture"], ["a", "b", "c"]], names=["output", "parameter"])
    table = pd.DataFrame({"ST": [0.5, 0.1, 0.2, 0.0, 0.1, 0.45]}, index=index)
    assert top_drivers(table) == ["c", "a"]  # c: 0.65, a: 0.5, b: 0.2
