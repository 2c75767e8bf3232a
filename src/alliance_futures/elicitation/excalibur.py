"""Read an EXCALIBUR study: the `.dtt` file of experts' quantiles and the `.rls` file of realisations beside it, the
format of the TU Delft expert judgement database (Cooke & Goossens 2008). Both are fixed-width text: in `.dtt`, after
a header naming the quantile levels (`NQ= 3 QU= 5 50 95`), one row per expert and item (expert number, expert id,
item number, item id, scale `uni` or `log`, the quantiles, a description); in `.rls`, one row per item (number, id,
realisation, scale, description). A missing answer or realisation is written as -999.5 or -999.6."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import InputError
from .classical import Study

DATA = resources.files("alliance_futures") / "elicitation" / "data"
BUILTIN_STUDIES = (
    "Arsenic_D-R",
    "CDC_ROI_Final",
    "Food_prices",
    "IceSheet2012",
    "PoliticalViolence_March17_CW",
    "Topaz",
)

MISSING = (-999.5, -999.6)
HEADER = re.compile(r"NQ=\s*(\d+)\s+QU=\s*([\d\s]+)")
ANSWER = (slice(0, 5), slice(5, 14), slice(14, 19), slice(19, 34), slice(34, 38))  # expert no., id, item no., id, scale
QUANTILE_WIDTH = 15
REALISATION = (slice(0, 5), slice(5, 20), slice(20, 35), slice(35, 40))  # item no., id, realisation, scale


def _number(text: str, path: Path, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(path, f"expected a number, got '{text.strip()}'", line=line) from None
    return np.nan if any(np.isclose(value, m) for m in MISSING) else value


def read_excalibur(dtt: str | Path) -> Study:
    """The study in `dtt` and the `.rls` file of the same name beside it, or a built-in study by name
    (`BUILTIN_STUDIES`, from the TU Delft database)."""
    if str(dtt) in BUILTIN_STUDIES:
        dtt = Path(str(DATA / f"{dtt}.dtt"))
    path, rls = Path(dtt), Path(dtt).with_suffix(".rls")
    for file in (path, rls):
        if not file.is_file():
            raise InputError(file, "no such file (an EXCALIBUR study is a .dtt file with its .rls beside it)")
    lines = path.read_text(encoding="latin-1").splitlines()
    header = HEADER.search(lines[0]) if lines else None
    levels = tuple(int(x) / 100 for x in header.group(2).split()) if header else ()
    if header is None or len(levels) != int(header.group(1)) or not 0 < min(levels) <= max(levels) < 1:
        raise InputError(path, "expected a header naming the quantiles, such as 'NQ= 3 QU= 5 50 95'", line=1)
    answers: dict[tuple[str, str], list[float]] = {}
    scales: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        _, expert, _, item, scale = (line[s].strip() for s in ANSWER)
        start = ANSWER[-1].stop
        values = [
            _number(line[start + k * QUANTILE_WIDTH : start + (k + 1) * QUANTILE_WIDTH], path, number)
            for k in range(len(levels))
        ]
        if scale.lower() not in ("uni", "log"):
            raise InputError(path, f"expected the scale 'uni' or 'log', got '{scale}'", key=item, line=number)
        answers[(expert, item)] = values
        scales[item] = scale.lower()
    realisations = {}
    for number, line in enumerate(rls.read_text(encoding="latin-1").splitlines(), start=1):
        if line.strip():
            realisations[line[REALISATION[1]].strip()] = _number(line[REALISATION[2]], rls, number)
    experts = tuple(dict.fromkeys(e for e, _ in answers))
    items = tuple(scales)
    quantiles = np.full((len(experts), len(items), len(levels)), np.nan)
    for (expert, item), values in answers.items():
        quantiles[experts.index(expert), items.index(item)] = values
    realisation = np.array([realisations.get(item, np.nan) for item in items])
    log = np.array([scales[i] == "log" for i in items])
    return checked(Study(experts, items, log, quantiles, realisation, levels), path)


def checked(study: Study, source: str | Path) -> Study:
    """The study, refused if an expert's quantiles do not increase or a log-scale item has a value at or below 0."""
    answered = ~np.isnan(study.quantiles).any(axis=2)
    flat = np.diff(study.quantiles, axis=2) <= 0
    for e, j in zip(*np.nonzero(answered & flat.any(axis=2)), strict=True):
        raise InputError(
            source,
            f"expert '{study.experts[e]}': the quantiles must increase, got {list(study.quantiles[e, j])}",
            key=study.items[j],
        )
    values = np.concatenate(
        [study.quantiles.transpose(1, 0, 2).reshape(len(study.items), -1), study.realisation[:, None]], axis=1
    )
    for j in np.nonzero(study.log_scale & (np.nan_to_num(values, nan=1.0) <= 0).any(axis=1))[0]:
        raise InputError(source, "a log-scale item needs values above 0", key=study.items[j])
    return study
