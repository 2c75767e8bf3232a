"""The engine: determinism whatever the chunking or workers, common random numbers, exact re-simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alliance_futures.analysis import trace_future
from alliance_futures.engine import (
    Branch,
    ProcessExecutor,
    Streams,
    branch,
    parameter_values,
    run_ensemble,
    sample,
    simulate,
)
from alliance_futures.engine.design import BLOCK, Sampling
from alliance_futures.engine.streams import _mix, _mix_int

FUTURES, YEARS = 600, 12


def arrays(ensemble):
    out = {(p, v): a for p, final in ensemble.final.items() for v, a in final.items()}
    out.update({(p, "yearly", v): a for p, yearly in (ensemble.yearly or {}).items() for v, a in yearly.items()})
    return out


@pytest.fixture(scope="module")
def reference(case, policies):
    chosen = [policies["current_course"], policies["transactional_pressure"]]
    return chosen, run_ensemble(case, chosen, FUTURES, YEARS, seed=7, chunk_size=FUTURES)


@pytest.mark.parametrize("chunk_size", [1, 97, 256])
def test_bit_identical_whatever_the_chunk_size(case, reference, chunk_size):
    chosen, ref = reference
    other = run_ensemble(case, chosen, FUTURES, YEARS, seed=7, chunk_size=chunk_size)
    expected = arrays(ref)
    for key, value in arrays(other).items():
        assert np.array_equal(value, expected[key]), key


def test_bit_identical_on_two_worker_processes(case, reference):
    chosen, ref = reference
    other = run_ensemble(case, chosen, FUTURES, YEARS, seed=7, chunk_size=128, executor=ProcessExecutor(2))
    expected = arrays(ref)
    for key, value in arrays(other).items():
        assert np.array_equal(value, expected[key]), key


def test_another_seed_gives_other_futures(case, reference):
    chosen, ref = reference
    other = run_ensemble(case, chosen[:1], FUTURES, YEARS, seed=8)
    assert not np.array_equal(other.final["current_course"]["credibility"], ref.final["current_course"]["credibility"])


def test_packages_share_the_same_futures_and_draws(case, reference):
    """Common random numbers: what policy cannot move is identical in every future and year."""
    _chosen, ref = reference
    assert ref.yearly is not None
    cc, tp = ref.yearly["current_course"], ref.yearly["transactional_pressure"]
    # elections and the DPRK are not moved by policy, so they coincide in every year and every future
    assert np.array_equal(cc["us_transactional"], tp["us_transactional"])
    assert np.array_equal(cc["dprk_warheads"], tp["dprk_warheads"])


def test_a_traced_future_repeats_the_ensemble_exactly(case, reference):
    chosen, ref = reference
    for future in (0, 123, FUTURES - 1):
        paths = trace_future(case, chosen[1], ref.experiments, future, YEARS, seed=7)
        for v, arr in paths.final.items():
            assert arr[0] == ref.final[chosen[1].name][v][future], (future, v)


def test_streams_depend_only_on_seed_future_year_and_name():
    a = Streams(3, np.arange(1000)).uniform(2030, "war")
    b = Streams(3, np.arange(500, 1000)).uniform(2030, "war")
    assert np.array_equal(a[500:], b)
    assert not np.array_equal(a, Streams(3, np.arange(1000)).uniform(2031, "war"))
    assert not np.array_equal(a, Streams(3, np.arange(1000)).uniform(2030, "incident"))
    assert np.all((a >= 0) & (a < 1))


def test_the_mixing_function_is_splitmix64_and_leaves_its_cached_inputs_alone():
    # SplitMix64 from state 0: its first outputs (Steele, Lea & Flood 2014; Vigna's reference splitmix64.c)
    golden = np.array([1, 2], dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    assert [_mix_int(int(x)) for x in golden] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4]
    assert list(_mix(golden.copy())) == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4]
    streams = Streams(3, np.arange(1000))
    first = streams.uniform(2030, "war")
    streams.uniform(2030, "incident")  # the array finaliser works in place: never on a base kept for later draws
    assert np.array_equal(streams.uniform(2030, "war"), first)


def test_streams_are_uniform_and_independent():
    u = Streams(11, np.arange(200_000)).uniform(2030, "x")
    v = Streams(11, np.arange(200_000)).uniform(2030, "y")
    assert abs(u.mean() - 0.5) < 0.005 and abs(u.var() - 1 / 12) < 0.002
    counts, _ = np.histogram(u, bins=20, range=(0, 1))
    assert counts.min() > 0.95 * 10_000 and counts.max() < 1.05 * 10_000
    assert abs(np.corrcoef(u, v)[0, 1]) < 0.01


def test_latin_hypercube_fills_every_stratum(case):
    assert_fills_every_stratum(sample(case, 400, seed=1), case)


def assert_fills_every_stratum(table, case):
    n = len(table)
    for name, p in case.flat_parameters().items():
        if p.range is None:
            continue
        if p.choices:  # a switch: each of its forms in an equal share of the futures
            counts = table[name].value_counts()
            assert sorted(counts.index) == list(range(len(p.choices))) and counts.max() - counts.min() <= 1, name
            continue
        lo, hi = p.range
        assert table[name].between(lo, hi).all(), name
        strata = np.floor((table[name] - lo) / (hi - lo) * n).clip(0, n - 1)
        assert len(np.unique(strata)) == n, name


@pytest.mark.parametrize("design", ["lhs", "mc"])
def test_any_rows_of_a_design_are_those_of_the_whole_whatever_was_made_before(case, design):
    vectors = BLOCK + 500  # two Latin-hypercube blocks
    whole = Sampling(case, vectors, seed=4, design=design).vector_rows(0, vectors)
    parts = Sampling(case, vectors, seed=4, design=design)  # keeps the columns of the block it last made
    for a, b in [(BLOCK - 100, BLOCK + 200), (10, 20), (BLOCK + 400, vectors), (0, 5), (7, 7)]:
        pd.testing.assert_frame_equal(parts.vector_rows(a, b), whole.iloc[a:b])
    if design == "lhs":
        assert_fills_every_stratum(whole.iloc[BLOCK:], case)  # the second block is a hypercube of its own
    with pytest.raises(ValueError, match="not within"):
        parts.vector_rows(vectors - 5, vectors + 1)  # rows past the design were left unset


def test_simulate_keeps_state_in_order(case, policies):
    params = parameter_values(case, sample(case, 50, seed=2))
    paths = simulate(case, policies["current_course"], params, np.arange(50), 5, seed=2, record=True, trace=True)
    assert paths.yearly is not None and paths.events is not None
    assert len(paths.events) == 5 and paths.yearly["troops"].shape == (50, 5)
    assert np.array_equal(paths.yearly["credibility"][:, -1], paths.final["credibility"].astype(np.float32))


def test_wilson_interval_against_known_values():
    from alliance_futures.analysis import wilson

    lo, hi = wilson(10, 100)  # Wilson 1927; e.g. Newcombe 1998, Table I: 0.0552 to 0.1744
    assert lo == pytest.approx(0.0552, abs=5e-4) and hi == pytest.approx(0.1744, abs=5e-4)
    assert wilson(0, 50)[0] == 0.0 and wilson(50, 50)[1] == 1.0


def test_replications_repeat_each_vector_on_streams_of_their_own(case, policies):
    """N vectors × K replications: vector i's row K times (the design of N vectors), replication k of vector i on
    stream i·K + k in every package, and the chunking does not matter even when chunks split a vector."""
    chosen = [policies["current_course"], policies["transactional_pressure"]]
    vectors, k = 60, 5
    ensemble = run_ensemble(case, chosen, vectors * k, YEARS, seed=7, replications=k, chunk_size=7)
    assert ensemble.vectors == vectors and ensemble.replications == k
    design = sample(case, vectors, seed=7)
    assert np.array_equal(ensemble.experiments.to_numpy()[::k], design.to_numpy())
    assert (ensemble.experiments.groupby(np.arange(vectors * k) // k).nunique() == 1).all().all()
    whole = run_ensemble(case, chosen, vectors * k, YEARS, seed=7, replications=k, chunk_size=vectors * k)
    for key, value in arrays(whole).items():
        assert np.array_equal(value, arrays(ensemble)[key]), key
    # the replications of one vector differ by chance alone: same parameters, other elections
    elections = ensemble.yearly["current_course"]["us_transactional"].reshape(vectors, k, YEARS)
    assert (elections != elections[:, :1]).any(axis=(1, 2)).mean() > 0.5
    # common random numbers: replication k of vector i sees the same elections under every package
    assert np.array_equal(
        ensemble.yearly["current_course"]["us_transactional"],
        ensemble.yearly["transactional_pressure"]["us_transactional"],
    )
    # and it is the future a trace of stream i·K + k replays
    future = 3 * k + 2
    paths = trace_future(case, chosen[0], ensemble.experiments, future, YEARS, seed=7)
    assert paths.final["credibility"][0] == ensemble.final["current_course"]["credibility"][future]
    assert ensemble.per_vector(np.arange(vectors * k)).tolist() == [i * k + (k - 1) / 2 for i in range(vectors)]


def test_one_replication_is_the_design_as_before(case, policies, reference):
    chosen, ref = reference
    assert ref.replications == 1 and ref.vectors == FUTURES
    assert np.array_equal(ref.experiments.to_numpy(), sample(case, FUTURES, seed=7).to_numpy())
    with pytest.raises(ValueError, match="multiple of replications"):
        run_ensemble(case, chosen, 101, YEARS, seed=7, replications=10)


THROUGH = 2029  # the last "observed" year of the branches below (the run's years are 2027-2038)


@pytest.fixture(scope="module")
def branched(case, policies):
    """Futures continuing those of a current-course run through 2029, each package put forward from 2030."""
    chosen = [policies["current_course"], policies["reciprocal_strengthening"]]
    prior = run_ensemble(case, chosen, FUTURES, YEARS, seed=7, replications=3)
    source = np.random.default_rng(0).integers(0, FUTURES, FUTURES)
    return prior, source, branch(prior, source, THROUGH, "current_course", seed=8)


def test_a_branched_future_retraces_the_followed_package_then_parts(branched):
    prior, source, after = branched
    k = THROUGH - int(prior.calendar_years[0]) + 1
    assert after.yearly is not None and prior.yearly is not None
    followed = prior.yearly["current_course"]
    for package in after.policies:
        for v in ("credibility", "troops", "public_support", "cost_share", "nuclear_status"):
            assert np.array_equal(after.yearly[package][v][:, :k], followed[v][source, :k]), (package, v)
    assert not np.array_equal(after.yearly["current_course"]["credibility"][:, k:], followed["credibility"][source, k:])
    assert after.experiments.equals(prior.experiments.iloc[source].reset_index(drop=True))
    # futures continuing one source part after the branch year (fresh random numbers of their own)
    twins = np.flatnonzero(source == np.bincount(source).argmax())[:2]
    assert not np.array_equal(*after.yearly["current_course"]["credibility"][twins, k:])


def test_a_package_put_forward_after_the_branch_is_decided_on_that_year(case, branched):
    """Reciprocal strengthening, put forward in 2030 after current-course years: no side takes it up before 2030,
    and in 2030 governments take it up without a new administration (they decide as it is put forward)."""
    prior, _source, after = branched
    package = after.policies["reciprocal_strengthening"]
    early = late = unprompted = 0
    for future in range(60):
        paths = trace_future(case, package, after.experiments, future, YEARS, 8, after.branches)
        assert paths.events is not None
        for year, ev in zip(prior.calendar_years, paths.events, strict=True):
            for side in ("us", "rok"):
                adopted = bool(ev[f"{side}_adopted"][0])
                early += adopted and year <= THROUGH
                late += adopted and year > THROUGH
                unprompted += adopted and year == THROUGH + 1 and not ev[f"{side}_new_admin"][0]
    assert early == 0 and late > 0 and unprompted > 0


def test_a_package_put_forward_starts_with_nothing_of_the_followed_one_in_force(case, policies):
    """After years of reciprocal strengthening, transactional pressure put forward in 2030 is in force in 2030 only
    where it was enacted that year; reciprocal strengthening, continuing, is in force for longer."""
    chosen = [policies["reciprocal_strengthening"], policies["transactional_pressure"]]
    prior = run_ensemble(case, chosen, 400, YEARS, seed=7)
    source = np.arange(400)
    years = THROUGH + 1 - int(prior.calendar_years[0]) + 1
    params = parameter_values(case, prior.experiments)
    followed = (Branch(THROUGH, 7, source, policies["reciprocal_strengthening"]),)
    for package in chosen:
        paths = simulate(case, package, params, source, years, 8, trace=True, branches=followed)
        assert paths.events is not None
        for side in ("us", "rok"):
            in_force = paths.final[f"in_force_{side}"]
            if package.name == "transactional_pressure":
                assert (in_force <= 1).all() and np.array_equal(in_force == 1, paths.events[-1][f"{side}_enacted"])
            else:
                assert (in_force > 1).any()


def test_a_branched_ensemble_is_bit_identical_whatever_the_chunking(branched):
    prior, source, after = branched
    again = branch(prior, source, THROUGH, "current_course", seed=8, chunk_size=97, executor=ProcessExecutor(2))
    expected = arrays(after)
    for key, value in arrays(again).items():
        assert np.array_equal(value, expected[key]), key


def test_a_traced_branched_future_repeats_it_and_a_branch_of_a_branch_retraces_both(case, branched):
    prior, _source, after = branched
    package = after.policies["reciprocal_strengthening"]
    for future in (0, FUTURES - 1):
        paths = trace_future(case, package, after.experiments, future, YEARS, 8, after.branches)
        assert paths.yearly is not None and after.yearly is not None
        assert np.array_equal(paths.yearly["credibility"][0], after.yearly[package.name]["credibility"][future])
    source = np.arange(FUTURES)[::-1]
    later = branch(after, source, THROUGH + 2, "reciprocal_strengthening", seed=9)
    k = THROUGH + 2 - int(prior.calendar_years[0]) + 1
    assert later.yearly is not None
    assert np.array_equal(
        later.yearly["current_course"]["troops"][:, :k], after.yearly["reciprocal_strengthening"]["troops"][source, :k]
    )
    paths = trace_future(case, package, later.experiments, 5, YEARS, 9, later.branches)
    assert paths.yearly is not None
    assert np.array_equal(paths.yearly["troops"][0], later.yearly[package.name]["troops"][5])
