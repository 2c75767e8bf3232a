"""Helpers: small test states, and the command line run as a user runs it."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import yaml

from alliance_futures.case import load_policy
from alliance_futures.model import LeverPlan


def with_values(state, **columns):
    """Replace variables with per-future values, e.g. with_values(s, troops=[28500, 10000])."""
    return state.replace(**{k: np.asarray(v, dtype=np.float64) for k, v in columns.items()})


def levers_for(case, state, year=2027, policy=None):
    plan = LeverPlan.compile(case, policy or load_policy("current_course", case))
    return plan.values(state, year)


def cli(*args, cwd=None):
    """Run `alliance-futures ARGS` in a new process: its exit code, standard output and error."""
    return subprocess.run(
        [sys.executable, "-m", "alliance_futures", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
        timeout=300,
    )


def write_edited(source, target, edit):
    """A copy of the YAML file `source` at `target`, with `edit` applied to its parsed data."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    edit(data)
    target.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target
