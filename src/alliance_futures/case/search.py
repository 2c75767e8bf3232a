"""Search specs: which levers a policy search may move, within what bounds, towards which objectives and under which
constraints, on how many futures and with what budget (`alliance-futures search`).

    name: default
    description: what the search asks
    start_year: 2027                 # as a policy package's: when the levers start to move; [2027, 2031] searches
    institutionalisation: executive  # or a list to search among: [executive, joint_statement, law]
    conditions: [{}, {us: internationalist}]   # optional: who must govern, one or a list to search among
    adoption: {us: {internationalist: 1, transactional: 1}, rok: {conservative: 1, progressive: 1}, source: "…"}
    levers:                          # a lever of the case: [low, high] to search (whole numbers for an integer
                                     # lever, which the search moves by whole steps), or a number to fix it
      cost_demand_multiplier: [1, 5]
      troop_target: 28500
    objectives:                      # each minimised: a measure's statistic over the worlds (analysis.robustness)
      - {outcome: rupture}                                            # its mean: the probability over all futures
      - {outcome: rupture, statistic: percentile, q: 90}              # in all but the worst tenth of the worlds
      - {outcome: war, statistic: regret, against: current_course}    # world by world, minus the package's
      - {outcome: nuclear_pursuit, statistic: satisficing, max: 0.2}  # the share of worlds where it exceeds 0.2
      - {outcome: us_net_cost}
    # optional: each objective's resolution, `epsilon: 0.005` (in its unit), in every objective or none: the Pareto
    # set is then ε-nondominated, counting candidates closer than that as one trade-off
    constraints:                     # optional: a measure's mean kept at or below `max`, or at or above `min`
      - {outcome: war, max: 0.06}
      - {outcome: troops, min: 22000}
    futures: 1000
    replications: 5
    years: 20
    evaluations: 5000                # each run's
    population: 50
    seed: 1953
    runs: 1                          # optional: NSGA-II runs seeded seed, seed + 1, …, on the same futures, merged
    validation_seed: 1954            # optional (default: seed + 1): the fresh futures the Pareto set is re-run on
    packages: [current_course]       # optional: packages (built-in names, or files beside the spec) placed among the
                                     # found ones, re-run with them on the fresh futures
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from ..errors import InputError
from .loader import _at, load_policy, read_validated, resolve_path
from .schema import Adoption, Case, Conditions, Institutionalisation, Number, Policy, Strict, Whole, exactly_one

SEARCHES = resources.files("alliance_futures") / "case" / "data" / "searches"
BUILTIN_SEARCH = "default"


Statistic = Literal["mean", "percentile", "regret", "satisficing"]
STATISTIC_FIELDS = {
    "mean": ((), ()),
    "percentile": (("q",), ()),
    "regret": (("against",), ("q",)),
    "satisficing": (("max",), ()),
}


class Objective(Strict):
    """A measure to minimise, summarised over the parameter vectors (`analysis.robustness`): its mean, a percentile,
    the regret against a package, or the share of vectors in which it exceeds `max`."""

    outcome: str = Field(min_length=1)
    statistic: Statistic = "mean"
    q: Number | None = Field(None, gt=0, lt=100, description="the percentile, of the measure or of the regret")
    against: str | None = Field(None, min_length=1, description="regret: the package (a built-in name or a file)")
    max: Number | None = Field(None, description="satisficing: the most a vector's measure may be")
    epsilon: Number | None = Field(None, gt=0, description="the resolution: closer values count as one trade-off")

    @model_validator(mode="after")
    def _fields_fit_the_statistic(self) -> Objective:
        needed, optional = STATISTIC_FIELDS[self.statistic]
        given = [k for k in ("q", "against", "max") if getattr(self, k) is not None]
        missing = [k for k in needed if k not in given]
        if missing:
            raise ValueError(f"statistic '{self.statistic}' needs '{missing[0]}'")
        extra = [k for k in given if k not in needed + optional]
        if extra:
            raise ValueError(f"'{extra[0]}' does not apply to statistic '{self.statistic}'")
        return self

    @property
    def label(self) -> str:
        """The objective's column name: 'rupture', 'rupture:p90', 'war:regret_current_course_p90',
        'nuclear_pursuit:above_0.05'."""
        q = "" if self.q is None else f"p{self.q:g}"
        if self.statistic == "percentile":
            return f"{self.outcome}:{q}"
        if self.statistic == "regret":
            return f"{self.outcome}:regret_{Path(str(self.against)).stem}" + (f"_{q}" if q else "")
        if self.statistic == "satisficing":
            return f"{self.outcome}:above_{self.max:g}"
        return self.outcome


class Constraint(Strict):
    """A measure's mean kept at or below `max`, or at or above `min`."""

    outcome: str = Field(min_length=1)
    max: Number | None = None
    min: Number | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Constraint:
        exactly_one(self, "max", "min")
        return self

    @property
    def label(self) -> str:
        return f"{self.outcome}:{'max' if self.min is None else 'min'}"

    def slack(self, value: Any) -> Any:
        """How far a value is beyond the bound: at most 0 when the constraint is met."""
        return value - self.max if self.min is None else self.min - value


