"""Evidence: observations weighed against a finished run's futures, and the posterior saved as a new run."""

from __future__ import annotations

import math
import tempfile
import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter

from ... import api
from ...case.observations import Observation, read_observations
from ...errors import InputError
from ..deps import FinishedDep, FinishedRun, ServicesDep, builtin_case, status_of, unprocessable
from ..jobs import Job, Posterior
from ..schemas import ObservationLog, PosteriorRequest, RunStatus, UpdateRequest
from .runs import new_run_id, queue

router = APIRouter(tags=["evidence"])
_one_at_a_time = threading.Lock()  # an update holds a run's yearly paths in memory


@router.get("/api/runs/{run_id}/evidence")
def observable(run: FinishedDep) -> dict[str, Any]:
    """What an observation of this run may name: its years, the variables it recorded (with their domains, null
    where unbounded), the case's signposts, and its packages (the one the world followed defaults to the case's
    baseline)."""
    case = builtin_case()
    first = case.calendar.start_year + 1
    return {
        "years": list(range(first, first + run.request["years"])),
        "indicators": {v: [_bound(x) for x in domain] for v, domain in api.recorded_domains().items()},
        "signposts": {name: s.meaning for name, s in case.signposts.items()},
        "packages": run.request["packages"],
        "followed": case.baseline if case.baseline in run.request["packages"] else run.request["packages"][0],
    }


def _bound(x: float) -> float | None:
    return None if math.isinf(x) else x


@router.post("/api/observations")
def parse_log(body: ObservationLog) -> list[dict[str, Any]]:
    """An observation log's text (YAML, as in a file) checked and returned as entries; a bad one gets a 422
    naming the entry and key."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / api.OBSERVATIONS_FILE
        path.write_text(body.log, encoding="utf-8")
        try:
            return [o.model_dump(mode="json", exclude_none=True) for o in read_observations(path)]
        except InputError as exc:
            raise unprocessable("log", exc.detail) from None


@router.post("/api/runs/{run_id}/update")
def update(run: FinishedDep, body: UpdateRequest) -> dict[str, Any]:
    """The run's futures weighed by the observations: every outcome before and after, each with its interval,
    the effective sample size, and the parameters the evidence moved (as `alliance-futures update --format json`)."""
    with _one_at_a_time:
        try:
            return api.update_json(api.update(run.folder, body.observations, body.baseline))
        except InputError as exc:
            raise unprocessable(exc.key or "observations", exc.detail) from None


def _check(run: FinishedRun, observations: list[Observation], followed: str | None) -> None:
    """Refuse, before a job is queued, observations the run cannot weigh or a package it lacks (422)."""
    packages = run.request["packages"]
    if followed is not None and followed not in packages:
        raise unprocessable("baseline", f"'{followed}' is not a package of the run ({', '.join(packages)})")
    try:
        api.check_observations(observations, builtin_case(), run.request["years"])
    except InputError as exc:
        raise unprocessable("observations", exc.detail) from None


@router.post("/api/runs/{run_id}/posterior", status_code=202)
def posterior(run: FinishedDep, body: PosteriorRequest, state: ServicesDep) -> RunStatus:
    """Queue a new run: this run's posterior under the observations, resampled and simulated afresh after the last
    observed year, then analysed like any run; follow it at /api/runs/{id}/progress."""
    prior = run.request
    spec = api.prepare(
        builtin_case(),
        policies=prior["packages"],
        futures=prior["futures"],
        years=prior["years"],
        seed=prior["seed"],
        overrides=prior["overrides"],
        replications=prior["replications"],
    )
    api.check_disk(spec, state.catalogue.runs_dir, promised=state.runner.promised() if state.runner else 0)
    _check(run, body.observations, body.baseline)
    seed = prior["seed"] + 1 if body.seed is None else body.seed
    request = prior | {
        "seed": seed,
        "replications": 1,
        "prior": run.id,
        "observations": [o.model_dump(mode="json", exclude_none=True) for o in body.observations],
        "followed": body.baseline,
    }
    run_id = new_run_id()
    command = f"POST /api/runs/{run.id}/posterior {body.model_dump_json(exclude_none=True)}"
    evidence = Posterior(run.folder, body.observations, body.baseline, seed)
    queue(state, Job(run_id, spec, prior["baseline"], prior["sobol_base"], command, evidence), request)
    return RunStatus(**status_of(run_id, state))
