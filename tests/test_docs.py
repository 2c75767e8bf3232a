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
