"""A finished run's results: the report's views, yearly bands, futures, narratives, tables and the report."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from ... import api
from ...analysis import NAMED_FUTURES
from ...limits import SERVICE_MAX_FUTURES
from ..deps import FinishedDep, ServedDep, unprocessable
from ..results import ALL, table_file, view_bytes
from ..views import VIEWS

router = APIRouter(prefix="/api/runs/{run_id}", tags=["results"])
MAX_LISTED_FUTURES = 1_000

View = StrEnum("View", {name: name for name in VIEWS})  # type: ignore[misc]
Table = StrEnum("Table", {name: name for name in ("experiments", "final", "yearly", "bands")})  # type: ignore[misc]


@router.get("/views/{view}", response_class=JSONResponse)
async def run_view(run: FinishedDep, view: View) -> Response:
    """One of the report's views as JSON: comparison, claims (the case's claims tested), timeline, discovery (PRIM
    boxes), sensitivity (Sobol indices), matrix (2×2), signposts, examples (narratives) or backtest. Charts are
    Vega-Lite specifications."""
    return Response(view_bytes(run.folder, view.value), media_type="application/json")


@router.get("/variables")
async def variables(served: ServedDep) -> list[str]:
    """The state variables the run recorded every year (for /series)."""
    return served.variables


def named(named_future: str | None) -> str:
    if named_future is not None and named_future not in NAMED_FUTURES:
        raise unprocessable("named_future", f"expected one of {', '.join(NAMED_FUTURES)}", where="query")
    return named_future or ALL


@router.get("/series", response_class=JSONResponse)
async def series(
    served: ServedDep,
    variable: Annotated[str, Query(description="a recorded state variable, e.g. credibility")] = "credibility",
    named_future: Annotated[str | None, Query(description="only futures that end as this named future")] = None,
) -> Response:
    """Per package and year: how many futures, and the mean and 5th, 50th and 95th percentiles of a variable over
    them (none when no future ends as the named future)."""
    if variable not in served.variables:
        known = ", ".join(served.variables)
        raise unprocessable("variable", f"not a recorded variable (recorded: {known})", where="query")
    return Response(served.bands.get((variable, named(named_future)), b"[]"), media_type="application/json")


@router.get("/futures", response_class=JSONResponse)
async def futures(
    run: FinishedDep,
    served: ServedDep,
    package: Annotated[str | None, Query(description="default: the run's baseline")] = None,
    named_future: Annotated[str | None, Query(description="only futures that end as this")] = None,
    offset: Annotated[int, Query(ge=0, le=SERVICE_MAX_FUTURES)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LISTED_FUTURES)] = 100,
) -> Response:
    """Futures of one package with their named future and outcomes, and how many match."""
    table = served.outcomes
    chosen, wanted = run.package(package), named(named_future)
    matching = table[(table["package"] == chosen) & ((table["named_future"] == wanted) if wanted else True)]
    page = matching.iloc[offset : offset + limit].drop(columns="package")
    rows = page.to_json(orient="records")
    body = f'{{"package": {json.dumps(chosen)}, "count": {len(matching)}, "futures": {rows}}}'
    return Response(body.encode(), media_type="application/json")


@router.get("/futures/{future}/narrative")
def narrative(run: FinishedDep, future: int, package: str | None = None) -> dict[str, Any]:
    """One future told as a dated narrative (re-simulated exactly from the run's seed)."""
    chosen = run.package(package)
    futures_run = run.request["futures"]
    if not 0 <= future < futures_run:
        raise unprocessable(["path", "future"], f"expected 0 to {futures_run - 1}, got {future}")
    return {"future": future, "package": chosen, "narrative": api.explain(run.folder, future, chosen)}


@router.get("/files/{table}.parquet", response_class=FileResponse)
def download(run: FinishedDep, table: Table) -> FileResponse:
    """A result table: experiments (sampled parameters per future), final (state and outcomes per package and
    future), yearly (state per package, future and year) or bands (yearly percentiles per named future)."""
    path = table_file(run.folder, table.value)
    return FileResponse(path, media_type="application/vnd.apache.parquet", filename=f"{run.id}-{table.value}.parquet")


@router.get("/report", response_class=HTMLResponse)
def run_report(run: FinishedDep) -> FileResponse:
    """The run's self-contained HTML report."""
    return FileResponse(run.folder / api.REPORT_FILE, media_type="text/html")
