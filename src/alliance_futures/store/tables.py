"""A run's results as Parquet files, one per chunk of futures and package, written where the chunk was simulated.

    final/PACKAGE/NNNNNN.parquet    chunk NNNNNN: package, future and the state at the horizon of each future
    yearly/PACKAGE/NNNNNN.parquet   chunk NNNNNN: package, future, year and the recorded variables of each year
    chunks.jsonl                    the manifest: one line per chunk written (package, chunk, first and last future
                                    + 1, seed, and each file's rows, bytes and SHA-256), appended as chunks finish

`ChunkFiles` is the engine's sink for this layout: a worker writes its chunk's files (each under a temporary name,
renamed when whole, so a file that exists is whole and a chunk re-run overwrites its own files atomically) and
returns only the manifest line, which the calling process appends. Memory holds a few chunks, whatever the number of
futures. Runs saved before chunking have one `final.parquet` and one `yearly.parquet`; they read the same way.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..engine import Chunk, Paths

TABLES = ("final", "yearly")
MANIFEST = "chunks.jsonl"
_PART = re.compile(r"^(final|yearly)/([a-z0-9_]+)/(\d+)\.parquet$")


def chunk_file(table: str, package: str, index: int) -> str:
    """Where a chunk's table goes, relative to the run's folder."""
    return f"{table}/{package}/{index:06d}.parquet"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(2**22):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class ChunkFiles:
    """The sink that writes each chunk's final states and yearly paths into `folder` (see the module's docstring);
    `seed` and the first simulated year are recorded with each chunk."""

    folder: Path
    first_year: int
    seed: int

    def write(self, chunk: Chunk, paths: Paths) -> dict[str, Any]:
        futures = np.arange(chunk.start, chunk.stop)
        tables = {"final": pa.table({"package": pa.repeat(chunk.package, len(futures)), "future": futures})}
        for name, arr in paths.final.items():
            tables["final"] = tables["final"].append_column(name, pa.array(arr))
        if paths.yearly is not None:
            years = next(iter(paths.yearly.values())).shape[1]
            columns = {
                "package": pa.repeat(chunk.package, len(futures) * years),
                "future": np.repeat(futures, years),
                "year": np.tile(np.arange(self.first_year, self.first_year + years), len(futures)),
            }
            tables["yearly"] = pa.table(columns | {v: arr.ravel() for v, arr in paths.yearly.items()})
        files = {}
        for table, content in tables.items():
            relative = chunk_file(table, chunk.package, chunk.index)
            target = self.folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.{os.getpid()}")
            pq.write_table(content, partial)
            os.replace(partial, target)  # whole, or not there
            files[relative] = {"rows": content.num_rows, "bytes": target.stat().st_size, "sha256": sha256(target)}
        where = {"package": chunk.package, "chunk": chunk.index, "start": chunk.start, "stop": chunk.stop}
        return where | {"seed": self.seed, "files": files}

    def gather(self, chunk: Chunk, written: dict[str, Any]) -> None:
        with (self.folder / MANIFEST).open("a", encoding="utf-8") as f:
            f.write(json.dumps(written) + "\n")
            f.flush()
            os.fsync(f.fileno())


def table_files(files: Iterable[str], table: str, packages: Sequence[str]) -> list[str]:
    """The files of one of a run's tables ('final' or 'yearly'), among the run's `files`, in the order of its rows:
    package by package (in `packages`' order), chunk by chunk; a run saved before chunking has one file."""
    if f"{table}.parquet" in files:
        return [f"{table}.parquet"]
    parts = [(m.group(2), int(m.group(3)), name) for name in files if (m := _PART.match(name)) and m.group(1) == table]
    order = {name: i for i, name in enumerate(packages)}
    return [name for package, index, name in sorted(parts, key=lambda p: (order.get(p[0], len(order)), p[1]))]


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
