"""Nowcasting (issue 18): observations weigh the simulated futures. The weights reproduce a posterior known in closed
form, an observation that cannot tell the futures apart changes nothing, contradictory evidence says so instead of
giving NaN, and a bad observation log is refused naming the file and entry."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import cli

import alliance_futures as af
from alliance_futures.analysis import outcome_tables, summary_json
from alliance_futures.analysis.nowcast import (
    _estimate,
    effective_sample_size,
    effective_vectors,
    log_likelihood,
    normalised,
    parameter_shifts,
    systematic_resample,
)
from alliance_futures.case.observations import Observation


def toy(theta: np.ndarray, variable: str = "public_support", years: int = 3) -> SimpleNamespace:
    """An ensemble in which the recorded `variable` equals each future's parameter θ every year."""
    case = af.load_case()
    first = case.calendar.start_year + 1
    return SimpleNamespace(
        case=case,
        futures=len(theta),
        calendar_years=np.arange(first, first + years),
        yearly={"p": {variable: np.repeat(theta[:, None], years, axis=1)}},
    )


def test_weights_reproduce_the_posterior_of_a_uniform_prior_and_a_normal_measurement():
    """θ ~ U(0, 1), y | θ ~ N(θ, σ²): the posterior is N(y, σ²) truncated to [0, 1]; its mean is known in closed
    form."""
    theta = np.random.default_rng(1).random(200_000)
    ensemble = toy(theta)
    y, sd = 0.8, 0.1
    observed = Observation(year=int(ensemble.calendar_years[1]), indicator="public_support", value=y, sd=sd, source="s")
    w = normalised(log_likelihood(ensemble, "p", [observed]))
    a, b = (0 - y) / sd, (1 - y) / sd
    phi = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    big_phi = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))  # noqa: E731
    exact = y + sd * (phi(a) - phi(b)) / (big_phi(b) - big_phi(a))
    assert float(w @ theta) == pytest.approx(exact, abs=0.002)
    assert w.sum() == pytest.approx(1) and (w >= 0).all()
    shifts = parameter_shifts(pd.DataFrame({"theta": theta}), w)
    assert shifts.loc["theta", "posterior_mean"] == pytest.approx(exact, abs=0.002)
    assert shifts.loc["theta", "p05"] < exact < shifts.loc["theta", "p95"] <= 1


def test_a_signpost_report_weighs_by_its_error_rates():
    """A report of 'seen' with miss m and false alarm f: futures that show the signpost get (1 − m), the others f."""
    case = af.load_case()
    name, signpost = next(iter(case.signposts.items()))
    threshold = signpost.above if signpost.above is not None else signpost.below
    values = np.array([threshold - 1, threshold + 1] * 50, dtype=float)
    ensemble = toy(values, signpost.variable)
    report = Observation(
        year=int(ensemble.calendar_years[0]), signpost=name, seen=True, false_alarm=0.05, miss=0.2, source="s"
    )
    w = normalised(log_likelihood(ensemble, "p", [report]))
    shows = signpost.seen(values)
    assert w[shows][0] / w[~shows][0] == pytest.approx(0.8 / 0.05)
    unseen = report.model_copy(update={"seen": False})
    w = normalised(log_likelihood(ensemble, "p", [unseen]))
    assert w[shows][0] / w[~shows][0] == pytest.approx(0.2 / 0.95)


def test_the_effective_sample_size_runs_from_all_futures_to_one():
    assert effective_sample_size(np.full(100, 0.01)) == pytest.approx(100)
    assert effective_sample_size(np.eye(1, 100)[0]) == pytest.approx(1)
    assert effective_sample_size(np.zeros(100)) == 0


