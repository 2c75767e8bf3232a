"""Screenshots for the docs, taken in Debian's headless Chromium by Playwright.

python docs/screenshots.py report RUN/report.html docs/report-first-screen.png
python docs/screenshots.py dashboard FUTURES docs/     # serves a new data folder, runs FUTURES futures from the page
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
VIEWPORT = {"width": 1400, "height": 900}


def first_screen(page_file: Path, out: Path) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(page_file.resolve().as_uri())
        page.screenshot(path=str(out))
        browser.close()


def dashboard(futures: int, out: Path) -> None:
    """The dashboard's pages as an analyst meets them: a new run with a slider moved, its stages while it runs, the
    results (comparison, then futures filtered by a named future with one narrative open), the run history, and the
    run weighed by an illustrative poll on the Evidence page."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from helpers import Server  # the tests' way of starting the server

    with tempfile.TemporaryDirectory() as data, Server(data) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(server.url + "/")
        page.get_by_label("futures per package").fill(str(futures))
        page.get_by_label("futures per package").dispatch_event("change")
        page.locator("summary", has_text="proliferation").click()
        page.locator("input[type=range]").first.evaluate(
            "(el) => { el.value = 0.8; el.dispatchEvent(new Event('input')); }"
        )
        page.locator("#start").scroll_into_view_if_needed()
        page.locator("details").nth(2).scroll_into_view_if_needed()
        page.screenshot(path=str(out / "dashboard-new-run.png"))
        page.locator("#start").click()
        page.locator("li.stage.current", has_text="Sobol indices").wait_for(timeout=600_000)
        page.locator("#run-progress").scroll_into_view_if_needed()
        page.screenshot(path=str(out / "dashboard-stages.png"))
        page.wait_for_url("**#/runs/*", timeout=600_000)
        page.locator("#comparison table").wait_for()
        page.screenshot(path=str(out / "dashboard-results.png"))
        page.locator("select[name=named]").select_option("hollowed_alliance")
        page.locator("#futures tr.clickable").nth(1).click()
        page.wait_for_function("document.querySelector('#narrative').textContent.startsWith('Future')")
        page.locator("#explore-futures").scroll_into_view_if_needed()
        page.locator("#explore-futures").screenshot(path=str(out / "dashboard-explore.png"))
        page.goto(server.url + "/#/history")
        page.locator("h1", has_text="Run history").wait_for()
        page.locator("main table").wait_for()
        page.screenshot(path=str(out / "dashboard-history.png"))
        page.locator("main a").first.click()
        page.wait_for_url("**#/runs/*")
        page.locator("a", has_text="weigh by evidence").click()
        page.locator("select[name=indicator]").select_option("public_support")
        page.get_by_label("value").fill("0.8")
        page.get_by_label("standard error").fill("0.03")
        page.get_by_label("source").fill("an illustrative poll, not a real one")
        page.locator("#add-observation").click()
        page.locator("#ess").wait_for()
        page.screenshot(path=str(out / "dashboard-evidence.png"), full_page=True)
        browser.close()


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "report":
        first_screen(Path(sys.argv[2]), Path(sys.argv[3]))
    elif kind == "dashboard":
        dashboard(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit(f"unknown kind '{kind}' (known: report, dashboard)")
