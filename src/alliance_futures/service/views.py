"""The report's views of one run as JSON for the service: raw numbers (shares, not percentages), each chart as a
Vega-Lite specification that the dashboard draws interactively, computed once when the run finishes."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd

from ..analysis import NAMED_FUTURES
from ..analysis.findings import Findings
from ..analysis.matrix import driver_label
from ..analysis.outcomes import outcome_label
from ..analysis.sensitivity import told_apart
from ..engine import Ensemble
from ..report import charts
from ..report.html import BACKTEST_SERIES, CHARTED

VIEWS = ("comparison", "claims", "timeline", "discovery", "sensitivity", "matrix", "signposts", "examples", "backtest")


def plain(value: Any) -> Any:
    """JSON-ready: NumPy scalars as Python numbers, NaN and infinities as null, tuples as lists."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return plain(frame.reset_index().to_dict(orient="records"))


def views(found: Findings, ensemble: Ensemble, run_futures: int | None = None) -> dict[str, Any]:
    """Every view of the report, keyed as in VIEWS; `run_futures`: the run's futures per package, where `ensemble`
    holds its first ones (said in the comparison's `analysed`)."""
    labels = {name: driver_label(ensemble, name) for box in found.boxes for name in box.limits}
    matrix = found.matrix
    backtest = found.backtest
    history = backtest.replay.history
    return plain(
        {
            "comparison": {
                "baseline": found.baseline,
                "packages": list(ensemble.policies),
                "summary": found.summary,
                "paired": records(found.paired) if not found.paired.empty else [],
                "regret": records(found.regret),
                "satisficing": records(found.satisficing),
                "thresholds": found.thresholds,
                "named_futures": NAMED_FUTURES,
                "analysed": {"futures": ensemble.futures, "of": run_futures or ensemble.futures},
            },
            "claims": {
                "claims": [{"name": r.name, **r.as_json()} for r in found.claims],
                "skipped": found.claims_skipped,
            },
            "timeline": {
                "rows": records(found.timeline),
                "chart": charts.outcomes_over_time(found.timeline, CHARTED).to_dict(),
            },
            "discovery": [
                {
                    **dataclasses.asdict(box),
                    "title": outcome_label(box.outcome),
                    "sentence": box.sentence(),
                    "lift": box.lift,
                    "stands_out": box.stands_out,
                    "meanings": {name: labels[name] for name in box.limits},
                }
                for box in found.boxes
            ],
            "sensitivity": {
                "rows": records(found.sobol),
                "told_apart": told_apart(found.sobol),
                "chart": charts.sobol_bars(found.sobol).to_dict(),
            },
            "matrix": {
                **dataclasses.asdict(matrix),
                "sides": [[matrix.side(axis, high) for high in (True, False)] for axis in (0, 1)],
                "contrasts": [q.contrast() for q in matrix.quadrants],
            },
            "signposts": [
                {**row, "meaning": ensemble.case.signposts[row["signpost"]].meaning}
                for row in records(found.watch_list)
            ],
            "examples": [
                {"future": f, "named_future": name, "title": NAMED_FUTURES[name], "narrative": story}
                for f, name, story in found.examples
            ],
            "backtest": {
                "scores": {
                    kind: {**row, "meaning": history.kinds[kind].meaning}
                    for kind, row in backtest.as_json()["events"].items()
                },
                "events_chart": charts.backtest_events(backtest.bands, backtest.events, history).to_dict(),
                "reliability_chart": charts.backtest_reliability(backtest.reliability()).to_dict(),
                "series_chart": charts.backtest_series(backtest.bands, BACKTEST_SERIES).to_dict(),
            },
        }
    )
