"""The policy search (issue 19): NSGA-II recovers a known Pareto front through the code path the lever search uses,
constraints bind, an infeasible search says so, the search is deterministic, and a bad spec is refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import cli

from alliance_futures.analysis.search import optimise
from alliance_futures.api import load_case
from alliance_futures.case import load_policy
from alliance_futures.case.search import resolve_search_path


def zdt1(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ZDT1 (Zitzler, Deb & Thiele 2000, *Evolutionary Computation* 8(2)): its front is f2 = 1 − √f1, f1 in [0, 1]."""
    f1 = x[:, 0]
    g = 1 + 9 * x[:, 1:].mean(axis=1)
    return np.column_stack([f1, g * (1 - np.sqrt(f1 / g))]), np.zeros((len(x), 0))


def run(batch, n=5, constraints=(), evaluations=4000, seed=1):
    return optimise(
        batch,
        np.zeros(n),
        np.ones(n),
        ["f1", "f2"],
        list(constraints),
        evaluations,
        40,
        seed,
        [f"x{i}" for i in range(n)],
    )


def test_nsga2_recovers_the_zdt1_front():
    result = run(zdt1)
    front = result.pareto[["objective:f1", "objective:f2"]].to_numpy()
    assert np.abs(front[:, 1] - (1 - np.sqrt(front[:, 0]))).max() < 0.05  # on the true front
    assert front[:, 0].min() < 0.05 and front[:, 0].max() > 0.95  # and spread along all of it
    assert len(result.archive) == 4000 and set(result.archive["generation"]) == set(range(100))


def test_a_constraint_keeps_the_pareto_set_within_it_and_an_impossible_one_leaves_none():
    def constrained(x):
        f, _ = zdt1(x)
        return f, (0.5 - f[:, 0])[:, None]  # feasible where f1 >= 0.5

    result = run(constrained, constraints=["f1_floor"], evaluations=2000)
    assert (result.pareto["objective:f1"] >= 0.5).all() and result.feasible
    assert (result.archive["feasible"] == (result.archive["constraint:f1_floor"] <= 0)).all()

    impossible = run(lambda x: (zdt1(x)[0], np.ones((len(x), 1))), constraints=["never"], evaluations=200)
    assert not impossible.feasible and impossible.pareto.empty


def test_the_pareto_set_is_the_nondominated_feasible_part_of_the_archive():
    result = run(zdt1, evaluations=400)
    f = result.archive[["objective:f1", "objective:f2"]].to_numpy()
    for evaluation in result.pareto.index:
        dominated = (f <= f[evaluation]).all(axis=1) & (f < f[evaluation]).any(axis=1)
        assert not dominated.any()
    for i in result.archive.index.difference(result.pareto.index):  # each other one is weakly dominated by another
        assert (f <= f[i]).all(axis=1).sum() > 1


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    folder = tmp_path_factory.mktemp("search") / "out"
    result = cli("search", "--evaluations", "100", "--futures", "50", "--output", folder)
    assert result.returncode == 0, result.stderr
    return folder, result.stdout


def test_search_saves_the_archive_the_pareto_set_and_runnable_packages(searched, tmp_path):
    folder, stdout = searched
    archive, pareto = pd.read_parquet(folder / "archive.parquet"), pd.read_parquet(folder / "pareto.parquet")
    assert len(archive) == 100 and set(pareto.index) <= set(archive.index)
    spec = yaml.safe_load(resolve_search_path("default").read_text(encoding="utf-8"))
    case = load_case()
    for evaluation, row in pareto.iterrows():
        policy = load_policy(folder / "policies" / f"default_{evaluation}.yaml", case)
        settings = policy.settings()
        for lever, (low, high) in spec["levers"].items():
            assert low <= settings[lever].value <= high and settings[lever].value == pytest.approx(row[lever])
    assert f"{len(pareto)} of 100 candidates" in stdout
    again = cli("search", "--evaluations", "100", "--futures", "50", "--output", tmp_path / "again")
    assert again.returncode == 0
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "again" / "archive.parquet"), archive)  # same seed


def test_search_never_writes_into_a_folder_that_holds_something(searched):
    folder, _ = searched
    before = (folder / "archive.parquet").read_bytes()
    result = cli("search", "--evaluations", "100", "--futures", "50", "--output", folder)
    assert result.returncode == 2 and "not an empty folder" in result.stderr
    assert (folder / "archive.parquet").read_bytes() == before


