"""The HTML report end to end: the README's default run with --report, opened in Debian's headless Chromium by
Playwright, and the `report` command's options and refusals."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import cli
from playwright.sync_api import sync_playwright

from alliance_futures import load_case

CHROMIUM = Path("/usr/bin/chromium")
SECTIONS = (
    "comparison",
    "claims",
    "over-time",
    "discovery",
    "sensitivity",
    "matrix",
    "signposts",
    "narratives",
    "backtest",
    "appendix",
)


@pytest.fixture(scope="module")
def default_report(tmp_path_factory):
    """The default run (10,000 futures × 6 packages × 20 years, seed 1953) with its report."""
    out = tmp_path_factory.mktemp("default") / "run"
    result = cli("run", "--output", out, "--report")
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def page(default_report):
    assert CHROMIUM.exists(), "install Debian's chromium (apt-get install chromium); .ci/run does"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: problems.append(f"request {r.url}") if not r.url.startswith("file:") else None)
        page.goto((default_report / "report.html").as_uri())
        page.wait_for_load_state("load")
        yield page, problems
        browser.close()


def test_report_renders_every_section_offline_without_console_errors(page):
    page, problems = page
    for section in SECTIONS:
        heading = page.locator(f"section#{section} h2")
        assert heading.count() == 1 and heading.is_visible(), section
        assert page.locator(f"nav a[href='#{section}']").count() == 1
    assert problems == []  # no console errors or warnings, and no request leaves the file
    # charts are inline SVG with drawn marks: the timeline, three fan charts, Sobol bars, paired differences, and the
    # backtest's forecasts, reliability curves and replayed series
    for section, charts in (("over-time", 4), ("sensitivity", 1), ("comparison", 1), ("backtest", 3)):
        svgs = page.locator(f"section#{section} .chart svg")
        assert svgs.count() == charts
        assert svgs.first.bounding_box()["height"] > 100
    assert page.locator("#matrix-grid .cell").count() == 4
    assert page.locator("section#narratives pre.story").count() == 3
    # the repeat command reads as typed, and a line breaks between its words, never inside an option
    command = page.locator("header code")
    assert command.inner_text().startswith("alliance-futures run ") and "--seed 1953" in command.inner_text()
    words = command.locator(".word")
    assert words.count() == len(command.inner_text().split())
    assert words.first.evaluate("w => getComputedStyle(w).whiteSpace") == "nowrap"
    assert page.locator("section#discovery blockquote").count() == 4


def test_charts_fill_the_page_with_text_that_reads(page):
    """At 1,400 px every chart spans most of the content's width, and none of its text is under 12 px."""
    page, _ = page
    width = page.locator("main").bounding_box()["width"]
    charts = page.locator(".chart svg").all()
    assert len(charts) >= 9
    for chart in charts:
        assert chart.bounding_box()["width"] >= 0.6 * width
        sizes = chart.evaluate(
            "(svg) => [...svg.querySelectorAll('text')].map((t) => parseFloat(getComputedStyle(t).fontSize))"
        )
        assert sizes and min(sizes) >= 12


def test_report_numbers_are_the_runs(page, default_report):
    page, _ = page
    summary = json.loads((default_report / "run.json").read_text())["summary"]
    first_row = page.locator("#comparison-table tr").nth(1).locator("td")
    assert first_row.nth(0).inner_text() == "future: War"
    war = summary["packages"]["current_course"]["future:war"]
    assert first_row.nth(1).inner_text().startswith(f"{100 * war['p']:.1f} ")
    case = load_case()
    assert page.locator("#parameter-table tr").count() == 1 + len(case.flat_parameters())
    assert page.locator("#signpost-table tr").count() == 1 + len(case.signposts)
    assert page.locator("#policy-table tr").count() == 1 + 6
    # every citation in a source links to its entry in the references, and every entry is cited
    links = set(page.locator("#appendix td.text a[href^='#ref-']").evaluate_all("as => as.map(a => a.hash.slice(5))"))
    entries = set(page.locator("#reference-table tr").evaluate_all("rs => rs.map(r => r.id.slice(4))"))
    assert links == entries and {"seed002", "berkemeier2018", "atop5"} <= entries
    assert "Molly Berkemeier and Matthew Fuhrmann (2018)" in page.locator("#ref-berkemeier2018").inner_text()
    # each example narrative ends with the named future it illustrates
    for story, title in zip(
        page.locator("section#narratives pre.story").all_inner_texts(),
        page.locator("section#narratives h3").all_inner_texts(),
        strict=True,
    ):
        named = title.split(": ", 1)[1]
        assert story.splitlines()[-1].startswith(f"By 2046: {named}.")


