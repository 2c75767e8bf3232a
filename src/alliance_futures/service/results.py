"""A finished run's results as the service serves them, so that an answer costs a lookup, not a computation:

    RUN/views/NAME.json   each of the report's views (`views.VIEWS`), written once when the run finishes
    RUN/bands.parquet     yearly bands of every variable, over all futures and per named future (`store.write_bands`)
                          (past `SERVICE_MAX_ANALYSED` futures per package, the views but the comparison, the bands,
                          the futures listed and the report's other sections are those of its first futures, a random
                          sample: `analysed`)
    RUN/downloads/        the experiments, the final states with outcomes and the yearly paths, each as one Parquet
                          file, gathered from the run's chunks when first asked for (`table_file`)

and, for the runs read most recently, the bands as ready JSON and the futures' outcomes, held in memory.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import api
from ..analysis import OUTCOMES, REQUIREMENTS, long_outcomes
from ..analysis.findings import Findings
from ..engine import Ensemble
from ..limits import SERVICE_MAX_ANALYSED
from ..store import BANDS_FILE, Catalogue, Run, load_run, write_bands
from ..store.files import whole_file, write_whole
from .views import views

VIEWS_DIR = "views"
DOWNLOADS_DIR = "downloads"
RUNS_IN_MEMORY = 8  # finished runs whose bands and outcomes are kept in memory (a 10,000-future run: a few MB)
ALL = ""  # the key of the bands over all futures, whatever their named future


def write_results(found: Findings, ensemble: Ensemble, saved: Run, catalogue: Catalogue) -> None:
    """Into the folder of the run `saved`: the views of the `found` findings on `ensemble` (its analysed futures,
    `analysed`) and the bands."""
    folder = saved.path
    (folder / VIEWS_DIR).mkdir(exist_ok=True)
    for name, view in views(found, ensemble, saved.info["futures"]).items():
        path = folder / VIEWS_DIR / f"{name}.json"
        write_whole(path, json.dumps(view).encode())
    write_bands(catalogue, folder, saved.files("yearly", analysed(saved)), _outcomes(saved))


def analysed(saved: Run) -> int | None:
    """How many futures per package of a run the service analyses (None: all of them; see `api.analysed_futures`)."""
    return api.analysed_futures(saved, SERVICE_MAX_ANALYSED)


def _outcomes(saved: Run) -> pd.DataFrame:
    """The outcomes (`analysis.long_outcomes`) of the futures of a run the service analyses, read from the chunks
    that hold them."""
    return long_outcomes(saved.final(analysed(saved)), saved.case, saved.info["years"])


def table_file(folder: Path, table: str) -> Path:
    """A run's table as one Parquet file to download: bands as saved; experiments, final (the state at the horizon
    and the outcomes per package and future) and yearly gathered from the run's chunks, a chunk at a time, when first
    asked for."""
    if table == "bands":
        return folder / BANDS_FILE
    target = folder / DOWNLOADS_DIR / f"{table}.parquet"
    if not target.is_file():
        saved = load_run(folder, REQUIREMENTS)
        target.parent.mkdir(exist_ok=True)
        with whole_file(target) as f:
            writer, rows = None, 0
            for path in saved.files(table):
                part = pq.read_table(path)
                if table == "experiments":  # each future's row, numbered
                    part = part.add_column(0, "future", pa.array(np.arange(rows, rows + part.num_rows)))
                    rows += part.num_rows
                if table == "final":
                    states = part.to_pandas()
                    outcomes = long_outcomes(states, saved.case, saved.info["years"]).drop(
                        columns=["package", "future"]
                    )
                    both = pd.concat([states.drop(columns=outcomes.columns, errors="ignore"), outcomes], axis=1)
                    part = pa.Table.from_pandas(both, preserve_index=False)
                writer = writer or pq.ParquetWriter(f, part.schema)
                writer.write_table(part)
            if writer is not None:
                writer.close()
    return target


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
    outcomes = _outcomes(load_run(folder, REQUIREMENTS))[["package", "future", "named_future", *OUTCOMES]]
    return Served(bands, list(dict.fromkeys(table["variable"])), outcomes)
