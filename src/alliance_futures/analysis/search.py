"""Many-objective search over a package's levers, on a fixed set of futures.

Every candidate is a package: the spec's start year, institutionalisation, adoption and conditions, with the searched
levers set to the candidate's values and the others fixed as the spec says. A whole population is simulated in one
ensemble on the same futures (common random numbers: the same seed gives every candidate, in every generation, the
same parameter vectors and random streams), so candidates differ only by their levers. Each objective is an
outcome's probability over the futures, or the mean US net cost, minimised; each constraint keeps one at or below a
ceiling. The search is NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002, *IEEE Transactions on Evolutionary
Computation* 6(2), 182–197) from pymoo (Blank & Deb 2020, *IEEE Access* 8, 89497–89509), whose `Problem` takes a
whole population at once; every candidate it evaluates is kept, and the Pareto set is the feasible candidates no
other feasible one dominates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..case import Case, Policy
from ..case.search import SearchSpec
from ..engine import Executor, run_ensemble
from .outcomes import OUTCOMES, outcome_tables

OBJECTIVES = (*OUTCOMES, "us_net_cost")  # what an objective or a constraint may name
# Convergence: each objective is scaled to [0, 1] over the search's feasible candidates, and the hypervolume measured
# against this reference point in every scaled objective (our convention: values compare within one search only)
HYPERVOLUME_REFERENCE = 1.1
Batch = Callable[[NDArray[np.float64]], tuple[NDArray[np.float64], NDArray[np.float64]]]


@dataclass(frozen=True)
class SearchResult:
    archive: pd.DataFrame  # every candidate evaluated: generation, levers, objectives, constraints, feasible
    pareto: pd.DataFrame  # the feasible candidates no feasible candidate dominates

    @property
    def convergence(self) -> pd.DataFrame:
        return convergence(self.archive)

    @property
    def feasible(self) -> bool:
        return bool(self.archive["feasible"].any())


def candidate(spec: SearchSpec, case: Case, values: Sequence[float], name: str) -> Policy:
    """The package a candidate's lever values make."""
    levers: dict[str, dict[str, float]] = {}
    for lever, value in (spec.fixed | dict(zip(spec.searched, map(float, values), strict=True))).items():
        levers.setdefault(case.levers[lever].side, {})[lever] = value
    return Policy(
        name=name,
        title=name.replace("_", " "),
        source=f"alliance-futures search '{spec.name}'",
        description=f"A candidate of the search '{spec.name}': {spec.description}",
        start_year=spec.start_year,
        institutionalisation=spec.institutionalisation,
        adoption=spec.adoption,
        conditions=spec.conditions,
        levers=levers,  # type: ignore[arg-type]
    )


