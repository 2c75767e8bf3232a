"""Many-objective search over a package's levers, on a fixed set of futures.

Every candidate is a package: the spec's start year, institutionalisation, adoption and conditions, with the searched
levers set to the candidate's values and the others fixed as the spec says. A whole population is simulated in one
ensemble on the same futures (common random numbers: the same seed gives every candidate, in every generation, the
same parameter vectors and random streams), so candidates differ only by their levers. Each objective is a statistic
of a measure over the worlds (parameter vectors), minimised: a mean, a percentile, a regret or a satisficing share
(`robustness`); each constraint keeps a measure's mean at or below a ceiling or at or above a floor. The search is
NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002, *IEEE Transactions on Evolutionary Computation* 6(2), 182–197)
from pymoo (Blank & Deb 2020, *IEEE Access* 8, 89497–89509), whose `Problem` takes a whole population at once;
every candidate it evaluates is kept, and the Pareto set is the feasible candidates no other feasible one dominates.

Picked as the best of thousands on the same futures, the Pareto set's objectives flatter it (the optimiser's curse:
Smith & Winkler 2006, *Management Science* 52(3), 311–322). `out_of_sample` re-runs it on fresh futures, with
intervals, next to the packages an analyst wants placed among the found ones, each under the spec's terms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..case import Case, Policy
from ..case.search import Objective, SearchSpec
from ..engine import Executor, run_ensemble
from .outcomes import CONFIDENCE, percentile_interval
from .robustness import references, resampled, resampled_worlds, statistic, world_values

# Estimates closer than this are equal: two shares of the same number of futures summed in another order differ by
# rounding alone
TIE = 1e-9
AGAINST = "against:"  # the name a package regret is measured against is simulated under
# Convergence: each objective is scaled to [0, 1] over the search's feasible candidates, and the hypervolume measured
# against this reference point in every scaled objective (our convention: values compare within one search only)
HYPERVOLUME_REFERENCE = 1.1
# The variance of Fisher's z of a Spearman correlation, times (n − 3) (Fieller, Hartley & Pearson 1957, *Biometrika*
# 44(3/4), 470–481): rank correlations vary a little more than Pearson's 1/(n − 3)
SPEARMAN_Z_VARIANCE = 1.06
Batch = Callable[[NDArray[np.float64]], tuple[NDArray[np.float64], NDArray[np.float64]]]


@dataclass(frozen=True)
class SearchResult:
    archive: pd.DataFrame  # every candidate evaluated: generation, levers, objectives, constraints, feasible
    pareto: pd.DataFrame  # the feasible candidates no feasible candidate (ε-)dominates
    epsilons: tuple[float, ...] | None = None  # the resolution of each objective, for an ε-nondominated front
    out_of_sample: OutOfSample | None = None  # the Pareto set re-run on fresh futures, once it has been

    @cached_property
    def convergence(self) -> pd.DataFrame:
        """`convergence` of the archive, computed once: the command, the saved table and the report all read it."""
        return convergence(self.archive, self.epsilons)

    @property
    def feasible(self) -> bool:
        return bool(self.archive["feasible"].any())


def candidate(spec: SearchSpec, case: Case, values: Sequence[float], name: str) -> Policy:
    """The package a candidate's values (one per `spec.variables(case)`) make."""
    chosen = {v.name: v.decode(x) for v, x in zip(spec.variables(case), values, strict=True)}
    levers: dict[str, dict[str, float]] = {}
    for lever, value in (spec.fixed | {n: float(chosen[n]) for n in spec.searched}).items():
        levers.setdefault(case.levers[lever].side, {})[lever] = value
    terms = spec.fixed_terms() | {term: chosen[term] for term in spec.terms}
    return Policy(
        name=name,
        title=name.replace("_", " "),
        source=f"alliance-futures search '{spec.name}'",
        description=f"A candidate of the search '{spec.name}': {spec.description}",
        adoption=spec.adoption,
        levers=levers,  # type: ignore[arg-type]
        **terms,
    )


def found_packages(spec: SearchSpec, case: Case, pareto: pd.DataFrame) -> dict[str, Policy]:
    """The Pareto set as packages, named after the spec and each candidate's evaluation number."""
    names = [f"{spec.name}_{evaluation}" for evaluation in pareto.index]
    columns = [v.name for v in spec.variables(case)]
    return {
        name: candidate(spec, case, row.tolist(), name)
        for name, (_, row) in zip(names, pareto[columns].iterrows(), strict=True)
    }


