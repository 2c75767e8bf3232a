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


def test_the_readme_table_is_what_a_default_run_prints():
    """docs/readme_table.py writes the README's tables from a default run; the README must hold its output."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("readme_table", DOCS / "readme_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    readme = module.README.read_text(encoding="utf-8")
    tables = module.default_tables()
    for marker in module.MARKERS:
        assert module.readme_table(readme, marker) == tables[marker], marker


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


def test_backtest_page_results_table_is_what_backtest_prints():
    """docs/backtest.md quotes `alliance-futures backtest --format json` (5,000 futures, seed 1953): its results
    table must be the command's, as rounded there."""
    from alliance_futures import api

    text = (DOCS / "backtest.md").read_text(encoding="utf-8")
    marker = "<!-- backtest results: alliance-futures backtest --format json -->"
    rows = [r for r in text[text.index(marker) :].splitlines()[3:] if r.startswith("| ")]
    scores = api.backtest(futures=5_000, seed=api.DEFAULT_SEED).as_json()["events"]
    assert [r.split("|")[1].strip() for r in rows] == list(scores)
    for row in rows:
        cells = [c.strip() for c in row.split("|")[1:-1]]
        score = scores[cells[0]]
        lo, hi = score["brier_model_ci"]
        assert cells[1] == f"{score['brier_model']:.4f} ({lo:.4f}–{hi:.4f})", cells[0]
        assert cells[2] == f"{score['brier_base']:.4f}"
        assert cells[3:5] == [f"{score['baselines'][b]['brier']:.4f}" for b in ("persistence", "logistic")]
        for cell, reference in zip(cells[5:8], ("base_rate", "persistence", "logistic"), strict=True):
            k = score["baselines"][reference]["brier_skill"]
            assert cell == f"{k['value']:+.2f} ({k['lo']:.2f} to {k['hi']:.2f})", (cells[0], reference)
        assert cells[-1] == score["verdict"]