def test_the_effective_number_of_vectors_counts_a_vectors_replications_once():
    ids = np.repeat(np.arange(40), 10)  # 40 vectors × 10 replications
    assert effective_vectors(np.full(400, 1 / 400), ids) == pytest.approx(40)  # 400 effective futures
    one_each = np.where(np.arange(400) % 10 == 0, 1 / 40, 0.0)  # one replication of each vector
    assert effective_sample_size(one_each) == pytest.approx(40) and effective_vectors(one_each, ids) == pytest.approx(
        40
    )
    one_vector = np.where(ids == 7, 0.1, 0.0)  # all ten replications of one vector: ten futures, one vector
    assert effective_sample_size(one_vector) == pytest.approx(10) and effective_vectors(
        one_vector, ids
    ) == pytest.approx(1)
    assert (normalised(np.full(5, -np.inf)) == 0).all()  # every future impossible: no weight, never NaN
    assert normalised(np.array([-1e6, -1e6 - math.log(3)])) == pytest.approx([0.75, 0.25])  # no underflow


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run") / "run"
    result = cli(
        "run",
        "--futures",
        "500",
        "--years",
        "5",
        "-p",
        "current_course",
        "-p",
        "transactional_pressure",
        "--output",
        folder,
    )
    assert result.returncode == 0, result.stderr
    return folder


def write_log(tmp_path, entries):
    path = tmp_path / "observations.yaml"
    path.write_text(yaml.safe_dump(entries), encoding="utf-8")
    return path


def test_update_prints_before_and_after_with_intervals_and_the_moved_parameters(saved, tmp_path):
    ensemble = af.load_run(saved).ensemble()
    year = int(ensemble.calendar_years[1])
    log = write_log(tmp_path, [{"year": year, "indicator": "public_support", "value": 0.7, "sd": 0.05, "source": "s"}])
    result = cli("update", saved, log, "--format", "json")
    assert result.returncode == 0, result.stderr
    said = json.loads(result.stdout)
    assert set(said["packages"]) == {"current_course", "transactional_pressure"}
    tables = af.outcome_tables(ensemble)
    for package, rows in said["packages"].items():
        assert rows["rupture"]["prior"] == pytest.approx(tables[package]["rupture"].mean())
        assert rows["rupture"]["lo"] <= rows["rupture"]["posterior"] <= rows["rupture"]["hi"]
    assert 1 <= said["ess"] <= 500 and said["parameters"][0].keys() >= {"name", "prior_mean", "posterior_mean", "shift"}
    shifts = [abs(p["shift"]) for p in said["parameters"]]
    assert shifts == sorted(shifts, reverse=True)
    table = cli("update", saved, log, env={"COLUMNS": "200"})
    assert table.returncode == 0 and "→" in table.stdout and "effective futures after" in table.stdout


def test_an_observation_that_tells_no_future_apart_changes_nothing(saved, tmp_path):
    ensemble = af.load_run(saved).ensemble()
    year = int(ensemble.calendar_years[0])
    level = float(ensemble.yearly["current_course"]["opcon"][0, 0])
    for paths in ensemble.yearly.values():  # the first year's command arrangement is the same in every future
        assert (paths["opcon"][:, 0] == level).all()
    log = write_log(tmp_path, [{"year": year, "indicator": "opcon", "value": 0.5, "sd": 0.1, "source": "s"}])
    said = json.loads(cli("update", saved, log, "--format", "json").stdout)
    assert said["ess"] == pytest.approx(500) and said["shared_weights"]
    for rows in said["packages"].values():
        for r in rows.values():
            assert r["posterior"] == pytest.approx(r["prior"], abs=1e-12)
    assert all(abs(p["shift"]) < 1e-9 for p in said["parameters"])


