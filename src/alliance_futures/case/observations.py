"""Observation logs: what has been seen since a run's first year, one entry per observation.

    - {year: 2027, indicator: public_support, value: 0.72, sd: 0.03, source: "Gallup Korea, March 2027"}
    - {year: 2027, signpost: demand_above_5t, seen: true, false_alarm: 0.05, miss: 0.10, source: "…"}

An `indicator` is a variable the engine records every year, measured with a normal error of standard deviation `sd`
in the variable's unit; a `signpost` is one of the case's, reported seen or not, with the chance of reporting it
when it is absent (`false_alarm`) and of missing it when it is there (`miss`). Each needs its source. The log is
checked against the run it updates (`check_against`): the names, the years, and each value within its variable's
domain; errors name the file, the entry and the key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml
from pydantic import Field, TypeAdapter, ValidationError, model_validator

from ..errors import InputError
from .loader import read_yaml
from .schema import Case, Number, Strict, Whole

MAX_OBSERVATIONS = 10_000  # entries in a log; a year of daily polls on every variable is far fewer


class Observation(Strict):
    year: Whole
    source: str = Field(min_length=1)
    indicator: str | None = None
    value: Number | None = None
    sd: Number | None = Field(default=None, gt=0)
    signpost: str | None = None
    seen: bool | None = None
    false_alarm: Number | None = Field(default=None, ge=0, lt=1)
    miss: Number | None = Field(default=None, ge=0, lt=1)

    @model_validator(mode="after")
    def _one_kind(self) -> Observation:
        measured = (self.indicator, self.value, self.sd)
        reported = (self.signpost, self.seen, self.false_alarm, self.miss)
        if self.indicator is not None and self.signpost is not None:
            raise ValueError("an observation is of an 'indicator' or of a 'signpost', not both")
        if self.indicator is not None and (None in measured or any(x is not None for x in reported)):
            raise ValueError("a measured indicator needs 'value' and 'sd' (its standard error), and nothing else")
        if self.signpost is not None and (None in reported or any(x is not None for x in measured[1:])):
            raise ValueError("a signpost needs 'seen', 'false_alarm' and 'miss' (its error rates), and nothing else")
        if self.indicator is None and self.signpost is None:
            raise ValueError("name an 'indicator' (a recorded variable) or a 'signpost' of the case")
        if self.signpost is not None and (self.false_alarm or 0) + (self.miss or 0) >= 1:
            raise ValueError("with false_alarm + miss of 1 or more, a report would say nothing (or the opposite)")
        return self


_LOG = TypeAdapter(list[Observation])


def read_observations(path: str | Path) -> list[Observation]:
    """The observation log at `path`, checked entry by entry; an error names the entry and its key."""
    file = Path(path)
    data = read_yaml(file)
    if not isinstance(data, list):
        raise InputError(file, "expected a list of observations, one '- {year: …, …}' entry each", line=1)
    if not 1 <= len(data) <= MAX_OBSERVATIONS:
        raise InputError(file, f"expected 1 to {MAX_OBSERVATIONS:,} observations, got {len(data)}")
    try:
        return _LOG.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        entry, *key = first["loc"]
        where = f"entry {int(entry) + 1}" + (f", '{key[0]}'" if key else "")
        raise InputError(file, f"{where}: {first['msg'].removeprefix('Value error, ')}") from None


def observations_yaml(observations: Sequence[Observation]) -> bytes:
    """Observations as a log file (one flow-style entry per line) that `read_observations` reads back."""
    entries = [o.model_dump(mode="json", exclude_none=True) for o in observations]
    return "".join(
        yaml.safe_dump([e], default_flow_style=None, allow_unicode=True, width=2**16) for e in entries
    ).encode()


def check_against(
    observations: list[Observation],
    case: Case,
    years: range,
    recorded: Mapping[str, tuple[float, float]],
    source: str | Path,
) -> None:
    """Refuse an observation the run cannot weigh: an indicator it does not record (`recorded`: variable -> its
    domain), a value outside that domain, a signpost the case lacks, or a year outside the run's `years`."""
    for i, o in enumerate(observations, start=1):
        if o.year not in years:
            message = f"entry {i}: year {o.year} is outside the run's years, {years.start} to {years.stop - 1}"
            raise InputError(source, message)
        if o.indicator is not None:
            if o.indicator not in recorded:
                known = ", ".join(sorted(recorded))
                raise InputError(source, f"entry {i}: '{o.indicator}' is not a recorded variable (recorded: {known})")
            low, high = recorded[o.indicator]
            if not low <= float(o.value or 0) <= high:
                message = f"entry {i}: {o.indicator} runs from {low:g} to {high:g}, got {o.value:g}"
                raise InputError(source, message)
        elif o.signpost not in case.signposts:
            known = ", ".join(case.signposts)
            raise InputError(source, f"entry {i}: '{o.signpost}' is not a signpost of the case (signposts: {known})")
