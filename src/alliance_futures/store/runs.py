"""Runs on disk: one folder per run, written whole or not at all.

    run.json            what was run (case, packages, futures, replications, years, seed, design, version) and its
                        summary
    case.yaml           the case exactly as simulated; policies/NAME.yaml likewise
    experiments.parquet one row per future: the sampled deep-uncertainty parameters of its vector (future f is
                        replication f % K of vector f // K)
    final.parquet       one row per package and future: the state at the horizon, outcomes and named future
    yearly.parquet      one row per package, future and year: the recorded state variables

A run's folder is claimed before its simulation (made, or marked with the process's id in `.claim`), so a second
run asking for it is refused at once; the run is written under a temporary name and renamed onto the claimed folder
when complete, so an interrupted save leaves no half-written run, and an existing run is never overwritten.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..analysis import outcome_tables, summary_json
from ..case import Case, Policy, Requirements, load_case, load_policy
from ..engine import Ensemble
from ..errors import InputError
from ..model import STATE_VARIABLES

RUN_FILE = "run.json"
CASE_FILE = Path("case.yaml")
POLICY_FOLDER = Path("policies")
PARTIAL = ".partial-"  # a run being saved is the folder .NAME.partial-PID until it is complete
CLAIM_FILE = ".claim"  # in a folder claimed for a run being simulated: the claiming process's id


def policy_file(name: str) -> Path:
    """Where a run's folder keeps the package `name`, relative to the folder."""
    return POLICY_FOLDER / f"{name}.yaml"


def unfinished_saves(parent: Path) -> list[Path]:
    """Folders that saves interrupted by a crash or a kill left in `parent`."""
    return sorted(parent.glob(f".*{PARTIAL}*"))


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


def _claimed(folder: Path) -> bool:
    """Whether a live process other than this one has claimed the folder."""
    try:
        pid = int((folder / CLAIM_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _why_taken(folder: Path) -> str | None:
    """Why a run cannot have this existing folder, or None if it can (empty, or claimed by no live process but
    this one)."""
    if not folder.is_dir() or any(p.name != CLAIM_FILE for p in folder.iterdir()):
        return "output folder exists and is not empty; choose a new folder (runs are never overwritten)"
    if _claimed(folder):
        return "another run is writing to this folder; choose a new folder"
    return None


def save_run(
    ensemble: Ensemble, directory: str | Path, overrides: Mapping[str, float | Sequence[float]] | None = None
) -> dict[str, Any]:
    """Save an ensemble to a new folder, recording the parameter `overrides` it was run with (the saved case has
    them already); return its summary (as in run.json)."""
    target = Path(directory)
    if not (target / CLAIM_FILE).is_file() or _claimed(target):  # not claimed by this process before its simulation
        target = claim_folder(target)
    partial = target.with_name(f".{target.name}{PARTIAL}{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / POLICY_FOLDER).mkdir(parents=True)
    _dump_yaml(ensemble.case, partial / CASE_FILE)
    for policy in ensemble.policies.values():
        _dump_yaml(policy, partial / policy_file(policy.name))
    ensemble.experiments.to_parquet(partial / "experiments.parquet")
    tables = outcome_tables(ensemble)
    finals = []
    for name, final in ensemble.final.items():
        state = pd.DataFrame(final).drop(columns=tables[name].columns, errors="ignore")  # war, nuclear_use …
        table = pd.concat([state, tables[name]], axis=1)
        table.insert(0, "package", name)
        table.insert(1, "future", np.arange(ensemble.futures))
        finals.append(table)
    pd.concat(finals, ignore_index=True).to_parquet(partial / "final.parquet")
    if ensemble.yearly is not None:
        years = ensemble.calendar_years
        frames = []
        for name, yearly in ensemble.yearly.items():
            frame = pd.DataFrame({v: arr.ravel() for v, arr in yearly.items()})
            frame.insert(0, "package", name)
            frame.insert(1, "future", np.repeat(np.arange(ensemble.futures), len(years)))
            frame.insert(2, "year", np.tile(years, ensemble.futures))
            frames.append(frame)
        pd.concat(frames, ignore_index=True).to_parquet(partial / "yearly.parquet")
    summary = summary_json(tables, ensemble.replications)
    info = {
        "alliance_futures_version": version("alliance-futures"),
        "case": ensemble.case.name,
        "packages": list(ensemble.policies),
        "futures": ensemble.futures,
        "replications": ensemble.replications,
        "years": ensemble.years,
        "first_year": int(ensemble.calendar_years[0]),
        "seed": ensemble.seed,
        "design": ensemble.design,
        "overrides": {k: v if isinstance(v, int | float) else list(v) for k, v in (overrides or {}).items()},
        "summary": summary,
    }
    (partial / RUN_FILE).write_text(json.dumps(info, indent=1), encoding="utf-8")
    (target / CLAIM_FILE).unlink(missing_ok=True)
    try:
        partial.rename(target)  # onto the claimed, now empty folder: the run appears whole or not at all
    except OSError:
        raise InputError(
            target,
            f"something was written into the folder while the run was saved; the finished run is kept whole in "
            f"{partial}: rename it to use it",
        ) from None
    return summary


@dataclass
class Run:
    """A saved run, loaded back: enough to re-simulate any future exactly."""

    path: Path
    info: dict[str, Any]
    case: Case
    policies: dict[str, Policy]
    experiments: pd.DataFrame

    def final(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "final.parquet")

    def ensemble(self) -> Ensemble:
        """The run as the ensemble that was saved: final states and, if they were saved, the yearly paths."""
        futures, years = self.info["futures"], self.info["years"]
        final = {
            str(name): {v: group[v].to_numpy(dtype=float) for v in STATE_VARIABLES if v in group}
            for name, group in self.final().groupby("package", sort=False)
        }
        yearly = None
        if (self.path / "yearly.parquet").is_file():
            table = pd.read_parquet(self.path / "yearly.parquet")
            variables = [c for c in table.columns if c not in ("package", "future", "year")]
            yearly = {
                str(name): {v: group[v].to_numpy().reshape(futures, years) for v in variables}
                for name, group in table.groupby("package", sort=False)
            }
        return Ensemble(
            self.case,
            self.policies,
            self.info["seed"],
            years,
            self.info["design"],
            self.experiments,
            final,
            yearly,
            self.info.get("replications", 1),  # runs saved before replications had one each
        )


def load_run(directory: str | Path, requires: Requirements) -> Run:
    """A saved run, its case checked against `requires` (what the model and the analysis read)."""
    path = Path(directory)
    run_file = path / RUN_FILE
    if not run_file.is_file():
        raise InputError(path, f"not a saved run (no {RUN_FILE}); give the folder that `alliance-futures run` wrote")
    info = json.loads(run_file.read_text(encoding="utf-8"))
    case = load_case(path / CASE_FILE, requires)
    policies = {name: load_policy(path / policy_file(name), case) for name in info["packages"]}
    experiments = pd.read_parquet(path / "experiments.parquet")
    return Run(path, info, case, policies, experiments)
