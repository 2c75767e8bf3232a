"""The recorded history of a case, for the backtest: who governed, what was recorded year by year, the dated events
and the kinds of event the model is scored on. Every row carries its source; unrecorded years carry no number."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from ..errors import InputError
from .loader import BUILTIN_CASE, DATA, _at, read_validated
from .schema import ORIENTATIONS, Case, Number, Parameter, Quantity, Side, Strict, Whole, exactly_one

# The model's yearly series that can serve as the forecast of a kind of event (see engine.replay).
FORECASTS = ("drawdown_hazard", "nuclear_activity", "cost_dispute", "exercise_suspension", "gray_zone_hazard")


class Sourced(Strict):
    source: str = Field(min_length=1)


class Rule(Sourced):
    """A written rule by which an analyst coding is made, applied to every row that names it, and how
    `alliance-futures backtest --sensitivity` flips a row: `orientation` swaps an administration's orientation,
    `turns` drops a turn of a coded series (the value before it runs on), `spells` removes a spell of a coded flag
    (a point above 0 takes the value before it)."""

    rule: str = Field(min_length=1)
    flips: Literal["orientation", "turns", "spells"]


class Coded(Strict):
    """A row coded by a written rule: the rule's name and the evidence the row rests on."""

    rule: str = Field(min_length=1)
    evidence: str = Field(min_length=1)


class Administration(Sourced, Coded):
    leader: str
    party: str
    start: datetime.date
    orientation: str


class Agreement(Sourced):
    """A Special Measures Agreement: a renewal falls due in its first year."""

    name: str
    first_year: Whole
    last_year: Whole


class Point(Sourced):
    """A recorded value from `year` on; None ends the record (the model's mechanism runs from there). A point of a
    coded series names the evidence it rests on."""

    year: Whole
    value: Number | None
    evidence: str | None = Field(default=None, min_length=1)


class Sets(Strict):
    """What a series holds at its recorded value in a replay: one state variable, lever or parameter. With
    `at_least`, the record is a floor under a state variable that the model may carry higher (a capability that
    was in place, whatever else happened)."""

    state: str | None = None
    lever: str | None = None
    parameter: str | None = None
    at_least: bool = False

    @model_validator(mode="after")
    def _exactly_one(self) -> Sets:
        exactly_one(self, "state", "lever", "parameter")
        if self.at_least and self.state is None:
            raise ValueError("'at_least' applies to a state variable only")
        return self


class Series(Strict):
    sets: Sets | None
    rule: str | None = Field(default=None, description="the rule its values are coded by, if an analyst coded them")
    scale: Number = Field(default=1.0, gt=0, description="model unit per recorded unit")
    unit: str = Field(min_length=1)
    meaning: str = Field(min_length=1)
    points: list[Point] = Field(min_length=1)

    @model_validator(mode="after")
    def _years_increase(self) -> Series:
        years = [p.year for p in self.points]
        if years != sorted(set(years)):
            raise ValueError(f"point years must increase, got {years}")
        if self.rule is not None and (bare := [p.year for p in self.points if p.evidence is None]):
            raise ValueError(f"a series coded by rule '{self.rule}' needs 'evidence' on every point: {bare}")
        return self

    def value_in(self, year: int) -> float | None:
        """The recorded value holding in `year` (already in the model's unit), or None if unrecorded."""
        held = [p.value for p in self.points if p.year <= year]
        return None if not held or held[-1] is None else held[-1] * self.scale


class Event(Sourced):
    year: Whole
    until: Whole | None = Field(default=None, description="last year of an episode spanning several years")
    date: str | None = None
    event: str = Field(min_length=1)
    kinds: list[str] = Field(default_factory=list)

    @property
    def years(self) -> range:
        return range(self.year, (self.until or self.year) + 1)


class EventKind(Sourced):
    meaning: str
    forecast: Literal[FORECASTS]  # type: ignore[valid-type]
    first_year: Whole
    last_year: Whole
    carried_by: list[str] = Field(
        default_factory=list,
        description="recorded series that carry the event into the forecast (the backtest never calls it skill)",
    )


class Window(Strict):
    """A span of years the backtest also scores on its own, against its own base rate."""

    name: str = Field(min_length=1)
    first_year: Whole
    last_year: Whole
    meaning: str = Field(min_length=1)


