"""Stakeholder tables (CSV or YAML) and the DEU III data set of EU decisions, read into arrays.

A stakeholder table has one row per stakeholder: name, capability (≥ 0), position (on the issue's scale), salience
(0 to 1, or 0 to 100), and an optional group. A YAML table may also give the issue, its scale and the status quo.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..case.loader import read_yaml
from ..errors import InputError
from ..limits import MAX_STAKEHOLDERS
from .models import Array

COLUMNS = ("name", "capability", "position", "salience")
ALIASES = {"actor": "name", "stakeholder": "name"}
DATA = resources.files("alliance_futures") / "bargaining" / "data"
DEU3 = Path(str(DATA / "deu3.tsv"))
BUILTIN_TABLES = ("us-rok-sma", "us-rok-posture")  # stakeholder tables shipped in DATA, by name


@dataclass(frozen=True)
class Stakeholders:
    """One issue: names and per-stakeholder arrays, the scale, and the status quo if known."""

    issue: str
    names: tuple[str, ...]
    capability: Array
    position: Array
    salience: Array
    groups: tuple[str, ...]
    scale: tuple[float, float]
    status_quo: float


def _column(header: str) -> str:
    key = str(header).strip().lower()
    return ALIASES.get(key, key)


def _number(path: str | Path, row: int, key: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(path, f"expected a number, got {value!r}", key=f"row {row}.{key}", line=row + 1) from None
    if not np.isfinite(number):
        raise InputError(path, f"expected a finite number, got {value!r}", key=f"row {row}.{key}", line=row + 1)
    return number


def read_stakeholders(path: str | Path) -> Stakeholders:
    """Read and check a stakeholder table from CSV (header: name, capability, position, salience[, group]) or YAML
    (keys issue, scale, status_quo, stakeholders: a list of mappings with the same fields), or a built-in table by
    name (BUILTIN_TABLES)."""
    p = Path(path)
    if not p.is_file() and str(path) in BUILTIN_TABLES:
        p = Path(str(DATA / f"{path}.yaml"))
    if not p.is_file():
        raise InputError(
            p, f"no such file (expected a stakeholder table, CSV or YAML, or one of {', '.join(BUILTIN_TABLES)})"
        )
    meta: dict[str, Any] = {}
    if p.suffix.lower() in (".yaml", ".yml"):
        data = read_yaml(p)
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("stakeholders"), list)
            or not all(isinstance(r, dict) for r in data["stakeholders"])
        ):
            raise InputError(
                p,
                "expected a mapping with a list of stakeholders (each a mapping) under 'stakeholders'",
                key="stakeholders",
            )
        rows = [{_column(k): v for k, v in r.items()} for r in data["stakeholders"]]
        meta = data
    else:
        rows = _csv_rows(p)
    return stakeholders_from_rows(rows, meta, p)


def _csv_rows(path: Path) -> list[dict[str, Any]]:
    """A CSV table's rows, its header's names normalised; UTF-8 with or without the byte-order mark Excel writes.
    Reading stops past MAX_STAKEHOLDERS rows."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = []
            for row in csv.DictReader(f):
                rows.append({_column(k): v for k, v in row.items() if k})
                if len(rows) > MAX_STAKEHOLDERS:
                    break
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start}); save the table as UTF-8 CSV") from None
    except csv.Error as exc:
        raise InputError(path, f"not a valid CSV table: {exc}") from None
    return rows