def on_spec_terms(spec: SearchSpec, package: Policy) -> Policy:
    """A package's own lever settings, and its own terms where the spec searches them, under the spec's adoption and
    the terms it fixes (start year, institutionalisation, conditions): what every candidate is simulated on, so that
    the package compares with them by what the search varies alone."""
    return package.model_copy(update={"adoption": spec.adoption} | spec.fixed_terms())


def _simulate(
    case: Case, spec: SearchSpec, packages: Sequence[Policy], seed: int, executor: Executor | None
) -> dict[str, dict[str, NDArray[np.float64]]]:
    """Package -> measure -> its value in each world, for every measure the spec reads, the packages simulated on the
    spec's futures from `seed` a generation's worth at a time (the memory the search checked)."""
    measures = [o.outcome for o in spec.objectives] + [c.outcome for c in spec.constraints]
    worlds: dict[str, dict[str, NDArray[np.float64]]] = {}
    for start in range(0, len(packages), spec.population):
        batch = packages[start : start + spec.population]
        reps = spec.replications
        ensemble = run_ensemble(case, batch, spec.futures, spec.years, seed, executor, record=False, replications=reps)
        worlds |= world_values(ensemble, measures)
    return worlds


def _against(spec: SearchSpec, packages: Mapping[str, Policy]) -> list[Policy]:
    """The packages the spec's regrets are measured against, on its terms, each named 'against:NAME'."""
    return [
        on_spec_terms(spec, packages[name]).model_copy(update={"name": f"{AGAINST}{name}"})
        for name in references(spec.objectives)
    ]


def _reference(objective: Objective, worlds: Mapping[str, Mapping[str, NDArray[np.float64]]]) -> Any:
    return None if objective.against is None else worlds[f"{AGAINST}{objective.against}"][objective.outcome]