def test_report_backtest_is_the_backtest_commands(page):
    """The report's backtest (2,000 futures, the run's seed) scores what `alliance-futures backtest` scores."""
    page, _ = page
    result = cli("backtest", "--futures", 2000, "--seed", 1953, "--format", "json")
    assert result.returncode == 0, result.stderr
    expected = json.loads(result.stdout)["events"]
    rows = page.locator("#backtest-table tr")
    assert rows.count() == 1 + len(expected)
    for i, (kind, score) in enumerate(expected.items(), start=1):
        cells = rows.nth(i).locator("td").all_inner_texts()
        assert cells[0] == kind.replace("_", " ")
        lo, hi = score["brier_model_ci"]
        assert (
            cells[4] == f"{score['brier_model']:.4f} ({lo:.4f} to {hi:.4f})"
            and cells[5] == f"{score['brier_base']:.4f}"
        )
        against = score["baselines"]["persistence"]["brier_skill"]
        assert cells[7] == f"{against['value']:+.2f} ({against['lo']:.2f} to {against['hi']:.2f})"
        early = score["ahead"]["brier_skill"]["base_rate"]
        assert cells[9] == f"{early['value']:+.2f} ({early['lo']:.2f} to {early['hi']:.2f})"
        assert cells[-1] == score["verdict"]
    windows = page.locator("#backtest-windows tr")
    assert windows.count() == 1 + len(expected)
    for i, score in enumerate(expected.values(), start=1):
        cells = windows.nth(i).locator("td").all_inner_texts()
        for cell, scored in zip(cells[1:], score["windows"].values(), strict=True):
            if scored is None:
                assert cell == "not scored"
            elif scored["brier_skill"]["value"] is not None:
                k = scored["brier_skill"]
                assert cell.startswith(f"{k['value']:+.2f} ({k['lo']:.2f} to {k['hi']:.2f})")
    murphy = page.locator("#backtest-murphy tr")
    assert murphy.count() == 1 + len(expected)
    for i, score in enumerate(expected.values(), start=1):
        cells = murphy.nth(i).locator("td").all_inner_texts()
        parts = score["murphy"]
        assert cells[2:] == [f"{parts[p]['value']:.4f} ({parts[p]['lo']:.4f} to {parts[p]['hi']:.4f})" for p in parts]
        assert parts["reliability"]["value"] - parts["resolution"]["value"] + parts["uncertainty"]["value"] == (
            pytest.approx(score["brier_model"])
        )


def test_report_claims_are_the_claims_commands(page, default_report):
    """The report's claims table says what `alliance-futures claims RUN --format json` says of the same run: every
    claim of the case, its shares, verdict and where it fails."""
    page, _ = page
    result = cli("claims", default_report, "--format", "json")
    assert result.returncode == 0, result.stderr
    claims = json.loads(result.stdout)["claims"]
    assert list(claims) == list(load_case().claims)  # the default run has every package: every claim is tested
    rows = page.locator("#claims-table tr")
    assert rows.count() == 1 + len(claims)
    for i, (name, claim) in enumerate(claims.items(), start=1):
        cells = rows.nth(i).locator(":scope > td")
        assert cells.nth(0).inner_text() == name
        assert cells.nth(4).inner_text() == claim["verdict"]
        holds = (claim["share_holds_lo"], claim["share_holds_hi"])
        assert cells.nth(5).inner_text() == f"{claim['share_holds']:.1%} ({100 * holds[0]:.1f}–{holds[1]:.1%})"
        where = rows.nth(i).locator("details p").first.text_content()
        assert where == (claim["fails_where"] or "It holds or shows no difference in every parameter vector.")
    # each Sobol output says which of its top drivers can be told from zero; each quadrant how far its mix stands out
    assert page.locator("#sobol-sentences li").count() == 4
    assert page.locator("#matrix-grid .contrast").count() == 4
    for text in page.locator("#matrix-grid .contrast").all_inner_texts():
        assert re.match(r"Mix of futures: (not distinguishable from the whole|differs from the whole by)", text)


def test_report_file_is_self_contained(default_report):
    html = (default_report / "report.html").read_text()
    assert "<script" not in html and "<link" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("small") / "run"
    result = cli(
        "run",
        "--futures",
        300,
        "--years",
        8,
        "-p",
        "current_course",
        "-p",
        "transactional_pressure",
        "--output",
        out,
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    return out


def test_report_command_takes_the_analysts_drivers_and_thresholds(small_run, tmp_path):
    target = tmp_path / "mine.html"
    result = cli(
        "report",
        small_run,
        "--output",
        target,
        "--sobol-base",
        64,
        "--drivers",
        "years_us_transactional",
        "--drivers",
        "years_rok_progressive",
        "--satisfice",
        "war=0",
    )
    assert result.returncode == 0, result.stderr
    html = target.read_text()
    assert "The two drivers were chosen by the analyst." in html
    assert "share of years with a transactional US administration ≥ 0.5" in html
    assert "war never happens" in html and "rupture never happens" not in html
    assert not (small_run / "report.html").exists()  # --output was given


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--drivers", "nope", "--drivers", "years_rok_progressive"], "at '--drivers': unknown driver 'nope'"),
        (["--drivers", "years_rok_progressive"], "give two different drivers"),
        (["--satisfice", "war"], "expected OUTCOME=VALUE"),
        (["--satisfice", "war=nan"], "expected OUTCOME=VALUE"),
        (["--satisfice", "wars=0"], "at '--satisfice': unknown outcome 'wars'"),
        (["--baseline", "nope"], "at '--baseline': the run has no package 'nope'"),
        (["--sobol-base", 100], "at '--sobol-base': sobol_base must be a power of two"),
        (["--output", "/no/such/folder/r.html"], "the folder does not exist"),
    ],
)
def test_report_refuses_bad_options_with_a_clear_message(small_run, args, message):
    result = cli("report", small_run, *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (small_run / "report.html").exists()


def test_run_refuses_a_report_without_yearly_paths_before_simulating(tmp_path):
    result = cli("run", "--no-paths", "--report", "--futures", 10, "--output", tmp_path / "run")
    assert result.returncode == 2 and "--report needs the yearly paths" in result.stderr
    assert not (tmp_path / "run").exists()
