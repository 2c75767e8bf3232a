"""Screenshots for the docs, taken in Debian's headless Chromium by Playwright.

python docs/screenshots.py report RUN/report.html docs/report-first-screen.png
"""

from __future__ import annotations

import sys
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


if __name__ == "__main__":
    kind, source, target = sys.argv[1:4]
    if kind != "report":
        sys.exit(f"unknown kind '{kind}' (known: report)")
    first_screen(Path(source), Path(target))
