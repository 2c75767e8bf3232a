"""What can be run: the built-in case, its parameters and levers, and the built-in policy packages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from ...case import BUILTIN_CASE, Case, builtin_policy_names, load_policy
from ..deps import builtin_case

router = APIRouter(prefix="/api", tags=["case"])


def case_named(name: str) -> Case:
    if name != BUILTIN_CASE:
        raise HTTPException(404, detail=f"no built-in case '{name}' (built-in: {BUILTIN_CASE})")
    return builtin_case()


@router.get("/cases")
def cases() -> list[dict[str, str]]:
    """The built-in cases."""
    case = builtin_case()
    return [{"name": case.name, "title": case.title, "description": case.description}]


@router.get("/cases/{case}/parameters")
def parameters(case: str) -> list[dict[str, Any]]:
    """Every parameter with its value or range, allowed range (for overrides), unit, meaning and source."""
    return [{"name": name, **p.model_dump(mode="json")} for name, p in case_named(case).flat_parameters().items()]


@router.get("/cases/{case}/levers")
def levers(case: str) -> list[dict[str, Any]]:
    """Every policy lever with its bounds, each government's default, unit, meaning and source."""
    return [{"name": name, **lever.model_dump(mode="json")} for name, lever in case_named(case).levers.items()]


@router.get("/packages")
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