Year = Annotated[int, Field(strict=True, ge=1953, le=2100)]
TERMS = ("start_year", "institutionalisation", "conditions")  # a package's terms a search may move, besides levers


@dataclass(frozen=True)
class Variable:
    """One dimension of a search: a lever, or a package term. NSGA-II moves a number between `low` and `high`;
    an integer one moves by whole steps, and a categorical one is the index of one of its `choices`."""

    name: str
    low: float
    high: float
    integer: bool = False
    choices: tuple[Any, ...] | None = None

    def decode(self, x: float) -> Any:
        """The lever value, year or choice a number stands for."""
        if self.choices is not None:
            return self.choices[round(x)]
        return round(x) if self.integer else float(x)


class SearchSpec(Strict):
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    description: str = Field(min_length=1)
    start_year: Year | tuple[Year, Year]
    institutionalisation: Institutionalisation | list[Institutionalisation]
    adoption: Adoption
    conditions: Conditions | list[Conditions] = Field(default_factory=Conditions)
    levers: dict[str, tuple[Number, Number] | Number] = Field(min_length=1)
    objectives: list[Objective] = Field(min_length=1)
    constraints: list[Constraint] = Field(default_factory=list)
    futures: Whole = Field(ge=1)
    replications: Whole = Field(ge=1)
    years: Whole = Field(ge=1)
    evaluations: Whole = Field(ge=1)
    population: Whole = Field(ge=4)
    seed: Whole = Field(ge=0)
    runs: Whole = Field(1, ge=1, le=100)
    validation_seed: Whole | None = Field(default=None, ge=0)
    packages: list[str] = Field(default_factory=list)

    @property
    def searched(self) -> dict[str, tuple[float, float]]:
        """The levers the search moves, with their bounds, in the spec's order."""
        return {n: (float(b[0]), float(b[1])) for n, b in self.levers.items() if isinstance(b, tuple)}

    @property
    def fixed(self) -> dict[str, float]:
        return {n: float(b) for n, b in self.levers.items() if not isinstance(b, tuple)}

    @property
    def terms(self) -> dict[str, tuple[Any, ...]]:
        """The package terms the search moves, each with its choices in the spec's order (every year of a range)."""
        out: dict[str, tuple[Any, ...]] = {}
        if isinstance(self.start_year, tuple):
            out["start_year"] = tuple(range(self.start_year[0], self.start_year[1] + 1))
        for term in ("institutionalisation", "conditions"):
            if isinstance(getattr(self, term), list):
                out[term] = tuple(getattr(self, term))
        return out

    def fixed_terms(self) -> dict[str, Any]:
        """The package terms the spec fixes."""
        return {term: getattr(self, term) for term in TERMS if term not in self.terms}

    def variables(self, case: Case) -> list[Variable]:
        """The searched levers (integer where the case says the model reads whole steps), then the searched terms."""
        levers = [
            Variable(name, low, high, case.levers[name].kind == "integer")
            for name, (low, high) in self.searched.items()
        ]
        terms = [Variable(t, 0, len(c) - 1, True, c) for t, c in self.terms.items() if t != "start_year"]
        if "start_year" in self.terms:
            years = self.terms["start_year"]
            terms.insert(0, Variable("start_year", years[0], years[-1], True))
        return levers + terms

    @property
    def epsilons(self) -> tuple[float, ...] | None:
        """Each objective's resolution, if the spec gives them: the Pareto set is then ε-nondominated."""
        given = [o.epsilon for o in self.objectives]
        return None if None in given else tuple(float(e) for e in given if e is not None)

    @property
    def fresh_seed(self) -> int:
        """The seed of the fresh futures the Pareto set is re-run on."""
        return self.seed + 1 if self.validation_seed is None else self.validation_seed


