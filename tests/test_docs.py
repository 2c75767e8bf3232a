"""The docs' Python examples run as written, and produce what the text says they do."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

DOCS = Path(__file__).resolve().parents[1] / "docs"


def python_blocks(page: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)


def test_analysis_page_runs_and_its_objects_are_what_it_says(capsys):
    blocks = python_blocks(DOCS / "analysis.md")
    assert len(blocks) >= 7
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(DOCS / "analysis.md"), "exec"), namespace)
    capsys.readouterr()
    ensemble = namespace["ensemble"]
    assert ensemble.futures == 2_000 and len(ensemble.policies) == 6
    assert isinstance(namespace["paired"], pd.DataFrame) and namespace["paired"].index.names == ["package", "outcome"]
    assert set(namespace["satisfied"].columns) == {"share", "lo", "hi"}
    assert namespace["box"].density >= namespace["box"].base_rate
    assert namespace["indices"].index.names == ["output", "parameter"]
    assert namespace["report"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert len(namespace["ema_experiments"]) == 20
    assert set(namespace["ema_outcomes"]) >= {"rupture", "war", "us_net_cost", "severity"}
    assert namespace["outcomes"]["credibility_yearly"].shape == (6 * 2_000, 20)
    assert set(namespace["spec"].searched) <= set(namespace["found"].columns)  # EMA searched our levers


def test_quoted_tables_are_what_the_runs_give():
    """docs/tables.py writes the README's tables from a default run and docs/backtest.md's from the backtest, its
    codings and --sensitivity; the pages must hold its output."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("tables", DOCS / "tables.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for page, make in module.PAGES.items():
        text = page.read_text(encoding="utf-8")
        for name, table in make().items():
            assert module.quoted(text, page, name) == table, (page.name, name)


def test_model_page_calibration_table_is_what_calibrate_prints():
    """docs/model.md quotes `alliance-futures calibrate` (4,000 futures, seed 1953): its central column must be the
    command's, as the command rounds it."""
    from alliance_futures import api
    from alliance_futures.cli import _rate

    text = (DOCS / "model.md").read_text(encoding="utf-8")
    section = text[text.index("## Calibration") : text.index("## Outcomes and named futures")]
    rows = [row for row in section.splitlines() if row.startswith("| ") and "%" in row][1:]  # after the header
    quoted = [row.split("|")[2].strip() for row in rows]
    hazards = api.calibrate(futures=4000, seed=api.DEFAULT_SEED)["hazards"]
    assert quoted == [_rate(row["central"]) for row in hazards.values()]
