"""The web service: the public API over HTTP (documented at /docs by its OpenAPI schema) and the dashboard at /.

Runs are simulated in the background (`jobs`), stored in a data folder (`store.Catalogue`: DuckDB over Parquet) and
read back by the views. Bad input gets a 422 naming the field and the reason; nothing a client sends stops the server.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any

import vl_convert
from fastapi import FastAPI, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles

from .. import api
from ..analysis import NAMED_FUTURES
from ..bargaining import BUILTIN_TABLES, Stakeholders, stakeholders_from_rows
from ..case import BUILTIN_CASE, OVERRIDES, Case, InputError, builtin_policy_names, load_policy
from ..limits import is_power_of_two
from ..store import Catalogue
from .jobs import Job, Runner
from .results import ALL, Served, ServedRuns, view_bytes
from .schemas import MAX_CELLS, MAX_FUTURES, RUN_ID, NegotiationRequest, RunRequest, RunStatus
from .views import VIEWS, plain

TOKEN_COOKIE = "alliance_futures_token"
STATIC = resources.files("alliance_futures") / "service" / "static"
PROGRESS_INTERVAL = 0.25  # seconds between progress events
MAX_LISTED_FUTURES = 1_000

RunId = Annotated[str, PathParam(pattern=RUN_ID, description="a run's id, as POST /api/runs returned it")]
View = StrEnum("View", {name: name for name in VIEWS})  # type: ignore[misc]
Table = StrEnum("Table", {name: name for name in ("experiments", "final", "yearly", "bands")})  # type: ignore[misc]


def unprocessable(field: str | list[str | int], reason: str) -> HTTPException:
    """A 422 in FastAPI's own shape: the field's location and the reason."""
    loc = ["body", *([field] if isinstance(field, str) else field)]
    return HTTPException(422, detail=[{"loc": loc, "msg": reason, "type": "value_error"}])


@cache
def vega_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed as one script, from vl-convert: the dashboard needs no network."""
    return str(vl_convert.javascript_bundle("window.vegaEmbed = vegaEmbed;"))


@cache
def builtin_case() -> Case:
    return api.load_case(BUILTIN_CASE)


