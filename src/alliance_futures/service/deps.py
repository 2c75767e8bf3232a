"""What the routes share, as FastAPI dependencies: the catalogue of runs and its runner, a run's status, a finished
run's folder and request, and its results held in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool

from .. import api
from ..case import BUILTIN_CASE, Case
from ..store import Catalogue
from .jobs import Runner
from .results import Served, ServedRuns
from .schemas import RUN_ID


@dataclass
class Services:
    """One service's state (on `app.state.services`)."""

    catalogue: Catalogue
    workers: int = 1  # processes that simulate a submitted run
    runner: Runner | None = None  # started with the app (its lifespan)
    in_memory: ServedRuns = field(default_factory=ServedRuns)
    finished_requests: dict[str, dict[str, Any]] = field(default_factory=dict)  # a finished run never changes
    streams: int = 0  # progress streams open now


def services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(services)]
RunId = Annotated[str, PathParam(pattern=RUN_ID, description="a run's id, as POST /api/runs returned it")]


@cache
def builtin_case() -> Case:
    return api.load_case(BUILTIN_CASE)


def unprocessable(field: str | list[str | int], reason: str, where: str = "body") -> HTTPException:
    """A 422 in FastAPI's own shape: the field's location (in the body, or the query) and the reason."""
    loc = [where, *([field] if isinstance(field, str) else field)]
    return HTTPException(422, detail=[{"loc": loc, "msg": reason, "type": "value_error"}])


def status_of(run_id: str, state: Services) -> dict[str, Any]:
    """A run's record in the catalogue, with the futures simulated so far if it is simulating now; 404 if none."""
    record = state.catalogue.get(run_id)
    if record is None:
        raise HTTPException(404, detail=f"no run '{run_id}'")
    live = state.runner.done(run_id) if state.runner is not None else None
    if live is not None:
        record["done"] = live
    return record


@dataclass(frozen=True)
class FinishedRun:
    id: str
    folder: Path
    request: dict[str, Any]

    def package(self, name: str | None) -> str:
        """The package asked for (default: the run's baseline); 422 if the run has none of that name."""
        chosen = name or self.request["baseline"]
        if chosen not in self.request["packages"]:
            raise unprocessable("package", f"the run has no package '{chosen}'", where="query")
        return str(chosen)


def finished_run(run_id: RunId, state: ServicesDep) -> FinishedRun:
    """A finished run; 404 if there is none, 409 if it has not finished."""
    if run_id not in state.finished_requests:
        record = status_of(run_id, state)
        if record["status"] != "finished":
            raise HTTPException(409, detail=f"run '{run_id}' is {record['status']}: its results are not available")
        state.finished_requests[run_id] = record["request"]
    return FinishedRun(run_id, state.catalogue.path(run_id), state.finished_requests[run_id])


FinishedDep = Annotated[FinishedRun, Depends(finished_run)]


async def served_run(run: FinishedDep, state: ServicesDep) -> Served:
    """A finished run's bands and outcomes; read in a worker thread the first time, from memory after."""
    cached = state.in_memory.cached(run.folder)
    return cached if cached is not None else await run_in_threadpool(state.in_memory.get, run.folder)


ServedDep = Annotated[Served, Depends(served_run)]
