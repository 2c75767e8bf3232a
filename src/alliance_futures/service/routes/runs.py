"""Runs: submit one, list them, follow one's progress."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import duckdb
from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from ... import api
from ...case import BUILTIN_CASE, OVERRIDES, builtin_policy_names
from ...errors import InputError
from ...limits import (
    SERVICE_MAX_CELLS,
    SERVICE_MAX_QUEUED,
    SERVICE_MAX_SOBOL_CELLS,
    SERVICE_MAX_STREAMS,
    is_power_of_two,
)
from ..deps import RunId, Services, ServicesDep, builtin_case, status_of, unprocessable
from ..jobs import Job
from ..schemas import RunRequest, RunStatus

router = APIRouter(prefix="/api/runs", tags=["runs"])
PROGRESS_INTERVAL = 0.25  # seconds between progress events
FIELDS = {"policies": "packages"}  # api.prepare's parameters named otherwise in a request


@router.post("", status_code=202)
def submit(request: RunRequest, state: ServicesDep) -> RunStatus:
    """Check a run and queue it; follow it at /api/runs/{id}/progress."""
    if request.case != BUILTIN_CASE:
        raise unprocessable("case", f"no built-in case '{request.case}' (built-in: {BUILTIN_CASE})")
    known = builtin_policy_names()
    chosen = request.packages or known
    for i, name in enumerate(chosen):
        if name not in known:
            raise unprocessable(["packages", i], f"unknown package '{name}' (known: {', '.join(known)})")
    case = builtin_case()
    baseline = request.baseline or (case.baseline if case.baseline in chosen else chosen[0])
    if baseline not in chosen:
        raise unprocessable("baseline", f"the baseline must be one of the chosen packages, got '{baseline}'")
    if not is_power_of_two(request.sobol_base):
        raise unprocessable("sobol_base", f"must be a power of two, got {request.sobol_base}")
    sobol_cells = api.sobol_futures(case, request.sobol_base) * request.years
    if sobol_cells >= SERVICE_MAX_SOBOL_CELLS:
        raise unprocessable(
            "sobol_base",
            f"request too large: the Sobol analysis at base {request.sobol_base} simulates "
            f"{sobol_cells // request.years:,} futures × {request.years} years, {sobol_cells:,} in all, more than "
            f"{SERVICE_MAX_SOBOL_CELLS:,}; use a smaller sobol_base or fewer years",
        )
    try:
        spec = api.prepare(
            case,
            policies=chosen,
            futures=request.futures,
            years=request.years,
            seed=request.seed,
            overrides=request.overrides,
            replications=request.replications,
            workers=state.workers,
            max_cells=SERVICE_MAX_CELLS,
            streamed=True,
        )
        api.check_disk(spec, state.catalogue.runs_dir, promised=state.runner.promised() if state.runner else 0)
    except InputError as exc:
        where = str(exc.key or "request")  # an override's name, or the parameter's, named as the request's field
        field: list[str | int] = [OVERRIDES, where] if exc.file == OVERRIDES else [FIELDS.get(where, where)]
        raise unprocessable(field, exc.detail) from None
    run_id = new_run_id()
    body = request.model_dump(mode="json") | {"packages": chosen, "baseline": baseline}
    command = f"POST /api/runs {json.dumps(body)}"
    queue(state, Job(run_id, spec, baseline, request.sobol_base, command), body)
    return RunStatus(**status_of(run_id, state))


def new_run_id() -> str:
    """A run's id: when it was submitted, and six random hex digits."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def queue(state: Services, job: Job, request: dict[str, Any]) -> None:
    """Queue a job, recorded in the catalogue with its `request`: 429 when too many wait, 507 when the catalogue
    cannot be written."""
    assert state.runner is not None
    if state.runner.pending() >= SERVICE_MAX_QUEUED:
        raise HTTPException(
            429, detail=f"{SERVICE_MAX_QUEUED} runs are waiting or running, the most at once; submit when one ends"
        )
    try:
        state.runner.submit(job, request)
    except duckdb.Error:
        raise HTTPException(
            507, detail="the service cannot record the run: its data folder cannot be written"
        ) from None


@router.get("")
def runs(state: ServicesDep) -> list[RunStatus]:
    """Every run, newest first: the run history."""
    return [RunStatus(**r) for r in state.catalogue.runs()]


@router.get("/{run_id}")
def run_status(run_id: RunId, state: ServicesDep) -> RunStatus:
    return RunStatus(**status_of(run_id, state))


@router.get("/{run_id}/progress", response_class=StreamingResponse)
async def progress(run_id: RunId, request: Request, state: ServicesDep) -> StreamingResponse:
    """Server-sent events: a `progress` event (the run's status) whenever it changes, then `end`."""
    status_of(run_id, state)  # 404 before the stream starts
    if state.streams >= SERVICE_MAX_STREAMS:
        raise HTTPException(429, detail=f"{SERVICE_MAX_STREAMS} progress streams are open, the most at once")

    async def events() -> AsyncIterator[str]:
        last = None
        while not await request.is_disconnected():
            record = await run_in_threadpool(status_of, run_id, state)  # off the event loop: it queries DuckDB
            now = {k: record[k] for k in ("id", "status", "phase", "done", "total", "error")}
            if now != last:
                yield f"event: progress\ndata: {json.dumps(now)}\n\n"
                last = now
            if record["status"] in ("finished", "failed"):
                yield f"event: end\ndata: {json.dumps(now)}\n\n"
                return
            await asyncio.sleep(PROGRESS_INTERVAL)

    return CountedStream(state, events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


class CountedStream(StreamingResponse):
    """A stream counted in `Services.streams` from its creation until it ends, finished or its client gone."""

    def __init__(self, state: Services, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.state = state
        state.streams += 1

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.state.streams -= 1