def resolve_search_path(name_or_file: str | Path) -> Path:
    return resolve_path(name_or_file, SEARCHES, "search", BUILTIN_SEARCH)


def load_search(
    name_or_file: str | Path, case: Case, measures: tuple[str, ...], probabilities: tuple[str, ...]
) -> tuple[SearchSpec, dict[str, Policy]]:
    """A search spec, checked against the case (each lever is one of its levers, within its bounds) and the
    `measures` an objective or constraint may name (`probabilities` among them: outcomes, each a share of a vector's
    futures), with the packages it names (placed, or measured against), each by the name the spec gives it (a file
    is read relative to the spec's folder); errors name the file and the key."""
    path = resolve_search_path(name_or_file)
    spec, lines = read_validated(SearchSpec, path)
    for name, bounds in spec.levers.items():
        lever = case.levers.get(name)
        if lever is None:
            known = ", ".join(case.levers)
            raise _at(path, lines, ("levers", name), f"unknown lever (the case's levers: {known})")
        lo, hi = lever.bounds
        low, high = bounds if isinstance(bounds, tuple) else (bounds, bounds)
        if not lo <= low <= high <= hi:
            got = f"[{low:g}, {high:g}]" if isinstance(bounds, tuple) else f"{low:g}"
            message = f"expected values from {lo:g} to {hi:g} ({lever.unit}), low before high; got {got}"
            raise _at(path, lines, ("levers", name), message)
        if lever.kind == "integer" and not all(float(v).is_integer() for v in (low, high)):
            message = f"expected whole numbers: the model reads this lever in whole steps ({lever.unit})"
            raise _at(path, lines, ("levers", name), message)
    if not spec.searched:
        raise _at(path, lines, ("levers",), "every lever is fixed: give at least one a [low, high] range to search")
    if isinstance(spec.start_year, tuple) and spec.start_year[0] > spec.start_year[1]:
        raise _at(path, lines, ("start_year",), f"expected [first, last], first first; got {list(spec.start_year)}")
    for term in ("institutionalisation", "conditions"):
        choices = getattr(spec, term)
        if isinstance(choices, list) and (len(choices) < 2 or len(set(map(str, choices))) < len(choices)):
            raise _at(path, lines, (term,), "a list to search among needs two or more different choices")
    named: list[tuple[str, int, Objective | Constraint]] = [("objectives", i, o) for i, o in enumerate(spec.objectives)]
    named += [("constraints", i, c) for i, c in enumerate(spec.constraints)]
    labels: set[str] = set()
    for section, i, entry in named:
        if entry.outcome not in measures:
            known = ", ".join(measures)
            raise _at(path, lines, (section, str(i)), f"unknown outcome '{entry.outcome}' (expected one of {known})")
        if entry.label in labels:
            raise _at(path, lines, (section, str(i)), f"'{entry.label}' is named twice")
        labels.add(entry.label)
        statistic = entry.statistic if isinstance(entry, Objective) else "mean"
        if statistic in ("percentile", "satisficing") and entry.outcome in probabilities and spec.replications < 2:
            message = (
                f"a {statistic} of '{entry.outcome}' reads its probability in each parameter vector: "
                "give replications of 2 or more"
            )
            raise _at(path, lines, (section, str(i)), message)
    given = [o.epsilon is not None for o in spec.objectives]
    if any(given) and not all(given):
        where = ("objectives", str(given.index(False)))
        raise _at(path, lines, where, "give every objective an epsilon, or none: the front is ε-nondominated in all")
    if spec.futures % spec.replications:
        message = f"futures ({spec.futures}) must be a multiple of replications ({spec.replications})"
        raise _at(path, lines, ("futures",), message)
    if spec.fresh_seed == spec.seed:
        message = f"must differ from seed ({spec.seed}): the Pareto set is re-run on fresh futures"
        raise _at(path, lines, ("validation_seed",), message)
    wanted: list[tuple[tuple[str, ...], str]] = [(("packages", str(i)), name) for i, name in enumerate(spec.packages)]
    wanted += [(("objectives", str(i), "against"), o.against) for i, o in enumerate(spec.objectives) if o.against]
    packages = {}
    for loc, name in wanted:
        beside = path.parent / name
        try:
            packages[name] = load_policy(beside if name.endswith((".yaml", ".yml")) else name, case)
        except InputError as exc:
            raise _at(path, lines, loc, exc.args[0]) from None
    return spec, packages
