"""Search specs: which levers a policy search may move, within what bounds, towards which objectives and under which
constraints, on how many futures and with what budget (`alliance-futures search`).

    name: default
    description: what the search asks
    start_year: 2027                 # as a policy package's: when the levers start to move
    institutionalisation: executive
    adoption: {us: {internationalist: 1, transactional: 1}, rok: {conservative: 1, progressive: 1}, source: "…"}
    levers:                          # a lever of the case: [low, high] to search, or a number to fix it
      cost_demand_multiplier: [1, 5]
      troop_target: 28500
    objectives:                      # each minimised: an outcome's probability, or the mean US net cost
      - {outcome: rupture}
      - {outcome: us_net_cost}
    constraints:                     # optional: an outcome's probability or mean kept at or below `max`
      - {outcome: war, max: 0.06}
    futures: 1000
    replications: 5
    years: 20
    evaluations: 5000
    population: 50
    seed: 1953
    validation_seed: 1954            # optional (default: seed + 1): the fresh futures the Pareto set is re-run on
    packages: [current_course]       # optional: packages (built-in names, or files beside the spec) placed among the
                                     # found ones, re-run with them on the fresh futures
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pydantic import Field

from ..errors import InputError
from .loader import _at, load_policy, read_validated, resolve_path
from .schema import Adoption, Case, Conditions, Institutionalisation, Number, Policy, Strict, Whole

SEARCHES = resources.files("alliance_futures") / "case" / "data" / "searches"
BUILTIN_SEARCH = "default"


class Objective(Strict):
    outcome: str = Field(min_length=1)


class Constraint(Strict):
    outcome: str = Field(min_length=1)
    max: Number


class SearchSpec(Strict):
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    description: str = Field(min_length=1)
    start_year: Whole = Field(ge=1953, le=2100)
    institutionalisation: Institutionalisation
    adoption: Adoption
    conditions: Conditions = Field(default_factory=Conditions)
    levers: dict[str, tuple[Number, Number] | Number] = Field(min_length=1)
    objectives: list[Objective] = Field(min_length=1)
    constraints: list[Constraint] = Field(default_factory=list)
    futures: Whole = Field(ge=1)
    replications: Whole = Field(ge=1)
    years: Whole = Field(ge=1)
    evaluations: Whole = Field(ge=1)
    population: Whole = Field(ge=4)
    seed: Whole = Field(ge=0)
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
    def fresh_seed(self) -> int:
        """The seed of the fresh futures the Pareto set is re-run on."""
        return self.seed + 1 if self.validation_seed is None else self.validation_seed


def resolve_search_path(name_or_file: str | Path) -> Path:
    return resolve_path(name_or_file, SEARCHES, "search", BUILTIN_SEARCH)


def load_search(name_or_file: str | Path, case: Case, outcomes: tuple[str, ...]) -> tuple[SearchSpec, list[Policy]]:
    """A search spec, checked against the case (each lever is one of its levers, within its bounds) and the
    `outcomes` an objective or constraint may name, and the packages it places among the found ones (a file named
    relative to the spec's folder); errors name the file and the key."""
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
    if not spec.searched:
        raise _at(path, lines, ("levers",), "every lever is fixed: give at least one a [low, high] range to search")
    named = [("objectives", i, o.outcome) for i, o in enumerate(spec.objectives)]
    named += [("constraints", i, c.outcome) for i, c in enumerate(spec.constraints)]
    for section, i, outcome in named:
        if outcome not in outcomes:
            known = ", ".join(outcomes)
            raise _at(path, lines, (section, str(i)), f"unknown outcome '{outcome}' (expected one of {known})")
    if spec.futures % spec.replications:
        message = f"futures ({spec.futures}) must be a multiple of replications ({spec.replications})"
        raise _at(path, lines, ("futures",), message)
    if spec.fresh_seed == spec.seed:
        message = f"must differ from seed ({spec.seed}): the Pareto set is re-run on fresh futures"
        raise _at(path, lines, ("validation_seed",), message)
    placed = []
    for i, name in enumerate(spec.packages):
        beside = path.parent / name
        try:
            placed.append(load_policy(beside if name.endswith((".yaml", ".yml")) else name, case))
        except InputError as exc:
            raise _at(path, lines, ("packages", str(i)), exc.args[0]) from None
    return spec, placed