def package_batch(
    case: Case, spec: SearchSpec, packages: Mapping[str, Policy], executor: Executor | None = None
) -> Batch:
    """The objectives (each a statistic over the worlds, `analysis.robustness`) and constraint slacks (at most 0 when
    met) of a population of candidates (rows of lever values), each simulated on the spec's futures; `packages`
    holds those the spec's regrets are measured against, simulated once on the same futures."""

    @cache
    def against() -> dict[str, dict[str, NDArray[np.float64]]]:
        return _simulate(case, spec, _against(spec, packages), spec.seed, executor)

    def evaluate(x: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        policies = [candidate(spec, case, row, f"candidate_{i}") for i, row in enumerate(x)]
        worlds = _simulate(case, spec, policies, spec.seed, executor) | against()
        f = [
            [statistic(o, worlds[p.name][o.outcome], _reference(o, worlds)) for o in spec.objectives] for p in policies
        ]
        g = [[c.slack(worlds[p.name][c.outcome].mean()) for c in spec.constraints] for p in policies]
        return np.array(f, dtype=float), np.array(g, dtype=float).reshape(len(policies), len(spec.constraints))

    return evaluate


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
    progress: Callable[[pd.DataFrame], None] | None = None,
    done: pd.DataFrame | None = None,
    checkpoint: Callable[[pd.DataFrame], None] | None = None,
    runs: int = 1,
    epsilons: Sequence[float] | None = None,
    integer: Sequence[bool] | None = None,
) -> SearchResult:
    """Run NSGA-II `runs` times (run r seeded `seed` + r) for `evaluations` candidate evaluations each (`population` a
    generation) on `evaluate`, which takes a population (candidates × variables, within `lower` and `upper`) and
    gives its objectives (minimised) and constraint slacks (met at or below 0). Returns every candidate evaluated and
    the Pareto set of them all (`front`: ε-nondominated with `epsilons`, one per objective). An `integer` variable
    is searched from its lower bound − ½ to its upper + ½ and rounded, so that each whole value has an equal share
    (pymoo's rounding repair, on a range widened so that the ends are not halved).

    `progress` hears the archive so far after each generation, `checkpoint` after each generation simulated (not
    read from `done`). Given that archive as `done`, a search
    resumes: NSGA-II, seeded alike, proposes the same generations again, which take their recorded results instead
    of being simulated, and goes on from the first generation not recorded, so a resumed search ends with the
    archive an uninterrupted one would have (a generation that differs from its record means another spec or seed:
    ValueError)."""
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem
    from pymoo.core.repair import Repair
    from pymoo.optimize import minimize

    whole = np.zeros(len(lower), dtype=bool) if integer is None else np.asarray(integer, dtype=bool)
    low, high = np.where(whole, lower - 0.5, lower), np.where(whole, upper + 0.5, upper)

    class Rounding(Repair):
        def _do(self, problem: Problem, X: NDArray[np.float64], **kwargs: Any) -> NDArray[np.float64]:
            X = np.array(X, dtype=float)
            X[:, whole] = np.clip(np.round(X[:, whole]), lower[whole], upper[whole])
            return X

    finished: list[pd.DataFrame] = []

    def levers(run: int, seen: list[tuple[NDArray[np.float64], ...]], record: pd.DataFrame | None) -> Problem:
        """Run `run`'s problem: each generation simulated (or read from `record`) and kept in `seen`."""

        class Levers(Problem):
            def __init__(self) -> None:
                n = len(lower)
                super().__init__(n_var=n, n_obj=len(objectives), n_ieq_constr=len(constraints), xl=low, xu=high)

            def _evaluate(self, x: NDArray[np.float64], out: dict[str, Any], *args: Any, **kwargs: Any) -> None:
                recorded = None if record is None else record[record["generation"] == len(seen)]
                if recorded is not None and len(recorded):
                    if not np.array_equal(recorded[list(variables)].to_numpy(), x):
                        message = f"generation {len(seen)} of run {run} differs from the one recorded: another spec"
                        raise ValueError(message)
                    f = recorded[[f"objective:{o}" for o in objectives]].to_numpy()
                    g = recorded[[f"constraint:{c}" for c in constraints]].to_numpy()
                else:
                    f, g = evaluate(x)
                out["F"] = f
                if len(constraints):
                    out["G"] = g
                seen.append((np.array(x, dtype=float), f, g))
                so_far = _joined([*finished, _archive(seen, run, variables, objectives, constraints)])
                if checkpoint is not None and (recorded is None or not len(recorded)):
                    checkpoint(so_far)
                if progress is not None:
                    progress(so_far)

        return Levers()

    for run in range(runs):
        seen: list[tuple[NDArray[np.float64], ...]] = []
        problem = levers(run, seen, None if done is None else done[done["run"] == run])
        algorithm = NSGA2(pop_size=population, repair=Rounding())
        minimize(problem, algorithm, ("n_eval", evaluations), seed=seed + run, verbose=False)
        finished.append(_archive(seen, run, variables, objectives, constraints))
    archive = _joined(finished)
    eps = None if epsilons is None else tuple(map(float, epsilons))
    return SearchResult(archive, front(archive, eps), eps)