def create_app(data_dir: str | Path, token: str | None = None) -> FastAPI:
    """The service over the runs stored in `data_dir`. With a `token`, every request must carry it: as a bearer
    token, a `token` query parameter (which also sets a cookie, so a browser opening the dashboard link stays in),
    or that cookie."""
    catalogue = Catalogue(data_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        catalogue.recover()
        app.state.runner = Runner(catalogue)
        yield
        app.state.runner.stop()

    app = FastAPI(
        title="alliance-futures",
        version=version("alliance-futures"),
        description="Simulate many futures of the US–ROK alliance, compare policy packages on them, and explore why.",
        lifespan=lifespan,
    )

    if token is not None:

        @app.middleware("http")
        async def require_token(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            in_query = request.query_params.get("token", "")
            given = given or in_query or request.cookies.get(TOKEN_COOKIE, "")
            if not secrets.compare_digest(given.encode(), token.encode()):
                return JSONResponse({"detail": "a valid token is required (Authorization: Bearer TOKEN)"}, 401)
            response = await call_next(request)
            if in_query:
                response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
            return response

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> JSONResponse:
        detail = [{"loc": ["body", exc.key or "request"], "msg": exc.detail, "type": "value_error"}]
        return JSONResponse({"detail": detail}, 422)

    def status_of(run_id: str) -> dict[str, Any]:
        record = catalogue.get(run_id)
        if record is None:
            raise HTTPException(404, detail=f"no run '{run_id}'")
        live = app.state.runner.done(run_id)
        if live is not None:
            record["done"] = live
        return record

    finished_requests: dict[str, dict[str, Any]] = {}  # a finished run never changes: its request, read once

    def finished(run_id: str) -> Path:
        if run_id not in finished_requests:
            record = status_of(run_id)
            if record["status"] != "finished":
                raise HTTPException(409, detail=f"run '{run_id}' is {record['status']}: its results are not available")
            finished_requests[run_id] = record["request"]
        return catalogue.path(run_id)

    in_memory = ServedRuns()

    async def served(run_id: str) -> Served:
        """A finished run's bands and outcomes; read in a worker thread the first time, from memory after."""
        folder = finished(run_id)
        run = in_memory.cached(folder)
        return run if run is not None else await run_in_threadpool(in_memory.get, folder)

    # --- the dashboard -------------------------------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def dashboard() -> HTMLResponse:
        return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))

    @app.get("/vega.js", include_in_schema=False)
    def vega() -> Response:
        return Response(vega_bundle(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    # --- what can be run ------------------------------------------------------------------------------------------

    @app.get("/api/cases", tags=["case"])
    def cases() -> list[dict[str, str]]:
        """The built-in cases."""
        case = builtin_case()
        return [{"name": case.name, "title": case.title, "description": case.description}]

    def case_named(name: str) -> Case:
        if name != BUILTIN_CASE:
            raise HTTPException(404, detail=f"no built-in case '{name}' (built-in: {BUILTIN_CASE})")
        return builtin_case()

    @app.get("/api/cases/{case}/parameters", tags=["case"])
    def parameters(case: str) -> list[dict[str, Any]]:
        """Every parameter with its value or range, allowed range (for overrides), unit, meaning and source."""
        return [{"name": name, **p.model_dump(mode="json")} for name, p in case_named(case).flat_parameters().items()]

    @app.get("/api/cases/{case}/levers", tags=["case"])
    def levers(case: str) -> list[dict[str, Any]]:
        """Every policy lever with its bounds, each government's default, unit, meaning and source."""
        return [{"name": name, **lever.model_dump(mode="json")} for name, lever in case_named(case).levers.items()]

    @app.get("/api/packages", tags=["case"])
    def packages() -> list[dict[str, Any]]:
        """The built-in policy packages, each lever they set with the lever's unit, meaning and source."""
        case = builtin_case()
        out = []
        for name in builtin_policy_names():
            policy = load_policy(name, case)
            settings = [
                {
                    "lever": lever,
                    **s.model_dump(mode="json"),
                    **case.levers[lever].model_dump(mode="json", include={"side", "unit", "meaning", "source"}),
                }
                for lever, s in policy.settings().items()
            ]
            out.append({**policy.model_dump(mode="json", exclude={"levers"}), "levers": settings})
        return out

    # --- runs ----------------------------------------------------------------------------------------------------

    @app.post("/api/runs", status_code=202, tags=["runs"])
    def submit(request: RunRequest) -> RunStatus:
        """Check a run and queue it; follow it at /api/runs/{id}/progress."""
        if request.case != BUILTIN_CASE:
            raise unprocessable("case", f"no built-in case '{request.case}' (built-in: {BUILTIN_CASE})")
        case = builtin_case()
        known = builtin_policy_names()
        chosen = request.packages or known
        for i, name in enumerate(chosen):
            if name not in known:
                raise unprocessable(["packages", i], f"unknown package '{name}' (known: {', '.join(known)})")
        if len(set(chosen)) != len(chosen):
            raise unprocessable("packages", "each package may be given once")
        cells = request.futures * request.years * len(chosen)
        if cells > MAX_CELLS:
            raise unprocessable(
                "futures",
                f"request too large: {request.futures:,} futures × {request.years} years × {len(chosen)} packages "
                f"is {cells:,}, more than {MAX_CELLS:,}; use fewer futures, years or packages",
            )
        baseline = request.baseline or ("current_course" if "current_course" in chosen else chosen[0])
        if baseline not in chosen:
            raise unprocessable("baseline", f"the baseline must be one of the chosen packages, got '{baseline}'")
        if not is_power_of_two(request.sobol_base):
            raise unprocessable("sobol_base", f"must be a power of two, got {request.sobol_base}")
        try:
            spec = api.prepare(
                case,
                policies=chosen,
                futures=request.futures,
                years=request.years,
                seed=request.seed,
                overrides=request.overrides,
                replications=request.replications,
            )
        except InputError as exc:
            where = str(exc.key or "request")  # an override's name, or the command line's option for the same field
            field: list[str | int] = [OVERRIDES, where] if exc.file == OVERRIDES else [where.lstrip("-")]
            raise unprocessable(field, exc.detail) from None
        run_id = f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        body = request.model_dump(mode="json") | {"packages": chosen, "baseline": baseline}
        command = f"POST /api/runs {json.dumps(body)}"
        app.state.runner.submit(Job(run_id, spec, baseline, request.sobol_base, command), body)
        return RunStatus(**status_of(run_id))

    @app.get("/api/runs", tags=["runs"])
    def runs() -> list[RunStatus]:
        """Every run, newest first: the run history."""
        return [RunStatus(**r) for r in catalogue.runs()]

    @app.get("/api/runs/{run_id}", tags=["runs"])
    def run_status(run_id: RunId) -> RunStatus:
        return RunStatus(**status_of(run_id))

    @app.get("/api/runs/{run_id}/progress", tags=["runs"], response_class=StreamingResponse)
    async def progress(run_id: RunId, request: Request) -> StreamingResponse:
        """Server-sent events: a `progress` event (the run's status) whenever it changes, then `end`."""
        status_of(run_id)  # 404 before the stream starts

        async def events() -> AsyncIterator[str]:
            last = None
            while not await request.is_disconnected():
                record = status_of(run_id)
                now = {k: record[k] for k in ("id", "status", "phase", "done", "total", "error")}
                if now != last:
                    yield f"event: progress\ndata: {json.dumps(now)}\n\n"
                    last = now
                if record["status"] in ("finished", "failed"):
                    yield f"event: end\ndata: {json.dumps(now)}\n\n"
                    return
                await asyncio.sleep(PROGRESS_INTERVAL)

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    @app.get("/api/runs/{run_id}/views/{view}", tags=["results"], response_class=JSONResponse)
    async def run_view(run_id: RunId, view: View) -> Response:
        """One of the report's views as JSON: comparison, claims (the case's claims tested), timeline, discovery
        (PRIM boxes), sensitivity (Sobol indices), matrix (2×2), signposts, examples (narratives) or backtest. Charts
        are Vega-Lite specifications."""
        return Response(view_bytes(finished(run_id), view.value), media_type="application/json")

    @app.get("/api/runs/{run_id}/variables", tags=["results"])
    async def variables(run_id: RunId) -> list[str]:
        """The state variables the run recorded every year (for /series)."""
        return (await served(run_id)).variables

    def named(named_future: str | None) -> str:
        if named_future is not None and named_future not in NAMED_FUTURES:
            raise unprocessable(["query", "named_future"], f"expected one of {', '.join(NAMED_FUTURES)}")
        return named_future or ALL

    @app.get("/api/runs/{run_id}/series", tags=["results"], response_class=JSONResponse)
    async def series(
        run_id: RunId,
        variable: Annotated[str, Query(description="a recorded state variable, e.g. credibility")] = "credibility",
        named_future: Annotated[str | None, Query(description="only futures that end as this named future")] = None,
    ) -> Response:
        """Per package and year: how many futures, and the mean and 5th, 50th and 95th percentiles of a variable
        over them (none when no future ends as the named future)."""
        run = await served(run_id)
        if variable not in run.variables:
            known = ", ".join(run.variables)
            raise unprocessable(["query", "variable"], f"not a recorded variable (recorded: {known})")
        return Response(run.bands.get((variable, named(named_future)), b"[]"), media_type="application/json")

    @app.get("/api/runs/{run_id}/futures", tags=["results"], response_class=JSONResponse)
    async def futures(
        run_id: RunId,
        package: Annotated[str | None, Query(description="default: the run's baseline")] = None,
        named_future: Annotated[str | None, Query(description="only futures that end as this")] = None,
        offset: Annotated[int, Query(ge=0, le=MAX_FUTURES)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_LISTED_FUTURES)] = 100,
    ) -> Response:
        """Futures of one package with their named future and outcomes, and how many match."""
        table = (await served(run_id)).outcomes
        chosen, wanted = package_of(run_id, package), named(named_future)
        matching = table[(table["package"] == chosen) & ((table["named_future"] == wanted) if wanted else True)]
        page = matching.iloc[offset : offset + limit].drop(columns="package")
        rows = page.to_json(orient="records")
        body = f'{{"package": {json.dumps(chosen)}, "count": {len(matching)}, "futures": {rows}}}'
        return Response(body.encode(), media_type="application/json")

    def package_of(run_id: str, package: str | None) -> str:
        request = finished_requests[run_id]
        chosen = package or request["baseline"]
        if chosen not in request["packages"]:
            raise unprocessable(["query", "package"], f"the run has no package '{chosen}'")
        return str(chosen)

    @app.get("/api/runs/{run_id}/futures/{future}/narrative", tags=["results"])
    def narrative(run_id: RunId, future: int, package: str | None = None) -> dict[str, Any]:
        """One future told as a dated narrative (re-simulated exactly from the run's seed)."""
        folder = finished(run_id)
        chosen = package_of(run_id, package)
        futures_run = finished_requests[run_id]["futures"]
        if not 0 <= future < futures_run:
            raise unprocessable(["path", "future"], f"expected 0 to {futures_run - 1}, got {future}")
        return {"future": future, "package": chosen, "narrative": api.explain(folder, future, chosen)}

    @app.get("/api/runs/{run_id}/files/{table}.parquet", tags=["results"], response_class=FileResponse)
    def download(run_id: RunId, table: Table) -> FileResponse:
        """A result table: experiments (sampled parameters per future), final (state and outcomes per package and
        future), yearly (state per package, future and year) or bands (yearly percentiles per named future)."""
        path = finished(run_id) / f"{table.value}.parquet"
        return FileResponse(path, media_type="application/vnd.apache.parquet", filename=f"{run_id}-{path.name}")

    @app.get("/api/runs/{run_id}/report", tags=["results"], response_class=HTMLResponse)
    def run_report(run_id: RunId) -> FileResponse:
        """The run's self-contained HTML report."""
        return FileResponse(finished(run_id) / api.REPORT_FILE, media_type="text/html")

    # --- bargaining ----------------------------------------------------------------------------------------------

    @app.get("/api/negotiations/tables", tags=["bargaining"])
    def negotiation_tables() -> list[str]:
        """The built-in stakeholder tables."""
        return list(BUILTIN_TABLES)

    @app.post("/api/negotiations", tags=["bargaining"])
    def negotiate(request: NegotiationRequest) -> dict[str, Any]:
        """Every bargaining model's forecast and the expected utility model's rounds, for a built-in table or one
        given inline."""
        if (request.table is None) == (request.stakeholders is None):
            raise unprocessable("table", "give exactly one of 'table' (a built-in name) or 'stakeholders'")
        table: str | Stakeholders
        if request.table is not None:
            if request.table not in BUILTIN_TABLES:
                raise unprocessable("table", f"no built-in table '{request.table}' (built-in: {BUILTIN_TABLES})")
            table = request.table
        else:
            assert request.stakeholders is not None
            rows = [s.model_dump() for s in request.stakeholders]
            meta = request.model_dump(include={"issue", "scale", "status_quo"}, exclude_none=True)
            table = stakeholders_from_rows(rows, meta, "stakeholders")
        return plain(api.negotiate(table, request.rounds).to_json())

    return app
