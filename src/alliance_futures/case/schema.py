"""Schemas of case and policy files.

A *case* holds everything the model needs that is not code: the calendar, the initial state, every model parameter
(a value, an uncertainty range, or a structural switch between alternative forms, with unit, meaning and source), the
policy levers with their defaults under each kind of government, the thresholds that turn a simulated path into
outcomes and named futures, and the observed base rates the model's start-year hazards are checked against. A
*policy* sets levers from a start year, says how likely each kind of government is to adopt it, may hold only while a
given orientation governs, and seeks an institutionalisation level that must be enacted to bind and that tells how
easily the next administration undoes it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

# Numbers in a file: true, false and quoted numbers are refused, not read as 1, 0 and numbers (YAML 1.1 reads `yes`
# as true).
Number = Annotated[float, Field(strict=True)]
Whole = Annotated[int, Field(strict=True)]


def _key_number(value: Any) -> Any:
    """A number as a mapping key: JSON writes keys as text ('5' for 5), so text that is a number is read as one."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value  # the strict check below names it
    return value


KeyNumber = Annotated[Number, BeforeValidator(_key_number)]
Side = Literal["us", "rok"]
US_ORIENTATIONS = ("internationalist", "transactional")
ROK_ORIENTATIONS = ("conservative", "progressive")
ORIENTATIONS: dict[str, tuple[str, str]] = {"us": US_ORIENTATIONS, "rok": ROK_ORIENTATIONS}
Institutionalisation = Literal["executive", "joint_statement", "law"]


# A case that names no baseline (every case saved before cases named one) compares against this package, as before.
DEFAULT_BASELINE = "current_course"


