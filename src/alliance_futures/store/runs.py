"""Runs on disk: one folder per run, written whole or not at all.

    run.json            what was run (case, packages, futures, replications, years, seed, design, version) and its
                        summary
    case.yaml           the case exactly as simulated; policies/NAME.yaml likewise
    experiments.parquet one row per future: the sampled deep-uncertainty parameters of its vector (future f is
                        replication f % K of vector f // K)
    final.parquet       one row per package and future: the state at the horizon, outcomes and named future
    yearly.parquet      one row per package, future and year: the recorded state variables

The folder is written under a temporary name and renamed when complete, so an interrupted save leaves no
half-written run, and an existing run is never overwritten.
"""

from __future__ import annotations

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


def check_new_folder(directory: str | Path) -> Path:
    """A run goes to a new or empty folder: nothing saved before is ever overwritten."""
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(
            target,
            "output folder exists and is not empty; choose a new folder (runs are never overwritten)",
        )
    return target


def save_run(
    ensemble: Ensemble, directory: str | Path, overrides: Mapping[str, float | Sequence[float]] | None = None
) -> dict[str, Any]:
    """Save an ensemble to a new folder, recording the parameter `overrides` it was run with (the saved case has
    them already); return its summary (as in run.json)."""
    target = check_new_folder(directory)
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
    if target.exists():
        target.rmdir()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial.rename(target)
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