def _joined(archives: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The runs' archives one after the other, their candidates numbered from 0 across them all."""
    archive = pd.concat(archives, ignore_index=True)
    archive.index.name = "evaluation"
    return archive


def _archive(
    seen: Sequence[tuple[NDArray[np.float64], ...]],
    run: int,
    variables: Sequence[str],
    objectives: Sequence[str],
    constraints: Sequence[str],
) -> pd.DataFrame:
    """Every candidate a run evaluated, generation by generation: its levers, objectives, constraint slacks and
    feasibility."""
    x = np.concatenate([s[0] for s in seen])
    f = np.concatenate([s[1] for s in seen])
    g = np.concatenate([np.reshape(s[2], (len(s[0]), len(constraints))) for s in seen])
    archive = pd.DataFrame(x, columns=list(variables))
    archive.insert(0, "generation", np.concatenate([np.full(len(s[0]), i) for i, s in enumerate(seen)]))
    archive.insert(0, "run", run)
    for j, name in enumerate(objectives):
        archive[f"objective:{name}"] = f[:, j]
    for j, name in enumerate(constraints):
        archive[f"constraint:{name}"] = g[:, j]
    archive["feasible"] = np.asarray((g <= 0).all(axis=1), dtype=bool)
    return archive


def _objectives(archive: pd.DataFrame) -> NDArray[np.float64]:
    return archive[[c for c in archive.columns if c.startswith("objective:")]].to_numpy(dtype=float)


def front(archive: pd.DataFrame, epsilons: Sequence[float] | None = None) -> pd.DataFrame:
    """The feasible candidates no other feasible one dominates. With `epsilons` (one per objective, in its unit),
    the ε-nondominated ones instead (Laumanns, Thiele, Deb & Zitzler 2002, *Evolutionary Computation* 10(3),
    263–282): each objective is cut into boxes ε wide, and of the boxes no other box dominates, each keeps the
    candidate nearest its corner, so that candidates which differ by less than the analyst's resolution count once."""
    feasible = np.nonzero(archive["feasible"].to_numpy())[0]
    kept = _front(_objectives(archive)[feasible], epsilons) if len(feasible) else feasible
    return archive.iloc[np.sort(feasible[kept])]


def _front(f: NDArray[np.float64], epsilons: Sequence[float] | None) -> NDArray[np.intp]:
    """The rows of `f` in its (ε-)nondominated front."""
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    if epsilons is None:
        return np.asarray(NonDominatedSorting().do(f, only_non_dominated_front=True))
    scaled = f / np.asarray(epsilons, dtype=float)
    boxes = np.floor(scaled)
    unique, inverse = np.unique(boxes, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    distance = np.linalg.norm(scaled - boxes, axis=1)
    kept = []
    for box in NonDominatedSorting().do(unique, only_non_dominated_front=True):
        members = np.nonzero(inverse == box)[0]
        kept.append(members[np.argmin(distance[members])])  # the first evaluated of equals
    return np.asarray(kept, dtype=np.intp)


def _scaled(f: NDArray[np.float64], feasible: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Each objective scaled to [0, 1] over the feasible candidates."""
    low, high = (f[feasible].min(axis=0), f[feasible].max(axis=0)) if feasible.any() else (0.0, 1.0)
    return (f - low) / np.where(high > low, high - low, 1.0)


def hypervolume(archive: pd.DataFrame) -> float:
    """The hypervolume of an archive's feasible candidates, scaled over them (as `convergence` measures it at the
    end of a search); 0 while none is feasible."""
    from pymoo.indicators.hv import HV

    f, feasible = _objectives(archive), archive["feasible"].to_numpy()
    if not feasible.any():
        return 0.0
    return float(HV(ref_point=np.full(f.shape[1], HYPERVOLUME_REFERENCE))(_scaled(f, feasible)[feasible]))


def convergence(archive: pd.DataFrame, epsilons: Sequence[float] | None = None) -> pd.DataFrame:
    """Per run and generation: the candidates evaluated so far and the hypervolume of the feasible ones among them
    (Zitzler & Thiele 1999, *IEEE Transactions on Evolutionary Computation* 3(4)), each objective scaled to [0, 1]
    over all the search's feasible candidates and measured against `HYPERVOLUME_REFERENCE`; 0 while none is
    feasible. It can only grow: a search whose hypervolume has stopped growing has stopped finding better
    trade-offs. With `epsilons`, also the ε-progress: how many ε-boxes the generation's candidates opened in the
    ε-nondominated front (Hadka & Reed 2013, *Evolutionary Computation* 21(2), 231–259); a search that no longer
    opens any has stopped finding trade-offs that differ by more than the resolution."""
    from pymoo.indicators.hv import HV

    f = _objectives(archive)
    scaled = _scaled(f, archive["feasible"].to_numpy())
    indicator = HV(ref_point=np.full(f.shape[1], HYPERVOLUME_REFERENCE))
    steps = archive[["run", "generation"]].drop_duplicates()
    rows: list[list[float]] = []
    boxes: set[tuple[float, ...]] = set()
    for run, generation in steps.itertuples(index=False):
        so_far = (archive["run"] < run) | ((archive["run"] == run) & (archive["generation"] <= generation))
        chosen = (so_far & archive["feasible"]).to_numpy()
        volume = float(indicator(scaled[chosen])) if chosen.any() else 0.0
        row = [run, generation, int(so_far.sum()), volume]
        if epsilons is not None:
            kept = f[chosen][_front(f[chosen], epsilons)] if chosen.any() else f[:0]
            now = {tuple(b) for b in np.floor(kept / np.asarray(epsilons, dtype=float))}
            row.append(len(now - boxes))
            boxes = now
        rows.append(row)
    columns = ["run", "generation", "evaluations", "hypervolume"] + (["epsilon_progress"] if epsilons else [])
    return pd.DataFrame(rows, columns=columns).set_index(["run", "generation"])


@dataclass(frozen=True)
class OutOfSample:
    """The Pareto set and the placed packages re-run on fresh futures (`seed`)."""

    estimates: pd.DataFrame  # (package, objective label): kind ('found' or 'placed'), in_sample, estimate, lo, hi
    placement: pd.DataFrame  # per placed package: the found packages that beat it, by point estimate or beyond noise
    shift: pd.DataFrame  # per objective label and kind ('found', 'placed', 'flattery'): estimate, lo, hi (`_shifts`)
    objectives: list[Objective]
    seed: int


def out_of_sample(
    case: Case,
    spec: SearchSpec,
    pareto: pd.DataFrame,
    packages: Mapping[str, Policy],
    executor: Executor | None = None,
) -> OutOfSample:
    """Re-run the Pareto set (rows of the archive) and the spec's placed `packages`, on the spec's terms, on fresh
    futures (the spec's `fresh_seed`): each objective with its 95% interval from resampling the worlds, and its
    in-sample value (the placed ones simulated on the search's futures too: not selected, they show how much the
    fresh futures alone move an estimate); and, for each placed package, the found ones that beat it on every objective
    by point estimate, and those better beyond noise on one objective at least (the paired difference's interval,
    on the same resampled worlds, below 0) and worse beyond noise on none."""
    found = found_packages(spec, case, pareto)
    shown = {name: name if name not in found else f"{name} (placed)" for name in spec.packages}
    placed = [on_spec_terms(spec, packages[name]).model_copy(update={"name": shown[name]}) for name in spec.packages]
    worlds = _simulate(case, spec, [*found.values(), *placed, *_against(spec, packages)], spec.fresh_seed, executor)
    searched = _simulate(case, spec, [*placed, *_against(spec, packages)], spec.seed, executor)
    worlds_count = spec.futures // spec.replications
    rows = resampled_worlds(worlds_count, spec.fresh_seed)
    searched_rows = resampled_worlds(worlds_count, spec.seed)  # the search's own worlds, resampled apart
    draws: dict[tuple[str, str], NDArray[np.float64]] = {}
    moved: dict[tuple[str, str], list[NDArray[np.float64]]] = {}  # (kind, label): each package's fresh − in-sample
    records = []
    selected = dict(zip(found, pareto.index, strict=True))  # found package -> its row of the archive
    for name in [*found, *shown.values()]:
        kind = "found" if name in found else "placed"
        for o in spec.objectives:
            values, reference = worlds[name][o.outcome], _reference(o, worlds)
            draws[(name, o.label)] = resampled(o, values, rows, reference)
            if name in selected:  # what the search selected it on: a fixed number
                in_sample = float(pareto.loc[selected[name], f"objective:{o.label}"])
                before: float | NDArray[np.float64] = in_sample
            else:  # an estimate on the search's futures, as noisy as the fresh one
                before_values, before_reference = searched[name][o.outcome], _reference(o, searched)
                in_sample = float(statistic(o, before_values, before_reference))
                before = resampled(o, before_values, searched_rows, before_reference)
            moved.setdefault((kind, o.label), []).append(draws[(name, o.label)] - before)
            estimate = float(statistic(o, values, reference))
            records.append((name, o.label, kind, in_sample, estimate, *percentile_interval(draws[(name, o.label)])))
    columns = ["package", "objective", "kind", "in_sample", "estimate", "lo", "hi"]
    estimates = pd.DataFrame(records, columns=columns).set_index(["package", "objective"])
    labels = [o.label for o in spec.objectives]
    placement = pd.DataFrame(
        [_beaten(name, list(found), labels, estimates["estimate"], draws) for name in shown.values()],
        columns=["package", "dominated_by", "beaten_beyond_noise_by", "beaten_beyond_noise_by_names"],
    ).set_index("package")
    placement["expected_by_chance"] = by_chance(len(found), len(labels))
    return OutOfSample(estimates, placement, _shifts(estimates, moved, labels), list(spec.objectives), spec.fresh_seed)


def _shifts(
    estimates: pd.DataFrame, moved: Mapping[tuple[str, str], Sequence[NDArray[np.float64]]], labels: Sequence[str]
) -> pd.DataFrame:
    """Per objective: how far the fresh futures moved the found packages' estimates on average (fresh minus
    in-sample), how far they moved the placed ones', which the search did not select, and the difference, the
    selection's flattery (Smith & Winkler 2006), each with its 95% percentile interval over the resampled worlds
    (`moved`: per kind and objective, each package's fresh − in-sample draws; a found package's in-sample value is
    fixed, a placed one's resampled over the search's worlds). No placed packages: no flattery."""
    rows = []
    for label in labels:
        table = estimates.xs(label, level="objective")
        shift = (table["estimate"] - table["in_sample"]).groupby(table["kind"]).mean()
        means = {kind: np.mean(moved[(kind, label)], axis=0) for kind in ("found", "placed") if (kind, label) in moved}
        for kind, draws in means.items():
            rows.append((label, kind, float(shift[kind]), *percentile_interval(draws)))
        if len(means) == 2:
            difference = means["found"] - means["placed"]
            rows.append((label, "flattery", float(shift["found"] - shift["placed"]), *percentile_interval(difference)))
    return pd.DataFrame(rows, columns=["objective", "kind", "estimate", "lo", "hi"]).set_index(["objective", "kind"])


def by_chance(found: int, objectives: int, confidence: float = CONFIDENCE) -> float:
    """About how many of `found` packages would be called better beyond noise than a placed package by chance alone,
    were none different from it: each objective's paired interval lies wholly below zero with chance a = (1 −
    confidence) / 2, and wholly above it with chance a, so one objective at least is better and none worse with
    chance (1 − a)^objectives − (1 − 2a)^objectives (objectives taken as independent). The intervals are per
    comparison; this says what their number implies."""
    a = (1.0 - confidence) / 2.0
    return found * ((1.0 - a) ** objectives - (1.0 - 2.0 * a) ** objectives)


def _beaten(
    name: str,
    found: Sequence[str],
    labels: Sequence[str],
    estimates: pd.Series,
    draws: Mapping[tuple[str, str], NDArray[np.float64]],
) -> tuple[str, int, int, str]:
    """How many `found` packages beat `name` on every objective by point estimate, and how many are better beyond
    noise on one objective at least and worse beyond noise on none (each paired difference's interval over the same
    resampled worlds); the latter's names."""
    dominated, beyond = 0, []
    for other in found:
        difference = np.array([estimates[(other, label)] - estimates[(name, label)] for label in labels])
        difference[np.abs(difference) <= TIE] = 0.0
        bounds = np.array([percentile_interval(draws[(other, label)] - draws[(name, label)]) for label in labels])
        dominated += bool((difference <= 0).all() and (difference < 0).any())
        if (bounds[:, 1] < 0).any() and (bounds[:, 0] <= 0).all():
            beyond.append(other)
    return name, dominated, len(beyond), ", ".join(beyond)


def tradeoffs(values: pd.DataFrame) -> pd.DataFrame:
    """Spearman's rank correlation of every pair of columns (objectives, levers) over a set of packages, with a 95%
    interval from Fisher's z (variance `SPEARMAN_Z_VARIANCE` / (n − 3)); NaN with fewer than four packages or a
    column that does not vary. Over a Pareto set, a negative correlation between two objectives is a trade-off:
    the found packages that do better on one do worse on the other. Rows: (first, second)."""
    from scipy.stats import spearmanr

    n = len(values)
    z = NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)
    rows = []
    for i, first in enumerate(values.columns):
        for second in values.columns[i + 1 :]:
            rho = np.nan
            if n >= 4 and values[first].nunique() > 1 and values[second].nunique() > 1:
                rho = float(spearmanr(values[first], values[second]).statistic)
            half = z * np.sqrt(SPEARMAN_Z_VARIANCE / (n - 3)) if n >= 4 else np.nan
            with np.errstate(divide="ignore"):  # a perfect correlation's z is infinite, its interval the one point
                centre = np.arctanh(rho)
            rows.append((first, second, rho, np.tanh(centre - half), np.tanh(centre + half)))
    return pd.DataFrame(rows, columns=["first", "second", "rho", "lo", "hi"]).set_index(["first", "second"])
