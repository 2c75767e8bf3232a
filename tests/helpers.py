"""Helpers: small test states, and the command line run as a user runs it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import yaml

from alliance_futures import load_policy
from alliance_futures.model import LeverPlan, Year

REF = 1.5192  # the start-year payment: the reference payment in the case's first simulated year


def with_values(state, **columns):
    """Replace variables with per-future values, e.g. with_values(s, troops=[28500, 10000])."""
    return state.replace(**{k: np.asarray(v, dtype=np.float64) for k, v in columns.items()})


def levers_for(case, state, year=2027, policy=None):
    plan = LeverPlan.compile(case, policy or load_policy("current_course", case))
    return plan.values(state, year)


def year_of(case, params, state, *, year=2027, draw=None, levers=None, events=None, policy=None, reference=REF):
    """What the mechanisms see in `year` (model.Year): the current course's levers unless `levers` are given,
    draws of 0.5 unless `draw` is given, and the events so far."""
    plan = LeverPlan.compile(case, policy or load_policy("current_course", case))
    n = len(state.credibility)
    y = Year(year, case, plan, params, draw or (lambda name: np.full(n, 0.5)), state, events=dict(events or {}))
    y.levers = dict(levers) if levers is not None else plan.values(state, year)
    y.reference = reference
    return y


def cli(*args, cwd=None, env=None):
    """Run `alliance-futures ARGS` in a new process: its exit code, standard output and error. `env` adds to the
    bare environment (e.g. COLUMNS=80, a terminal's width)."""
    return subprocess.run(
        [sys.executable, "-m", "alliance_futures", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={
            "PATH": "/usr/bin:/bin",
            **{k: str(v) for k, v in (env or {}).items()},
        },  # output to a pipe, as `alliance-futures … > file` gives it
        timeout=300,
    )


def write_edited(source, target, edit):
    """A copy of the YAML file `source` at `target`, with `edit` applied to its parsed data."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    edit(data)
    target.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`alliance-futures serve` in a new process on a free port, as a user starts it; `kill()` stops it at once."""

    def __init__(self, data_dir, *args):
        self.port, self.data_dir = free_port(), Path(data_dir)
        args = [str(a) for a in ("--port", self.port, "--data-dir", data_dir, *args)]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "alliance_futures", "serve", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.url + "/api/cases", timeout=1)
                return
            except urllib.error.HTTPError:
                return  # it answers (with a token it answers 401)
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start: {self.process.stderr.read()}") from None
                time.sleep(0.2)

    def kill(self):
        self.process.kill()
        self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
