"""What the service accepts and answers, as pydantic models: they check requests (a bad one gets a 422 naming the
field) and document the API in its OpenAPI schema."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .. import limits
from ..case import BUILTIN_CASE
from ..case.observations import MAX_OBSERVATIONS, Observation
from .jobs import STAGES

RUN_ID = r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$"

Override = float | Annotated[list[float], Field(min_length=2, max_length=2)]


class Strict(BaseModel):
    """Base: unknown fields, NaN and infinities are errors, and so are numbers given as text or true/false."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class RunRequest(Strict):
    """A run to simulate: the case, the packages compared, the size of the ensemble, and assumptions changed."""

    case: str = Field(BUILTIN_CASE, description="a built-in case (see GET /api/cases)")
    packages: list[str] | None = Field(
        None, min_length=1, max_length=20, description="built-in policy packages (default: all of them)"
    )
    futures: int = Field(
        2_000, ge=1, le=limits.SERVICE_MAX_FUTURES, description="futures per package: parameter vectors × replications"
    )
    replications: int = Field(
        limits.DEFAULT_REPLICATIONS,
        ge=1,
        le=limits.MAX_REPLICATIONS,
        description="futures per sampled parameter vector; futures must be a multiple of it",
    )
    years: int = Field(20, ge=1, le=limits.MAX_YEARS, description="years to simulate")
    seed: int = Field(limits.DEFAULT_SEED, ge=0, le=limits.MAX_SEED, description="the same seed gives the same results")
    baseline: str | None = Field(
        None,
        description="package the others are compared with (default: the case's baseline if chosen, else the first)",
    )
    sobol_base: int = Field(
        limits.SOBOL_BASE, ge=2, le=limits.MAX_SOBOL_BASE, description="Sobol design base N, a power of two"
    )
    overrides: dict[str, Override] = Field(
        default_factory=dict,
        max_length=500,
        description="parameter 'group.name' → a fixed value, or [low, high] to sample from; inside its allowed range",
    )


class RunStatus(BaseModel):
    id: str
    status: Literal["queued", "running", "finished", "failed"]
    phase: str | None = Field(description="while running, the stage it is in: one of `stages`")
    stages: list[str] = Field(default=list(STAGES), description="the stages of a run, in order")
    done: int | None = Field(description="futures × packages simulated so far")
    total: int | None
    created: str
    finished: str | None
    request: dict[str, Any]
    summary: dict[str, Any] | None
    error: str | None


class Stakeholder(Strict):
    name: str = Field(min_length=1, max_length=200)
    capability: float = Field(ge=0)
    position: float
    salience: float = Field(ge=0, le=100)
    group: str | None = Field(None, max_length=200)


class NegotiationRequest(Strict):
    """A built-in stakeholder table by name, or a table given inline."""

    table: str | None = Field(None, description="a built-in table (see GET /api/negotiations/tables)")
    issue: str = Field("negotiation", max_length=200)
    scale: list[float] | None = Field(None, min_length=2, max_length=2)
    status_quo: float | None = None
    stakeholders: list[Stakeholder] | None = Field(None, min_length=2, max_length=limits.MAX_STAKEHOLDERS)
    rounds: int | None = Field(None, ge=1, le=limits.MAX_NEGOTIATION_ROUNDS)


class UpdateRequest(Strict):
    """Observations to weigh a finished run's futures by (each as in an observation log: docs/nowcasting.md)."""

    observations: list[Observation] = Field(min_length=1, max_length=MAX_OBSERVATIONS)
    baseline: str | None = Field(
        None, description="the package the world followed while observed (default: the case's baseline)"
    )


class PosteriorRequest(UpdateRequest):
    """An update whose posterior is saved as a new run (resampled, and simulated afresh after the last observed
    year)."""

    seed: int | None = Field(
        None, ge=0, le=limits.MAX_SEED, description="seed of the fresh random numbers (default: the run's + 1)"
    )


class ObservationLog(Strict):
    """An observation log's text, as in a YAML file."""

    log: str = Field(min_length=1, max_length=limits.SERVICE_MAX_BODY)
