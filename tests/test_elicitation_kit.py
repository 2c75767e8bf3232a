"""The elicitation kit and report (issue 21): `elicit template` writes a questionnaire on the case's most influential
parameters with seed questions from its history, filled questionnaires read back as a study, and `elicit report`
shows a study's scores in Headless Chromium."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml
from helpers import cli
from playwright.sync_api import sync_playwright

from alliance_futures.api import elicitation_scores, load_case
from alliance_futures.case import load_history
from alliance_futures.elicitation import read_study
from alliance_futures.elicitation.template import LEVEL_COLUMNS, MIN_SERIES_POINTS, seed_questions, target_questions
from alliance_futures.model import STATE_VARIABLES

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kit") / "kit"
    result = cli("elicit", "template", "--output", folder, "--parameters", "3", "--seeds", "4", "--sobol-base", "16")
    assert result.returncode == 0, result.stderr
    return folder


def test_the_questionnaire_asks_the_seed_and_target_questions_without_the_answers(kit):
    study = yaml.safe_load((kit / "study.yaml").read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO((kit / "questionnaire.csv").read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == [i["id"] for i in study["items"]]
    assert all(r[c] == "" for r in rows for c in LEVEL_COLUMNS)  # left for the expert
    seeds = [i for i in study["items"] if "realisation" in i]
    targets = [i for i in study["items"] if "parameter" in i]
    assert len(seeds) == 4 and len(targets) == 3
    history = load_history(None, load_case(), STATE_VARIABLES)
    page = (kit / "questionnaire.html").read_text(encoding="utf-8")
    for item in seeds:  # each realisation is the value the history records, and neither form shows it
        name, year = item["id"].rsplit("_", 1)
        recorded = {p.year: p.value for p in history.series[name].points}
        assert item["realisation"] == recorded[int(year)] and item["source"]
        row = next(r for r in rows if r["id"] == item["id"])
        assert row["current range"] == "" and f"{item['realisation']:g}" not in row.values()
        assert list(row) == ["id", "question", "unit", "scale", "current range", *LEVEL_COLUMNS]
        assert item["id"] in page
    parameters = load_case().flat_parameters()
    for item in targets:
        p = parameters[item["parameter"]]
        row = next(r for r in rows if r["id"] == item["id"])
        assert p.choices is None and row["current range"] == f"{p.range[0]:g} to {p.range[1]:g}"
        assert item["unit"] == p.unit and item["question"] == p.meaning


def test_seed_questions_come_from_measured_series_one_series_at_a_time():
    history = load_history(None, load_case(), STATE_VARIABLES)
    questions = seed_questions(history, 30)
    series = [q.id.rsplit("_", 1)[0] for q in questions]
    measured = [
        n
        for n, s in history.series.items()
        if s.rule is None and sum(1 for p in s.points if p.value) >= MIN_SERIES_POINTS
    ]
    assert series[: len(measured)] == measured  # the newest value of each series before a second of any
    assert set(series) == set(measured)
    assert all(q.realisation for q in questions)  # no zero 'before any record' points


def test_targets_skip_switches_and_keep_the_ranking_order():
    case = load_case()
    switch = next(n for n, p in case.flat_parameters().items() if p.choices is not None and p.range is not None)
    ranking = [switch, "politics.us_switch_probability", "burden.sma_escalation", "dprk.warhead_production"]
    assert [q.parameter for q in target_questions(case, ranking, 2)] == ranking[1:3]


def test_filled_questionnaires_make_a_study_that_scores_and_applies(kit, tmp_path):
    folder = tmp_path / "kit"
    folder.mkdir()
    study = yaml.safe_load((kit / "study.yaml").read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO((kit / "questionnaire.csv").read_text(encoding="utf-8"))))
    truths = {i["id"]: i.get("realisation") for i in study["items"]}
    ranges = {i["id"]: load_case().flat_parameters()[i["parameter"]].range for i in study["items"] if "parameter" in i}
    for expert, spread in (("ann", 0.2), ("bo", 0.01)):
        filled = []
        for row in rows:
            centre = truths[row["id"]] or sum(ranges[row["id"]]) / 2
            width = abs(centre) * spread or spread
            filled.append(
                row | dict(zip(LEVEL_COLUMNS, map(str, (centre - width, centre, centre + width)), strict=True))
            )
        if expert == "ann":
            filled[-1] |= dict.fromkeys(LEVEL_COLUMNS, "")  # ann leaves the last question out
        with (folder / f"{expert}.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(filled)
    study |= {"experts": ["ann", "bo"], "answers": {"ann": "ann.csv", "bo": "bo.csv"}}
    path = folder / "study.yaml"
    path.write_text(yaml.safe_dump(study, sort_keys=False), encoding="utf-8")
    loaded = read_study(path)
    assert loaded.quantiles[0, 0, 1] == pytest.approx(truths[study["items"][0]["id"]])
    assert (loaded.quantiles[0, -1] != loaded.quantiles[0, -1]).all()  # left out: NaN
    scored = cli("elicit", "score", path, "--format", "json")
    assert scored.returncode == 0, scored.stderr
    applied = cli("elicit", "apply", path, "--output", folder / "case.yaml", "--weights", "equal")
    assert applied.returncode == 0, applied.stderr
    written = load_case(folder / "case.yaml").flat_parameters()
    assert all(written[n].quantiles for i in study["items"] if (n := i.get("parameter")))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,question,5%,50%,95%\nx,q,1,two,3\n", "expected a number in each of 5%, 50%, 95%"),
        ("id,question,low,high\nx,q,1,3\n", "expected the columns id, 5%, 50%, 95%"),
        (b"id,5%,50%,95%\nx,1,2,\xff\n", "not UTF-8 text"),
    ],
)
def test_a_bad_questionnaire_is_refused_naming_the_file_and_line(tmp_path, content, message):
    questionnaire = tmp_path / "ann.csv"
    questionnaire.write_bytes(content if isinstance(content, bytes) else content.encode())
    study = {
        "study": "s",
        "description": "d",
        "experts": ["ann"],
        "items": [{"id": "x", "question": "q", "unit": "u", "scale": "uniform", "realisation": 2, "source": "s"}],
        "answers": {"ann": "ann.csv"},
    }
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(study), encoding="utf-8")
    result = cli("elicit", "score", tmp_path / "study.yaml")
    assert result.returncode == 2 and message in result.stderr and "ann.csv" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_kit_is_never_written_over(kit):
    before = {f.name: f.read_bytes() for f in kit.iterdir()}
    result = cli("elicit", "template", "--output", kit, "--sobol-base", "16")
    assert result.returncode == 2 and "already exists and may hold answers" in result.stderr
    assert {f.name: f.read_bytes() for f in kit.iterdir()} == before
    for args, option in ((["--parameters", "0"], "--parameters"), (["--sobol-base", "100"], "--sobol-base")):
        refused = cli("elicit", "template", "--output", kit.parent / "other", *args)
        assert refused.returncode == 2 and option in refused.stderr


def test_the_study_report_shows_scores_robustness_and_quantiles_in_chromium(tmp_path):
    output = tmp_path / "topaz.html"
    result = cli("elicit", "report", "Topaz", "--output", output)
    assert result.returncode == 0, result.stderr
    scores = elicitation_scores("Topaz", robustness=True, quantiles=True)
    assert CHROMIUM.exists(), "install Debian's chromium (apt-get install chromium); .ci/run does"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.goto(output.as_uri())
        experts = page.locator("section#experts tbody tr")
        assert experts.count() == len(scores["experts"])
        best = max(scores["experts"], key=lambda e: scores["experts"][e]["weight"])
        assert experts.first.locator("td").first.inner_text() == best  # ranked by weight
        robustness = page.locator("section#robustness table")
        assert robustness.count() == 2
        assert robustness.nth(0).locator("tbody tr").count() == scores["seed_items"]
        assert page.locator("section#items details").count() == scores["items"]
        first = next(iter(scores["quantiles"].values()))
        row = page.locator("section#items details").first.locator("tr.dm td")
        assert [row.nth(k).inner_text() for k in (1, 2, 3)] == [
            f"{q:.3g}" for q in first["decision_makers"]["performance"]
        ]
        browser.close()
    assert problems == []
