"""The web service: the public API over HTTP (documented at /docs by its OpenAPI schema, served from the package so
that it works offline) and the dashboard at /.

Runs are simulated in the background (`jobs`), stored in a data folder (`store.Catalogue`: DuckDB over Parquet) and
read back by the views. Bad input gets a 422 naming the field and the reason; nothing a client sends stops the server.
The routes live in `routes/`, one module per resource; what they share, in `deps`.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from importlib.metadata import version
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.middleware.trustedhost import TrustedHostMiddleware

from ..errors import InputError
from ..limits import SERVICE_MAX_BODY
from ..store import Catalogue
from .deps import Services
from .guards import BodyLimit, SecurityHeaders
from .jobs import Runner
from .routes import cases, evidence, negotiations, pages, results, runs

TOKEN_COOKIE = "alliance_futures_token"


def create_app(
    data_dir: str | Path, token: str | None = None, hosts: Sequence[str] | None = None, workers: int = 1
) -> FastAPI:
    """The service over the runs stored in `data_dir`, simulating submitted runs on `workers` processes (started
    from a fork server, which imports the main script again: a script that makes the app needs the usual
    `if __name__ == "__main__":` guard). With a `token`, every request must carry it: as a bearer
    token, a `token` query parameter (which also sets a cookie, so a browser opening the dashboard link stays in),
    or that cookie. With `hosts`, a request must name one of them in its Host header: a page elsewhere cannot reach
    a service on loopback by pointing its own host name at 127.0.0.1 (DNS rebinding)."""
    state = Services(Catalogue(data_dir), workers)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.catalogue.recover()
        state.runner = Runner(state.catalogue)
        yield
        state.runner.stop()

    app = FastAPIOffline(
        title="alliance-futures",
        version=version("alliance-futures"),
        description="Simulate many futures of the US–ROK alliance, compare policy packages on them, and explore why.",
        lifespan=lifespan,
    )
    app.state.services = state

    if token is not None:

        @app.middleware("http")
        async def require_token(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
            scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
            given = credentials.strip() if scheme.lower() == "bearer" else ""  # schemes ignore case (RFC 9110)
            in_query = request.query_params.get("token", "")
            given = given or in_query or request.cookies.get(TOKEN_COOKIE, "")
            if not secrets.compare_digest(given.encode(), token.encode()):
                return JSONResponse({"detail": "a valid token is required (Authorization: Bearer TOKEN)"}, 401)
            response = await call_next(request)
            if in_query:
                response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
            return response

    if hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(hosts))
    app.add_middleware(BodyLimit, limit=SERVICE_MAX_BODY)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        """FastAPI's 422, without echoing the input: it may be huge, or a NaN that JSON cannot carry."""
        detail = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        return JSONResponse({"detail": detail}, 422)

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> JSONResponse:
        detail = [{"loc": ["body", exc.key or "request"], "msg": exc.detail, "type": "value_error"}]
        return JSONResponse({"detail": detail}, 422)

    app.mount("/static", StaticFiles(directory=str(pages.STATIC)), name="static")
    for module in (pages, cases, runs, results, evidence, negotiations):
        app.include_router(module.router)
    return app
