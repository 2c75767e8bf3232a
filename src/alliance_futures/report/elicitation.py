"""The pages of structured expert judgement: the printable questionnaire `elicit template` writes, and the report of
a study's scores, decision makers, robustness and quantiles that `elicit report` writes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..analysis.outcomes import significant
from ..elicitation.template import LEVEL_COLUMNS, Question
from ..version import VERSION
from .html import _templates

MAKERS = {"performance": "performance weights", "item": "item weights", "equal": "equal weights"}


def questionnaire_html(title: str, questions: Sequence[Question]) -> str:
    return _templates.get_template("questionnaire.html.j2").render(
        title=title, questions=questions, levels=LEVEL_COLUMNS
    )


def scores_html(scores: dict[str, Any], command: str) -> str:
    """The report of `api.elicitation_scores` (with robustness and quantiles); `command` repeats it."""

    def shown(row: dict[str, float | None]) -> dict[str, str]:
        return {k: significant(v) for k, v in row.items()}

    ranked = sorted(scores["experts"].items(), key=lambda kv: -(kv[1]["weight"] or 0))
    makers = [
        (MAKERS[kind], shown(row) | ({"alpha": ""} if kind == "equal" else {}))
        for kind, row in scores["decision_makers"].items()
    ]
    per_item = [
        {
            "id": item,
            "scale": entry["scale"],
            "realisation": None if entry["realisation"] is None else significant(entry["realisation"]),
            "experts": [(name, _row(q)) for name, q in entry["experts"].items() if q is not None],
            "makers": [(MAKERS[kind], _row(q)) for kind, q in entry["decision_makers"].items()],
        }
        for item, entry in scores["quantiles"].items()
    ]
    tested = scores["cross_validation"]
    return _templates.get_template("elicitation.html.j2").render(
        version=VERSION,
        study=scores["study"],
        items=scores["items"],
        seed_items=scores["seed_items"],
        command=command,
        levels=[f"{100 * level:g}%" for level in scores["levels"]],
        experts=[(name, shown(row)) for name, row in ranked],
        makers=makers,
        cross_validation=f"{tested['summary']}." if tested else "",
        robustness=[
            (over[:-1], [(name, shown(row)) for name, row in rows.items()])
            for over, rows in (scores["robustness"] or {}).items()
        ],
        per_item=per_item,
    )


def _row(values: list[float] | None) -> list[str]:
    return ["–"] * 3 if values is None else [significant(v) for v in values]
