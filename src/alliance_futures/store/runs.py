"""Runs on disk: one folder per run, written whole or not at all.

    run.json            what was run (case, packages, futures, replications, years, seed, design, version), its
                        summary, and the size and SHA-256 of every other file (read back only if they match)
    case.yaml           the case exactly as simulated; policies/NAME.yaml likewise
    experiments/        one row per future: the sampled deep-uncertainty parameters of its vector (future f is
                        replication f % K of vector f // K), one Parquet file per chunk of futures
    final/, yearly/     one Parquet file per package and chunk: the state at the horizon, and the recorded state
                        variables of every year; chunks.jsonl lists the chunks as they were written (`tables`)
    branches.parquet    for a run whose futures continue an earlier run's (an update's posterior): per branch
                        (run.json `branches`: the year, the seed and the package followed), the future each one
                        retraces through that year
    attachments         files the run was made from besides its case (an update's observation log)

A run's folder is claimed before its simulation (made, or marked with the process's id in `.claim`), so a second
run asking for it is refused at once; the run is written under a temporary name and renamed onto the claimed folder
when complete, so an interrupted save leaves no half-written run, and an existing run is never overwritten. A run
streams into its hidden folder as its chunks finish (`saving`), so memory holds a few chunks whatever its size. A save
that fails (a full disk, Ctrl+C) removes what it wrote; one killed outright leaves its hidden folder for `clean_saves`.
No file of a saved run is ever written over (`check_output_file`). The store stores: outcomes and summaries are the
analysis layer's, computed from what is stored and handed to `finish` as part of the run's record.
"""

from __future__ import annotations

import errno
import glob
import itertools
import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..case import Case, Policy, Requirements, load_case, load_policy
from ..engine import DEFAULT_CHUNK, Branch, Ensemble
from ..errors import InputError
from ..model import STATE_VARIABLES
from .files import check_writable
from .tables import MANIFEST, TABLES, ChunkFiles, chunk_file, manifest, sha256, table_files

RUN_FILE = "run.json"
CASE_FILE = Path("case.yaml")
POLICY_FOLDER = Path("policies")
PARTIAL = ".partial-"  # a run being saved is the folder .NAME.partial-PID until it is complete
CLAIM_FILE = ".claim"  # in a folder claimed for a run being simulated: the claiming process's id
PLAN_FILE = "plan.json"  # in a run being saved: what its run.json will say of it, for `resuming` a killed run
BRANCHES_FILE = "branches.parquet"


def policy_file(name: str) -> Path:
    """Where a run's folder keeps the package `name`, relative to the folder."""
    return POLICY_FOLDER / f"{name}.yaml"


def unfinished_saves(parent: Path) -> list[Path]:
    """Folders that runs killed before their end left in `parent` (not those of runs under way): the hidden folder
    of a save, or a folder claimed for a run and left empty."""
    saves = (p for p in parent.glob(f".*{PARTIAL}*") if p.is_dir() and not _alive(p.name.rsplit("-", 1)[1]))
    claims = (p.parent for p in parent.glob(f"*/{CLAIM_FILE}") if _abandoned(p.parent))
    return sorted([*saves, *claims])


@dataclass(frozen=True)
class UnfinishedSave:
    """What a run killed before its end left: the hidden folder of its save, or the folder it claimed."""

    path: Path
    bytes: int
    whole: bool  # a complete run that could not take its folder's name (see `save_run`): renamed, it is a run


def clean_saves(parent: str | Path, remove: bool = True) -> list[UnfinishedSave]:
    """What killed runs left in `parent` (see `unfinished_saves`), removed with `remove`, except whole runs kept
    aside."""
    found = []
    for path in unfinished_saves(Path(parent)):
        try:
            _check_sizes(path, read_record(path))
            whole = True
        except InputError:
            whole = False
        found.append(UnfinishedSave(path, sum(p.stat().st_size for p in path.rglob("*") if p.is_file()), whole))
        if remove and not whole:
            shutil.rmtree(path, ignore_errors=True)
    return found