def test_contradictory_evidence_says_so_and_never_gives_nan(saved, tmp_path):
    ensemble = af.load_run(saved).ensemble()
    year = int(ensemble.calendar_years[1])
    impossible = {"year": year, "signpost": "demand_above_5t", "false_alarm": 0.0, "miss": 0.0, "source": "s"}
    entries = [impossible | {"seen": True}, impossible | {"seen": False}]  # seen and not seen, both without error
    result = cli("update", saved, write_log(tmp_path, entries), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "NaN" not in result.stdout
    said = json.loads(result.stdout)
    assert said["ess"] == 0 and any("no simulated future is consistent" in w for w in said["warnings"])
    table = cli("update", saved, write_log(tmp_path, entries))
    assert "no simulated future is consistent" in table.stderr and "nan" not in table.stdout.lower()
    kept = cli("update", saved, write_log(tmp_path, entries), "--output", tmp_path / "posterior")
    assert kept.returncode == 2 and "there is no posterior" in kept.stderr and not (tmp_path / "posterior").exists()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"indicator": "mood", "value": 1, "sd": 1}, "'mood' is not a recorded variable"),
        ({"indicator": "public_support", "value": 1.5, "sd": 0.1}, "public_support runs from 0 to 1, got 1.5"),
        (
            {"indicator": "public_support", "value": 0.5, "sd": 0.1, "year": 1990},
            "year 1990 is outside the run's years",
        ),
        ({"signpost": "nope", "seen": True, "false_alarm": 0.1, "miss": 0.1}, "'nope' is not a signpost of the case"),
        ({"signpost": "demand_above_5t", "seen": True, "false_alarm": 0.6, "miss": 0.5}, "a report would say nothing"),
        ({"indicator": "public_support", "value": 0.5}, "needs 'value' and 'sd'"),
        ({"indicator": "public_support", "value": 0.5, "sd": 0.1, "source": ""}, "entry 1, 'source'"),
        ({"indicator": "public_support", "value": 0.5, "sd": -1}, "entry 1, 'sd'"),
    ],
)
def test_a_bad_observation_log_is_refused_naming_the_file_and_entry(saved, tmp_path, entry, message):
    year = int(af.load_run(saved).ensemble().calendar_years[0])
    log = write_log(tmp_path, [{"year": year, "source": "s"} | entry])
    result = cli("update", saved, log)
    assert result.returncode == 2 and message in result.stderr and "observations.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_simulation_based_calibration_on_the_real_model():
    """Take simulated futures as the truth, observe their public support and a signpost with noise, and weigh the
    other futures: over many truths, each parameter's posterior 5–95% interval holds the truth's value, and the
    smallest set of named futures with 90% of the posterior holds the truth's named future, about 90% of the time
    (Talts et al. 2018, arXiv:1804.06788: a correct posterior is calibrated over draws from the prior). So is the
    posterior run made from those weights (resampled, simulated afresh after the last observed year): its futures'
    parameters and named futures at the horizon hold the truth's at about the same rate."""
    from alliance_futures.analysis.outcomes import outcome_tables
    from alliance_futures.engine import branch

    ensemble = af.run(policies=["current_course"], futures=3000, years=6, replications=1, seed=11)
    named = outcome_tables(ensemble)["current_course"]["named_future"].to_numpy()
    signpost = next(iter(ensemble.case.signposts))
    rng = np.random.default_rng(5)
    years = ensemble.calendar_years
    inside, covered, inside_run, covered_run = [], [], [], []
    for truth in rng.choice(ensemble.futures, size=150, replace=False):
        support = ensemble.yearly["current_course"]["public_support"][truth]
        shows = ensemble.case.signposts[signpost].seen(
            ensemble.yearly["current_course"][ensemble.case.signposts[signpost].variable][truth]
        )
        observed = [
            Observation(
                year=int(years[t]),
                indicator="public_support",
                value=float(support[t] + rng.normal(0, 0.05)),
                sd=0.05,
                source="simulated",
            )
            for t in (1, 3)
        ]
        seen = bool(shows[2]) != (rng.random() < (0.1 if shows[2] else 0.05))  # misses 10%, false alarms 5%
        observed.append(
            Observation(year=int(years[2]), signpost=signpost, seen=seen, false_alarm=0.05, miss=0.1, source="s")
        )
        log_w = log_likelihood(ensemble, "current_course", observed)
        log_w[truth] = -np.inf  # the truth is not among the futures weighed
        w = normalised(log_w)
        table = parameter_shifts(ensemble.experiments, w)
        truth_values = ensemble.experiments.iloc[truth]
        inside.append(
            ((table["p05"] <= truth_values[table.index]) & (truth_values[table.index] <= table["p95"])).mean()
        )
        covered.append(named[truth] in likeliest(named, w))
        source = systematic_resample(w, ensemble.futures, rng)
        after = branch(ensemble, source, int(years[3]), "current_course", seed=int(rng.integers(2**31)))
        low, high = after.experiments.quantile(0.05), after.experiments.quantile(0.95)
        inside_run.append(((low <= truth_values) & (truth_values <= high)).mean())
        resimulated = outcome_tables(after)["current_course"]["named_future"].to_numpy()
        covered_run.append(named[truth] in likeliest(resimulated, np.full(after.futures, 1 / after.futures)))
    assert 0.85 <= np.mean(inside) <= 0.95, np.mean(inside)
    assert 0.85 <= np.mean(covered) <= 1.0, np.mean(covered)
    assert 0.85 <= np.mean(inside_run) <= 0.95, np.mean(inside_run)
    assert 0.85 <= np.mean(covered_run) <= 1.0, np.mean(covered_run)