def package_batch(case: Case, spec: SearchSpec, executor: Executor | None = None) -> Batch:
    """The objectives and constraint slacks (value − ceiling; at most 0 when met) of a population of candidates
    (rows of lever values), each simulated on the spec's futures."""
    objectives = [o.outcome for o in spec.objectives]
    constraints = [c.outcome for c in spec.constraints]
    ceilings = np.array([c.max for c in spec.constraints])

    def evaluate(x: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        policies = [candidate(spec, case, row, f"candidate_{i}") for i, row in enumerate(x)]
        ensemble = run_ensemble(
            case,
            policies,
            spec.futures,
            spec.years,
            spec.seed,
            executor,
            record=False,
            replications=spec.replications,
        )
        means = pd.DataFrame(
            {p.name: _means(t) for p, t in zip(policies, outcome_tables(ensemble).values(), strict=True)}
        ).T
        return means[objectives].to_numpy(dtype=float), means[constraints].to_numpy(dtype=float) - ceilings

    return evaluate


def _means(table: pd.DataFrame) -> pd.Series:
    return table[list(OBJECTIVES)].astype(float).mean()


def optimise(
    evaluate: Batch,
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    objectives: Sequence[str],
    constraints: Sequence[str],
    evaluations: int,
    population: int,
    seed: int,
    variables: Sequence[str],
    progress: Callable[[int], None] | None = None,
    done: pd.DataFrame | None = None,
    checkpoint: Callable[[pd.DataFrame], None] | None = None,
) -> SearchResult:
    """Run NSGA-II for `evaluations` candidate evaluations (`population` a generation) on `evaluate`, which takes a
    population (candidates × variables, within `lower` and `upper`) and gives its objectives (minimised) and
    constraint slacks (met at or below 0). Returns every candidate evaluated and the Pareto set.

    `checkpoint` hears the archive so far after each generation evaluated. Given that archive as `done`, a search
    resumes: NSGA-II, seeded alike, proposes the same generations again, which take their recorded results instead
    of being simulated, and goes on from the first generation not recorded, so a resumed search ends with the
    archive an uninterrupted one would have (a generation that differs from its record means another spec or seed:
    ValueError)."""
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem
    from pymoo.optimize import minimize
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    seen: list[tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]] = []

    class Levers(Problem):
        def __init__(self) -> None:
            super().__init__(n_var=len(lower), n_obj=len(objectives), n_ieq_constr=len(constraints), xl=lower, xu=upper)

        def _evaluate(self, x: NDArray[np.float64], out: dict[str, Any], *args: Any, **kwargs: Any) -> None:
            recorded = None if done is None else done[done["generation"] == len(seen)]
            if recorded is not None and len(recorded):
                if not np.array_equal(recorded[list(variables)].to_numpy(), x):
                    raise ValueError(f"generation {len(seen)} differs from the one recorded: another spec or seed")
                f = recorded[[f"objective:{o}" for o in objectives]].to_numpy()
                g = recorded[[f"constraint:{c}" for c in constraints]].to_numpy()
            else:
                f, g = evaluate(x)
            out["F"] = f
            if len(constraints):
                out["G"] = g
            seen.append((np.array(x, dtype=float), f, g))
            if checkpoint is not None and (recorded is None or not len(recorded)):
                checkpoint(_archive(seen, variables, objectives, constraints))
            if progress is not None:
                progress(len(x))

    minimize(Levers(), NSGA2(pop_size=population), ("n_eval", evaluations), seed=seed, verbose=False)
    archive = _archive(seen, variables, objectives, constraints)
    f = archive[[f"objective:{o}" for o in objectives]].to_numpy()
    feasible = np.nonzero(archive["feasible"].to_numpy())[0]
    front = (
        feasible[NonDominatedSorting().do(f[feasible], only_non_dominated_front=True)] if len(feasible) else feasible
    )
    return SearchResult(archive, archive.iloc[np.sort(front)])


def _archive(
    seen: Sequence[tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]],
    variables: Sequence[str],
    objectives: Sequence[str],
    constraints: Sequence[str],
) -> pd.DataFrame:
    """Every candidate evaluated, generation by generation: its levers, objectives, constraint slacks, feasibility."""
    x = np.concatenate([s[0] for s in seen])
    f = np.concatenate([s[1] for s in seen])
    g = np.concatenate([np.reshape(s[2], (len(s[0]), len(constraints))) for s in seen])
    archive = pd.DataFrame(x, columns=list(variables))
    archive.insert(0, "generation", np.concatenate([np.full(len(s[0]), i) for i, s in enumerate(seen)]))
    archive.index.name = "evaluation"
    for j, name in enumerate(objectives):
        archive[f"objective:{name}"] = f[:, j]
    for j, name in enumerate(constraints):
        archive[f"constraint:{name}"] = g[:, j]
    archive["feasible"] = pd.Series((g <= 0).all(axis=1), index=archive.index)
    return archive


def convergence(archive: pd.DataFrame) -> pd.DataFrame:
    """Per generation: the candidates evaluated so far and the hypervolume of the feasible ones among them (Zitzler &
    Thiele 1999, *IEEE Transactions on Evolutionary Computation* 3(4)), each objective scaled to [0, 1] over all the
    search's feasible candidates and measured against `HYPERVOLUME_REFERENCE`; 0 while none is feasible. It can only
    grow: a search whose hypervolume has stopped growing has stopped finding better trade-offs."""
    from pymoo.indicators.hv import HV

    columns = [c for c in archive.columns if c.startswith("objective:")]
    feasible = archive[archive["feasible"]]
    low, high = feasible[columns].min(), feasible[columns].max()
    scaled = (feasible[columns] - low) / (high - low).replace(0, 1)
    indicator = HV(ref_point=np.full(len(columns), HYPERVOLUME_REFERENCE))
    rows = []
    for generation in sorted(archive["generation"].unique()):
        so_far = scaled[feasible["generation"] <= generation].to_numpy()
        volume = float(indicator(so_far)) if len(so_far) else 0.0
        rows.append((generation, int((archive["generation"] <= generation).sum()), volume))
    return pd.DataFrame(rows, columns=["generation", "evaluations", "hypervolume"]).set_index("generation")