def check_output_file(path: str | Path) -> Path:
    """Refuse, before any slow work, a file that cannot be written (see `files.check_writable`) or that belongs
    to a saved run: a run's files are never written over."""
    target = check_writable(path)
    for folder in list(target.parents)[:3]:  # a run's files are at most two folders deep (final/PACKAGE/NNNNNN)
        if (folder / RUN_FILE).is_file() and _run_file(folder, target.relative_to(folder)):
            raise InputError(
                target, f"is a file of the saved run {folder}, which is never written over; choose another file"
            )
    return target


def _run_file(folder: Path, relative: Path) -> bool:
    """Whether `relative` is a file of the run in `folder`: one every run has, or one its run.json records."""
    parts = relative.parts
    if relative.as_posix() in (RUN_FILE, CASE_FILE.as_posix(), BRANCHES_FILE, MANIFEST) or (
        parts[0] in (POLICY_FOLDER.name, *TABLES)
    ):
        return True
    try:
        return relative.as_posix() in (read_record(folder).get("files") or {})
    except InputError:
        return False


def _dump_yaml(model: Case | Policy, path: Path) -> None:
    path.write_text(
        yaml.safe_dump(model.model_dump(mode="json", exclude_none=True), sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )


def claim_folder(directory: str | Path, unique: bool = False) -> Path:
    """Claim a new or empty folder for a run, atomically, before any slow work: the folder is made (or, if it exists
    empty, marked with this process's claim), so that a second run asking for it is refused at once instead of
    failing after its simulation. With `unique`, a taken name gets a suffix (-2, -3 …) instead: two runs started in
    the same second with the same default name each get a folder. A claim whose process has died is taken over.
    Nothing saved before is ever overwritten."""
    target = Path(directory)
    for n in itertools.count(1):
        candidate = target if n == 1 else target.with_name(f"{target.name}-{n}")
        try:
            candidate.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            blocking = next((p for p in reversed(candidate.parents) if p.exists() and not p.is_dir()), None)
            problem = f"{blocking} is a file, not a folder" if blocking else exc.strerror
            raise InputError(candidate, f"cannot make the output folder: {problem}") from None
        try:
            candidate.mkdir()
        except FileExistsError:
            taken = _why_taken(candidate)
            if taken is not None:
                if unique:
                    continue
                raise InputError(candidate, taken) from None
        except OSError as exc:
            raise InputError(candidate, f"cannot make the output folder: {exc.strerror}") from None
        (candidate / CLAIM_FILE).write_text(str(os.getpid()), encoding="utf-8")
        return candidate
    raise AssertionError("unreachable")


def release_folder(directory: str | Path) -> None:
    """Remove this process's claim on a folder whose run was not saved, and the folder if the claim made it empty."""
    folder = Path(directory)
    if (folder / CLAIM_FILE).is_file() and not _claimed(folder):
        (folder / CLAIM_FILE).unlink()
        if not any(folder.iterdir()):
            folder.rmdir()


def _claimant(folder: Path) -> str | None:
    """The id (as text) of the process that claimed the folder, or None if none did."""
    try:
        return (folder / CLAIM_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _claimed(folder: Path) -> bool:
    """Whether a live process other than this one has claimed the folder."""
    pid = _claimant(folder)
    return pid is not None and pid != str(os.getpid()) and _alive(pid)


def _abandoned(folder: Path) -> bool:
    """Whether the folder holds nothing but the claim of a process no longer running."""
    pid = _claimant(folder)
    return pid is not None and [p.name for p in folder.iterdir()] == [CLAIM_FILE] and not _alive(pid)


def _alive(pid: str) -> bool:
    """Whether the process with this id (as text) is running."""
    try:
        if int(pid) <= 0:
            return False
        os.kill(int(pid), 0)
    except (ValueError, OverflowError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _why_taken(folder: Path) -> str | None:
    """Why a run cannot have this existing folder, or None if it can (empty, or claimed by no live process but
    this one)."""
    if not folder.is_dir():
        return "is a file; give a new folder for the run"
    if any(p.name != CLAIM_FILE for p in folder.iterdir()):
        return "output folder exists and is not empty; choose a new folder (runs are never overwritten)"
    if _claimed(folder):
        return "another run is writing to this folder; choose a new folder"
    return None


@dataclass(frozen=True)
class Saving:
    """A run being written into its hidden folder (see `saving` and `resuming`): `sink` takes its chunks as they
    finish; `done` are the chunks (package, index) a killed run had written already."""

    folder: Path
    sink: ChunkFiles
    info: dict[str, Any]
    done: frozenset[tuple[str, int]] = frozenset()

    def final_chunks(self) -> Iterator[tuple[str, pd.DataFrame]]:
        """Each chunk of final states written so far, with its package, one chunk in memory at a time, chunk by
        chunk in the order of the run's futures whatever the order they finished in (for the analysis that
        summarises the run before `finish`)."""
        for entry in _in_chunk_order(manifest(self.folder), self.info["packages"]):
            name = chunk_file("final", entry["chunk"], entry["package"])
            yield entry["package"], pq.read_table(self.folder / name).to_pandas()

    def finish(self, record: Mapping[str, Any]) -> None:
        """Write run.json (what was run, `record`, and every file's size and checksum) last: the run is whole."""
        _write_manifest(self.folder, self.info["packages"], manifest(self.folder))  # in chunk order, not as finished
        (self.folder / PLAN_FILE).unlink()
        futures, packages = self.info["futures"], self.info["packages"]
        due = {("experiments", None): futures} | {("final", p): futures for p in packages}
        if self.info["paths"]:
            due |= {("yearly", p): futures * self.info["years"] for p in packages}
        rows = dict.fromkeys(due, 0)
        recorded = {}
        for entry in manifest(self.folder):
            for name, written in entry["files"].items():
                parts = name.split("/")
                rows[parts[0], parts[1] if len(parts) == 3 else None] += written["rows"]
                recorded[name] = {"bytes": written["bytes"], "sha256": written["sha256"]}
        for (table, package), n in rows.items():
            if n != due[table, package]:
                whose = f" for {package}" if package else ""
                raise InputError(
                    self.folder, f"has {n:,} rows of {table}{whose} where {due[table, package]:,} were due"
                )
        others = (
            p
            for p in sorted(self.folder.rglob("*"))
            if p.is_file() and p.relative_to(self.folder).parts[0] not in TABLES
        )
        for path in others:
            recorded[path.relative_to(self.folder).as_posix()] = {"bytes": path.stat().st_size, "sha256": sha256(path)}
        info = self.info | dict(record) | {"files": dict(sorted(recorded.items()))}
        with (self.folder / RUN_FILE).open("w", encoding="utf-8") as f:
            json.dump(info, f, indent=1)
            f.flush()
            os.fsync(f.fileno())  # the record is the last thing written: a run with one is whole


@dataclass(frozen=True)
class Inputs:
    """What a run is made from, as run.json records it: its case and packages, `futures` futures (parameter vectors
    × `replications`) drawn by `design` from `seed` (or continuing an earlier run's, `branches`), `years` years."""

    case: Case
    policies: Sequence[Policy]
    futures: int
    years: int
    seed: int
    design: str
    replications: int = 1
    branches: tuple[Branch, ...] = ()

    @classmethod
    def of(cls, ensemble: Ensemble) -> Inputs:
        policies = list(ensemble.policies.values())
        return cls(
            ensemble.case,
            policies,
            ensemble.futures,
            ensemble.years,
            ensemble.seed,
            ensemble.design,
            ensemble.replications,
            ensemble.branches,
        )


@contextmanager
def saving(
    directory: str | Path,
    inputs: Inputs,
    paths: bool,
    overrides: Mapping[str, float | Sequence[float]] | None = None,
    attachments: Mapping[str, bytes] | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> Iterator[Saving]:
    """Save a run into a new folder as it is simulated: what it is made from (`inputs`) at once, with what run.json
    will say of it (plan.json, which `resuming` reads), its chunks of `chunk_size` futures through the returned
    `Saving.sink`, and run.json by `Saving.finish` (with the yearly paths if `paths`), after which the folder takes
    the run's name, whole. `overrides` (the parameters the case was narrowed by) are recorded, and the `attachments`
    (file name -> content) are what the run was made from besides its case. A block that ends without `finish`, or
    with an error (a full disk, Ctrl+C), removes what it wrote; a process killed outright leaves its hidden folder,
    which `resuming` finishes."""
    target = Path(directory)
    claimed_here = not (target / CLAIM_FILE).is_file() or _claimed(target)  # not claimed before the simulation
    if claimed_here:
        target = claim_folder(target)
    partial = target.with_name(f".{target.name}{PARTIAL}{os.getpid()}")
    with _saved_whole(target, partial, claimed_here):
        info = _write_inputs(inputs, partial, paths, overrides or {}, attachments or {}) | {"chunk_size": chunk_size}
        (partial / PLAN_FILE).write_text(json.dumps(info, indent=1), encoding="utf-8")
        yield Saving(partial, ChunkFiles.of(partial, info), info)


@contextmanager
def resuming(directory: str | Path) -> Iterator[Saving]:
    """Finish saving a run whose process was killed part-way (see `saving`): its hidden folder is taken over, the
    chunks it wrote whole are kept (`Saving.done`, each file there with the size its manifest line records), and the
    block simulates the others into `Saving.sink` and calls `finish`, as a new run would."""
    target = Path(directory)
    killed = _unfinished(target)
    claimed_here = _claimant(target) != str(os.getpid())
    if claimed_here:
        target = claim_folder(target)  # takes over the claim of the killed process
    partial = target.with_name(f".{target.name}{PARTIAL}{os.getpid()}")
    killed.rename(partial)
    with _saved_whole(target, partial, claimed_here):
        info = json.loads((partial / PLAN_FILE).read_text(encoding="utf-8"))
        whole = [e for e in manifest(partial) if all(_has_size(partial / n, f["bytes"]) for n, f in e["files"].items())]
        _write_manifest(partial, info["packages"], whole)
        for stray in (p for table in TABLES for p in (partial / table).rglob(".*")):  # files cut short by the kill
            stray.unlink()
        done = frozenset((e["package"], e["chunk"]) for e in whole)
        yield Saving(partial, ChunkFiles.of(partial, info), info, done)


def unfinished_plan(directory: str | Path) -> dict[str, Any]:
    """What the run killed part-way that was to be saved in `directory` is (its plan.json: run.json to come)."""
    return json.loads((_unfinished(Path(directory)) / PLAN_FILE).read_text(encoding="utf-8"))


def _unfinished(target: Path) -> Path:
    """The hidden folder a run killed part-way left for `target`; refused, naming why, if there is none to resume."""
    if (target / RUN_FILE).is_file():
        raise InputError(target, "is a whole run already; there is nothing to resume")
    left = sorted(target.parent.glob(f".{glob.escape(target.name)}{PARTIAL}*"), key=lambda p: p.stat().st_mtime)
    running = [p for p in left if _alive(p.name.rsplit("-", 1)[1])]
    if running:
        raise InputError(target, f"its run is still being written by process {running[-1].name.rsplit('-', 1)[1]}")
    killed = [p for p in left if (p / PLAN_FILE).is_file()]
    if not killed:
        raise InputError(target, "holds no run to resume: a run killed part-way leaves .NAME.partial-PID beside it")
    return killed[-1]


def _has_size(path: Path, size: int) -> bool:
    return path.is_file() and path.stat().st_size == size


def _in_chunk_order(entries: Sequence[Mapping[str, Any]], packages: Sequence[str]) -> list[Mapping[str, Any]]:
    """Manifest lines in the order of the run's futures (package by package within a chunk), whatever the order the
    chunks finished in."""
    order = {name: i for i, name in enumerate(packages)}
    return sorted(entries, key=lambda e: (e["chunk"], order[e["package"]]))


def _write_manifest(folder: Path, packages: Sequence[str], entries: Sequence[Mapping[str, Any]]) -> None:
    """The manifest rewritten whole with `entries`, in chunk order."""
    lines = "".join(json.dumps(e) + "\n" for e in _in_chunk_order(entries, packages))
    partial = folder / f".{MANIFEST}.rewritten"
    partial.write_text(lines, encoding="utf-8")
    partial.replace(folder / MANIFEST)


@contextmanager
def _saved_whole(target: Path, partial: Path, claimed_here: bool) -> Iterator[None]:
    """Around writing a run into `partial`: on success (run.json written) rename it onto the claimed `target`;
    otherwise remove it, and give back the claim if it was taken here."""

    def discard() -> None:
        shutil.rmtree(partial, ignore_errors=True)
        if claimed_here:
            release_folder(target)

    try:
        yield
    except BaseException as exc:
        discard()
        if isinstance(exc, OSError):
            raise InputError(target, _not_saved(exc, target.parent)) from None
        raise
    if not (partial / RUN_FILE).is_file():
        discard()
        return
    (target / CLAIM_FILE).unlink(missing_ok=True)
    try:
        partial.rename(target)  # onto the claimed, now empty folder: the run appears whole or not at all
    except OSError:
        raise InputError(
            target,
            f"something was written into the folder while the run was saved; the finished run is kept whole in "
            f"{partial}: rename it to use it",
        ) from None


def save_run(
    ensemble: Ensemble,
    directory: str | Path,
    overrides: Mapping[str, float | Sequence[float]] | None = None,
    record: Mapping[str, Any] | None = None,
    attachments: Mapping[str, bytes] | None = None,
) -> None:
    """Save an ensemble held in memory to a new folder (see `saving`), with `record` in its run.json."""
    with saving(directory, Inputs.of(ensemble), ensemble.yearly is not None, overrides, attachments) as run:
        for chunk, experiments, results in ensemble.chunks():
            run.sink.gather(chunk, run.sink.write(chunk, experiments, results))
        run.finish(record or {})


def _not_saved(exc: OSError, folder: Path) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        free = shutil.disk_usage(folder).free if folder.is_dir() else 0
        return (
            f"the disk is full ({free / 2**20:,.0f} MB free); the run was not saved and what it wrote is removed; "
            "free some space, or save elsewhere, or run fewer futures or without the yearly paths"
        )
    return f"the run could not be saved ({exc.strerror or exc}); what it wrote is removed"


def _write_inputs(
    inputs: Inputs,
    folder: Path,
    paths: bool,
    overrides: Mapping[str, float | Sequence[float]],
    attachments: Mapping[str, bytes],
) -> dict[str, Any]:
    """Write what the run is made from into `folder` (made anew); return what run.json will say of it."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / POLICY_FOLDER).mkdir(parents=True)
    for name, content in attachments.items():
        (folder / name).write_bytes(content)
    if inputs.branches:
        columns = {str(i): b.source for i, b in enumerate(inputs.branches)}
        pq.write_table(pa.table(columns), folder / BRANCHES_FILE)
    _dump_yaml(inputs.case, folder / CASE_FILE)
    for policy in inputs.policies:
        _dump_yaml(policy, folder / policy_file(policy.name))
    return {
        "alliance_futures_version": version("alliance-futures"),
        "case": inputs.case.name,
        "packages": [p.name for p in inputs.policies],
        "futures": inputs.futures,
        "replications": inputs.replications,
        "years": inputs.years,
        "first_year": inputs.case.calendar.start_year + 1,
        "seed": inputs.seed,
        "design": inputs.design,
        "paths": paths,
        "overrides": {k: v if isinstance(v, int | float) else list(v) for k, v in overrides.items()},
        "branches": [{"through": b.through, "seed": b.seed, "followed": b.followed.name} for b in inputs.branches],
    }


class FileRecord(BaseModel):
    bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class BranchRecord(BaseModel):
    through: int
    seed: int = Field(ge=0)
    followed: str


class RunRecord(BaseModel):
    """What run.json must hold for the run to be read back (runs saved before `files` was recorded have none)."""

    model_config = ConfigDict(extra="allow")
    packages: list[str] = Field(min_length=1)
    futures: int = Field(ge=1)
    years: int = Field(ge=1)
    seed: int = Field(ge=0)
    design: str
    replications: int = Field(default=1, ge=1)  # runs saved before replications had one each
    branches: list[BranchRecord] = []
    files: dict[str, FileRecord] | None = None


@dataclass(frozen=True)
class SavedChunk:
    """One chunk of a saved run (`Run.chunks`): its futures, package -> their final states (package, future and the
    state variables) and, if asked for, their experiments rows."""

    futures: range
    final: dict[str, pd.DataFrame]
    experiments: pd.DataFrame | None


@dataclass
class Run:
    """A saved run, loaded back: enough to re-simulate any future exactly. Each file is checked against the size
    and checksum run.json records before it is read; a damaged one is named. Tables are read when asked for."""

    path: Path
    info: dict[str, Any]
    case: Case
    policies: dict[str, Policy]
    branches: tuple[Branch, ...] = ()  # when its futures continue an earlier run's

    def files(self, table: str, futures: int | None = None) -> list[Path]:
        """The Parquet files of a table (`tables.TABLES`), in the order of its rows (none for yearly paths not
        kept); with `futures`, only the chunks that hold the first `futures` futures."""
        names = table_files(_listed(self.path, self.info), table, list(self.policies))
        if futures is not None and len(names) > 1:
            needed = {entry["chunk"] for entry in manifest(self.path) if entry["start"] < futures}
            names = [n for n in names if int(Path(n).stem) in needed]
        return [self.path / name for name in names]

    def _table(self, table: str, futures: int | None = None) -> pd.DataFrame:
        """A table, whole (its rows checked against run.json) or its chunks holding the first `futures` futures."""
        return pa.concat_tables(self._arrow(table, futures).values()).to_pandas()

    def _arrow(self, table: str, futures: int | None = None) -> dict[str, pa.Table]:
        """A table as Arrow tables, package by package (the experiments: one, keyed ''), whole (its rows checked
        against run.json) or its chunks holding the first `futures` futures."""
        names = [p.relative_to(self.path).as_posix() for p in self.files(table, futures)]
        if table == "experiments":
            parts = {"": _read_arrow(self.path, self.info, names)}
        elif names == [f"{table}.parquet"]:  # saved before chunking: every package in one file
            whole = _read_arrow(self.path, self.info, names)
            parts = {p: whole.filter(pc.equal(whole["package"], p)) for p in self.policies}
        else:
            by_package = {p: [n for n in names if n.split("/")[1] == p] for p in self.policies}
            parts = {p: _read_arrow(self.path, self.info, files) for p, files in by_package.items()}
        if futures is None:
            per_future = self.info["years"] if table == "yearly" else 1
            rows = self.info["futures"] * per_future * len(parts)
            found = sum(t.num_rows for t in parts.values())
            where = self.path / (names[0] if len(names) == 1 else table)
            if found != rows:
                raise InputError(where, f"has {found:,} rows where run.json implies {rows:,}; the run is damaged")
        return parts

    @cached_property
    def experiments(self) -> pd.DataFrame:
        """One row per future: the sampled parameters of its vector, indexed by future."""
        return _numbered(self._table("experiments"))

    def _first(self, futures: int | None) -> int | None:
        """`futures` where they are fewer than the run's, else None (the whole run)."""
        return futures if futures is not None and futures < self.info["futures"] else None

    def final(self, futures: int | None = None) -> pd.DataFrame:
        """One row per package and future: package, future and the state at the horizon; with `futures`, only the
        first futures of each package, read from the chunks that hold them."""
        part = self._first(futures)
        table = self._table("final", part)
        if part is not None:
            table = table[table["future"] < part].reset_index(drop=True)
        return table[[c for c in ("package", "future", *STATE_VARIABLES) if c in table.columns]]

    def chunks(self, experiments: bool = False) -> Iterator[SavedChunk]:
        """The run chunk by chunk in the order of its futures, one chunk in memory at a time: every package's final
        states of the chunk's futures and, with `experiments`, their experiments rows, each file checked as it is
        read. A run saved before chunking is one chunk."""
        spans = sorted({(e["chunk"], e["start"], e["stop"]) for e in manifest(self.path)})
        if not spans:
            final = {str(p): f.reset_index(drop=True) for p, f in self.final().groupby("package", sort=False)}
            yield SavedChunk(range(self.info["futures"]), final, self.experiments if experiments else None)
            return
        for index, start, stop in spans:
            final = {p: _read_table(self.path, self.info, [chunk_file("final", index, p)]) for p in self.policies}
            rows = _read_table(self.path, self.info, [chunk_file("experiments", index)]) if experiments else None
            yield SavedChunk(range(start, stop), final, rows)

    def ensemble(self, futures: int | None = None) -> Ensemble:
        """The run as the ensemble that was saved: final states and, if they were saved, the yearly paths; with
        `futures` (whole vectors), only its first futures, read from the chunks that hold them."""
        n, years = futures or self.info["futures"], self.info["years"]
        part = self._first(futures)
        final = {
            name: {v: _array(t, v)[:n].astype(float, copy=False) for v in STATE_VARIABLES if v in t.column_names}
            for name, t in self._arrow("final", part).items()
        }
        yearly = None
        if self.files("yearly"):
            yearly = {
                name: {
                    v: _array(t, v).reshape(-1, years)[:n]
                    for v in t.column_names
                    if v not in ("package", "future", "year")
                }
                for name, t in self._arrow("yearly", part).items()
            }
        experiments = self.experiments if part is None else _numbered(self._table("experiments", part)).iloc[:n]
        return Ensemble(
            self.case,
            self.policies,
            self.info["seed"],
            years,
            self.info["design"],
            experiments,
            final,
            yearly,
            self.info["replications"],
            tuple(Branch(b.through, b.seed, b.source[:n], b.followed) for b in self.branches),
        )


def _numbered(experiments: pd.DataFrame) -> pd.DataFrame:
    experiments.index = pd.RangeIndex(len(experiments), name="future")
    return experiments


def saved_bytes(target: str | Path) -> int:
    """The bytes a save into `target` has written so far: its folder's files, or those of the save under way beside
    it (`.NAME.partial-PID`). Files renamed or removed while they are counted are left out."""
    target = Path(target)
    total = 0
    for folder in [target, *target.parent.glob(f".{glob.escape(target.name)}{PARTIAL}*")]:
        for path in folder.rglob("*") if folder.is_dir() else ():
            with suppress(OSError):
                total += path.stat().st_size if path.is_file() else 0
    return total


def _check_sizes(folder: Path, info: Mapping[str, Any]) -> None:
    """Every file run.json records is there with its recorded size (a cheap check, before anything is read)."""
    for name, recorded in (info.get("files") or {}).items():
        path = folder / name
        size = path.stat().st_size if path.is_file() else None
        if size != recorded["bytes"]:
            found = "is missing" if size is None else f"has {size:,} bytes where run.json records {recorded['bytes']:,}"
            raise InputError(path, f"{found}; the run is damaged")


def _check_sum(folder: Path, info: Mapping[str, Any], name: str) -> None:
    recorded = (info.get("files") or {}).get(name)
    if recorded is not None and sha256(folder / name) != recorded["sha256"]:
        raise InputError(folder / name, "its checksum differs from the one run.json records; the run is damaged")


def read_record(folder: Path) -> dict[str, Any]:
    """A saved run's run.json, checked for what reading the run needs; a missing or damaged one is named."""
    run_file = folder / RUN_FILE
    if not run_file.is_file():
        raise InputError(folder, f"not a saved run (no {RUN_FILE}); give the folder that `alliance-futures run` wrote")
    try:
        info = json.loads(run_file.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(run_file, f"not valid JSON ({exc}); the run is damaged") from None
    if not isinstance(info, dict):
        raise InputError(run_file, "expected a JSON object; the run is damaged")
    try:
        record = RunRecord.model_validate(info)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise InputError(run_file, f"{first['msg']}; the run is damaged", key=key) from None
    return info | record.model_dump(exclude_none=True)


def load_run(directory: str | Path, requires: Requirements) -> Run:
    """A saved run, its case checked against `requires` (what the model and the analysis read), its files against
    the sizes run.json records."""
    path = Path(directory)
    info = read_record(path)
    _check_sizes(path, info)
    for name in (CASE_FILE.as_posix(), *(policy_file(p).as_posix() for p in info["packages"])):
        _check_sum(path, info, name)
    case = load_case(path / CASE_FILE, requires)
    policies = {name: load_policy(path / policy_file(name), case) for name in info["packages"]}
    return Run(path, info, case, policies, _branches(path, info, policies))


def _listed(folder: Path, info: Mapping[str, Any]) -> list[str]:
    """The run's files as run.json records them (or, for runs saved before it did, as the folder holds them)."""
    return list(info.get("files") or (p.relative_to(folder).as_posix() for p in folder.rglob("*.parquet")))


def _read_table(folder: Path, info: Mapping[str, Any], names: Sequence[str]) -> pd.DataFrame:
    """One table of a run's Parquet files, in order, each checked against the checksum run.json records; a damaged
    one is named."""
    return _read_arrow(folder, info, names).to_pandas()


def _read_arrow(folder: Path, info: Mapping[str, Any], names: Sequence[str]) -> pa.Table:
    """`_read_table` as an Arrow table."""
    parts = []
    for name in names:
        _check_sum(folder, info, name)
        try:
            parts.append(pq.read_table(folder / name))
        except (OSError, pa.ArrowException) as exc:
            raise InputError(folder / name, f"cannot be read ({exc}); the run is damaged") from None
    return pa.concat_tables(parts)


def _array(table: pa.Table, column: str) -> np.ndarray:
    """A column as one NumPy array of its own (writable; Arrow's own buffers are read-only)."""
    return np.concatenate([chunk.to_numpy(zero_copy_only=False) for chunk in table.column(column).chunks])


def _branches(path: Path, info: Mapping[str, Any], policies: Mapping[str, Policy]) -> tuple[Branch, ...]:
    """The branches run.json records, with the futures each retraces from branches.parquet."""
    if not info["branches"]:
        return ()
    table = _read_table(path, info, [BRANCHES_FILE])
    if len(table.columns) != len(info["branches"]) or len(table) != info["futures"]:
        raise InputError(path / BRANCHES_FILE, "does not match the branches run.json records; the run is damaged")
    unknown = [b["followed"] for b in info["branches"] if b["followed"] not in policies]
    if unknown:
        message = f"a branch followed '{unknown[0]}', not a package of the run; the run is damaged"
        raise InputError(path / RUN_FILE, message, key="branches")
    return tuple(
        Branch(b["through"], b["seed"], table.iloc[:, i].to_numpy(dtype=np.int64), policies[b["followed"]])
        for i, b in enumerate(info["branches"])
    )
