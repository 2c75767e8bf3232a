"""A finished run's results as the service serves them, so that an answer costs a lookup, not a computation:

    RUN/views/NAME.json   each of the report's views (`views.VIEWS`), written once when the run finishes
    RUN/bands.parquet     yearly bands of every variable, over all futures and per named future (`store.write_bands`)

and, for the runs read most recently, the bands as ready JSON and the futures' outcomes, held in memory.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..analysis import OUTCOMES
from ..analysis.findings import Findings
from ..engine import Ensemble
from ..store import BANDS_FILE, Catalogue, write_bands
from ..store.files import write_whole
from .views import views

VIEWS_DIR = "views"
RUNS_IN_MEMORY = 8  # finished runs whose bands and outcomes are kept in memory (a 10,000-future run: a few MB)
ALL = ""  # the key of the bands over all futures, whatever their named future


def write_results(found: Findings, ensemble: Ensemble, folder: Path, catalogue: Catalogue) -> None:
    (folder / VIEWS_DIR).mkdir(exist_ok=True)
    for name, view in views(found, ensemble).items():
        path = folder / VIEWS_DIR / f"{name}.json"
        write_whole(path, json.dumps(view).encode())
    write_bands(catalogue, folder)


def view_bytes(folder: Path, name: str) -> bytes:
    return (folder / VIEWS_DIR / f"{name}.json").read_bytes()


@dataclass(frozen=True)
class Served:
    """What the service answers from memory for one run."""

    bands: dict[tuple[str, str], bytes]  # (variable, named future or ALL) → JSON rows
    variables: list[str]
    outcomes: pd.DataFrame  # package, future, named future and outcome flags, one row per package and future


class ServedRuns:
    """The most recently read runs' `Served`, each read from disk once however many requests ask at the same time."""

    def __init__(self, size: int = RUNS_IN_MEMORY):
        self._runs: OrderedDict[Path, Served] = OrderedDict()
        self._size = size
        self._reading = threading.Lock()

    def cached(self, folder: Path) -> Served | None:
        """The run if it is in memory, at once (for handlers on the event loop)."""
        return self._runs.get(folder)

    def get(self, folder: Path) -> Served:
        with self._reading:
            if folder not in self._runs:
                self._runs[folder] = _read(folder)
                while len(self._runs) > self._size:
                    self._runs.popitem(last=False)
            self._runs.move_to_end(folder)
            return self._runs[folder]


def _read(folder: Path) -> Served:
    table = pd.read_parquet(folder / BANDS_FILE)
    table["named_future"] = table["named_future"].fillna(ALL)
    bands = {
        (str(variable), str(named)): group.drop(columns=["variable", "named_future"]).to_json(orient="records").encode()
        for (variable, named), group in table.groupby(["variable", "named_future"], sort=False)
    }
    outcomes = pd.read_parquet(folder / "final.parquet", columns=["package", "future", "named_future", *OUTCOMES])
    return Served(bands, list(dict.fromkeys(table["variable"])), outcomes)
