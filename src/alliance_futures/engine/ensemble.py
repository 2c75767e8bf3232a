"""Ensembles: many futures of one case under several policy packages, on common random numbers.

A design of N parameter vectors × K replications: each vector (a row of the sampled design) is simulated K times,
on K random streams, so that each vector has an outcome probability of its own, not one coin toss. Future f is
replication f % K of vector f // K; the experiments table has one row per future (each vector's row repeated K
times). Every package is simulated on the same futures and the same random draws (replication k of vector i uses
the same streams in every package), so differences between packages are the policy's, not the sampling's. Futures
are split into chunks of whole vectors that an executor runs anywhere, each chunk's results handed to a sink as it
finishes (`sinks`); results are bit-identical whatever the chunk size, executor or worker count.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..case import Case, Policy
from ..limits import DEFAULT_CHUNK
from ..model import LeverPlan, initial_state, put_forward, step
from .design import DEFAULT_DESIGN, Design, Sampling, per_vector
from .executors import Executor, SerialExecutor
from .sinks import Chunk, MemorySink, Paths, Sink, chunks
from .streams import Streams, depth

# Variables kept for every year when an ensemble records paths: enough to name each future in any year (fan charts,
# outcome probabilities over time, signposts) and to narrate it.
RECORDED: tuple[str, ...] = (
    "credibility",
    "troops",
    "cost_share",
    "us_demand",
    "exercises",
    "nuclear_integration",
    "gray_zone_plans",
    "missile_defense",
    "diplomatic_coordination",
    "regional_role",
    "trilateral",
    "opcon",
    "division_of_labour",
    "nuclear_status",
    "peak_nuclear_status",
    "public_support",
    "rok_defense_burden",
    "rok_strength",
    "friction",
    "dprk_warheads",
    "dprk_provocation",
    "prc_coercion",
    "axis_cohesion",
    "us_overstretch",
    "us_transactional",
    "rok_progressive",
    "treaty_status",
    "war",
    "abandoned",
    "nuclear_use",
    "incidents",
    "us_net_cost",
)


def parameter_values(case: Case, experiments: pd.DataFrame) -> dict[str, Any]:
    """Fixed parameters as numbers, uncertain ones as one array entry per row of the experiments table."""
    values: dict[str, Any] = {n: p.value for n, p in case.flat_parameters().items() if p.range is None}
    values.update({n: experiments[n].to_numpy(dtype=np.float64) for n in experiments.columns})
    return values


@dataclass(frozen=True)
class Branch:
    """Futures continuing those of an earlier ensemble: through year `through` (the last observed), future j retraces
    future `source[j]` (simulated under `seed`) as the world went, under the package `followed`; after it, it draws
    fresh numbers and its own package is put forward (see `streams.Lineage`)."""

    through: int
    seed: int
    source: np.ndarray
    followed: Policy


def simulate(
    case: Case,
    policy: Policy,
    params: dict[str, Any],
    futures: np.ndarray,
    years: int,
    seed: int,
    record: bool = False,
    trace: bool = False,
    branches: Sequence[Branch] = (),
) -> Paths:
    """Simulate the given futures (their global indices, with their parameter values) for `years` years; futures
    that continue others (`branches`) retrace their sources, under the package each followed, up to each branch's
    year, and `policy` is put forward the year after."""
    streams = Streams(seed, futures, branches)
    state = initial_state(case, len(futures))
    first = case.calendar.start_year + 1
    yearly = {v: np.empty((len(futures), years), dtype=np.float32) for v in RECORDED} if record else None
    events: list[dict[str, np.ndarray]] | None = [] if trace else None
    governing: Policy | None = None
    for t in range(years):
        year = first + t
        back = depth(branches, year)
        package = branches[-back].followed if back else policy
        if governing is None or package.name != governing.name:
            plan = LeverPlan.compile(case, package, put_forward=year if governing else None)
            state = put_forward(state) if governing else state
            governing = package
        state, ev = step(state, case, plan, params, streams.for_year(year), year)
        if yearly is not None:
            for v in RECORDED:
                yearly[v][:, t] = getattr(state, v)
        if events is not None:
            events.append(ev)
    return Paths(final=state.as_dict(), yearly=yearly, events=events)


@dataclass(frozen=True)
class _Run:
    """What every chunk of a run reads, sent to each worker once (in the executor's `shared`), never with each task:
    a task is only its `Chunk`. (A sink gathering results in this process must not travel with the tasks it is
    gathering.)"""

    case: Case
    policies: Mapping[str, Policy]
    first: str  # the package whose chunks carry the experiments rows
    years: int
    seed: int
    record: bool
    sink: Sink
    branches: tuple[Branch, ...] = ()


def _rows(shared: Mapping[str, Any], start: int, stop: int) -> pd.DataFrame:
    """The experiments rows of futures `start` to `stop` of a run: sliced from its given rows, or made from its
    design (the last rows made are kept in the run's shared inputs, as this worker's own copy: a worker's next task
    is most often the same chunk under another package)."""
    if "experiments" in shared:
        return shared["experiments"].iloc[start:stop]
    made = shared["made"]
    futures, rows = made.get("last", (None, None))
    if futures != (start, stop):
        rows = shared["sampling"].rows(start, stop)
        made["last"] = ((start, stop), rows)  # one assignment: tasks on other threads see the old rows or these
    return rows


def _run_task(chunk: Chunk, shared: Mapping[str, Any]) -> Any:
    run: _Run = shared["run"]
    rows = _rows(shared, chunk.start, chunk.stop)
    params = parameter_values(run.case, rows)
    futures = np.arange(chunk.start, chunk.stop)
    policy = run.policies[chunk.package]
    paths = simulate(run.case, policy, params, futures, run.years, run.seed, run.record, branches=run.branches)
    return run.sink.write(chunk, rows if chunk.package == run.first else None, paths)


def vector_ids(experiments: pd.DataFrame) -> np.ndarray:
    """Per future, an id shared by the futures with the same parameter vector (its replications, and the futures a
    posterior run resampled from one source)."""
    return pd.factorize(pd.util.hash_pandas_object(experiments, index=False))[0].astype(np.int64)


@dataclass(repr=False)
class Ensemble:
    """Futures of one case under several packages: inputs, the experiments table, final states, yearly paths. Its
    repr (and, in a notebook, its HTML) says what was simulated, not the whole case."""

    case: Case
    policies: dict[str, Policy]
    seed: int
    years: int
    design: str
    experiments: pd.DataFrame  # one row per future: its vector's sampled parameters
    final: dict[str, dict[str, np.ndarray]]  # package -> variable -> per future
    yearly: dict[str, dict[str, np.ndarray]] | None  # package -> variable -> (futures, years)
    replications: int = 1  # futures per parameter vector
    branches: tuple[Branch, ...] = ()  # futures that continue those of an earlier ensemble (see `branch`)

    @property
    def futures(self) -> int:
        """Simulated futures: parameter vectors × replications."""
        return len(self.experiments)

    @property
    def vectors(self) -> int:
        """Sampled parameter vectors."""
        return self.futures // self.replications

    @cached_property
    def clusters(self) -> int | np.ndarray:
        """Which futures count as one piece of evidence in an interval (`analysis.Moments`): each vector's
        `replications` (a number); for futures that continue others (`branches`: a posterior resampled by the
        evidence repeats its likelier sources), per future an id shared by those with the same parameter vector."""
        return vector_ids(self.experiments) if self.branches else self.replications

    def per_vector(self, values: np.ndarray) -> np.ndarray:
        """The mean of a per-future quantity over each vector's replications (a probability for a yes/no one)."""
        return per_vector(values, self.replications)

    def chunks(self, size: int = DEFAULT_CHUNK) -> Iterator[tuple[Chunk, pd.DataFrame | None, Paths]]:
        """The results chunk by chunk (views, not copies), with the experiments rows on each chunk's first package,
        as a run's workers hand them to a sink."""
        first = next(iter(self.final))
        for chunk in chunks(list(self.final), self.futures, size, self.replications):
            part = slice(chunk.start, chunk.stop)
            yearly = self.yearly[chunk.package] if self.yearly is not None else None
            paths = Paths(
                {v: arr[part] for v, arr in self.final[chunk.package].items()},
                {v: arr[part] for v, arr in yearly.items()} if yearly is not None else None,
                None,
            )
            yield chunk, self.experiments.iloc[part] if chunk.package == first else None, paths

    @property
    def calendar_years(self) -> np.ndarray:
        first = self.case.calendar.start_year + 1
        return np.arange(first, first + self.years)

    def described(self) -> dict[str, str]:
        """What was simulated, in words: the case, the packages, the design, the years, the seed, what was kept."""
        years = self.calendar_years
        kept = f"final states and yearly paths of {len(RECORDED)} variables" if self.yearly else "final states only"
        return {
            "case": f"{self.case.title} ({self.case.name})",
            "packages": ", ".join(self.policies),
            "futures": f"{self.futures:,} per package: {self.vectors:,} parameter vectors × {self.replications} "
            f"replications, {len(self.experiments.columns)} uncertain parameters, {self.design} design",
            "years": f"{years[0]}–{years[-1]}",
            "seed": str(self.seed),
            "kept": kept,
        }

    def __repr__(self) -> str:
        years = self.calendar_years
        return (
            f"Ensemble({self.case.name}: {len(self.policies)} package(s) × {self.futures:,} futures, "
            f"{years[0]}–{years[-1]}, seed {self.seed})"
        )

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><th>{k}</th><td>{html.escape(v)}</td></tr>" for k, v in self.described().items())
        return f"<table><caption>Ensemble</caption>{rows}</table>"


def run_ensemble(
    case: Case,
    policies: Sequence[Policy],
    futures: int,
    years: int,
    seed: int,
    executor: Executor | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    design: Design = DEFAULT_DESIGN,
    record: bool = True,
    progress: Callable[[int], None] | None = None,
    replications: int = 1,
) -> Ensemble:
    """Simulate `futures` futures of `case` under every package for `years` years, in memory: `futures //
    replications` sampled parameter vectors, each on `replications` random streams (`futures` must be a multiple of
    it).

    `progress` is called with the number of future-packages finished after each chunk.
    """
    if replications < 1 or futures % replications:
        raise ValueError(f"futures ({futures}) must be a positive multiple of replications ({replications})")
    experiments = Sampling(case, futures // replications, seed, design, replications).rows(0, futures)
    sink = MemorySink([p.name for p in policies], futures)  # the rows are made once, here, and shared with workers
    simulate_chunks(case, policies, experiments, years, seed, sink, record, executor, chunk_size, progress)
    return Ensemble(
        case, {p.name: p for p in policies}, seed, years, design, experiments, sink.final, sink.yearly, replications
    )


def branch(
    ensemble: Ensemble,
    source: np.ndarray,
    through: int,
    followed: str,
    seed: int,
    executor: Executor | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> Ensemble:
    """An ensemble whose future j continues future `source[j]` of `ensemble`: its parameter vector, and its path
    under the package `followed` through year `through` (the world as it went, retraced on the source's random
    numbers); then, on fresh numbers from `seed`, each package put forward from the next year, on common random
    numbers across packages. Futures continuing one source part after `through`; each is a future of its own (one
    replication)."""
    source = np.asarray(source, dtype=np.int64)
    experiments = ensemble.experiments.iloc[source].reset_index(drop=True)
    earlier = tuple(Branch(b.through, b.seed, b.source[source], b.followed) for b in ensemble.branches)
    branches = (*earlier, Branch(through, ensemble.seed, source, ensemble.policies[followed]))
    policies = list(ensemble.policies.values())
    record = ensemble.yearly is not None
    sink = MemorySink(list(ensemble.policies), len(source))
    simulate_chunks(
        ensemble.case,
        policies,
        experiments,
        ensemble.years,
        seed,
        sink,
        record,
        executor,
        chunk_size,
        branches=branches,
    )
    return Ensemble(
        ensemble.case,
        ensemble.policies,
        seed,
        ensemble.years,
        ensemble.design,
        experiments,
        sink.final,
        sink.yearly,
        branches=branches,
    )


def simulate_chunks(
    case: Case,
    policies: Sequence[Policy],
    inputs: Sampling | pd.DataFrame,
    years: int,
    seed: int,
    sink: Sink,
    record: bool = True,
    executor: Executor | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
    branches: tuple[Branch, ...] = (),
    done: Collection[tuple[str, int]] = (),
) -> None:
    """Every package's futures, one per row of the experiments (`inputs`: a design, whose rows each chunk makes
    where it runs, or the rows themselves), in chunks of whole parameter vectors (`sinks.chunks`) on `executor`:
    each chunk's final states and, with `record`, yearly paths (and, with its first package, its experiments rows)
    handed to `sink` as it finishes; the chunks `done` (package, index) already are skipped. `progress` hears of the
    futures of each chunk."""
    by_name = {p.name: p for p in policies}
    shared: dict[str, Any] = {"run": _Run(case, by_name, policies[0].name, years, seed, record, sink, branches)}
    if isinstance(inputs, Sampling):
        futures, replications = inputs.futures, inputs.replications
        shared |= {"sampling": inputs, "made": {}}
    else:
        futures, replications = len(inputs), 1
        shared["experiments"] = inputs
    tasks = [
        chunk
        for chunk in chunks(list(by_name), futures, chunk_size, replications)
        if (chunk.package, chunk.index) not in done
    ]
    for i, written in (executor or SerialExecutor()).run(_run_task, tasks, shared):
        chunk = tasks[i]
        sink.gather(chunk, written)
        if progress is not None:
            progress(chunk.stop - chunk.start)
