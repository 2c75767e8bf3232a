"""A decision maker's distributions as case parameters (issue 21): the piecewise distributions the sampler draws,
`elicit apply` writing them into a copy of the case, and the errors it gives."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import cli

import alliance_futures as af
from alliance_futures.api import elicit_apply, load_case
from alliance_futures.case import Parameter
from alliance_futures.case.loader import BUILTIN_CASE, override_parameters, resolve_case_path, with_parameters
from alliance_futures.elicitation import optimal_decision_maker, read_study
from alliance_futures.elicitation.classical import intrinsic_range
from alliance_futures.engine import sample

DOC = {"unit": "probability per year", "meaning": "m", "source": "s", "allowed": (0.0, 1.0)}


def piecewise(log: bool = False) -> Parameter:
    return Parameter(
        range=(0.001, 0.5),
        distribution="piecewise_loguniform" if log else "piecewise_uniform",
        quantiles={5: 0.01, 50: 0.05, 95: 0.2},
        **DOC,
    )


@pytest.mark.parametrize("log", [False, True])
def test_a_piecewise_range_puts_each_quantile_at_its_level_and_spreads_evenly_between(log):
    p = piecewise(log)
    at = p.inverse_cdf(np.array([0.0, 0.05, 0.5, 0.95, 1.0]))
    assert at == pytest.approx([0.001, 0.01, 0.05, 0.2, 0.5])
    middle = p.inverse_cdf(np.array([0.275]))[0]  # halfway between the 5% and 50% levels
    assert middle == pytest.approx(np.sqrt(0.01 * 0.05) if log else (0.01 + 0.05) / 2)
    assert np.all(np.diff(p.inverse_cdf(np.linspace(0, 1, 101))) > 0)
    assert p.centre == pytest.approx(0.05)  # the median, not the middle of the range


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"quantiles": {5: 0.05, 50: 0.01}}, "'quantiles' must increase"),
        ({"quantiles": {5: 0.0001}}, "must lie inside 'range'"),
        ({"quantiles": {0: 0.01}}, "keyed by percentages that increase from 0 to 100"),
        ({"quantiles": None}, "needs its 'quantiles'"),
        ({"distribution": "uniform"}, "needs its 'quantiles' (and only it)"),
        ({"range": (0.0, 0.5), "distribution": "piecewise_loguniform"}, "range must be positive"),
    ],
)
def test_a_bad_piecewise_range_is_refused(change, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Parameter.model_validate({**piecewise().model_dump(), **change})


def test_the_design_draws_a_piecewise_parameter_at_its_quantiles():
    case = load_case()
    name = "politics.rok_early_election_hazard"
    group, member = name.split(".")
    params = {g: dict(ps) for g, ps in case.parameters.items()}
    params[group][member] = piecewise(log=True)
    design = sample(case.model_copy(update={"parameters": params}), 4000, seed=1)[name]
    assert design.between(0.001, 0.5).all()
    # a Latin hypercube puts exactly 5%, 50% and 95% of the draws below the quantiles, up to one stratum
    for level, value in ((0.05, 0.01), (0.5, 0.05), (0.95, 0.2)):
        assert abs((design < value).mean() - level) <= 1 / 4000


def test_overriding_a_piecewise_parameter_gives_a_plain_range_or_value():
    case = load_case()
    group, member = "politics", "rok_early_election_hazard"
    params = {g: dict(ps) for g, ps in case.parameters.items()}
    params[group][member] = piecewise(log=True)
    elicited = case.model_copy(update={"parameters": params})
    narrowed = override_parameters(elicited, {f"{group}.{member}": [0.01, 0.1]}).parameters[group][member]
    assert narrowed.distribution == "loguniform" and narrowed.quantiles is None and narrowed.range == (0.01, 0.1)
    fixed = override_parameters(elicited, {f"{group}.{member}": 0.03}).parameters[group][member]
    assert fixed.value == 0.03 and fixed.quantiles is None


def test_rewriting_parameters_keeps_every_other_line_of_the_case_file(tmp_path):
    source = resolve_case_path(BUILTIN_CASE)
    lines = source.read_text(encoding="utf-8").splitlines()
    new = {"dprk.warhead_production": piecewise().model_dump(exclude_none=True) | {"allowed": [0, 1]}}
    text = with_parameters(source, new)
    changed = [line for line in text.splitlines() if line not in lines]
    removed = [line for line in lines if line not in text.splitlines()]
    start = lines.index("    warhead_production:")
    end = next(i for i in range(start + 1, len(lines)) if re.match(r"^    \S", lines[i]))  # the next parameter
    assert set(removed) <= set(lines[start + 1 : end])  # only lines of that parameter went
    assert all(line.startswith("      ") for line in changed)  # and what came is indented under it
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_case(path).flat_parameters()["dprk.warhead_production"] == Parameter.model_validate(
        new["dprk.warhead_production"]
    )


def test_a_flow_style_entry_and_the_comments_after_it_are_rewritten_in_place(tmp_path):
    path = tmp_path / "case.yaml"
    source = resolve_case_path(BUILTIN_CASE).read_text(encoding="utf-8")
    entry = piecewise().model_dump(exclude_none=True)
    flow = "    rok_early_election_hazard: {range: [0.02, 0.06], allowed: [0, 0.5], unit: u, meaning: m, source: s}\n"
    start = source.index("    rok_early_election_hazard:")
    end = source.index("    persistence_executive:")
    path.write_text(source[:start] + flow + "    # a comment about the next one\n" + source[end:], encoding="utf-8")
    text = with_parameters(path, {"politics.rok_early_election_hazard": entry})
    assert "    # a comment about the next one\n    persistence_executive:" in text
    path.write_text(text, encoding="utf-8")
    written = load_case(path).flat_parameters()["politics.rok_early_election_hazard"]
    assert written.quantiles == {5: 0.01, 50: 0.05, 95: 0.2}


STUDY = {
    "study": "synthetic",
    "description": "three experts on two seed items and two case parameters",
    "experts": ["a", "b", "c"],
    "items": [
        {"id": "s1", "question": "q", "unit": "count", "scale": "uniform", "realisation": 10, "source": "made up"},
        {"id": "s2", "question": "q", "unit": "count", "scale": "uniform", "realisation": 50, "source": "made up"},
        {
            "id": "switch",
            "question": "chance that a US election changes the party in power",
            "unit": "probability per election",
            "scale": "uniform",
            "parameter": "politics.us_switch_probability",
        },
        {
            "id": "early",
            "question": "yearly chance of an early ROK presidential election",
            "unit": "probability per year",
            "scale": "log-uniform",
            "parameter": "politics.rok_early_election_hazard",
        },
    ],
    "answers": {
        "a": {"s1": [8, 10, 12], "s2": [40, 52, 60], "switch": [0.3, 0.5, 0.6], "early": [0.01, 0.03, 0.1]},
        "b": {"s1": [1, 2, 3], "s2": [1, 2, 3], "switch": [0.6, 0.7, 0.8], "early": [0.001, 0.002, 0.004]},
        "c": {"s1": [5, 9, 20], "s2": [30, 45, 55], "switch": [0.4, 0.55, 0.7], "early": [0.02, 0.05, 0.2]},
    },
}


def write_study(tmp_path: Path, data: dict = STUDY) -> Path:
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_elicit_apply_writes_the_decision_makers_distribution_and_its_provenance(tmp_path):
    study_path = write_study(tmp_path)
    result = cli("elicit", "apply", study_path, "--output", tmp_path / "new.yaml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    said = json.loads(result.stdout)
    study = read_study(study_path)
    maker = optimal_decision_maker(study)
    low, high = intrinsic_range(study)
    case = load_case(tmp_path / "new.yaml").flat_parameters()
    for j, name, log in ((2, "politics.us_switch_probability", False), (3, "politics.rok_early_election_hazard", True)):
        p = case[name]
        assert p.distribution == ("piecewise_loguniform" if log else "piecewise_uniform")
        assert list(p.quantiles.values()) == pytest.approx(maker.quantiles[j], rel=1e-5)
        edges = np.exp([low[j], high[j]]) if log else [low[j], high[j]]
        assert p.range == pytest.approx((max(edges[0], 0), min(edges[1], 1)), rel=1e-5)  # clipped to 'allowed'
        assert "elicitation study 'synthetic'" in p.source and "Before: uniform on" in p.source
        assert said["parameters"][name]["after"]["quantiles"] == pytest.approx(
            {f"{k:g}": v for k, v in p.quantiles.items()}
        )
    assert said["weights"]["b"] == 0  # b's seed answers miss both realisations: calibration below the cut-off
    assert sum(said["weights"].values()) == pytest.approx(1)
    untouched = load_case().flat_parameters()
    assert all(case[n] == untouched[n] for n in untouched if n not in said["parameters"])


def test_a_run_on_the_applied_case_samples_the_elicited_distribution(tmp_path):
    study_path = write_study(tmp_path)
    elicit_apply(study_path, BUILTIN_CASE, tmp_path / "new.yaml", weighting="equal")
    result = cli("run", "--case", "new.yaml", "--futures", "400", "--years", "3", "--output", "r", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    run = af.load_run(tmp_path / "r")
    drawn = run.experiments["politics.rok_early_election_hazard"]
    p = run.case.flat_parameters()["politics.rok_early_election_hazard"]
    assert abs((drawn < p.quantiles[50]).mean() - 0.5) <= 1 / 400


def test_the_report_says_how_much_each_elicited_parameter_drives_each_outcome(tmp_path):
    from types import SimpleNamespace

    from alliance_futures.engine import uncertain_parameters
    from alliance_futures.report.html import _judgement

    elicit_apply(write_study(tmp_path), BUILTIN_CASE, tmp_path / "new.yaml", weighting="equal")
    case = load_case(tmp_path / "new.yaml")
    names = uncertain_parameters(case)
    elicited = ["politics.us_switch_probability", "politics.rok_early_election_hazard"]
    rng = np.random.default_rng(0)
    index = pd.MultiIndex.from_product([["war", "rupture"], names], names=["output", "parameter"])
    sobol = pd.DataFrame({"ST": rng.random(len(index)), "ST_conf": rng.random(len(index)) / 4}, index=index)
    rows = _judgement(SimpleNamespace(sobol=sobol), SimpleNamespace(case=case))
    assert sorted(r["name"] for r in rows) == sorted(elicited)
    for row in rows:
        for output, cell in zip(["war", "rupture"], row["cells"], strict=True):
            st, conf = sobol.loc[(output, row["name"])]
            rank = 1 + int((sobol.loc[output]["ST"] > st).sum())
            assert cell["text"] == f"{st:.2f} ± {conf:.2f}, rank {rank} of {len(names)}"
            assert cell["distinct"] == (st - conf > 0)
    # end to end: a run on the applied case gets the section; a run on the built-in case, without quantiles, not
    result = cli("run", "--case", "new.yaml", "--futures", 400, "--output", "r", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    result = cli("report", "r", "--sobol-base", 64, cwd=tmp_path)  # enough to move some indices off zero
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="judgement">') : html.index("</section>", html.index('id="judgement"'))]
    assert all(name in section for name in elicited) and 'href="#judgement"' in html
    cells = re.findall(r"<td>(\d+\.\d\d) ± (\d+\.\d\d), rank \d+ of \d+(: not told apart from zero)?</td>", section)
    assert len(cells) == 2 * 4  # each parameter, each outcome of the Sobol analysis
    for st, conf, noted in cells:  # an interval clear of zero (beyond the rounding) is not called noise, and back
        assert not (float(st) - float(conf) > 0.01 and noted) and not (float(st) - float(conf) < -0.01 and not noted)
    assert any(abs(float(st) - float(conf)) > 0.01 for st, conf, _ in cells)  # some cell the check above reads
    assert not _judgement(SimpleNamespace(sobol=sobol), SimpleNamespace(case=load_case()))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["items"][2].update(parameter="politics.nope"), "informs 'politics.nope', which the case does not"),
        (lambda d: d["items"][2].update(parameter="credibility.troop_signal"), "is a switch between forms"),
        (lambda d: d["items"][3].update(unit="percent"), "item 'early' is in 'percent', the parameter"),
        (lambda d: [d["answers"][e].update(switch=[1.5, 2, 3]) for e in "abc"], "leave the values"),
        (lambda d: [i.pop("parameter", None) for i in d["items"]], "no item names a case parameter"),
        (lambda d: d["items"][0].pop("realisation"), "a seed item (one with a source) needs its realisation"),
    ],
)
def test_elicit_apply_refuses_a_study_it_cannot_apply_naming_the_file_and_item(tmp_path, change, message):
    data = yaml.safe_load(yaml.safe_dump(STUDY))
    change(data)
    result = cli("elicit", "apply", write_study(tmp_path, data), "--output", tmp_path / "new.yaml")
    assert result.returncode == 2 and message in result.stderr and "study.yaml" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "new.yaml").exists()


def test_elicit_apply_never_writes_over_its_case_or_study(tmp_path):
    case = tmp_path / "case.yaml"
    original = resolve_case_path(BUILTIN_CASE).read_text(encoding="utf-8")
    case.write_text(original, encoding="utf-8")
    study = write_study(tmp_path)
    for output in (case, study):
        result = cli("elicit", "apply", study, "--case", case, "--output", output)
        assert result.returncode == 2 and "name a new file" in result.stderr
    assert case.read_text(encoding="utf-8") == original
    excalibur = cli("elicit", "apply", "Topaz", "--output", tmp_path / "new.yaml")
    assert excalibur.returncode == 2 and "only it names the parameter each item informs" in excalibur.stderr
    weights = cli("elicit", "apply", study, "--output", tmp_path / "new.yaml", "--weights", "best")
    assert weights.returncode == 2 and "--weights" in weights.stderr


def test_ema_samples_a_piecewise_parameter_through_its_quantiles():
    from alliance_futures.analysis.interop import _frozen

    for log in (False, True):
        assert _frozen(piecewise(log)).ppf([0.05, 0.5, 0.95]) == pytest.approx([0.01, 0.05, 0.2])
