"""Elicitation studies in our own format: one YAML file with the experts, the items and each expert's quantiles.

    study: troop-levels-2026           # a name
    description: what was asked, of whom, when
    quantiles: [5, 50, 95]             # percent; optional, these by default
    experts: [ex1, ex2, ex3]
    items:
      - id: usfk_2008                  # a seed item: its realisation is known
        question: US military personnel in Korea at the end of 2008
        unit: personnel
        scale: uniform                 # or log-uniform (items spanning orders of magnitude)
        realisation: 28500
        source: the case's history, troop series
      - id: withdrawal_hazard          # a target item: the case parameter it informs
        question: yearly chance that a transactional administration orders a drawdown
        unit: probability per year
        scale: log-uniform
        parameter: force_posture.drawdown_hazard
    answers:
      ex1:
        usfk_2008: [25000, 28000, 31000]
        withdrawal_hazard: [0.01, 0.05, 0.2]

An expert may leave an item out. Errors name the file, the expert and the item; see `read_study`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from ..case.loader import MAX_YAML_BYTES, read_validated
from ..case.schema import Number, Strict
from ..errors import InputError
from .classical import LEVELS, Study
from .excalibur import checked, read_excalibur


class Item(Strict):
    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    scale: Literal["uniform", "log-uniform"]
    realisation: Number | None = None  # known for a seed item
    source: str | None = None  # of the realisation
    parameter: str | None = None  # the case parameter a target item informs ('group.name')

    @model_validator(mode="after")
    def _seed_or_target(self) -> Item:
        if self.realisation is not None and self.parameter is not None:
            raise ValueError("an item is a seed (with a realisation) or a target (with a parameter), not both")
        if self.realisation is not None and not self.source:
            raise ValueError("a seed item's realisation needs its source")
        if self.source and self.realisation is None:
            raise ValueError("a seed item (one with a source) needs its realisation")
        return self


class StudyFile(Strict):
    study: str = Field(min_length=1)
    description: str = Field(min_length=1)
    quantiles: list[Number] = Field(default_factory=lambda: [100 * q for q in LEVELS], min_length=2)
    experts: list[str] = Field(min_length=1)
    items: list[Item] = Field(min_length=1)
    answers: dict[str, dict[str, list[Number]] | str]  # per expert: quantiles per item, or a filled questionnaire

    @model_validator(mode="after")
    def _consistent(self) -> StudyFile:
        if not all(0 < a < b < 100 for a, b in zip(self.quantiles, self.quantiles[1:], strict=False)):
            raise ValueError(f"quantiles must be percentages that increase between 0 and 100, got {self.quantiles}")
        for kind, names in (("expert", self.experts), ("item", [i.id for i in self.items])):
            if len(set(names)) != len(names):
                raise ValueError(f"an {kind} is named twice")
        return self


def read_questionnaire(path: Path, quantiles: list[float]) -> dict[str, list[float]]:
    """An expert's filled questionnaire (`elicit template` writes it): item id -> the quantiles in its columns '5%',
    '50%', '95%' (or the study's own); a row left blank is an item the expert did not answer."""
    columns = [f"{q:g}%" for q in quantiles]
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            raise InputError(path, f"larger than {MAX_YAML_BYTES // 2**20} MB: not a questionnaire")
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start}); save the questionnaire as UTF-8 CSV") from None
    except csv.Error as exc:
        raise InputError(path, f"not a valid CSV table: {exc}") from None
    if rows and not {"id", *columns} <= set(rows[0]):
        raise InputError(
            path, f"expected the columns id, {', '.join(columns)} (as `elicit template` writes them)", line=1
        )
    out = {}
    for number, row in enumerate(rows, start=2):
        cells = [(row[c] or "").strip() for c in columns]
        if not any(cells):
            continue
        try:
            out[row["id"]] = [float(cell) for cell in cells]
        except ValueError:
            raise InputError(
                path, f"expected a number in each of {', '.join(columns)}, got {cells}", key=row["id"], line=number
            ) from None
    return out


def read_study(path: str | Path) -> Study:
    """A study from our YAML format (`.yaml`/`.yml`) or EXCALIBUR's (`.dtt` with its `.rls`, or a built-in study by
    name), checked: every expert's quantiles increase, log-uniform items have values above zero, and answers name
    known experts and items with as many quantiles as the study asks for."""
    file = Path(path)
    if file.suffix.lower() not in (".yaml", ".yml"):
        return read_excalibur(path)
    return read_study_file(file)[1]


def read_study_file(file: Path) -> tuple[StudyFile, Study]:
    """A study in our YAML format, as written (with each item's question, unit and target parameter) and as scored."""
    parsed, _ = read_validated(StudyFile, file)
    items = [item.id for item in parsed.items]
    quantiles = np.full((len(parsed.experts), len(items), len(parsed.quantiles)), np.nan)
    for expert, given in parsed.answers.items():
        if expert not in parsed.experts:
            raise InputError(file, f"answers from '{expert}', who is not among the experts", key=f"answers.{expert}")
        if isinstance(given, str):
            given = read_questionnaire(file.parent / given, parsed.quantiles)
        for item, values in given.items():
            if item not in items:
                raise InputError(file, f"expert '{expert}' answers an unknown item", key=f"answers.{expert}.{item}")
            if len(values) != len(parsed.quantiles):
                raise InputError(
                    file,
                    f"expert '{expert}' gives {len(values)} quantiles, the study asks for {len(parsed.quantiles)}",
                    key=f"answers.{expert}.{item}",
                )
            quantiles[parsed.experts.index(expert), items.index(item)] = values
    return parsed, checked(
        Study(
            tuple(parsed.experts),
            tuple(items),
            np.array([item.scale == "log-uniform" for item in parsed.items]),
            quantiles,
            np.array([np.nan if item.realisation is None else item.realisation for item in parsed.items]),
            tuple(q / 100 for q in parsed.quantiles),
        ),
        file,
    )
