"""Bargaining forecasts for a built-in stakeholder table or one given inline."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ... import api
from ...bargaining import BUILTIN_TABLES, Stakeholders, stakeholders_from_rows
from ..deps import unprocessable
from ..schemas import NegotiationRequest
from ..views import plain

router = APIRouter(prefix="/api/negotiations", tags=["bargaining"])


@router.get("/tables")
def negotiation_tables() -> list[str]:
    """The built-in stakeholder tables."""
    return list(BUILTIN_TABLES)


@router.post("")
def negotiate(request: NegotiationRequest) -> dict[str, Any]:
    """Every bargaining model's forecast and the expected utility model's rounds, for a built-in table or one given
    inline."""
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
