"""The dashboard end to end: `alliance-futures serve` in its own process, driven in Debian's headless Chromium by
Playwright as an analyst uses it: choose packages, move a slider, run, watch the progress, explore the results."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from helpers import Server
from playwright.sync_api import expect, sync_playwright

from alliance_futures.service.jobs import STAGES

CHROMIUM = Path("/usr/bin/chromium")
SLIDER = "politics.us_switch_probability"


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory):
    assert CHROMIUM.exists(), "install Debian's chromium (apt-get install chromium); .ci/run does"
    with Server(tmp_path_factory.mktemp("dashboard")) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        problems: list[str] = []
        # errors, and Vega's warnings (a specification in another Vega-Lite version than the bundled one)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" or "Vega" in m.text else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: None if r.url.startswith(server.url) else problems.append(f"request {r.url}"))
        yield server, page, problems
        browser.close()


@pytest.fixture(scope="module")
def finished_run(browser_page):
    """A small ensemble run from the page: two packages unticked, one slider moved, 120 futures."""
    server, page, _ = browser_page
    page.goto(server.url + "/")
    page.get_by_label("futures per package").fill("120")
    page.get_by_label("futures per package").dispatch_event("change")
    for name in ("division_of_labour", "structural_adherence", "transactional_pressure", "deep_nuclear_consultation"):
        page.locator(f"input[type=checkbox][name={name}]").uncheck()
    page.locator("summary", has_text="politics").click()
    slider = page.locator(f"input[name='{SLIDER}']")
    slider.evaluate("(el) => { el.value = 0.8; el.dispatchEvent(new Event('input')); }")
    expect(page.locator(".parameter.changed")).to_have_count(1)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # where the Run button is
    page.locator("#start").click()
    stages = page.locator("#run-progress li.stage")
    expect(stages).to_have_count(len(STAGES))
    expect(stages.nth(STAGES.index("Sobol indices"))).to_have_class(re.compile("current"), timeout=120_000)
    expect(stages.first).to_have_class(re.compile("done"))  # simulating is done by then, the rest waits
    expect(stages.last).to_have_class(re.compile("waiting"))
    expect(page.locator("#run-progress .phase")).to_contain_text("finished", timeout=120_000)
    assert stages.evaluate_all("(rows) => rows.every((r) => r.classList.contains('done'))")
    simulated = stages.first.locator("progress")
    assert simulated.evaluate("(el) => el.value === el.max && el.max === 240")  # 120 futures × 2 packages
    page.wait_for_url(re.compile(r"#/runs/"), timeout=10_000)
    run_id = page.url.split("#/runs/")[1]
    expect(page.locator("#comparison table")).to_be_visible()
    assert page.evaluate("window.scrollY") == 0  # the results open at their top
    return run_id


def test_the_run_is_what_the_page_asked_for(browser_page, finished_run):
    server, _, problems = browser_page
    run = httpx.get(f"{server.url}/api/runs/{finished_run}").json()
    assert run["status"] == "finished"
    assert run["request"]["packages"] == ["current_course", "reciprocal_strengthening"]
    assert run["request"]["futures"] == 120 and run["request"]["replications"] == 10
    assert run["request"]["overrides"] == {SLIDER: pytest.approx(0.8)}
    assert problems == []


def test_results_render_the_runs_numbers_with_their_intervals(browser_page, finished_run):
    server, page, problems = browser_page
    summary = httpx.get(f"{server.url}/api/runs/{finished_run}").json()["summary"]["packages"]
    war = page.locator("#comparison tr", has_text="war").filter(has_not_text="named").first
    cell = war.locator("td").nth(1)
    p = summary["current_course"]["war"]
    assert cell.inner_text() == f"{100 * p['p']:.1f}% ({100 * p['lo']:.1f}%–{100 * p['hi']:.1f}%)"
    assert f"95% interval {100 * p['lo']:.1f}%–{100 * p['hi']:.1f}%" in cell.get_attribute("title")
    for section in ("over-time", "sensitivity", "backtest"):  # Vega charts drawn in the page
        expect(page.locator(f"#{section} .chart canvas, #{section} .chart svg").first).to_be_visible()
    expect(page.locator("#scenario-discovery .box")).to_have_count(4)
    expect(page.locator("#matrix td")).to_have_count(4)
    assert problems == []


def test_the_backtest_splits_each_brier_score_with_its_intervals_beside_the_reliability_curves(
    browser_page, finished_run
):
    server, page, problems = browser_page
    backtest = httpx.get(f"{server.url}/api/runs/{finished_run}/views/backtest").json()
    murphy = page.locator("#backtest table").nth(1)
    expect(murphy.locator("th")).to_have_text(["event", "reliability", "resolution", "uncertainty"])
    for kind, scores in backtest["scores"].items():
        row = murphy.locator("tr", has_text=kind.replace("_", " ")).first
        for column, part in enumerate(("reliability", "resolution", "uncertainty"), start=1):
            m = scores["murphy"][part]
            expect(row.locator("td").nth(column)).to_have_text(f"{m['value']:.4f} ({m['lo']:.4f} to {m['hi']:.4f})")
    expect(page.locator("#backtest .chart")).to_have_count(3)  # the events, the reliability curves, the series
    assert problems == []


def test_a_run_whose_views_analyse_its_first_futures_says_so(browser_page, finished_run):
    """The service analyses a large run's first futures but compares every future (test_service.py); the page says
    which views read how many of how many."""
    server, page, problems = browser_page
    view = server.data_dir / "runs" / finished_run / "views" / "comparison.json"
    whole = view.read_text()
    assert json.loads(whole)["analysed"] == {"futures": 120, "of": 120}
    expect(page.locator("#sample-note")).to_have_count(0)
    try:
        view.write_text(json.dumps(json.loads(whole) | {"analysed": {"futures": 60, "of": 120}}))
        page.reload()
        note = page.locator("#sample-note")
        expect(note).to_contain_text("is over all the run's 120 futures per package")
        expect(note).to_contain_text("the other views analyse its first 60")
    finally:
        view.write_text(whole)
        page.reload()
    expect(page.locator("#comparison table")).to_be_visible()
    assert problems == []


def test_the_claims_table_shows_each_claim_the_run_can_test_and_where_it_fails(browser_page, finished_run):
    server, page, problems = browser_page
    view = httpx.get(f"{server.url}/api/runs/{finished_run}/views/claims").json()
    tested = [c for c in view["claims"] if c["package"] == "reciprocal_strengthening"]
    assert tested and len(tested) == len(view["claims"])  # the run has only current_course and reciprocal_strengthening
    assert len(view["skipped"]) > 0  # the claims about packages the run left out are named, not dropped silently
    rows = page.locator("#claims tr.clickable")
    expect(rows).to_have_count(len(tested))
    first = tested[0]
    row = rows.filter(has_text=first["name"].replace("_", " "))
    holds = [f"{100 * first[k]:.1f}%" for k in ("share_holds", "share_holds_lo", "share_holds_hi")]
    expect(row.locator("td").nth(5)).to_have_text(f"{holds[0]} ({holds[1]} to {holds[2]})")
    assert row.locator("td").first.get_attribute("title") == (
        first["fails_where"] or "holds or shows no difference everywhere"
    )
    row.click()
    expect(page.locator("#claim-detail blockquote")).to_contain_text(first["sentence"])
    expect(page.locator("#claim-detail p").first).to_have_text(
        first["fails_where"] or "It holds or shows no difference in every parameter vector."
    )
    assert problems == []


def test_filtering_by_named_future_and_reading_a_futures_narrative(browser_page, finished_run):
    server, page, problems = browser_page
    page.locator("select[name=named]").select_option("rupture")
    listed = httpx.get(
        f"{server.url}/api/runs/{finished_run}/futures", params={"named_future": "rupture", "limit": 1000}
    ).json()
    expect(page.locator("#futures p")).to_contain_text(f"{listed['count']} futures of current_course end as")
    rows = page.locator("#futures tr.clickable")
    expect(rows).to_have_count(min(25, listed["count"]))
    assert set(rows.locator("td:nth-child(2)").all_inner_texts()) == {"Rupture"}
    future = int(rows.first.locator("td").first.inner_text())
    rows.first.click()
    told = httpx.get(f"{server.url}/api/runs/{finished_run}/futures/{future}/narrative").json()["narrative"]
    expect(page.locator("#narrative")).to_have_text(told)
    assert problems == []


def test_the_futures_list_pages_through_every_future(browser_page, finished_run):
    _, page, problems = browser_page
    page.locator("select[name=named]").select_option("")
    expect(page.locator("#futures p")).to_contain_text("120 futures of current_course; 1–25 shown")
    expect(page.locator("#futures button[name=previous]")).to_be_disabled()
    for start in range(25, 120, 25):
        page.locator("#futures button[name=next]").click()
        expect(page.locator("#futures p")).to_contain_text(f"{start + 1}–{min(start + 25, 120)} shown")
        expect(page.locator("#futures tr.clickable").first.locator("td").first).to_have_text(str(start))
    expect(page.locator("#futures button[name=next]")).to_be_disabled()
    assert problems == []


def test_the_explorer_draws_one_panel_per_ticked_package(browser_page, finished_run):
    _, page, problems = browser_page
    chart = page.locator("#series .chart")
    expect(chart).to_contain_text("current course")  # the baseline and the next package, each in its own panel
    expect(chart).to_contain_text("reciprocal strengthening")
    page.locator("input[name=show-current_course]").uncheck()
    expect(chart).not_to_contain_text("current course")
    expect(chart).to_contain_text("reciprocal strengthening")
    page.locator("input[name=show-reciprocal_strengthening]").uncheck()
    expect(page.locator("#series")).to_have_text("Tick a package to draw its band.")
    page.locator("input[name=show-current_course]").check()
    expect(chart).to_contain_text("current course")
    assert problems == []


def test_the_api_documentation_opens_offline(browser_page):
    server, page, problems = browser_page
    page.goto(server.url + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("alliance-futures", timeout=20_000)
    expect(page.locator(".opblock-summary-path", has_text="/api/runs").first).to_be_visible()
    assert problems == []  # every request stayed on the server (the fixture records any other)
    page.goto(server.url + "/")


def test_run_history_lists_the_run(browser_page, finished_run):
    _, page, problems = browser_page
    page.locator("nav a", has_text="Run history").click()
    row = page.locator("tr", has_text=finished_run)
    expect(row).to_contain_text("finished")
    expect(row).to_contain_text(SLIDER)
    row.locator("a").click()
    expect(page.locator("#comparison table")).to_be_visible()
    assert problems == []


def test_a_bad_request_shows_the_field_and_reason(browser_page):
    server, page, problems = browser_page
    page.goto(server.url + "/#/new")
    page.get_by_label("futures per package").fill("0")
    page.get_by_label("futures per package").dispatch_event("change")
    page.locator("#start").click()
    expect(page.locator("#run-error")).to_contain_text("futures: Input should be greater than or equal to 1")
    assert [p for p in problems if "422" not in p] == []  # the browser logs the refused request, nothing else


def test_evidence_moves_the_probabilities_and_its_posterior_becomes_a_run(browser_page, finished_run, tmp_path):
    """An analyst enters a poll, uploads a log (a bad one first), and sees each outcome before and after with the
    after's interval, as the API computes them; saving the posterior makes a run whose report says what the
    evidence says."""
    server, page, problems = browser_page
    page.locator("nav a", has_text="Evidence").click()
    page.locator("a", has_text=finished_run).click()
    page.locator("select[name=indicator]").select_option("public_support")
    page.get_by_label("value").fill("0.8")
    page.get_by_label("standard error").fill("0.05")
    page.get_by_label("source").fill("a poll")
    page.locator("#add-observation").click()
    poll = {"year": 2027, "indicator": "public_support", "value": 0.8, "sd": 0.05, "source": "a poll"}
    said = httpx.post(f"{server.url}/api/runs/{finished_run}/update", json={"observations": [poll]}).json()
    ess, vectors = (round(said[k]["current_course"]) for k in ("ess_by_package", "vector_ess_by_package"))
    expect(page.locator("#ess")).to_contain_text(f"current course {ess:,} ({vectors:,})")
    r = said["packages"]["current_course"]["nuclear_pursuit"]
    row = page.locator("#evidence-result tr", has_text="nuclear pursuit").first
    pct = [f"{100 * r[k]:.1f}%" for k in ("prior", "prior_lo", "prior_hi", "posterior", "lo", "hi")]
    said_cell = f"{pct[0]} ({pct[1]} to {pct[2]}) → {pct[3]} ({pct[4]} to {pct[5]})"
    expect(row.locator("td").nth(1)).to_have_text(said_cell)
    assert r["prior"] != r["posterior"]  # the poll moved it

    bad = tmp_path / "bad.yaml"
    bad.write_text("- {year: 2028, indicator: public_support, value: 0.7, source: s}\n", encoding="utf-8")
    page.locator("input[name=log]").set_input_files(bad)
    expect(page.locator("#evidence-error")).to_contain_text("bad.yaml: entry 1: a measured indicator needs")
    good = tmp_path / "good.yaml"
    good.write_text(
        "- {year: 2028, signpost: demand_above_5t, seen: true, false_alarm: 0.05, miss: 0.1, source: a report}\n",
        encoding="utf-8",
    )
    page.locator("input[name=log]").set_input_files(good)
    expect(page.locator("#observations tbody tr")).to_have_count(2)
    expect(page.locator("#evidence-error")).to_have_text("")
    page.locator("#observations tr", has_text="demand_above_5t").locator("button").click()
    expect(page.locator("#observations tbody tr")).to_have_count(1)

    page.locator("#save-posterior").click()
    expect(page.locator("#run-progress .phase")).to_contain_text("finished", timeout=180_000)
    page.wait_for_url(re.compile(r"#/runs/[^/]+$"), timeout=10_000)
    posterior = page.url.split("#/runs/")[1]
    assert posterior != finished_run
    expect(page.locator("p.meta").first).to_contain_text(f"The posterior of run {finished_run} under 1 observation")
    run = httpx.get(f"{server.url}/api/runs/{posterior}").json()
    assert run["request"]["observations"] == [poll] and run["request"]["seed"] == 1954
    report = httpx.get(f"{server.url}/api/runs/{posterior}/report").text
    assert "What the evidence says" in report and "public support measured at 0.8" in report
    assert [p for p in problems if "422" not in p] == []