class History(Strict):
    name: str
    title: str
    description: str
    first_year: Whole = Field(ge=1900, description="year of the initial state")
    last_year: Whole
    rules: dict[str, Rule]
    initial: dict[str, Parameter]
    administrations: dict[Side, list[Administration]]
    agreements: list[Agreement]
    series: dict[str, Series]
    events: list[Event]
    kinds: dict[str, EventKind]
    windows: list[Window] = Field(default_factory=list)
    thresholds: dict[str, Quantity]

    @model_validator(mode="after")
    def _consistent(self) -> History:
        for section, needed in (("series", {"troops", "cost_share"}), ("thresholds", {"exercise_suspended"})):
            if missing := needed - set(getattr(self, section)):
                raise ValueError(f"'{section}' must include {sorted(missing)} (the replay reads them)")
        if not any(p.value for p in self.series["cost_share"].points):
            raise ValueError("'series.cost_share' must record at least one payment above 0 (the demands' yardstick)")
        if self.last_year <= self.first_year:
            raise ValueError(f"'last_year' ({self.last_year}) must come after 'first_year' ({self.first_year})")
        coded = [
            (f"administrations.{side}: {t.leader}", t.rule, True)
            for side, ts in self.administrations.items()
            for t in ts
        ]
        coded += [(f"series.{name}", s.rule, False) for name, s in self.series.items() if s.rule is not None]
        for where, rule, is_term in coded:
            if rule not in self.rules:
                raise ValueError(f"{where}: rule '{rule}' is not one of the 'rules' ({', '.join(sorted(self.rules))})")
            if (self.rules[rule].flips == "orientation") != is_term:
                raise ValueError(f"{where}: rule '{rule}' flips by {self.rules[rule].flips}, which does not fit here")
        if absent := [side for side in ORIENTATIONS if not self.administrations.get(side)]:  # type: ignore[call-overload]
            raise ValueError(f"administrations: give at least one term for {', '.join(absent)}")
        for side, terms in self.administrations.items():
            for term in terms:
                if term.orientation not in ORIENTATIONS[side]:
                    raise ValueError(f"{term.leader}: orientation must be one of {ORIENTATIONS[side]}")
            if [t.start for t in terms] != sorted(t.start for t in terms) or terms[0].start.year > self.first_year:
                raise ValueError(f"administrations.{side} must be in order and begin by {self.first_year}")
        for name, spec in self.kinds.items():
            if unknown := [c for c in spec.carried_by if c not in self.series]:
                raise ValueError(f"kinds.{name}.carried_by names no recorded series: {', '.join(unknown)}")
        for window in self.windows:
            if not self.first_year < window.first_year <= window.last_year <= self.last_year:
                raise ValueError(
                    f"window '{window.name}' must lie within {self.first_year + 1}–{self.last_year}, first year first"
                )
        for event in self.events:
            for kind in event.kinds:
                if kind not in self.kinds:
                    raise ValueError(f"event '{event.event[:40]}' has kind '{kind}', not one of {sorted(self.kinds)}")
        return self

    def orientation(self, side: Side, year: int) -> str:
        """Who governed in `year`: the administration in office on 30 June (the last one before, in a gap)."""
        mid = datetime.date(year, 6, 30)
        return [t for t in self.administrations[side] if t.start <= mid][-1].orientation

    def sma_renewal_year(self, year: int) -> int:
        """First year of the next agreement not yet begun by the start of `year` (`year` itself if one begins)."""
        return min((a.first_year for a in self.agreements if a.first_year >= year), default=year + 1_000)

    def flips(self) -> list[tuple[str, str, History]]:
        """Every single reversal of an analyst coding, as `(what, rule, the history with it reversed)`: each
        administration with the other orientation of its side; each turn of a series coded by a `turns` rule
        dropped (the value before it runs on; the model's own drift before a first turn); each spell of a series
        coded by a `spells` rule removed (its onset takes the value before it)."""
        out = []
        for side, terms in self.administrations.items():
            for i, term in enumerate(terms):
                other = next(o for o in ORIENTATIONS[side] if o != term.orientation)
                swapped = [*terms[:i], term.model_copy(update={"orientation": other}), *terms[i + 1 :]]
                administrations = {**self.administrations, side: swapped}
                what = f"{term.leader} ({term.start.year}) → {other}"
                out.append((what, term.rule, self.model_copy(update={"administrations": administrations})))
        for name, series in self.series.items():
            if series.rule is None:
                continue
            spells = self.rules[series.rule].flips == "spells"
            for i, point in enumerate(series.points):
                if spells and (i == 0 or not point.value):
                    continue
                points = list(series.points)
                if spells:
                    points[i] = point.model_copy(update={"value": points[i - 1].value})
                    end = next((p.year for p in points[i + 1 :] if not p.value), None)
                    what = f"{name} {point.year}–{end - 1 if end else ''} removed"
                else:
                    del points[i]
                    what = f"{name} {point.year} turn dropped"
                changed = series.model_copy(update={"points": points})
                out.append((what, series.rule, self.model_copy(update={"series": {**self.series, name: changed}})))
        return out

    @cached_property
    def event_years(self) -> dict[str, set[int]]:
        """Kind -> the years with an event of that kind."""
        years: dict[str, set[int]] = {kind: set() for kind in self.kinds}
        for event in self.events:
            for kind in event.kinds:
                years[kind].update(event.years)
        return years


BUILTIN_HISTORY = Path(str(DATA / f"{BUILTIN_CASE}_history.yaml"))


def load_history(path: str | Path | None, case: Case, state_variables: Iterable[str]) -> History:
    """Load and check a history file against the case it replays: every series sets one of the model's state
    variables, or a lever or parameter of the case, and the initial state gives the same variables as the case's."""
    file = Path(path) if path is not None else BUILTIN_HISTORY
    history, lines = read_validated(History, file)
    known = {
        "state": set(state_variables),
        "lever": set(case.levers),
        "parameter": set(case.flat_parameters()),
    }
    for name, series in history.series.items():
        if series.sets is None:
            continue
        for what, target in series.sets.model_dump(include=set(known), exclude_none=True).items():
            if target not in known[what]:
                loc = ("series", name, "sets", what)
                raise _at(file, lines, loc, f"no {what} called '{target}' in the case")
    missing = set(case.initial) - set(history.initial)
    extra = set(history.initial) - set(case.initial)
    if missing or extra:
        problem = f"missing {sorted(missing)}" if missing else f"not state variables: {sorted(extra)}"
        raise InputError(file, f"'initial' must give every state variable once: {problem}", "initial")
    return history