def likeliest(named: np.ndarray, weights: np.ndarray, share: float = 0.9) -> set[str]:
    """The smallest set of named futures holding `share` of the weight."""
    mass = {k: weights[named == k].sum() for k in np.unique(named)}
    kept, total = set(), 0.0
    for k, m in sorted(mass.items(), key=lambda kv: -kv[1]):
        if total >= share:
            break
        kept.add(k)
        total += m
    return kept


def test_replications_of_one_parameter_vector_are_not_counted_as_independent_evidence():
    """Ten copies of every future (one vector, ten replications that happen to agree) tell no more than one: the
    intervals match those of the single copies, where counting the copies as independent would shrink them √10
    times."""
    rng = np.random.default_rng(4)
    once = (rng.random((400, 2)) < [0.3, 0.6]).astype(float)
    weights = normalised(-((rng.random(400) - 0.5) ** 2) / 0.02)
    single = _estimate(once, weights, np.arange(400))
    tenfold = _estimate(np.repeat(once, 10, axis=0), np.repeat(weights, 10) / 10, np.repeat(np.arange(400), 10))
    for a, b in zip(single, tenfold, strict=True):
        assert a == pytest.approx(b)
    independent = _estimate(np.repeat(once, 10, axis=0), np.repeat(weights, 10) / 10, np.arange(4000))
    assert (independent[2] - independent[1] < 0.5 * (single[2] - single[1])).all()


def test_systematic_resampling_draws_each_future_floor_or_ceil_of_n_times_its_weight():
    rng = np.random.default_rng(3)
    weights = rng.random(1000) ** 4
    weights[::7] = 0
    weights /= weights.sum()
    for seed in range(5):
        drawn = np.bincount(systematic_resample(weights, 1000, np.random.default_rng(seed)), minlength=1000)
        assert drawn.sum() == 1000 and (drawn[::7] == 0).all()
        assert ((drawn >= np.floor(1000 * weights)) & (drawn <= np.ceil(1000 * weights))).all()


@pytest.fixture(scope="module")
def posterior(saved, tmp_path_factory):
    """The posterior of `saved` after a public-support poll in its second year, saved as a run."""
    ensemble = af.load_run(saved).ensemble()
    year = int(ensemble.calendar_years[1])
    log = write_log(
        tmp_path_factory.mktemp("log"),
        [{"year": year, "indicator": "public_support", "value": 0.75, "sd": 0.02, "source": "a poll [@schelling1966]"}],
    )
    folder = tmp_path_factory.mktemp("posterior") / "posterior"
    result = cli("update", saved, log, "--output", folder, "--seed", "11", "--format", "json")
    assert result.returncode == 0, result.stderr
    return folder, json.loads(result.stdout), year