def spec_with(tmp_path, change):
    data = yaml.safe_load(resolve_search_path("default").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["levers"].update(moon_base=[0, 1]), "at 'levers.moon_base': unknown lever"),
        (lambda d: d["levers"].update(exercise_tempo=[0, 2]), "expected values from 0 to 1"),
        (lambda d: d["objectives"].append({"outcome": "happiness"}), "unknown outcome 'happiness'"),
        (lambda d: d.update(levers={"exercise_tempo": 0.5}), "every lever is fixed"),
        (lambda d: d.update(futures=1001), "must be a multiple of replications"),
        (lambda d: d.update(population=2), "'population'"),
        (lambda d: d.update(validation_seed=d["seed"]), "at 'validation_seed': must differ from seed"),
        (lambda d: d["packages"].append("moon_landing"), "at 'packages.6': moon_landing: no built-in policy package"),
        (lambda d: d["objectives"].append({"outcome": "war", "statistic": "percentile"}), "needs 'q'"),
        (lambda d: d["objectives"].append({"outcome": "war", "q": 90}), "'q' does not apply to statistic 'mean'"),
        (lambda d: d["objectives"].append({"outcome": "rupture"}), "'rupture' is named twice"),
        (
            lambda d: d["objectives"].append(
                {"outcome": "war", "statistic": "regret", "against": "moon", "epsilon": 0.01}
            ),
            "at 'objectives.4.against': moon: no built-in policy package",
        ),
        (lambda d: d["levers"].update(nuclear_integration_target=[0, 2.5]), "expected whole numbers"),
        (lambda d: d.update(institutionalisation=["law"]), "needs two or more different choices"),
        (lambda d: d.update(start_year=[2030, 2027]), "expected [first, last]"),
        (
            lambda d: d.update(replications=1, objectives=[{"outcome": "war", "statistic": "satisficing", "max": 0.1}]),
            "give replications of 2 or more",
        ),
        (lambda d: d.update(constraints=[{"outcome": "troops", "min": 1, "max": 2}]), "exactly one of 'max' or 'min'"),
    ],
)
def test_a_bad_spec_is_refused_naming_the_file_and_key_by_search_and_by_validate(tmp_path, change, message):
    spec = spec_with(tmp_path, change)
    for result in (cli("search", spec, "--evaluations", "100"), cli("validate", spec)):
        assert result.returncode == 2 and message in result.stderr and "spec.yaml" in result.stderr
        assert result.stderr.startswith("error:")  # refused before any progress bar, and nothing else said


def test_validate_checks_a_good_spec():
    result = cli("validate", resolve_search_path("default"))
    assert result.returncode == 0 and "valid search spec 'default' moving 10 lever(s)" in result.stdout
    assert "placing 6 package(s)" in result.stdout


def test_an_infeasible_search_says_no_candidate_met_the_constraints(tmp_path):
    spec = spec_with(tmp_path, lambda d: d.update(constraints=[{"outcome": "war", "max": -1}], population=4))
    result = cli("search", spec, "--evaluations", "8", "--futures", "10")
    assert result.returncode == 0 and "No candidate of the 8 evaluated met the constraints" in result.stdout


