"""Policy comparison, scenario discovery and EMA Workbench interoperability, on synthetic data with known answers
and on a small real ensemble."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import alliance_futures as af
from alliance_futures.analysis import NAMED_FUTURES, OUTCOMES, outcome_tables
from alliance_futures.analysis.compare import (
    PairedDifferences,
    Regret,
    Satisficing,
    paired_differences,
    regret,
    satisficing,
    severity,
)
from alliance_futures.analysis.discovery import drivers, heldout_lift, prim_box
from alliance_futures.analysis.interop import to_ema
from alliance_futures.analysis.outcomes import ClusterRows
from alliance_futures.analysis.sensitivity import model_sobol, sobol
from alliance_futures.store import save_ema


def table(n: int, war: np.ndarray | None = None, named: str = "managed_continuity", cost: float = 1.0) -> pd.DataFrame:
    """A synthetic outcome table: nothing happens except the given war flags."""
    t = pd.DataFrame({k: np.zeros(n, dtype=bool) for k in OUTCOMES})
    if war is not None:
        t["war"] = war
    t["us_net_cost"] = cost
    names = np.where(t["war"], "war", named)
    t["named_future"] = pd.Categorical(names, categories=list(NAMED_FUTURES))
    return t


@pytest.fixture(scope="module")
def ensemble():
    return af.run(futures=600, years=10, policies=["current_course", "transactional_pressure"], seed=7)


def test_prim_recovers_a_planted_rule():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.random((4000, 10)), columns=[f"p{i}" for i in range(10)])
    y = ((x["p2"] > 0.6) & (x["p7"] > 0.3)).to_numpy()
    box = prim_box(x, y, "rupture")
    assert set(box.limits) == {"p2", "p7"}
    assert box.limits["p2"][0] == pytest.approx(0.6, abs=0.03) and box.limits["p2"][1] is None
    assert box.limits["p7"][0] == pytest.approx(0.3, abs=0.03) and box.limits["p7"][1] is None
    assert box.density > 0.95 and box.coverage > 0.95
    assert re.match(r"Rupture occurs in (9\d|100)% of futures where p2 ≥ 0\.6\d* and p7 ≥ 0\.3", box.sentence())


def test_prim_says_so_when_nothing_happens():
    x = pd.DataFrame({"a": np.linspace(0, 1, 50)})
    box = prim_box(x, np.zeros(50, dtype=bool), "war")
    assert box.limits == {} and box.sentence().startswith("No region stands out")


def test_paired_differences_read_the_policy_not_the_sampling():
    n = 1000
    war = np.arange(n) % 10 == 0  # 10% of futures
    tables = {"current_course": table(n, war), "better": table(n, war & (np.arange(n) % 20 == 0))}
    d = paired_differences(tables, "current_course").loc["better"]
    assert d.loc["war", "difference"] == pytest.approx(-0.05)
    assert d.loc["war", "hi"] < 0 < d.loc["rupture", "hi"] + 1e-12
    assert d.loc["rupture", "difference"] == 0 and d.loc["rupture", "lo"] == d.loc["rupture", "hi"] == 0
    with pytest.raises(KeyError, match="baseline"):
        paired_differences(tables, baseline="nope")


def test_regret_and_satisficing_on_known_tables():
    n = 100
    war_a = np.arange(n) < 30
    war_b = np.arange(n) >= 80  # wars in different futures: each package is sometimes the worse
    tables = {"a": table(n, war_a), "b": table(n, war_b), "c": table(n, named="hollowed_alliance")}
    assert severity(tables["a"]).max() == 4 and severity(tables["c"]).min() == 1
    r = regret(tables)
    # in each future the best package has severity 0 (a or b without war); c always loses 1, a loses 4 in 30 futures
    assert r.loc["c", "mean_regret"] == pytest.approx(1.0)
    assert r.loc["a", "mean_regret"] == pytest.approx(0.3 * 4)
    assert r.loc["b", "share_best"] == pytest.approx(0.8)
    s = satisficing(tables, {"war": 0, "us_net_cost": 2.0})
    assert s.loc["a", "share"] == pytest.approx(0.7) and s.loc["c", "share"] == 1.0
    assert s.loc["a", "lo"] < 0.7 < s.loc["a", "hi"]
    assert satisficing(tables, {"us_net_cost": 0.5})["share"].eq(0).all()
    with pytest.raises(KeyError, match="unknown outcome"):
        satisficing(tables, {"wars": 0})


def test_the_comparison_reduced_over_chunks_is_the_comparison_of_all_futures():
    rng = np.random.default_rng(3)
    n, halves = 300, (slice(0, 120), slice(120, 300))
    tables = {p: table(n, rng.random(n) < 0.2) for p in ("a", "b", "c")}
    for t in tables.values():
        t["us_net_cost"] = rng.normal(10, 3, n).round(1)  # ties across packages: several are best in some futures
    for loss in ("severity", "us_net_cost", "war"):
        chunked = Regret(loss)
        for half in halves:
            chunked.add({p: t.iloc[half] for p, t in tables.items()})
        pd.testing.assert_frame_equal(chunked.frame(), regret(tables, loss), rtol=1e-12)
    paired, satisfied = PairedDifferences("a"), Satisficing({"war": 0, "us_net_cost": 12})
    for half in halves:
        paired.add({p: t.iloc[half] for p, t in tables.items()}, clusters=3)
        satisfied.add({p: t.iloc[half] for p, t in tables.items()}, clusters=3)
    pd.testing.assert_frame_equal(paired.frame(), paired_differences(tables, "a", clusters=3), rtol=1e-12)
    whole = satisficing(tables, {"war": 0, "us_net_cost": 12}, clusters=3)
    pd.testing.assert_frame_equal(satisfied.frame(), whole, rtol=1e-12)


def test_discovery_on_a_real_ensemble_finds_a_box_with_the_outcome_concentrated(ensemble):
    tables = outcome_tables(ensemble)
    x = drivers(ensemble, "current_course")
    assert {"years_us_transactional", "years_rok_progressive"} <= set(x.columns)
    assert x["years_us_transactional"].between(0, 1).all()
    assert len(x) == ensemble.vectors and ensemble.replications == af.api.DEFAULT_REPLICATIONS
    chance = ensemble.per_vector(tables["current_course"]["drawdown"].to_numpy())  # regression PRIM on probabilities
    box = prim_box(x, chance, "drawdown")
    assert box.limits and box.density > box.base_rate and box.coverage >= 0.5
    assert box.base_rate == pytest.approx(tables["current_course"]["drawdown"].mean())
    assert box.heldout_lift is not None and box.heldout_lift[1] <= box.heldout_lift[0] <= box.heldout_lift[2]


def test_cluster_rows_give_each_picked_cluster_whole_and_group_clusters_by_size():
    rows = ClusterRows(np.array([1, 0, 1, 2, 0]))
    assert rows.count == 3
    assert rows.rows(np.array([1, 1, 2])).tolist() == [0, 2, 0, 2, 3]  # cluster 1 (rows 0, 2) twice, then row 3
    assert [b.tolist() for b in rows.blocks()] == [[[3]], [[1, 4], [0, 2]]]  # the single, then the pairs


def test_the_held_out_check_keeps_copies_of_a_vector_out_of_the_half_that_scores_the_box():
    # 300 vectors with an outcome that no driver explains, each copied ten times (a posterior resamples its likelier
    # vectors): copies split between the halves would score a box on the rows it was found on
    rng = np.random.default_rng(3)
    vectors = pd.DataFrame(rng.random((300, 4)), columns=list("abcd"))
    outcome = (rng.random(300) < 0.3).astype(float)
    ids = np.repeat(np.arange(300), 10)
    x, y = vectors.iloc[ids].reset_index(drop=True), outcome[ids]
    counted_by_vector = [heldout_lift(x, y, 3, seed, ids) for seed in range(4)]
    counted_by_row = [heldout_lift(x, y, 3, seed) for seed in range(4)]
    assert all(check is not None and check[1] <= 1.0 <= check[2] for check in counted_by_vector)
    assert any(check is not None and check[1] > 1.0 for check in counted_by_row)  # what ignoring the copies says


def test_summarize_is_a_table_of_the_same_estimates_and_intervals_as_the_json(ensemble):
    tables = outcome_tables(ensemble)
    frame, as_json = (
        af.summarize(tables, ensemble.replications),
        af.analysis.summary_json(tables, ensemble.replications),
    )
    assert len(frame) == len(ensemble.policies) * (len(NAMED_FUTURES) + len(OUTCOMES) + 1)
    war = frame.loc[("transactional_pressure", "war")]
    assert (war["estimate"], war["low"], war["high"]) == tuple(
        as_json["packages"]["transactional_pressure"]["war"][k] for k in ("p", "lo", "hi")
    )
    cost = frame.loc[("current_course", "us_net_cost")]
    assert (
        cost["unit"] == "USD bn, mean" and cost["estimate"] == as_json["us_net_cost_usd_bn"]["current_course"]["mean"]
    )
    assert (frame["low"] <= frame["estimate"]).all() and (frame["estimate"] <= frame["high"]).all()


def test_ema_workbench_runs_its_own_prim_on_our_exported_results(ensemble, tmp_path):
    experiments, outcomes = to_ema(ensemble)
    assert len(experiments) == 2 * ensemble.futures and set(experiments["policy"]) == set(ensemble.policies)
    assert outcomes["credibility_yearly"].shape == (2 * ensemble.futures, ensemble.years)
    assert outcomes["war"].shape == (2 * ensemble.futures,)  # the scalar outcome, not the yearly path
    assert np.array_equal(outcomes["war"], outcomes["war_yearly"][:, -1])
    path = save_ema(ensemble, tmp_path / "results.tar.gz")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import load_results
        from ema_workbench.analysis import prim
    loaded_x, loaded_y = load_results(str(path))
    assert np.array_equal(loaded_y["war"], outcomes["war"])
    current = (loaded_x["policy"] == "current_course").to_numpy()
    columns = ["posture.floor_strength", "posture.drawdown_intercept"]
    finder = prim.Prim(loaded_x.loc[current, columns].reset_index(drop=True), loaded_y["drawdown"][current] > 0, 0.5)
    box = finder.find_box()
    assert 0 < box.coverage <= 1 and box.density >= loaded_y["drawdown"][current].mean()


def test_sobol_indices_match_the_ishigami_functions_analytic_values():
    # Ishigami & Homma 1990, a = 7, b = 0.1: S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437)
    def ishigami(unit):
        x = -np.pi + 2 * np.pi * unit
        return {"y": np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])}

    s = sobol(["x1", "x2", "x3"], ishigami, base=4096, seed=1).loc["y"]
    np.testing.assert_allclose(s["S1"], [0.3139, 0.4424, 0.0], atol=0.03)
    np.testing.assert_allclose(s["ST"], [0.5576, 0.4424, 0.2437], atol=0.03)


def test_model_sobol_ranks_the_proliferation_drivers_first_for_nuclear_pursuit(case):
    policy = af.api.load_policy("current_course", case)
    s = model_sobol(case, policy, outputs=("nuclear_pursuit",), years=10, base=256, seed=2).loc["nuclear_pursuit"]
    assert len(s) == len(af.api.uncertain_parameters(case))
    top = s["ST"].sort_values(ascending=False).index[:4]
    assert all(name.startswith("proliferation.") for name in top)


def test_our_model_runs_under_ema_workbenchs_own_evaluator_and_matches_our_engine(case, policies):
    from alliance_futures.analysis.interop import ema, ema_model
    from alliance_futures.engine import parameter_values, simulate, uncertain_parameters

    packages = [policies["current_course"], policies["transactional_pressure"]]
    model = ema_model(case, packages, years=8, seed=3)
    workbench = ema("ema_workbench")
    chosen = [workbench.Policy(p.name, package=p.name) for p in packages]
    with workbench.SequentialEvaluator(model) as evaluator:
        experiments, results = evaluator.perform_experiments(scenarios=12, policies=chosen)
    assert len(experiments) == 24 and set(experiments["package"]) == {p.name for p in packages}
    bounds = uncertain_parameters(case)
    for name, parameter in bounds.items():
        assert experiments[name].between(*parameter.range).all(), name
    # the same values and stream through our engine give the same outcomes, experiment by experiment
    for row in (0, 17):
        e = experiments.iloc[row]
        params = parameter_values(case, pd.DataFrame({n: [float(e[n])] for n in bounds}))
        paths = simulate(case, policies[e["package"]], params, np.array([int(e["stream"])]), 8, 3)
        ours = af.outcome_table(paths.final, case, 8)
        assert results["rupture"][row] == float(ours["rupture"].iloc[0])
        assert results["us_net_cost"][row] == pytest.approx(float(ours["us_net_cost"].iloc[0]))
    single = ema_model(case, packages[:1])  # EMA wants two categories or more: one package is a constant
    assert len(single.levers) == 0 and single.constants["package"].value == "current_course"
    # and the packages differ where they should: transactional pressure never costs Washington more on average
    net = pd.Series(results["us_net_cost"]).groupby(experiments["package"].to_numpy()).mean()
    assert net["transactional_pressure"] < net["current_course"]


def test_replications_of_one_vector_count_as_one_cluster_in_intervals():
    from alliance_futures.analysis.outcomes import Moments, mean_interval, share_interval

    def design_effect(values, replications):
        return Moments.of(values, replications).design_effect

    k, vectors = 10, 400
    rng = np.random.default_rng(1)
    clustered = np.repeat(rng.random(vectors) < 0.3, k)  # each vector's futures all alike: K copies of one draw
    independent = rng.random(vectors * k) < 0.3
    assert design_effect(clustered, 1) == 1.0
    assert design_effect(clustered, k) == pytest.approx(k, rel=0.01)  # as informative as `vectors` futures
    assert design_effect(independent, k) == pytest.approx(1.0, abs=0.3)
    wide, narrow = share_interval(clustered, k), share_interval(clustered, 1)
    assert (wide["hi"] - wide["lo"]) / (narrow["hi"] - narrow["lo"]) == pytest.approx(np.sqrt(k), rel=0.05)
    one_each = share_interval(clustered[::k])  # the vectors alone give the same interval
    assert wide["lo"] == pytest.approx(one_each["lo"], abs=1e-3) and wide["hi"] == pytest.approx(
        one_each["hi"], abs=1e-3
    )
    mean = mean_interval(clustered.astype(float), k)
    assert mean["hi"] - mean["lo"] == pytest.approx(
        2 * 1.959964 * clustered[::k].std(ddof=1) / np.sqrt(vectors), rel=1e-6
    )
    # paired differences: a difference alike in all of a vector's futures has the vectors' spread, not the futures'
    tables = {"current_course": table(vectors * k), "other": table(vectors * k, war=clustered)}
    by_vector = paired_differences(tables, "current_course", clusters=k).loc[("other", "war")]
    by_future = paired_differences(tables, "current_course").loc[("other", "war")]
    assert by_vector["difference"] == by_future["difference"]
    assert (by_vector["hi"] - by_vector["lo"]) / (by_future["hi"] - by_future["lo"]) == pytest.approx(
        np.sqrt(k), rel=0.01
    )
    by_id = paired_differences(tables, "current_course", clusters=np.arange(vectors * k) // k).loc[("other", "war")]
    assert by_id.to_numpy() == pytest.approx(by_vector.to_numpy(), rel=1e-12)  # the same clusters, given by id


def test_an_ensemble_and_its_findings_show_a_summary_in_a_notebook(ensemble):
    """repr and _repr_html_ say what was simulated and what was found, not the whole case."""
    assert repr(ensemble) == "Ensemble(us_rok: 2 package(s) × 600 futures, 2027–2036, seed 7)"
    shown = ensemble._repr_html_()
    assert "600 per package: 60 parameter vectors × 10 replications" in shown and "2027–2036" in shown
    found = af.findings(ensemble, sobol_base=8)
    page = found._repr_html_()
    war = found.summary["packages"]["transactional_pressure"]["future:war"]
    assert f"{100 * war['p']:.1f} ({100 * war['lo']:.1f}–{100 * war['hi']:.1f})" in page
    assert page.index("future: War") < page.index("future: Managed continuity")  # in order of gravity
    for claim in found.claims:
        assert claim.name in page
    assert "current_course" in page and len(page) < 20_000
