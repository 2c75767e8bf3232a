"""An elicitation kit for a case: target questions on its most influential parameters and seed questions whose
answers its recorded history knows, as a questionnaire (CSV for the experts to fill in) and a study file for the
facilitator, which reads the filled questionnaires back (`study`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from ..case import Case, History
from .classical import LEVELS

SEED_QUESTIONS = 10  # as in four of the six TU Delft studies in elicitation/data (which have 10 to 21 seed items)
MIN_SERIES_POINTS = 3  # a series recorded in at least three years measures a quantity; fewer mark a level or an event
LEVEL_COLUMNS = tuple(f"{100 * level:g}%" for level in LEVELS)


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    unit: str
    scale: str  # 'uniform' or 'log-uniform'
    current: str = ""  # a target's current range in the case: shown to the experts
    realisation: float | None = None  # a seed's recorded value: in the study file only
    source: str | None = None  # of the realisation
    parameter: str | None = None  # the case parameter a target informs


def target_questions(case: Case, ranking: Sequence[str], count: int) -> list[Question]:
    """One question per parameter for the first `count` of `ranking` (most influential first) that are quantities,
    not switches between forms."""
    parameters = case.flat_parameters()
    out = []
    for name in ranking:
        p = parameters[name]
        if p.choices is not None or p.range is None:
            continue
        out.append(
            Question(
                id=name,
                question=p.meaning,
                unit=p.unit,
                scale="log-uniform" if "loguniform" in p.distribution else "uniform",
                current=f"{p.range[0]:g} to {p.range[1]:g}",
                parameter=name,
            )
        )
        if len(out) == count:
            break
    return out


def seed_questions(history: History, count: int = SEED_QUESTIONS) -> list[Question]:
    """Up to `count` questions on recorded values of the history's measured series (recorded, not coded by a rule,
    in at least `MIN_SERIES_POINTS` years), newest first, taking one value from each series in turn."""
    queues = [
        [(name, series, point) for point in reversed(series.points) if point.value]
        for name, series in history.series.items()
        if series.rule is None and sum(1 for p in series.points if p.value) >= MIN_SERIES_POINTS
    ]
    out: list[Question] = []
    while len(out) < count and any(queues):
        for queue in queues:
            if queue and len(out) < count:
                name, series, point = queue.pop(0)
                out.append(
                    Question(
                        id=f"{name}_{point.year}",
                        question=f"{series.meaning}, in {point.year}",
                        unit=series.unit,
                        scale="uniform",
                        realisation=point.value,
                        source=f"{history.name} history, series '{name}': {point.source}",
                    )
                )
    return out


def questionnaire_csv(questions: Sequence[Question]) -> str:
    """The questionnaire each expert fills in: one row per question, a column per quantile left blank."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "question", "unit", "scale", "current range", *LEVEL_COLUMNS])
    for q in questions:
        writer.writerow([q.id, q.question, q.unit, q.scale, q.current, *[""] * len(LEVELS)])
    return buffer.getvalue()


def study_file(name: str, description: str, questions: Sequence[Question]) -> str:
    """The facilitator's study file (`study` format): every item with its realisation or parameter; the experts and
    their filled questionnaires are to be added."""
    items = []
    for q in questions:
        item: dict[str, object] = {"id": q.id, "question": q.question, "unit": q.unit, "scale": q.scale}
        if q.parameter is None:
            item |= {"realisation": q.realisation, "source": q.source}
        else:
            item["parameter"] = q.parameter
        items.append(item)
    body = yaml.safe_dump(
        {"study": name, "description": description, "experts": [], "items": items, "answers": {}},
        sort_keys=False,
        allow_unicode=True,
        width=120,
    )
    return (
        "# Written by `alliance-futures elicit template`. Name each expert under `experts`, and under `answers` give\n"
        "# each one's filled questionnaire (answers: {ann: ann.csv}, beside this file) or their quantiles per item.\n"
        "# Keep the realisations from the experts: they are the seed questions' answers.\n" + body
    )
