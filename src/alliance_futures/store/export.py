"""A saved run's tables in the forms other tools read: CSV files, an Excel workbook, and EMA Workbench's archive.

Three tables, joined on `future`:

    summary     one row per package and outcome: the estimate and its 95% interval (as `alliance-futures run` prints)
    outcomes    one row per package and future: the outcome flags, the US net cost and the named future
    parameters  one row per future: the sampled value of every uncertain parameter (the same under every package)

The yearly paths and final states stay in the run's Parquet files (pandas, DuckDB, R's arrow and Excel's Power Query
read them); the EMA archive carries the yearly paths as time series.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from ..analysis import long_outcomes, summary_frame, to_ema
from ..engine import Ensemble
from ..errors import InputError
from ..limits import Export
from .files import whole_file, write_whole
from .runs import Run, check_output_file

EMA_ARCHIVE_VERSION = 0.1  # the archive layout version EMA Workbench 2.x writes and reads
DEFAULT_NAMES = {  # where each export goes in the run's folder unless told otherwise
    Export.csv: Path("export"),
    Export.xlsx: Path("export.xlsx"),
    Export.ema: Path("export-ema.tar.gz"),
}


def export_tables(run: Run) -> dict[str, pd.DataFrame]:
    """The run's summary, outcomes and parameters tables (see the module's docstring)."""
    return {
        "summary": summary_frame(run.info["summary"]).reset_index(),
        "outcomes": long_outcomes(run.final(), run.case, run.info["years"]),
        "parameters": run.experiments.reset_index(),
    }


def _csv(frame: pd.DataFrame, header: bool = True) -> bytes:
    """A table as CSV, by Arrow's writer: ten times faster than pandas' on wide float tables, and every float
    written so that it reads back exactly."""
    buffer = io.BytesIO()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(include_header=header))
    return buffer.getvalue()


def _xlsx(tables: dict[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as workbook:
        for name, frame in tables.items():
            frame.to_excel(workbook, sheet_name=name, index=False)
    return buffer.getvalue()


def save_ema(ensemble: Ensemble, path: str | Path) -> Path:
    """Write the ensemble as an EMA Workbench results archive (.tar.gz) that `ema_workbench.load_results` reads, in
    the layout of EMA's own `save_results`: experiments.csv, each scalar outcome as a headerless CSV ('.cls'), each
    time series as a NumPy '.npy' file, and metadata.json naming each outcome's class and file. Written here
    rather than by `save_results`, which writes time series and tables through pandas' CSV writer (several times
    slower: benchmarks/ema_export.py), and compressed at the fastest gzip level: floating-point data hardly
    compresses."""
    target = Path(path)
    experiments, outcomes = to_ema(ensemble)
    with whole_file(target) as f, tarfile.open(fileobj=f, mode="w:gz", compresslevel=1) as archive:

        def add(name: str, data: bytes) -> None:
            entry = tarfile.TarInfo(name)
            entry.size = len(data)
            archive.addfile(entry, io.BytesIO(data))

        add("experiments.csv", _csv(experiments))
        described = []
        for name, values in outcomes.items():
            if values.ndim == 1:
                add(f"{name}.cls", _csv(pd.DataFrame({name: values}), header=False))
                described.append(("ScalarOutcome", name, f"{name}.cls"))
            else:
                array = io.BytesIO()
                np.save(array, values)
                add(f"{name}.npy", array.getvalue())
                described.append(("ArrayOutcome", name, f"{name}.npy"))
        dtypes = {column: dtype.name for column, dtype in experiments.dtypes.items()}
        add(
            "metadata.json",
            json.dumps({"version": EMA_ARCHIVE_VERSION, "outcomes": described, "experiments": dtypes}).encode(),
        )
    return target


def export_run(run: Run, to: Export, output: str | Path | None = None) -> list[Path]:
    """Write the run's tables as `to` (CSV files in a folder, one workbook, or EMA's archive) to `output` (default:
    beside the run's own files, see `DEFAULT_NAMES`); every file is written whole or not at all. Return the files."""
    target = Path(output) if output is not None else run.path / DEFAULT_NAMES[to]
    if to is not Export.csv:
        check_output_file(target)
    if to is Export.ema:
        return [save_ema(run.ensemble(), target)]
    tables = export_tables(run)
    if to is Export.xlsx:
        return [write_whole(target, _xlsx(tables))]
    if target.exists() and not target.is_dir():
        raise InputError(target, "CSV files go into a folder, and this is a file; give a folder")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(target, f"cannot make the folder: {exc.strerror}") from None
    files = [check_output_file(target / f"{name}.csv") for name in tables]
    return [write_whole(file, _csv(frame)) for file, frame in zip(files, tables.values(), strict=True)]