class Strict(BaseModel):
    """Base: unknown keys, NaN and infinities are errors, not silently accepted."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


def exactly_one(model: BaseModel, *fields: str) -> None:
    """Refuse a model that gives none or more than one of `fields`."""
    if sum(getattr(model, field) is not None for field in fields) != 1:
        named = [f"'{field}'" for field in fields]
        raise ValueError(f"give exactly one of {', '.join(named[:-1])} or {named[-1]}")


class Documented(Strict):
    unit: str = Field(min_length=1)
    meaning: str = Field(min_length=1)
    source: str = Field(min_length=1, description="citation, base rate, or 'analyst judgement' with its reasoning")


Distribution = Literal["uniform", "loguniform", "categorical", "piecewise_uniform", "piecewise_loguniform"]
PIECEWISE = ("piecewise_uniform", "piecewise_loguniform")


class Parameter(Documented):
    """A model parameter: a fixed value, a deep-uncertainty range sampled once per future, or a structural switch:
    `choices` names the alternative forms the literature proposes (each with its source), numbered 0, 1 … in order;
    one is drawn per future with equal chances, or `value` fixes one.

    A range is sampled uniformly, log-uniformly, or, given `quantiles` (percent -> value), uniformly
    ('piecewise_uniform') or log-uniformly ('piecewise_loguniform') within each interval the quantiles cut the range
    into, each interval with its share of the probability: the distribution a decision maker of Cooke's classical model
    gives (Cooke 1991, *Experts in Uncertainty*, ch. 12; `alliance-futures elicit apply`)."""

    value: Number | None = None
    range: tuple[Number, Number] | None = None
    distribution: Distribution = "uniform"
    quantiles: dict[KeyNumber, Number] | None = Field(
        default=None, description="percent -> value, for a piecewise range"
    )
    choices: dict[str, str] | None = Field(default=None, description="alternative form -> its source")
    allowed: tuple[Number, Number] = Field(description="values the model accepts, for overrides and checks")

    @model_validator(mode="before")
    @classmethod
    def _switch_defaults(cls, data: Any) -> Any:
        """A switch given only its `choices` is drawn from all of them."""
        if isinstance(data, dict) and isinstance(data.get("choices"), dict):
            k = len(data["choices"])
            data = {"distribution": "categorical", "allowed": [0, k - 1], **data}
            if data.get("value") is None and data.get("range") is None:
                data["range"] = [0, k]
        return data

    @model_validator(mode="after")
    def _one_of_value_or_range(self) -> Parameter:
        exactly_one(self, "value", "range")
        if (self.choices is not None) != (self.distribution == "categorical"):
            raise ValueError("a 'categorical' parameter is a switch: give its 'choices' (and only then)")
        if (self.quantiles is not None) != (self.distribution in PIECEWISE and self.range is not None):
            raise ValueError(
                "a 'piecewise_uniform' or 'piecewise_loguniform' range needs its 'quantiles' (and only it)"
            )
        if self.quantiles is not None and self.range is not None:
            levels, values = list(self.quantiles), list(self.quantiles.values())
            if not np.all(np.diff([0, *levels, 100]) > 0):
                raise ValueError(f"'quantiles' are keyed by percentages that increase from 0 to 100, got {levels}")
            if not np.all(np.diff(values) > 0):
                raise ValueError(f"'quantiles' must increase, got {values}")
            if not (self.range[0] <= values[0] and values[-1] <= self.range[1]):
                raise ValueError(f"'quantiles' {values} must lie inside 'range' {list(self.range)}")
        if self.choices is not None:
            k = len(self.choices)
            if k < 2:
                raise ValueError("a switch needs at least two 'choices'")
            if tuple(self.allowed) != (0, k - 1):
                raise ValueError(f"a switch of {k} choices allows 0 to {k - 1}, got {list(self.allowed)}")
            if self.range is not None and tuple(self.range) != (0, k):
                raise ValueError(f"a switch is drawn from all {k} choices or fixed to one of 0 to {k - 1}")
            if self.value is not None and not (self.value == int(self.value) and 0 <= self.value < k):
                raise ValueError(f"a switch is fixed by the number of its choice (0 to {k - 1}), got {self.value}")
            return self
        lo, hi = self.allowed
        if lo > hi:
            raise ValueError(f"'allowed' must be [low, high], got [{lo}, {hi}]")
        if self.range is not None:
            a, b = self.range
            if not a < b:
                raise ValueError(f"'range' must be [low, high] with low < high, got [{a}, {b}]")
            if a < lo or b > hi:
                raise ValueError(f"'range' [{a}, {b}] must lie inside 'allowed' [{lo}, {hi}]")
            if self.distribution in ("loguniform", "piecewise_loguniform") and a <= 0:
                raise ValueError(f"a '{self.distribution}' range must be positive")
        elif self.value is not None and not lo <= self.value <= hi:
            raise ValueError(f"'value' {self.value} must lie inside 'allowed' [{lo}, {hi}]")
        return self

    @property
    def is_uncertain(self) -> bool:
        return self.range is not None

    def inverse_cdf(self, unit: NDArray[np.float64]) -> NDArray[np.float64]:
        """Map points of [0, 1) onto the range by the inverse of the distribution's CDF; a switch's range [0, k) onto
        the numbers of its k choices, each with an equal share of the cube."""
        assert self.range is not None, "a fixed parameter has no distribution"
        low, high = self.range
        if self.distribution == "categorical":
            return np.minimum(np.floor(unit * high), high - 1.0)
        if self.distribution == "loguniform":
            return np.exp(np.log(low) + unit * (np.log(high) - np.log(low)))
        if self.quantiles is None:
            return low + unit * (high - low)
        levels = [0.0, *(p / 100 for p in self.quantiles), 1.0]
        values = np.array([low, *self.quantiles.values(), high])
        if self.distribution == "piecewise_loguniform":
            return np.exp(np.interp(unit, levels, np.log(values)))
        return np.interp(unit, levels, values)

    @property
    def centre(self) -> float:
        """The value, or the middle of the range (the median of a piecewise range, which says where its middle is)."""
        if self.range is None:
            return float(self.value)  # type: ignore[arg-type]
        if self.quantiles is not None:
            return float(self.inverse_cdf(np.array([0.5]))[0])
        return (self.range[0] + self.range[1]) / 2


class Quantity(Documented):
    """A documented single number: an initial condition or an outcome threshold."""

    value: Number


class BaseRate(Documented):
    """An observed rate with its interval, which the model's start-year hazard at the central values of the ranges
    must fall within (`alliance-futures calibrate`)."""

    value: Number = Field(ge=0, le=1)
    low: Number = Field(ge=0, le=1)
    high: Number = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> BaseRate:
        if not self.low <= self.value <= self.high:
            raise ValueError(f"need low <= value <= high, got {self.low}, {self.value}, {self.high}")
        return self


class Lever(Documented):
    """A policy lever and what each kind of government does with it when no package sets it."""

    side: Side
    bounds: tuple[Number, Number]
    defaults: dict[str, Number] = Field(description="orientation -> value chosen when no package sets the lever")
    kind: Literal["continuous", "integer"] = Field(
        "continuous", description="integer: the model reads whole steps (levels, a flag), and a search moves by them"
    )

    @model_validator(mode="after")
    def _defaults_cover_orientations(self) -> Lever:
        expected = set(ORIENTATIONS[self.side])
        if set(self.defaults) != expected:
            raise ValueError(f"'defaults' must give exactly {sorted(expected)}, got {sorted(self.defaults)}")
        lo, hi = self.bounds
        for orientation, value in self.defaults.items():
            if not lo <= value <= hi:
                raise ValueError(f"default for {orientation} ({value}) is outside 'bounds' [{lo}, {hi}]")
        return self


class Signpost(Documented):
    """An observable indicator: a recorded state variable crossing a threshold (`above` or `below`, one of them) in
    the first years of a future. `meaning` says what an analyst would see; `unit` is the threshold's."""

    variable: str = Field(min_length=1, description="a state variable the engine records every year")
    above: Number | None = None
    below: Number | None = None

    @model_validator(mode="after")
    def _one_side(self) -> Signpost:
        exactly_one(self, "above", "below")
        return self

    def seen(self, values: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Whether the indicator shows, value by value (at or beyond the threshold)."""
        if self.above is not None:
            return values >= self.above
        assert self.below is not None  # exactly one side is set (validated above)
        return values <= self.below


class Reference(Strict):
    """A work the case data cite as [@key]: who, when, what, where it appeared, and where it can be read."""

    authors: str = Field(min_length=1)
    year: str = Field(min_length=1)
    title: str = Field(min_length=1)
    published: str = Field(min_length=1)
    url: str | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _year_as_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("year"), int):
            data = {**data, "year": str(data["year"])}
        return data

    def cite(self) -> str:
        """The reference in one line: authors (year), title, published. url"""
        text = f"{self.authors} ({self.year}). {self.title}. {self.published}."
        return text + (f" {self.url}" if self.url else "")


class Claim(Strict):
    """A source article's claim stated so that the runs can test it: the package that should move an outcome against
    a baseline, and in which direction; the article (a bibliography key), the sentence the claim comes from, and the
    mechanism it rests on (the model's parameters that carry it)."""

    seed: str = Field(pattern=r"^[a-z0-9_]+$", description="bibliography key of the article, e.g. seed002")
    sentence: str = Field(min_length=1, description="the article's words the claim rests on")
    package: str = Field(pattern=r"^[a-z0-9_]+$")
    baseline: str | None = Field(None, pattern=r"^[a-z0-9_]+$", description="default: the case's baseline")
    outcome: str = Field(min_length=1, description="an outcome, 'future:NAME' or 'us_net_cost'")
    direction: Literal["lower", "higher"]
    mechanism: str | None = Field(None, description="the parameters the claim relies on, and how")


class Calendar(Strict):
    start_year: Whole = Field(ge=1953, le=2100, description="year of the initial state; simulation starts after it")
    us_inauguration_first: Whole = Field(description="first year a newly elected US president takes office")
    us_term_years: Whole = Field(ge=1, le=10)
    rok_election_next: Whole = Field(description="year of the next scheduled ROK presidential election")
    rok_term_years: Whole = Field(ge=1, le=10)
    us_orientation: Literal["internationalist", "transactional"]
    rok_orientation: Literal["conservative", "progressive"]
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _within_a_term(self) -> Calendar:
        for key, year, term in (
            ("us_inauguration_first", self.us_inauguration_first, self.us_term_years),
            ("rok_election_next", self.rok_election_next, self.rok_term_years),
        ):
            if not self.start_year < year <= self.start_year + term:
                raise ValueError(
                    f"{key} must come after start_year ({self.start_year}) and within one term of it, got {year}"
                )
        return self


class Actor(Strict):
    role: Literal["core", "context"]
    description: str


class Case(Strict):
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    description: str
    actors: dict[str, Actor]
    calendar: Calendar
    initial: dict[str, Quantity]
    parameters: dict[str, dict[str, Parameter]]
    levers: dict[str, Lever]
    thresholds: dict[str, Quantity]
    base_rates: dict[str, BaseRate] = Field(default_factory=dict)
    signposts: dict[str, Signpost] = Field(default_factory=dict)
    claims: dict[str, Claim] = Field(default_factory=dict)
    baseline: str = Field(
        DEFAULT_BASELINE,
        pattern=r"^[a-z0-9_]+$",
        description="the package the others are compared with unless an analyst names another: the course the "
        "governments are on",
    )

    def flat_parameters(self) -> dict[str, Parameter]:
        """Parameters keyed 'group.name', in file order."""
        return {f"{g}.{n}": p for g, group in self.parameters.items() for n, p in group.items()}


class LeverSetting(Strict):
    value: Number
    start_year: Whole | None = Field(default=None, description="overrides the policy's start year")
    ramp_years: Whole = Field(default=1, ge=1, le=50, description="years to move from the default to the value")


class Conditions(Strict):
    """Who must govern for a package's levers to hold; a side left out holds under either orientation."""

    us: Literal["internationalist", "transactional"] | None = None
    rok: Literal["conservative", "progressive"] | None = None


class Adoption(Strict):
    """How likely each kind of government is to take a package up, side by side (orientation -> probability), with
    the reasoning or source behind the numbers."""

    us: dict[str, Number] | None = None
    rok: dict[str, Number] | None = None
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _orientations(self) -> Adoption:
        for side in ORIENTATIONS:
            chances = getattr(self, side)
            if chances is None:
                continue
            if set(chances) != set(ORIENTATIONS[side]):
                raise ValueError(f"'{side}' must give exactly {sorted(ORIENTATIONS[side])}, got {sorted(chances)}")
            for orientation, chance in chances.items():
                if not 0 <= chance <= 1:
                    raise ValueError(f"'{side}.{orientation}' is a probability (0 to 1), got {chance}")
        return self

    def chance(self, side: str) -> tuple[float, float]:
        """(first orientation's chance, second's) of adopting the package on `side`."""
        chances = getattr(self, side) or {}
        return chances.get(ORIENTATIONS[side][0], 0.0), chances.get(ORIENTATIONS[side][1], 0.0)


class Policy(Strict):
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    source: str = Field(min_length=1)
    description: str
    start_year: Whole = Field(ge=1953, le=2100)
    institutionalisation: Institutionalisation = Field(description="the level the package seeks; it binds once enacted")
    adoption: Adoption | None = None
    conditions: Conditions = Field(default_factory=Conditions)
    levers: dict[Side, dict[str, Number | LeverSetting]] = Field(default_factory=dict)

    def settings(self) -> dict[str, LeverSetting]:
        """Lever name -> setting, with the policy's start year filled in."""
        out: dict[str, LeverSetting] = {}
        for side_levers in self.levers.values():
            for name, setting in side_levers.items():
                s = setting if isinstance(setting, LeverSetting) else LeverSetting(value=setting)
                out[name] = s if s.start_year is not None else s.model_copy(update={"start_year": self.start_year})
        return out
