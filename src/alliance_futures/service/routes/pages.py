"""The dashboard's page, and Vega, Vega-Lite and Vega-Embed as one script from vl-convert, so that it needs no
network."""

from __future__ import annotations

from functools import cache
from importlib import resources

import altair
import vl_convert
from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
STATIC = resources.files("alliance_futures") / "service" / "static"


@cache
def vega_bundle() -> str:
    """The bundle for the Vega-Lite version Altair writes its specifications in (Vega warns of any other)."""
    version = ".".join(altair.SCHEMA_VERSION.removeprefix("v").split(".")[:2])
    return str(vl_convert.javascript_bundle("window.vegaEmbed = vegaEmbed;", vl_version=version))


@router.get("/")
def dashboard() -> HTMLResponse:
    return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))


@router.get("/vega.js")
def vega() -> Response:
    return Response(vega_bundle(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})