def test_the_posterior_run_resamples_by_the_weights_and_keeps_the_observed_years(saved, posterior):
    folder, said, year = posterior
    prior, after = af.load_run(saved).ensemble(), af.load_run(folder).ensemble()
    assert after.futures == prior.futures and after.seed == 11 and after.branches[-1].through == year
    assert (folder / "observations.yaml").is_file() and json.loads((folder / "run.json").read_text())["evidence"]
    source = after.branches[-1].source
    weights = pd.read_parquet(folder / "weights.parquet")
    assert set(weights["package"]) == set(prior.policies) and len(weights) == prior.futures * len(prior.policies)
    assert weights.groupby("package")["weight"].sum().to_numpy() == pytest.approx(1)
    assert set(source) <= set(weights.query("package == @said['followed'] and weight > 0")["future"])
    k = year - int(prior.calendar_years[0]) + 1
    for package in after.policies:  # through the observed year, every package follows the observed one
        assert np.array_equal(
            after.yearly[package]["public_support"][:, :k], prior.yearly[said["followed"]]["public_support"][source, :k]
        )
    # the resampled futures estimate what the weights do: the posterior mean of the observed variable, and of the
    # parameter the evidence moved most, within Monte Carlo error of the weighted means
    top = said["parameters"][0]
    drawn = after.experiments[top["name"]]
    assert abs(drawn.mean() - top["posterior_mean"]) < 4 * drawn.std() / math.sqrt(after.futures)
    assert abs(drawn.mean() - top["prior_mean"]) > abs(drawn.mean() - top["posterior_mean"])
    observed = after.yearly[said["followed"]]["public_support"][:, k - 1]
    ess = said["ess_by_package"][said["followed"]]
    prior_values = prior.yearly[said["followed"]]["public_support"][:, k - 1]
    assert abs(observed.mean() - 0.75) < abs(prior_values.mean() - 0.75)
    assert abs(observed.mean() - 0.75) < 4 * observed.std() / math.sqrt(ess) + 0.02


def test_a_posterior_runs_intervals_count_the_futures_resampled_from_one_vector_as_one(saved, posterior):
    folder, _said, _year = posterior
    prior, after = af.load_run(saved).ensemble(), af.load_run(folder).ensemble()
    vectors = after.branches[-1].source // prior.replications  # whose parameter vector each future has
    assert np.array_equal(pd.factorize(after.clusters)[0], pd.factorize(vectors)[0])
    ((_final, ids),) = af.api.final_chunks(af.load_run(folder))  # one chunk, read back for a report's comparison
    assert np.array_equal(pd.factorize(ids)[0], pd.factorize(vectors)[0])
    tables = outcome_tables(after)
    summary = json.loads((folder / "run.json").read_text())["summary"]
    assert summary == summary_json(tables, after.clusters)
    as_if_independent = summary_json(tables, 1)
    for package, cells in summary["packages"].items():
        for key, cell in cells.items():
            alone = as_if_independent["packages"][package][key]
            assert cell["p"] == alone["p"] and cell["hi"] - cell["lo"] >= alone["hi"] - alone["lo"] - 1e-12, key


def test_a_posterior_run_is_reported_explained_and_made_again_by_its_repeat_command(posterior, tmp_path):
    folder, _said, _year = posterior
    report = cli("report", folder, "--sobol-base", "16")
    assert report.returncode == 0, report.stderr
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "What the evidence says" in html and "public support measured at 0.75" in html
    assert 'href="#ref-schelling1966"' in html  # the observation's source cites the bibliography
    story = cli("explain", folder, "3", "--package", "transactional_pressure")
    assert story.returncode == 0 and "Future 3" in story.stdout
    command = af.api.repeat_command(af.load_run(folder).ensemble(), folder)
    steps = [s.split() for s in command.split(" && ")]
    assert [s[1] for s in steps] == ["run", "update", "report"]
    for step in steps[:-1]:
        result = cli(*step[1:], cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    again = af.load_run(tmp_path / "run-1").ensemble()
    original = af.load_run(folder).ensemble()
    for package in original.policies:
        assert np.array_equal(again.yearly[package]["credibility"], original.yearly[package]["credibility"])


def test_a_failed_update_leaves_no_posterior_and_an_existing_folder_is_never_written_over(saved, posterior, tmp_path):
    folder, _said, year = posterior
    log = write_log(tmp_path, [{"year": year, "indicator": "mood", "value": 1, "sd": 1, "source": "s"}])
    result = cli("update", saved, log, "--output", tmp_path / "new")
    assert result.returncode == 2 and not (tmp_path / "new").exists()
    before = (folder / "run.json").read_bytes()
    good = write_log(tmp_path, [{"year": year, "indicator": "public_support", "value": 0.7, "sd": 0.1, "source": "s"}])
    result = cli("update", saved, good, "--output", folder)
    assert result.returncode == 2 and "not empty" in result.stderr and (folder / "run.json").read_bytes() == before
