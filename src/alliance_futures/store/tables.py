"""A run's tables as Parquet files, one per chunk of futures (and package), written where the chunk was simulated.

    experiments/NNNNNN.parquet      chunk NNNNNN: the sampled parameters of each future's vector, in future order
    final/PACKAGE/NNNNNN.parquet    chunk NNNNNN: package, future and the state at the horizon of each future
    yearly/PACKAGE/NNNNNN.parquet   chunk NNNNNN: package, future, year and the recorded variables of each year
    chunks.jsonl                    the manifest: one line per chunk and package written (package, chunk, first
                                    and last future + 1, seed, and each file's rows, bytes and SHA-256), appended
                                    as they finish

`ChunkFiles` is the engine's sink for this layout: a worker writes its chunk's files (each under a temporary name,
renamed when whole, so a file that exists is whole and a chunk re-run overwrites its own files atomically) and
returns only the manifest line, which the calling process appends. Memory holds a few chunks, whatever the number of
futures. Runs saved before chunking have one experiments.parquet, final.parquet and yearly.parquet; they read the
same way.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..engine import Chunk, Paths

TABLES = ("experiments", "final", "yearly")
MANIFEST = "chunks.jsonl"
_PART = re.compile(r"^(experiments|final|yearly)/(?:([a-z0-9_]+)/)?(\d+)\.parquet$")


def chunk_file(table: str, index: int, package: str | None = None) -> str:
    """Where a chunk's table goes, relative to the run's folder."""
    return f"{table}/{package}/{index:06d}.parquet" if package else f"{table}/{index:06d}.parquet"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(2**22):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class ChunkFiles:
    """The sink that writes each chunk's experiments rows, final states and yearly paths into `folder` (see the
    module's docstring); `seed` is recorded with each chunk, `first_year` numbers the yearly rows, and each of
    `replications` futures of a vector repeats its experiments row."""

    folder: Path
    first_year: int
    seed: int
    replications: int = 1

    @classmethod
    def of(cls, folder: Path, info: Mapping[str, Any]) -> ChunkFiles:
        """The sink for a run folder, from what its plan records."""
        return cls(folder, info["first_year"], info["seed"], info["replications"])

    def write(self, chunk: Chunk, experiments: pd.DataFrame | None, paths: Paths) -> dict[str, Any]:
        tables = {}
        if experiments is not None:
            tables[chunk_file("experiments", chunk.index)] = pa.Table.from_pandas(experiments, preserve_index=False)
        futures = np.arange(chunk.start, chunk.stop)
        package = pa.repeat(chunk.package, len(futures))
        tables[chunk_file("final", chunk.index, chunk.package)] = pa.table(
            {"package": package, "future": futures} | paths.final
        )
        if paths.yearly is not None:
            years = next(iter(paths.yearly.values())).shape[1]
            columns = {
                "package": pa.repeat(chunk.package, len(futures) * years),
                "future": np.repeat(futures, years),
                "year": np.tile(np.arange(self.first_year, self.first_year + years), len(futures)),
            }
            yearly = columns | {v: arr.ravel() for v, arr in paths.yearly.items()}
            tables[chunk_file("yearly", chunk.index, chunk.package)] = pa.table(yearly)
        where = {"package": chunk.package, "chunk": chunk.index, "start": chunk.start, "stop": chunk.stop}
        return where | {"seed": self.seed, "files": {name: self._write(name, t) for name, t in tables.items()}}

    def _write(self, relative: str, table: pa.Table) -> dict[str, Any]:
        """One file, under a temporary name renamed when whole; its rows, size and checksum."""
        target = self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}")  # two attempts at a chunk never share one
        # Dictionary encoding pays for the package's name and for experiments' rows repeated per replication, not
        # for floats that do not repeat (yearly paths, or experiments of one future per vector): there it took more
        # than half the time of writing them, for larger files.
        dictionary = True if relative.startswith("experiments/") and self.replications > 1 else ["package"]
        pq.write_table(table, partial, use_dictionary=dictionary)
        os.replace(partial, target)
        return {"rows": table.num_rows, "bytes": target.stat().st_size, "sha256": sha256(target)}

    def gather(self, chunk: Chunk, written: dict[str, Any]) -> None:
        with (self.folder / MANIFEST).open("a", encoding="utf-8") as f:
            f.write(json.dumps(written) + "\n")
            f.flush()
            os.fsync(f.fileno())


def table_files(files: Iterable[str], table: str, packages: Sequence[str]) -> list[str]:
    """The files of one of a run's tables (`TABLES`), among the run's `files`, in the order of its rows: package by
    package (in `packages`' order), chunk by chunk; a run saved before chunking has one file."""
    files = list(files)
    if f"{table}.parquet" in files:
        return [f"{table}.parquet"]
    parts = [(m.group(2), int(m.group(3)), name) for name in files if (m := _PART.match(name)) and m.group(1) == table]
    order = {name: i for i, name in enumerate(packages)}
    return [name for package, index, name in sorted(parts, key=lambda p: (order.get(p[0] or "", 0), p[1]))]


def manifest(folder: Path) -> list[Mapping[str, Any]]:
    """The chunks a run has written so far (a last line cut short by a killed process is left out)."""
    path = folder / MANIFEST
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            break
    return entries