def stakeholders_from_rows(rows: list[dict[str, Any]], meta: dict[str, Any], p: str | Path) -> Stakeholders:
    """Check stakeholder rows (name, capability, position, salience[, group]) and the table's issue, scale and
    status quo in `meta`; errors name `p`, the source of the rows, and the row."""
    if not 2 <= len(rows) <= MAX_STAKEHOLDERS:
        got = f"more than {MAX_STAKEHOLDERS}" if len(rows) > MAX_STAKEHOLDERS else len(rows)
        raise InputError(p, f"a negotiation needs 2 to {MAX_STAKEHOLDERS} stakeholders, got {got}")
    for i, row in enumerate(rows, start=1):
        missing = [c for c in COLUMNS if row.get(c) in (None, "")]
        if missing:
            raise InputError(
                p,
                f"missing {', '.join(missing)} (every stakeholder needs {', '.join(COLUMNS)})",
                key=f"row {i}",
                line=i + 1,
            )
    capability = np.array([_number(p, i, "capability", r["capability"]) for i, r in enumerate(rows, 1)])
    position = np.array([_number(p, i, "position", r["position"]) for i, r in enumerate(rows, 1)])
    salience = np.array([_number(p, i, "salience", r["salience"]) for i, r in enumerate(rows, 1)])
    if (capability < 0).any():
        i = int(np.argmax(capability < 0)) + 1
        raise InputError(p, "capability must be 0 or more", key=f"row {i}.capability", line=i + 1)
    if not (capability * salience > 0).any():
        raise InputError(
            p, "no stakeholder has both capability and salience above 0: nobody weighs in", key="capability"
        )
    top = 100.0 if salience.max() > 1.0 else 1.0
    if (salience < 0).any() or (salience > 100).any():
        i = int(np.argmax((salience < 0) | (salience > 100))) + 1
        raise InputError(p, "salience must lie from 0 to 1 (or 0 to 100)", key=f"row {i}.salience", line=i + 1)
    scale = meta.get("scale") or (min(0.0, position.min()), max(100.0, position.max()))
    if not isinstance(scale, list | tuple) or len(scale) != 2:
        raise InputError(p, f"expected [low, high], got {scale!r}", key="scale")
    lo, hi = (_number(p, 0, "scale", v) for v in scale)
    sq = meta.get("status_quo")
    status_quo = np.nan if sq is None else _number(p, 0, "status_quo", sq)
    return Stakeholders(
        issue=str(meta.get("issue", Path(p).stem)),
        names=tuple(str(r["name"]) for r in rows),
        capability=capability,
        position=position,
        salience=salience / top,
        groups=tuple(str(r.get("group") or "") for r in rows),
        scale=(lo, hi),
        status_quo=status_quo,
    )


@dataclass(frozen=True)
class Deu3:
    """DEU III issues as arrays: one row per issue with a known outcome, one column per actor."""

    proposal: np.ndarray  # proposal identifier per issue
    issue: np.ndarray
    actors: tuple[str, ...]
    capability: Array  # per actor (GDP-based weights of the published copy)
    position: Array  # issues x actors, NaN where no position
    salience: Array  # issues x actors, 0-1
    status_quo: Array  # reference point, NaN where unknown
    outcome: Array

    @property
    def yes_no(self) -> np.ndarray:
        """Issues whose positions are all 0 or 100."""
        p = self.position
        return np.all(np.isnan(p) | (p == 0) | (p == 100), axis=1)


def read_deu3(path: str | Path = DEU3) -> Deu3:
    """Read the DEU III file (tab-separated; second row: capability weights; see shared/data/bargaining/README)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(p, "no such file (expected the DEU III tab-separated file)")
    table = pd.read_csv(p, sep="\t")
    actors = tuple(c[1:] for c in table.columns if c.startswith("p") and "s" + c[1:] in table.columns)
    weights = table.iloc[0]
    issues = table.iloc[1:]
    issues = issues[issues["out"].notna()]
    position = issues[[f"p{a}" for a in actors]].to_numpy(dtype=float)
    salience = issues[[f"s{a}" for a in actors]].to_numpy(dtype=float) / 100.0
    return Deu3(
        proposal=issues["prnr"].to_numpy(dtype=str),
        issue=issues["isnr"].to_numpy(dtype=str),
        actors=actors,
        capability=weights[[f"p{a}" for a in actors]].to_numpy(dtype=float),
        position=position,
        salience=salience,
        status_quo=issues["rp"].to_numpy(dtype=float),
        outcome=issues["out"].to_numpy(dtype=float),
    )