def test_a_killed_search_resumes_to_the_archive_an_uninterrupted_one_gives(tmp_path):
    import io
    import signal
    import subprocess
    import sys
    import time

    budget = ["--evaluations", "400", "--futures", "20"]
    whole = cli("search", *budget, "--output", tmp_path / "whole")
    assert whole.returncode == 0, whole.stderr
    folder = tmp_path / "killed"
    command = [sys.executable, "-m", "alliance_futures", "search", *budget, "--output", str(folder)]
    started = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin"}
    )
    checkpoint = folder / "checkpoint.parquet"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (  # read whole at once: the search replaces the file as it goes
        checkpoint.exists() and pd.read_parquet(io.BytesIO(checkpoint.read_bytes()))["generation"].max() >= 2
    ):
        time.sleep(0.05)
    started.send_signal(signal.SIGKILL)
    started.wait()
    assert checkpoint.exists() and not (folder / "archive.parquet").exists()  # a checkpoint, never a whole archive
    refused = cli("search", *budget, "--output", folder)
    assert refused.returncode == 2 and "--resume" in refused.stderr
    resumed = cli("search", *budget, "--output", folder, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    pd.testing.assert_frame_equal(
        pd.read_parquet(folder / "archive.parquet"), pd.read_parquet(tmp_path / "whole" / "archive.parquet")
    )
    assert not checkpoint.exists()
    other = cli("search", "--evaluations", "400", "--futures", "40", "--output", folder, "--resume")
    assert other.returncode == 2 and "holds no unfinished search" in other.stderr


def test_a_checkpoint_from_another_search_is_not_resumed(tmp_path):
    folder = tmp_path / "first"
    done = cli("search", "--evaluations", "100", "--futures", "20", "--output", folder)
    assert done.returncode == 0
    archive = pd.read_parquet(folder / "archive.parquet")
    for name in ("archive.parquet", "pareto.parquet"):
        (folder / name).unlink()
    archive[archive["generation"] == 0].to_parquet(folder / "checkpoint.parquet")  # as if killed after a generation
    other = cli("search", "--evaluations", "100", "--futures", "40", "--output", folder, "--resume")
    assert other.returncode == 2 and "was started with another spec, budget or case" in other.stderr
    changed = archive[archive["generation"] == 0].copy()
    changed["exercise_tempo"] += 0.001  # a checkpoint that is not what this search proposes
    changed.to_parquet(folder / "checkpoint.parquet")
    refused = cli("search", "--evaluations", "100", "--futures", "20", "--output", folder, "--resume")
    assert refused.returncode == 2 and "differs from the one recorded" in refused.stderr


def test_convergence_is_the_hypervolume_of_the_feasible_candidates_so_far():
    from alliance_futures.analysis.search import convergence

    archive = pd.DataFrame(
        {
            "run": 0,
            "generation": [0, 0, 1, 2],
            "objective:a": [0.0, 5.0, 10.0, 2.0],
            "objective:b": [20.0, 20.0, 0.0, 0.0],
            "feasible": [True, False, True, True],
        }
    )
    hv = convergence(archive)["hypervolume"].droplevel("run")
    # scaled to [0, 1] over the feasible ones: (0, 1), then (1, 0), then (0.2, 0); reference point 1.1
    assert hv[0] == pytest.approx(1.1 * 0.1)  # the one feasible point of generation 0
    assert hv[1] == pytest.approx(0.21)  # (0, 1) and (1, 0): two strips of 0.11 overlapping by 0.01
    assert hv[2] == pytest.approx(1.1 * 0.1 + 0.9 * 1.1 - 0.9 * 0.1)  # (0.2, 0) dominates (1, 0)
    assert convergence(archive)["evaluations"].tolist() == [2, 3, 4]


def test_the_zdt1_search_converges():
    hv = run(zdt1).convergence["hypervolume"]
    assert (hv.diff().dropna() >= -1e-12).all() and hv.iloc[-1] > hv.iloc[0]


def test_the_search_re_runs_the_pareto_set_and_places_the_packages_on_fresh_futures(searched):
    folder, stdout = searched
    pareto = pd.read_parquet(folder / "pareto.parquet")
    estimates = pd.read_parquet(folder / "out_of_sample.parquet")
    placement = pd.read_parquet(folder / "placement.parquet")
    shift = pd.read_parquet(folder / "shift.parquet")
    spec = yaml.safe_load(resolve_search_path("default").read_text(encoding="utf-8"))
    found = estimates[estimates["kind"] == "found"]
    assert set(found.index.get_level_values("package")) == {f"default_{e}" for e in pareto.index}
    assert list(placement.index) == spec["packages"]
    assert ((estimates["lo"] <= estimates["estimate"]) & (estimates["estimate"] <= estimates["hi"])).all()
    assert (placement["beaten_beyond_noise_by"] <= len(pareto)).all() and (
        placement["dominated_by"] <= len(pareto)
    ).all()
    for name in spec["packages"]:
        assert f"{name.replace('_', ' ')}: " in stdout
    objectives = set(estimates.index.get_level_values("objective"))
    assert set(shift.index) == {(label, kind) for label in objectives for kind in ("found", "placed", "flattery")}
    assert ((shift["lo"] <= shift["estimate"]) & (shift["estimate"] <= shift["hi"])).all()


def spec_object(futures=20, replications=2, packages=("current_course",)):
    from alliance_futures.analysis.robustness import MEASURES, PROBABILITIES
    from alliance_futures.case.search import load_search

    return load_search("default", load_case(), MEASURES, PROBABILITIES)[0].model_copy(
        update={"futures": futures, "replications": replications, "packages": list(packages), "years": 10}
    )


def test_out_of_sample_estimates_are_each_package_simulated_on_the_fresh_seed():
    from alliance_futures.analysis.outcomes import outcome_tables
    from alliance_futures.analysis.search import candidate, on_spec_terms, out_of_sample
    from alliance_futures.case.search import Objective
    from alliance_futures.engine import run_ensemble

    case, spec = load_case(), spec_object()
    regret = Objective(outcome="war", statistic="regret", against="current_course")
    spec = spec.model_copy(update={"objectives": [*spec.objectives, regret]})
    levers = list(spec.searched)
    low = {lever: bounds[0] for lever, bounds in spec.searched.items()}
    pareto = pd.DataFrame([low, {**low, "exercise_tempo": 1.0}], index=[7, 9])
    for o in spec.objectives:
        pareto[f"objective:{o.label}"] = 0.5
    placed = load_policy("current_course", case)
    checked = out_of_sample(case, spec, pareto, {"current_course": placed})
    assert checked.seed == spec.seed + 1
    packages = [candidate(spec, case, pareto.loc[7, levers], "default_7"), on_spec_terms(spec, placed)]
    direct = run_ensemble(case, packages, spec.futures, spec.years, spec.seed + 1, record=False, replications=2)
    for name, table in outcome_tables(direct).items():
        assert checked.estimates.loc[(name, "rupture"), "estimate"] == pytest.approx(table["rupture"].mean())
        assert checked.estimates.loc[(name, "us_net_cost"), "estimate"] == pytest.approx(table["us_net_cost"].mean())
    assert checked.estimates.loc[("default_7", "war"), "in_sample"] == 0.5
    searched = run_ensemble(case, packages[1:], spec.futures, spec.years, spec.seed, record=False, replications=2)
    in_sample = outcome_tables(searched)["current_course"]["war"].mean()  # a placed package on the search's futures
    assert checked.estimates.loc[("current_course", "war"), "in_sample"] == pytest.approx(in_sample)
    itself = checked.estimates.loc[("current_course", regret.label)]  # the reference's regret against itself
    assert (itself["estimate"], itself["lo"], itself["hi"]) == (0.0, 0.0, 0.0)
    war = checked.estimates.xs("war", level="objective")["estimate"]
    assert checked.estimates.loc[("default_7", regret.label), "estimate"] == pytest.approx(
        war["default_7"] - war["current_course"]
    )
    assert on_spec_terms(spec, placed).adoption == spec.adoption and on_spec_terms(spec, placed).levers == placed.levers


def test_the_count_expected_by_chance_is_what_the_beyond_noise_rule_gives_when_nothing_differs():
    from alliance_futures.analysis.robustness import resampled, resampled_worlds
    from alliance_futures.analysis.search import _beaten, by_chance
    from alliance_futures.case.search import Objective

    assert by_chance(20, 1) == pytest.approx(20 * 0.025)  # one objective: its interval below zero, 2.5%
    assert by_chance(20, 3) == pytest.approx(20 * (0.975**3 - 0.95**3))
    rng, worlds, found = np.random.default_rng(11), 400, 600
    objectives = [Objective(outcome="us_net_cost"), Objective(outcome="war")]
    rows = resampled_worlds(worlds, 2)
    draws, estimates = {}, {}
    for name in ["placed", *(f"f{i}" for i in range(found))]:
        for o in objectives:  # every found package no different from the placed one, up to noise of its own
            values = np.zeros(worlds) if name == "placed" else rng.normal(0.0, 1.0, worlds)
            draws[(name, o.label)], estimates[(name, o.label)] = resampled(o, values, rows), values.mean()
    names = [f"f{i}" for i in range(found)]
    beyond = _beaten("placed", names, [o.label for o in objectives], pd.Series(estimates), draws)[2]
    expected = by_chance(found, 2)  # about 29, binomial: a standard deviation of about 5
    assert abs(beyond - expected) < 4 * np.sqrt(expected), (beyond, expected)


def test_the_selections_flattery_carries_its_interval_and_is_called_noise_when_it_spans_zero():
    from alliance_futures.analysis.search import OutOfSample, _shifts
    from alliance_futures.case.search import Objective
    from alliance_futures.report.search import _bias

    o, rng = Objective(outcome="war"), np.random.default_rng(3)

    def checked(flattery):
        rows = [("a", "found", 0.10), ("b", "found", 0.20), ("p", "placed", 0.15)]
        records = [(n, o.label, k, x, x + (flattery if k == "found" else 0.0), 0.0, 1.0) for n, k, x in rows]
        columns = ["package", "objective", "kind", "in_sample", "estimate", "lo", "hi"]
        estimates = pd.DataFrame(records, columns=columns).set_index(["package", "objective"])
        moved = {  # each package's fresh − in-sample over 1,000 resampled worlds, spread 0.002 around its shift
            ("found", o.label): [flattery + rng.normal(0, 0.002, 1000) for _ in range(2)],
            ("placed", o.label): [rng.normal(0, 0.002, 1000)],
        }
        return OutOfSample(estimates, pd.DataFrame(), _shifts(estimates, moved, [o.label]), [o], 1)

    real, noise = checked(-0.03), checked(0.0)
    cell = real.shift.loc[(o.label, "flattery")]
    assert cell["estimate"] == pytest.approx(-0.03) and cell["lo"] < -0.03 < cell["hi"] < 0
    found = real.shift.loc[(o.label, "found")]
    assert found["estimate"] == pytest.approx(-0.03) and found["lo"] < found["estimate"] < found["hi"]
    assert cell["hi"] - cell["lo"] > found["hi"] - found["lo"]  # a difference: the placed ones' noise adds to it
    assert "-3.0 points (95% interval" in _bias(real)[0] and "not distinguishable from zero" not in _bias(real)[0]
    assert "not distinguishable from zero" in _bias(noise)[0]


def test_a_found_package_beats_a_placed_one_beyond_noise_only_when_better_somewhere_and_worse_nowhere():
    from alliance_futures.analysis.robustness import resampled, resampled_worlds, statistic
    from alliance_futures.analysis.search import _beaten
    from alliance_futures.case.search import Objective

    rng = np.random.default_rng(5)
    rupture, cost = rng.random(400), rng.normal(10, 1, 400)  # each world's rupture probability and mean cost
    worlds = {
        "placed": (rupture, cost),
        "same": (rupture, cost),
        "better": (rupture * 0.5, cost),
        "better_but_dearer": (rupture * 0.5, cost + 1),
        "better_no_dearer": (rupture * 0.5, cost + 1e-6 * np.tile([1.0, -1.0], 200)),  # the same cost on average
    }
    objectives = [Objective(outcome="rupture"), Objective(outcome="us_net_cost")]
    rows = resampled_worlds(400, 1)
    estimates, draws = {}, {}
    for name, values in worlds.items():
        for o, v in zip(objectives, values, strict=True):
            estimates[(name, o.label)] = float(statistic(o, v))
            draws[(name, o.label)] = resampled(o, v, rows)
    found = [n for n in worlds if n != "placed"]
    name, dominated, beyond, names = _beaten("placed", found, ["rupture", "us_net_cost"], pd.Series(estimates), draws)
    assert name == "placed"
    assert names.split(", ") == ["better", "better_no_dearer"] and beyond == 2
    assert dominated == 2  # lower on one and no higher on any by point estimate: 'better' and 'better_no_dearer'
    assert _beaten("placed", [], ["rupture"], pd.Series(estimates), draws)[1:] == (0, 0, "")


def test_each_statistic_summarises_the_worlds_as_its_source_defines_it():
    from alliance_futures.analysis.outcomes import percentile_interval
    from alliance_futures.analysis.robustness import resampled, resampled_worlds, statistic
    from alliance_futures.case.search import Objective

    values, reference = np.array([0.0, 0.1, 0.2, 0.3, 0.9]), np.array([0.1, 0.1, 0.1, 0.1, 0.1])
    assert statistic(Objective(outcome="war"), values) == pytest.approx(0.3)
    assert statistic(Objective(outcome="war", statistic="percentile", q=50), values) == pytest.approx(0.2)
    assert statistic(Objective(outcome="war", statistic="regret", against="x"), values, reference) == pytest.approx(0.2)
    regret_p50 = Objective(outcome="war", statistic="regret", against="x", q=50)
    assert statistic(regret_p50, values, reference) == pytest.approx(0.1)
    assert statistic(Objective(outcome="war", statistic="satisficing", max=0.2), values) == pytest.approx(0.4)
    with pytest.raises(ValueError, match="regret needs"):
        statistic(Objective(outcome="war", statistic="regret", against="x"), values)
    rows = resampled_worlds(5, 0)
    assert rows.shape == (1000, 5) and rows.min() >= 0 and rows.max() <= 4
    same = resampled(Objective(outcome="war"), values, rows) - resampled(Objective(outcome="war"), values, rows)
    assert percentile_interval(same) == (
        0.0,
        0.0,
    )  # a package against itself on the same resampled worlds differs by nothing
    lo, hi = percentile_interval(resampled(Objective(outcome="war"), values, rows))
    assert 0 <= lo < 0.3 < hi <= 0.9


def test_world_values_are_each_vectors_share_of_its_replications():
    from alliance_futures.analysis.outcomes import outcome_tables
    from alliance_futures.analysis.robustness import world_values
    from alliance_futures.engine import run_ensemble

    case = load_case()
    ensemble = run_ensemble(case, [load_policy("current_course", case)], 40, 10, 3, record=False, replications=4)
    worlds = world_values(ensemble, ["rupture", "troops"])["current_course"]
    flags = outcome_tables(ensemble)["current_course"]["rupture"].to_numpy(dtype=float)
    assert np.array_equal(worlds["rupture"], flags.reshape(10, 4).mean(axis=1))
    assert np.allclose(worlds["troops"], ensemble.final["current_course"]["troops"].reshape(10, 4).mean(axis=1))


def test_a_constraint_slack_is_positive_only_when_its_bound_is_broken():
    from alliance_futures.case.search import Constraint

    floor, ceiling = Constraint(outcome="troops", min=22000), Constraint(outcome="war", max=0.05)
    assert floor.slack(21000) == 1000 and floor.slack(23000) == -1000
    assert ceiling.slack(0.06) == pytest.approx(0.01) and ceiling.slack(0.04) == pytest.approx(-0.01)
    assert (floor.label, ceiling.label) == ("troops:min", "war:max")


def test_tradeoffs_read_the_sign_of_a_rank_correlation_with_its_interval():
    from alliance_futures.analysis.search import tradeoffs

    rng = np.random.default_rng(3)
    x = rng.random(200)
    table = tradeoffs(pd.DataFrame({"a": x, "b": -x + 0.1 * rng.random(200), "c": rng.random(200), "d": x}))
    assert table.loc[("a", "b"), "hi"] < 0  # a trade-off
    assert table.loc[("a", "c"), "lo"] < 0 < table.loc[("a", "c"), "hi"]  # nothing told apart from zero
    assert table.loc[("a", "d")].tolist() == [1.0, 1.0, 1.0]  # the same ranks
    assert tradeoffs(pd.DataFrame({"a": [1, 2, 3], "b": [3, 2, 1]}))["rho"].isna().all()  # too few to say
    lo, hi = table.loc[("a", "c"), ["lo", "hi"]]
    assert hi - lo == pytest.approx(
        np.tanh(np.arctanh(table.loc[("a", "c"), "rho"]) + 1.96 * np.sqrt(1.06 / 197))
        - np.tanh(np.arctanh(table.loc[("a", "c"), "rho"]) - 1.96 * np.sqrt(1.06 / 197)),
        rel=1e-3,
    )


def test_the_search_report_shows_convergence_the_fresh_pareto_set_and_the_placed_packages_in_chromium(searched):
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    folder, _ = searched
    chromium = Path("/usr/bin/chromium")
    assert chromium.exists(), "install Debian's chromium (apt-get install chromium); .ci/run does"
    pareto = pd.read_parquet(folder / "pareto.parquet")
    packages = yaml.safe_load(resolve_search_path("default").read_text(encoding="utf-8"))["packages"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.goto((folder / "report.html").as_uri())
        assert page.locator("section#convergence svg").count() == 1
        assert "ε-boxes opened" in page.locator("section#convergence").inner_html()  # the built-in spec has epsilons
        assert page.locator("section#found tbody tr").count() == len(pareto)
        assert page.locator("section#parallel svg").count() == 1
        tradeoffs = page.locator("section#tradeoffs li")
        if len(pareto) >= 4:
            assert tradeoffs.count() == 6 + 4  # a line per pair of the four objectives, and one per objective's levers
        else:
            assert tradeoffs.count() == 1 and "Too few found packages" in tradeoffs.inner_text()
        assert page.locator("section#placement tbody tr").count() == len(packages)
        assert "current course" in page.locator("section#placement").inner_text()
        browser.close()
    assert not problems


def test_the_epsilon_front_keeps_one_candidate_per_nondominated_box_the_one_nearest_its_corner():
    from alliance_futures.analysis.search import front

    f = np.array([[0.0, 1.0], [0.05, 0.96], [0.5, 0.5], [0.52, 0.49], [1.0, 0.0], [0.6, 0.6], [0.01, 0.91]])
    archive = pd.DataFrame({"objective:a": f[:, 0], "objective:b": f[:, 1], "feasible": True})
    # boxes of 0.1: (0, 10), (0, 9), (5, 5), (5, 4), (10, 0), (6, 6), (0, 9): (0, 9), (5, 4) and (10, 0) stand
    assert list(front(archive, (0.1, 0.1)).index) == [3, 4, 6]  # of (0, 9)'s two, the one nearer its corner
    assert list(front(archive).index) == [0, 2, 3, 4, 6]
    archive.loc[6, "feasible"] = False  # an infeasible candidate holds no box
    assert list(front(archive, (0.1, 0.1)).index) == [1, 3, 4]


def test_runs_are_seeded_apart_and_merged_into_one_front_and_resume_like_one():
    one = run(zdt1, evaluations=200)
    two = optimise(zdt1, np.zeros(5), np.ones(5), ["f1", "f2"], [], 200, 40, 1, [f"x{i}" for i in range(5)], runs=2)
    archive = two.archive
    assert list(archive.index) == list(range(400)) and archive["run"].tolist() == [0] * 200 + [1] * 200
    first = archive[archive["run"] == 0].drop(columns="run")
    pd.testing.assert_frame_equal(first, one.archive.drop(columns="run"))  # run 0 is the search seeded alike
    assert not np.allclose(archive.loc[:39, "x0"].to_numpy(), archive.loc[200:239, "x0"].to_numpy())
    f = archive[["objective:f1", "objective:f2"]].to_numpy()
    for i in two.pareto.index:  # the front of both runs together
        assert not ((f <= f[i]).all(axis=1) & (f < f[i]).any(axis=1)).any()
    done = archive[(archive["run"] == 0) | (archive["generation"] < 2)]  # as if killed in run 1's third generation
    again = optimise(
        zdt1, np.zeros(5), np.ones(5), ["f1", "f2"], [], 200, 40, 1, [f"x{i}" for i in range(5)], done=done, runs=2
    )
    pd.testing.assert_frame_equal(again.archive, archive)


def test_epsilon_progress_counts_the_boxes_each_generation_opens_in_the_front():
    from alliance_futures.analysis.search import convergence, front, hypervolume

    result = optimise(
        zdt1, np.zeros(5), np.ones(5), ["f1", "f2"], [], 800, 40, 1, [f"x{i}" for i in range(5)], epsilons=(0.1, 0.1)
    )
    steps = result.convergence
    assert list(steps.columns) == ["evaluations", "hypervolume", "epsilon_progress"]
    first = result.archive[result.archive["generation"] == 0]
    assert steps["epsilon_progress"].iloc[0] == len(front(first, (0.1, 0.1)))  # every box of the first front is new
    assert (steps["epsilon_progress"] >= 0).all() and steps["epsilon_progress"].sum() >= len(result.pareto)
    assert len(result.pareto) <= len(front(result.archive))  # coarser than the plain front
    assert "epsilon_progress" not in convergence(result.archive).columns
    assert hypervolume(result.archive) == pytest.approx(steps["hypervolume"].iloc[-1])


def test_a_spec_gives_every_objective_an_epsilon_or_none(tmp_path):
    def some(d):
        del d["objectives"][1]["epsilon"]

    result = cli("validate", spec_with(tmp_path, some))
    assert result.returncode == 2 and "at 'objectives.1': give every objective an epsilon, or none" in result.stderr

    def none(d):
        for objective in d["objectives"]:
            del objective["epsilon"]

    assert cli("validate", spec_with(tmp_path, none)).returncode == 0


def test_the_parallel_coordinates_draw_a_pareto_set_of_hundreds():
    from alliance_futures.report.charts import parallel_coordinates

    packages, axes = 700, 14  # 9,800 points: more than Altair's default guard of 5,000 rows lets through
    lines = pd.DataFrame(
        [
            (f"p{i}", "found", f"a{j}", float(i * j), (i * j) / (packages * axes))
            for i in range(packages)
            for j in range(axes)
        ],
        columns=["package", "kind", "axis", "value", "scaled"],
    )
    placed = pd.DataFrame([("current_course", "placed", "a0", 1.0, 0.5)], columns=lines.columns)
    spec = parallel_coordinates(pd.concat([lines, placed], ignore_index=True)).to_dict()
    assert sorted(len(values) for values in spec["datasets"].values()) == [1, 9800]  # every found line, drawn


def test_ema_workbench_optimises_over_the_individual_levers_of_a_search_spec():
    from alliance_futures.analysis.interop import ema, ema_model, evaluate_levers
    from alliance_futures.engine import uncertain_parameters

    case, spec = load_case(), spec_object()
    model = ema_model(case, years=8, seed=3, levers=spec)
    workbench = ema("ema_workbench")
    assert [lever.name for lever in model.levers] == list(spec.searched)
    minimised = [o.name for o in model.outcomes if o.kind == workbench.ScalarOutcome.MINIMIZE]
    assert minimised == [o.outcome for o in spec.objectives]
    values = {name: parameter.centre for name, parameter in uncertain_parameters(case).items()}
    reference = workbench.Scenario("reference", stream=5, **values)
    with workbench.SequentialEvaluator(model) as evaluator:
        found = evaluator.optimize(nfe=120, searchover="levers", epsilons=[0.5] * 4, reference=reference)
    assert len(found) >= 1
    for lever, (low, high) in spec.searched.items():
        assert found[lever].between(low, high).all(), lever
    row = found.iloc[0]  # the archive's outcomes are our engine's for those levers in the reference future
    ours = evaluate_levers(case, spec, 8, 3, 5, **values, **{lever: float(row[lever]) for lever in spec.searched})
    for outcome in minimised:
        assert row[outcome] == pytest.approx(ours[outcome])
    with pytest.raises(ValueError, match="not both"):
        ema_model(case, [load_policy("current_course", case)], levers=spec)


def test_the_variables_are_the_searched_levers_whole_where_the_case_says_then_the_searched_terms():
    from alliance_futures.analysis.search import candidate, on_spec_terms
    from alliance_futures.case.schema import Conditions

    case = load_case()
    terms = {
        "start_year": (2027, 2030),
        "institutionalisation": ["executive", "law"],
        "conditions": [Conditions(), Conditions(us="internationalist")],
    }
    spec = spec_object().model_copy(update=terms)
    variables = spec.variables(case)
    names = [v.name for v in variables]
    assert names == [*spec.searched, "start_year", "institutionalisation", "conditions"]
    kinds = {v.name: v.integer for v in variables}
    assert kinds["nuclear_integration_target"] and not kinds["exercise_tempo"]  # the case marks integration whole
    assert (variables[-3].low, variables[-3].high) == (2027, 2030) and variables[-1].choices == tuple(
        terms["conditions"]
    )
    values = [v.low for v in variables[:-3]] + [2029, 1, 1]
    package = candidate(spec, case, values, "x")
    assert (package.start_year, package.institutionalisation) == (2029, "law")
    assert package.conditions == Conditions(us="internationalist")
    placed = on_spec_terms(spec, load_policy("reciprocal_strengthening", case))
    assert placed.institutionalisation == "joint_statement" and placed.start_year == 2027  # its own, where searched
    assert placed.adoption == spec.adoption


def test_an_integer_variable_gives_each_whole_value_an_equal_share_ends_included():
    seen = []

    def record(x):
        seen.append(x.copy())
        return zdt1(np.clip(x / 3, 0, 1))

    optimise(
        record, np.zeros(2), np.array([3.0, 1.0]), ["f1", "f2"], [], 400, 400, 1, ["k", "x"], integer=[True, False]
    )
    first = seen[0]
    assert set(np.unique(first[:, 0])) == {0.0, 1.0, 2.0, 3.0}  # whole values within the bounds
    counts = np.bincount(first[:, 0].astype(int))
    assert counts.min() > 60 and counts.max() < 140  # about 100 each of 400: the ends are not halved
    assert not np.allclose(first[:, 1], np.round(first[:, 1]))  # the continuous one stays continuous


def test_a_search_over_terms_saves_whole_steps_and_the_chosen_terms(tmp_path):
    def terms(d):
        d.update(
            start_year=[2027, 2029],
            institutionalisation=["executive", "joint_statement", "law"],
            conditions=[{}, {"rok": "conservative"}],
            objectives=[{"outcome": "rupture"}, {"outcome": "us_net_cost"}],
            population=20,
        )

    folder = tmp_path / "out"
    result = cli("search", spec_with(tmp_path, terms), "--evaluations", "40", "--futures", "20", "--output", folder)
    assert result.returncode == 0, result.stderr
    archive = pd.read_parquet(folder / "archive.parquet")
    for column, values in (("nuclear_integration_target", range(4)), ("start_year", range(2027, 2030))):
        assert set(archive[column]) <= set(map(float, values))
    assert set(archive["institutionalisation"]) <= {0.0, 1.0, 2.0}
    case = load_case()
    for evaluation, row in pd.read_parquet(folder / "pareto.parquet").iterrows():
        package = load_policy(folder / "policies" / f"default_{evaluation}.yaml", case)
        assert package.start_year == row["start_year"]
        assert package.institutionalisation == ["executive", "joint_statement", "law"][int(row["institutionalisation"])]
    assert "institutionalisation: 0 executive, 1 joint statement, 2 law" in (folder / "report.html").read_text()
