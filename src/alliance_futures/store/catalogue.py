"""The service's catalogue of runs: an embedded DuckDB database in a data folder, beside one run folder per run
(see `runs`), and queries over those folders' Parquet tables.

    DATA/catalogue.duckdb   one row per submitted run: its request, status, progress, summary or error
    DATA/runs/ID/           the run as `save_run` writes it, then `bands.parquet` (below), the views and report

A run is `queued`, then `running` (its phase names the stage: simulating, saving, each stage of the analysis,
writing), then `finished` or `failed`. The status is
the truth: a run is `finished` only after every file is written. A server stopped mid-run leaves the run `running`;
the next start marks it `failed` and removes half-written folders, so nothing is ever left half-written.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import InputError
from .files import write_whole
from .runs import unfinished_saves

CATALOGUE_FILE = "catalogue.duckdb"
BANDS_FILE = "bands.parquet"
INTERRUPTED = "the server stopped before the run finished; submit it again"
FIELDS = ("id", "status", "phase", "done", "total", "created", "finished", "request", "summary", "error")
JSON_FIELDS = ("request", "summary")


class Catalogue:
    """Runs submitted to the service. Thread-safe: one connection, used under a lock; the calls are small."""

    def __init__(self, data_dir: str | Path):
        self.root = Path(data_dir)
        self.runs_dir = self.root / "runs"
        self._lock = threading.Lock()
        try:
            self.runs_dir.mkdir(parents=True, exist_ok=True)
            self._db = duckdb.connect(str(self.root / CATALOGUE_FILE))
        except (OSError, duckdb.Error) as exc:
            in_use = "lock" in str(exc).lower()
            problem = "is in use by another server" if in_use else f"cannot be used ({exc})"
            raise InputError(self.root, f"the data folder {problem}") from None
        self._db.execute(
            """CREATE TABLE IF NOT EXISTS runs (
                id VARCHAR PRIMARY KEY, status VARCHAR NOT NULL, phase VARCHAR, done BIGINT, total BIGINT,
                created TIMESTAMP NOT NULL, finished TIMESTAMP, request JSON NOT NULL, summary JSON, error VARCHAR)"""
        )

    def recover(self) -> list[str]:
        """Mark the runs a stopped server left unfinished as failed and delete their half-written folders; return
        their ids. Call once, before any run starts."""
        with self._lock:
            unfinished = "WHERE status IN ('queued', 'running')"
            stale = [row[0] for row in self._db.execute(f"SELECT id FROM runs {unfinished}").fetchall()]
            mark = f"UPDATE runs SET status = 'failed', error = ?, finished = ? {unfinished}"
            self._db.execute(mark, [INTERRUPTED, _now()])
        for run_id in stale:
            shutil.rmtree(self.path(run_id), ignore_errors=True)
        for partial in unfinished_saves(self.runs_dir):
            shutil.rmtree(partial, ignore_errors=True)
        return stale

    def add(self, run_id: str, request: dict[str, Any], total: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO runs (id, status, phase, done, total, created, request) "
                "VALUES (?, 'queued', 'queued', 0, ?, ?, ?)",
                [run_id, total, _now(), json.dumps(request)],
            )

    def update(self, run_id: str, **fields: Any) -> None:
        """Set some fields of a run (`summary` as a dict; `finished` is stamped when the status becomes final)."""
        if fields.get("status") in ("finished", "failed"):
            fields["finished"] = _now()
        if "summary" in fields:
            fields["summary"] = json.dumps(fields["summary"])
        unknown = set(fields) - set(FIELDS)
        if unknown:
            raise KeyError(f"no such field in the catalogue: {sorted(unknown)}")
        columns = ", ".join(f"{name} = ?" for name in fields)
        with self._lock:
            self._db.execute(f"UPDATE runs SET {columns} WHERE id = ?", [*fields.values(), run_id])

    def get(self, run_id: str) -> dict[str, Any] | None:
        rows = self._select("WHERE id = ?", [run_id])
        return rows[0] if rows else None

    def runs(self) -> list[dict[str, Any]]:
        """Every run, newest first."""
        return self._select("ORDER BY created DESC, id DESC", [])

    def path(self, run_id: str) -> Path:
        return self.runs_dir / run_id

    def _select(self, clause: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(f"SELECT {', '.join(FIELDS)} FROM runs {clause}", list(args)).fetchall()
        out = []
        for row in rows:
            record = dict(zip(FIELDS, row, strict=True))
            for key in JSON_FIELDS:
                record[key] = json.loads(record[key]) if record[key] is not None else None
            for key in ("created", "finished"):
                record[key] = record[key].isoformat() + "Z" if record[key] is not None else None
            out.append(record)
        return out

    def query(
        self, sql: str, args: Sequence[Any] = (), tables: Mapping[str, pd.DataFrame] | None = None
    ) -> pd.DataFrame:
        """A query over the runs' Parquet files and the data frames `tables` (by name), on its own cursor, so
        queries run side by side."""
        with self._lock:
            cursor = self._db.cursor()
        try:
            for name, frame in (tables or {}).items():
                cursor.register(name, frame)
            return cursor.execute(sql, list(args)).df()
        finally:
            cursor.close()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def write_bands(catalogue: Catalogue, run_dir: Path, yearly: Sequence[Path], named: pd.DataFrame) -> Path:
    """Per recorded variable, package and year, the futures' count, mean and 5th, 50th and 95th percentiles, over all
    futures (named_future null) and over those ending as each named future: `bands.parquet` in a saved run's folder,
    written whole or not at all. `yearly` are the run's yearly Parquet files, `named` each future's named future
    (package, future, named_future): only the futures it lists are counted. One variable at a time, since exact
    percentiles hold every value of a group: all variables at once held them all (8.5 GB for 262,144 futures × 2
    packages × 20 years, against about 1 GB one at a time)."""
    files = ", ".join("'{}'".format(str(path).replace("'", "''")) for path in yearly)
    variables = sorted(c for c in pq.read_schema(yearly[0]).names if c not in ("package", "future", "year"))
    parts = []
    for variable in variables:
        column = '"{}"'.format(variable.replace('"', '""'))
        parts.append(
            catalogue.query(
                f"""SELECT ? AS variable, f.named_future, l.package, l.year, count(*) AS futures,
                           avg(l.{column}) AS mean, quantile_cont(l.{column}, 0.05) AS p05,
                           quantile_cont(l.{column}, 0.5) AS p50, quantile_cont(l.{column}, 0.95) AS p95
                    FROM read_parquet([{files}]) l JOIN named f USING (package, future)
                    GROUP BY GROUPING SETS ((l.package, l.year), (f.named_future, l.package, l.year))
                    ORDER BY f.named_future NULLS LAST, l.package, l.year""",
                [variable],
                tables={"named": named[["package", "future", "named_future"]].astype({"named_future": str})},
            )
        )
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(pd.concat(parts, ignore_index=True), preserve_index=False), sink)
    return write_whole(run_dir / BANDS_FILE, sink.getvalue().to_pybytes())
