"""The public Python API: what the command line does, as functions for notebooks and services.

>>> import alliance_futures as af
>>> ensemble = af.run(futures=2_000)           # the built-in case, all six packages
>>> af.summarize(af.outcome_tables(ensemble), ensemble.clusters)  # a table: estimates with 95% intervals
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import math
import os
import resource
import shlex
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import analysis, bargaining, report, store
from .case import (
    BUILTIN_CASE,
    Case,
    History,
    Parameter,
    Policy,
    builtin_policy_names,
    load_history,
    load_policy,
    override_parameters,
    validate_file,
)
from .case import load_case as load_case_file
from .engine import (
    DEFAULT_CHUNK,
    DEFAULT_DESIGN,
    RECORDED,
    Ensemble,
    Executor,
    Sampling,
    chunks,
    make_executor,
    run_ensemble,
    simulate_chunks,
    uncertain_parameters,
    vector_ids,
)
from .errors import REQUEST, InputError
from .limits import (
    CALIBRATION_FUTURES,
    DEFAULT_REPLICATIONS,
    DEFAULT_SEED,
    DISK_BYTES_PER_FINAL,
    DISK_BYTES_PER_PATH_YEAR,
    MAX_BACKTEST_FUTURES,
    MAX_CALIBRATION_FUTURES,
    MAX_CROSS_VALIDATION_SPLITS,
    MAX_NEGOTIATION_ROUNDS,
    MAX_NEGOTIATION_WORK,
    MAX_REPLICATIONS,
    MAX_SEED,
    MAX_SEED_QUESTIONS,
    MAX_SOBOL_BASE,
    MAX_WORKERS,
    MAX_YEARS,
    MEMORY_PEAK_FACTOR,
    MEMORY_SHARE,
    PARQUET_DICTIONARY_PAGE,
    PROCESS_BYTES,
    REPORT_MAX_FUTURES,
    SOBOL_BASE,
    Executors,
    Export,
    is_power_of_two,
)
from .model import STATE_VARIABLES
from .store.files import write_whole

if TYPE_CHECKING:  # loaded on first use: the search needs pymoo, an extra
    from .analysis.nowcast import Update
    from .analysis.search import SearchResult
    from .case.observations import Observation
    from .case.search import SearchSpec

REPORT_FILE = "report.html"
OBSERVATIONS_FILE = "observations.yaml"  # where a posterior run keeps the observation log it was made from
WEIGHTS_FILE = "weights.parquet"  # and the weight of each future of the run it weighed, per package
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunSpec:
    """A checked request: what to simulate and how."""

    case: Case
    policies: list[Policy]
    futures: int
    years: int
    seed: int
    workers: int
    paths: bool
    replications: int = 1
    overrides: Mapping[str, float | Sequence[float]] = field(default_factory=dict)
    chunk_size: int = DEFAULT_CHUNK  # futures per chunk (a run streamed to disk)
    executor: Executors = Executors.local
    scheduler: str | None = None  # a Dask scheduler's address; None: a local cluster of `workers` processes

    def make_executor(self) -> Executor:
        return executor_for(self.workers, self.executor, self.scheduler)


def executor_for(workers: int, kind: Executors = Executors.local, scheduler: str | None = None) -> Executor:
    """Where a run's chunks are simulated (see `engine.executors`); a Dask cluster needs the `cluster` extra."""
    if scheduler is not None and kind is not Executors.dask:
        raise InputError(
            REQUEST, "a scheduler's address goes with the dask executor (--executor dask)", key="scheduler"
        )
    if kind is Executors.dask and importlib.util.find_spec("distributed") is None:
        raise InputError(
            REQUEST,
            "the dask executor needs Dask's distributed package: pip install 'alliance-futures[cluster]'",
            key="executor",
        )
    return make_executor(workers, scheduler, dask=kind is Executors.dask)


def load_case(name_or_file: str | Path = BUILTIN_CASE) -> Case:
    """A built-in case by name, or a case file, checked against what the model and the analysis read."""
    return load_case_file(name_or_file, analysis.REQUIREMENTS)


def load_run(directory: str | Path) -> store.Run:
    """A run saved by `save` or `alliance-futures run`, its case checked as `load_case` checks one."""
    return store.load_run(directory, analysis.REQUIREMENTS)


CGROUP_LIMITS = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")  # v2, v1


def usable_memory() -> int:
    """Memory this process may use: the machine's, or less where a container's limit (cgroup v2 or v1) or the
    process's address-space limit says so."""
    limits = [os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")]
    for name in CGROUP_LIMITS:
        with contextlib.suppress(OSError, ValueError):  # no such controller, or "max"
            limits.append(int(Path(name).read_text().strip()))
    address_space = resource.getrlimit(resource.RLIMIT_AS)[0]
    return min(limits + ([address_space] if address_space > 0 else []))


def estimated_bytes(
    case: Case,
    packages: int,
    futures: int,
    years: int,
    paths: bool,
    streamed_chunk: int | None = None,
    workers: int = 1,
) -> int:
    """Peak memory of a run (see benchmarks/run_footprint.py). Held in memory (an ensemble, saved afterwards): its
    arrays (final states, float32 yearly paths, the experiments table) times `MEMORY_PEAK_FACTOR`, and the process.
    Streamed to disk in chunks of `streamed_chunk` futures: one chunk's arrays under one package in each worker, and
    the processes; it does not grow with the number of futures."""
    per_future = len(STATE_VARIABLES) * 8 + (len(RECORDED) * 4 * years if paths else 0)
    inputs = 8 * len(uncertain_parameters(case))
    if streamed_chunk is None:
        return int(PROCESS_BYTES + MEMORY_PEAK_FACTOR * futures * (packages * per_future + inputs))
    processes = 1 if workers == 1 else 1 + workers
    chunk = min(streamed_chunk, futures)
    return int(processes * PROCESS_BYTES + MEMORY_PEAK_FACTOR * workers * chunk * (per_future + inputs))


def estimated_disk_bytes(
    case: Case,
    packages: int,
    futures: int,
    years: int,
    paths: bool,
    replications: int = 1,
    chunk: int = DEFAULT_CHUNK,
) -> int:
    """Bytes a saved run takes on disk: its Parquet tables of results (measured rates, see
    benchmarks/run_footprint.py) and the experiments table uncompressed. With replications a chunk's experiments are
    dictionary-encoded (`store.ChunkFiles`): each vector's values once and, per row, an index in as many whole bytes
    as the chunk's vectors need (measured: 5.7 bytes a value with 2 replications, 1.1 with 10, against 6 and 2.8
    here), unless the dictionary outgrows its page and the column is written plain."""
    per_future = packages * (DISK_BYTES_PER_FINAL + (DISK_BYTES_PER_PATH_YEAR * years if paths else 0))
    vectors = max(min(chunk, futures) // replications, 1)  # in a chunk
    if replications == 1 or 8 * vectors > PARQUET_DICTIONARY_PAGE:
        per_value = 8.0
    else:
        per_value = 8 / replications + max(math.ceil(math.log2(vectors) / 8), 1)
    return int(futures * (per_future + per_value * len(uncertain_parameters(case))))


def disk_need(spec: RunSpec) -> int:
    """About how many bytes a request's saved tables take (`estimated_disk_bytes`)."""
    return estimated_disk_bytes(
        spec.case, len(spec.policies), spec.futures, spec.years, spec.paths, spec.replications, spec.chunk_size
    )


def check_disk(spec: RunSpec, folder: str | Path, promised: int = 0) -> None:
    """Refuse, before simulating, a run whose saved tables would not fit on the disk that holds `folder`, beside the
    `promised` bytes that runs admitted before it have yet to write there."""
    need, free = disk_need(spec), shutil.disk_usage(folder).free
    if need + promised > free:
        others = f", {promised / 2**20:,.0f} MB of them promised to the runs queued before it" if promised else ""
        raise InputError(
            REQUEST,
            f"request too large for the disk: the run would take about {need / 2**20:,.0f} MB and {free / 2**20:,.0f} "
            f"MB are free{others}; free some space, or use fewer futures, years or packages, or keep only the final "
            "states",
            key="futures",
        )


def sobol_futures(case: Case, base: int = SOBOL_BASE) -> int:
    """The futures the report's Sobol analysis simulates at design base `base` (each for the run's years)."""
    from .analysis.findings import SOBOL_REPLICATIONS
    from .analysis.sensitivity import sobol_futures as design_futures

    return design_futures(case, base, SOBOL_REPLICATIONS)


def prepare(
    case: str | Path | Case = BUILTIN_CASE,
    *,
    policies: Sequence[str | Path] | None = None,
    futures: int = 10_000,
    years: int = 20,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    paths: bool = True,
    overrides: Mapping[str, float | Sequence[float]] | None = None,
    replications: int = DEFAULT_REPLICATIONS,
    max_cells: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    streamed: bool = False,
    executor: Executors = Executors.local,
    scheduler: str | None = None,
) -> RunSpec:
    """Load and check everything a run needs; raise InputError with a clear message if anything is off.
    `futures` is the number of simulated futures: `futures // replications` sampled parameter vectors, each on
    `replications` random streams. `overrides` fixes parameters ('group.name') at a value or narrows their range
    (see `override_parameters`). `max_cells` caps futures × years × packages (the service's limit on one request;
    every run is also capped by this machine's memory, `MEMORY_SHARE`: held in memory, or `streamed` to disk in chunks
    of `chunk_size` futures by `simulate_to`, which holds a few chunks whatever the number of futures)."""
    loaded = case if isinstance(case, Case) else load_case(case)
    if overrides:
        loaded = override_parameters(loaded, overrides)
    for name, value, lo, hi in (
        ("futures", futures, 1, None),
        ("years", years, 1, MAX_YEARS),
        ("workers", workers, 1, MAX_WORKERS),
        ("seed", seed, 0, MAX_SEED),
        ("replications", replications, 1, MAX_REPLICATIONS),
        ("chunk_size", chunk_size, 1, None),
    ):
        _check_range(name, value, lo, hi)
    if futures % replications:
        raise InputError(
            REQUEST,
            f"futures ({futures:,}) must be a multiple of replications ({replications}): the futures are "
            f"parameter vectors × replications (for example {max(futures // replications, 1) * replications:,})",
            key="futures",
        )
    chosen = [load_policy(p, loaded) for p in (policies or builtin_policy_names())]
    names = [p.name for p in chosen]
    if len(set(names)) != len(names):
        raise InputError(REQUEST, f"each package may be given once, got {names}", key="policies")
    cells = futures * years * len(chosen)
    if max_cells is not None and cells > max_cells:
        raise InputError(
            REQUEST,
            f"request too large: {futures:,} futures × {years} years × {len(chosen)} packages is {cells:,}, more "
            f"than {max_cells:,}; use fewer futures, years or packages",
            key="futures",
        )
    chunk = chunk_size if streamed else None
    need, have = estimated_bytes(loaded, len(chosen), futures, years, paths, chunk, workers), usable_memory()
    if need > MEMORY_SHARE * have:
        raise InputError(
            REQUEST,
            f"request too large: {futures:,} futures × {len(chosen)} packages × {years} years needs about "
            f"{need / 2**30:.1f} GiB at its peak, more than {MEMORY_SHARE:.0%} of the {have / 2**30:.1f} GiB this "
            "process may use; "
            "use fewer futures or packages, or keep only the final states (no yearly paths)",
            key="futures",
        )
    executor_for(workers, executor, scheduler)  # refused here, before any work, if it cannot be made
    overridden = dict(overrides or {})
    return RunSpec(
        loaded, chosen, futures, years, seed, workers, paths, replications, overridden, chunk_size, executor, scheduler
    )


def _check_range(name: str, value: int, lo: int, hi: int | None) -> None:
    """Refuse a request's number outside [lo, hi] (no upper bound where `hi` is None), naming it."""
    if value < lo or (hi is not None and value > hi):
        bound = f"from {lo} to {hi}" if hi is not None else f"at least {lo}"
        raise InputError(REQUEST, f"{name} must be {bound}, got {value}", key=name)


def simulate_ensemble(spec: RunSpec, progress: Callable[[int], None] | None = None) -> Ensemble:
    """Simulate a checked request in memory; `progress(n)` hears of every `n` futures done."""
    _log_run(spec)
    return run_ensemble(
        spec.case,
        spec.policies,
        spec.futures,
        spec.years,
        spec.seed,
        executor=spec.make_executor(),
        record=spec.paths,
        progress=progress,
        replications=spec.replications,
    )


def simulate_to(
    spec: RunSpec,
    directory: str | Path,
    progress: Callable[[int], None] | None = None,
    executor: Executor | None = None,
) -> dict[str, Any]:
    """Simulate a checked request straight into a new run folder, each chunk of futures written where it was
    simulated as it finishes, so that memory holds a few chunks whatever the number of futures (see
    `store.saving`); the summary is then reduced over the saved chunks (`analysis.summary_of_chunks`) and returned.
    `progress` as above; `executor`: where the chunks are simulated, if not where the request says."""
    _log_run(spec)
    inputs = store.Inputs(
        spec.case, spec.policies, spec.futures, spec.years, spec.seed, DEFAULT_DESIGN, spec.replications
    )
    with store.saving(directory, inputs, spec.paths, spec.overrides, chunk_size=spec.chunk_size) as saved:
        return _stream(saved, spec.case, spec.policies, executor or spec.make_executor(), progress)


def resume(
    directory: str | Path,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    executor: Executors = Executors.local,
    scheduler: str | None = None,
) -> dict[str, Any]:
    """Finish a run whose process was killed part-way (`store.resuming`): only the chunks it had not written are
    simulated (on `workers` processes, or a Dask cluster), and the run is the one an uninterrupted run would have
    saved, file for file; return its summary."""
    _check_range("workers", workers, 1, MAX_WORKERS)
    where = executor_for(workers, executor, scheduler)
    with store.resuming(directory) as saved:
        case = load_case(saved.folder / store.CASE_FILE)
        policies = [load_policy(saved.folder / store.policy_file(name), case) for name in saved.info["packages"]]
        log.info("resuming %s: %s chunk(s) were written whole before it stopped", directory, len(saved.done))
        return _stream(saved, case, policies, where, progress)


def _stream(
    saved: store.Saving,
    case: Case,
    policies: Sequence[Policy],
    executor: Executor,
    progress: Callable[[int], None] | None,
) -> dict[str, Any]:
    """Simulate the chunks of the run being saved that it does not have yet, summarise it and finish it."""
    info = saved.info
    k = info["replications"]
    sampling = Sampling(case, info["futures"] // k, info["seed"], info["design"], k)
    if progress is not None:  # the futures saved before the run was killed
        planned = chunks(info["packages"], info["futures"], info["chunk_size"], k)
        progress(sum(c.stop - c.start for c in planned if (c.package, c.index) in saved.done))
    simulate_chunks(
        case,
        policies,
        sampling,
        info["years"],
        info["seed"],
        saved.sink,
        info["paths"],
        executor,
        info["chunk_size"],
        progress,
        done=saved.done,
    )
    summary = analysis.summary_of_chunks(saved.final_chunks(), case, info["years"], k)
    saved.finish({"summary": summary})
    return summary


def _log_run(spec: RunSpec) -> None:
    log.info(
        "simulating %s futures × %s packages × %s years on %s worker(s)",
        f"{spec.futures:,}",
        len(spec.policies),
        spec.years,
        spec.workers,
    )


def run(
    case: str | Path | Case = BUILTIN_CASE,
    *,
    policies: Sequence[str | Path] | None = None,
    futures: int = 10_000,
    years: int = 20,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    paths: bool = True,
    overrides: Mapping[str, float | Sequence[float]] | None = None,
    replications: int = DEFAULT_REPLICATIONS,
) -> Ensemble:
    """Check the request and simulate it (see `prepare` for the arguments)."""
    return simulate_ensemble(
        prepare(
            case,
            policies=policies,
            futures=futures,
            years=years,
            seed=seed,
            workers=workers,
            paths=paths,
            overrides=overrides,
            replications=replications,
        )
    )


def _history_of(case: str | Path | Case, history: str | Path | None, futures: int) -> tuple[Case, History]:
    """The case and the history a backtest replays, with its number of futures checked."""
    loaded = case if isinstance(case, Case) else load_case(case)
    if not 1 <= futures <= MAX_BACKTEST_FUTURES:
        problem = f"futures must be from 1 to {MAX_BACKTEST_FUTURES:,}, got {futures}"
        raise InputError(REQUEST, problem, key="futures")
    return loaded, load_history(history, loaded, STATE_VARIABLES)


def backtest(
    case: str | Path | Case = BUILTIN_CASE,
    history: str | Path | None = None,
    futures: int = 5_000,
    seed: int = DEFAULT_SEED,
) -> analysis.Backtest:
    """Replay the case's recorded history (the built-in one by default) and score the model against the events."""
    return analysis.backtest_history(*_history_of(case, history, futures), futures, seed)


def backtest_sensitivity(
    case: str | Path | Case = BUILTIN_CASE,
    history: str | Path | None = None,
    futures: int = 5_000,
    seed: int = DEFAULT_SEED,
) -> dict[str, Any]:
    """The backtest's headline scores as coded and under every single reversal of an analyst coding of the history
    (each administration's orientation, each coded turn or spell), on the same futures: `{"codings": [one row per
    coding and kind], "kinds": {kind: the scores as coded, their range over the reversals and the reversals that
    change the verdict}}`."""
    table = analysis.coding_sensitivity(*_history_of(case, history, futures), futures, seed)
    rows = table.astype(object).where(table.notna(), None).to_dict(orient="records")
    return {"codings": rows, "kinds": analysis.sensitivity_summary(table)}


def write_backtest_csv(result: analysis.Backtest, path: str | Path) -> Path:
    """The yearly bands as a long CSV table (`year, variable, mean, p05, p50, p95`), written whole or not at all."""
    return write_whole(check_output_file(path), result.bands.to_csv(index=False).encode())


def check_output_file(path: str | Path) -> Path:
    """Refuse, before any slow work, a file that cannot be written or that belongs to a saved run (see
    `store.check_output_file`)."""
    return store.check_output_file(path)


def claim_output(directory: str | Path, unique: bool = False) -> Path:
    """Claim the new or empty folder a run will be saved in, before simulating it (see `store.claim_folder`)."""
    return store.claim_folder(directory, unique)


def release_output(directory: str | Path) -> None:
    """Give back a folder claimed for a run that was not saved (see `store.release_folder`)."""
    store.release_folder(directory)


def save(
    ensemble: Ensemble,
    directory: str | Path,
    overrides: Mapping[str, float | Sequence[float]] | None = None,
    *,
    record: Mapping[str, Any] | None = None,
    attachments: Mapping[str, bytes] | None = None,
) -> dict[str, Any]:
    """Save a run (see `store.save_run`), recording the parameter `overrides` it was run with, `record` and its
    summary (`analysis.summary_json`) in its run.json, and `attachments` beside it; return the summary."""
    summary = analysis.summary_json(analysis.outcome_tables(ensemble), ensemble.clusters)
    store.save_run(ensemble, directory, overrides or {}, {**(record or {}), "summary": summary}, attachments)
    log.info("saved the run to %s", directory)
    return summary


def export(run_dir: str | Path, to: str = "csv", output: str | Path | None = None) -> list[Path]:
    """Write a saved run's summary, outcomes and parameters tables as CSV files (in a folder), an Excel workbook, or
    an EMA Workbench archive with the yearly paths ('csv', 'xlsx' or 'ema'; see `store.export`); return the files."""
    if to not in set(Export):
        raise InputError(REQUEST, f"unknown export '{to}' (known: {', '.join(Export)})", key="to")
    return store.export_run(load_run(run_dir), Export(to), output)


def explain(run_dir: str | Path, future: int, package: str | None = None) -> str:
    """The dated narrative of one future of a saved run."""
    saved = load_run(run_dir)
    name = package or saved.info["packages"][0]
    if name not in saved.policies:
        raise InputError(
            run_dir, f"the run has no package '{name}' (it has {', '.join(saved.policies)})", key="package"
        )
    if not 0 <= future < saved.info["futures"]:
        raise InputError(run_dir, f"FUTURE must be from 0 to {saved.info['futures'] - 1}, got {future}")
    policy = saved.policies[name]
    paths = analysis.trace_future(
        saved.case, policy, saved.experiments, future, saved.info["years"], saved.info["seed"], saved.branches
    )
    header = f"Future {future} under '{policy.title}' ({saved.case.title}, seed {saved.info['seed']})"
    return header + "\n" + analysis.narrate(saved.case, policy, paths, saved.info["first_year"])


def calibrate(
    case: str | Path | Case = BUILTIN_CASE, futures: int = CALIBRATION_FUTURES, seed: int = DEFAULT_SEED
) -> dict[str, Any]:
    """The model's start-year hazards under the current course beside the case's base rates:
    `{"hazards": {NAME: {"central", "p05", "p95", "base_rate", "base_low", "base_high", "unit", "source",
    "within"}}}` (see `analysis.calibration`)."""
    loaded = case if isinstance(case, Case) else load_case(case)
    if not 100 <= futures <= MAX_CALIBRATION_FUTURES:
        raise InputError(REQUEST, f"futures must be from 100 to {MAX_CALIBRATION_FUTURES:,}", key="futures")
    table = analysis.calibrate(loaded, load_policy(loaded.baseline, loaded), futures, seed)
    rows = table.to_dict(orient="index")
    return {
        "hazards": {
            str(name): {k: v.item() if hasattr(v, "item") else v for k, v in row.items()} for name, row in rows.items()
        }
    }


def claims(run: str | Path | Ensemble) -> dict[str, Any]:
    """Each claim of the case tested on a run (a saved run's folder or an ensemble): `{"claims": {ID: {"seed",
    "package", "baseline", "outcome", "direction", "difference", "lo", "hi", "verdict", "share_holds",
    "share_holds_lo", "share_holds_hi", "share_fails", "share_fails_lo", "share_fails_hi", "fails_where", …}},
    "skipped": [why, …]}` (see `analysis.claims`)."""
    ensemble = run if isinstance(run, Ensemble) else load_run(run).ensemble()
    if not ensemble.case.claims:
        raise InputError(ensemble.case.name, "the case has no claims: add a 'claims:' section", key="claims")
    results, skipped = analysis.assess_claims(ensemble, analysis.outcome_tables(ensemble))
    return {"claims": {r.name: r.as_json() for r in results}, "skipped": skipped}


def validate(path: str | Path) -> str:
    """Check a case, a policy package or a search spec (told apart by their keys); a one-line summary."""
    from .case.loader import read_yaml

    data = read_yaml(Path(path))
    if isinstance(data, dict) and "objectives" in data:
        from .analysis.robustness import MEASURES, PROBABILITIES
        from .case.search import load_search

        spec, _ = load_search(path, load_case(), MEASURES, PROBABILITIES)
        return (
            f"{path}: valid search spec '{spec.name}' moving {len(spec.searched)} lever(s) and {len(spec.terms)} "
            f"term(s) towards "
            f"{len(spec.objectives)} objective(s), placing {len(spec.packages)} package(s)"
        )
    return validate_file(path, analysis.REQUIREMENTS)


def negotiate(table: str | Path | bargaining.Stakeholders, rounds: int | None = None) -> bargaining.Negotiation:
    """Every bargaining model's forecast for one stakeholder table (a file, a built-in name or a checked table),
    with settings fitted on the DEU III training half, and the expected utility model's path over `rounds` rounds
    (default: the fitted number)."""
    if rounds is not None and not 1 <= rounds <= MAX_NEGOTIATION_ROUNDS:
        raise InputError(REQUEST, f"expected 1 to {MAX_NEGOTIATION_ROUNDS} rounds, got {rounds}", key="rounds")
    stakeholders = table if isinstance(table, bargaining.Stakeholders) else bargaining.read_stakeholders(table)
    settings = fitted_settings()
    n = len(stakeholders.names)
    most = MAX_NEGOTIATION_WORK // n**3
    if (rounds or settings.rounds) > most:
        raise InputError(
            REQUEST,
            f"a table of {n} stakeholders may run at most {most} rounds (the model's cost grows with the cube of the "
            f"stakeholders), got {rounds or settings.rounds}",
            key="rounds",
        )
    return bargaining.negotiate(stakeholders, settings, rounds)


@cache
def fitted_settings() -> bargaining.Settings:
    """The bargaining settings fitted on the DEU III training half, computed once per process."""
    return bargaining.fit(bargaining.read_deu3())


def score_bargaining() -> tuple[dict[str, dict[str, dict[str, float]]], bargaining.Settings]:
    """Every bargaining model's held-out scores on DEU III per subset, and the settings fitted on the training half
    (see `bargaining.scoring`)."""
    return bargaining.score_deu3(bargaining.read_deu3())


SEARCH_CHECKPOINT = "checkpoint.parquet"  # the archive of an unfinished search, rewritten after each generation
SEARCH_RECORD = "search.json"  # the spec as run (budget overrides included) and the case's digest


def search(
    spec: str | Path = "default",
    case: str | Path | Case = BUILTIN_CASE,
    output: str | Path | None = None,
    evaluations: int | None = None,
    futures: int | None = None,
    workers: int = 1,
    progress: Callable[[int, int, float], None] | None = None,
    resume: bool = False,
) -> SearchResult:
    """Search the levers and terms a spec names (a file, or 'default', the built-in one) for the packages that trade
    its objectives off best, with NSGA-II on common random numbers (`analysis.search`; `runs` of it merged, an
    ε-nondominated front if the objectives carry epsilons), then re-run the Pareto set and the spec's placed packages
    on fresh futures (`out_of_sample`); `evaluations` and `futures` override the spec's budget; `progress` hears
    (candidates evaluated, the budget, the hypervolume so far) after each generation. With `output`, a new folder
    gets `archive.parquet` (every candidate evaluated), `pareto.parquet`, `convergence.parquet`,
    `out_of_sample.parquet`, `placement.parquet`, `report.html` and each Pareto candidate as `policies/NAME.yaml`,
    which `run --policies` accepts; while the search runs, `checkpoint.parquet` holds the archive so far, and
    `resume` continues a killed search from it (with the same spec, options and case)."""
    import dataclasses

    import numpy as np

    from .analysis.robustness import MEASURES, PROBABILITIES
    from .analysis.search import hypervolume, optimise, out_of_sample, package_batch
    from .case.search import load_search

    loaded = case if isinstance(case, Case) else load_case(case)
    chosen, packages = load_search(spec, loaded, MEASURES, PROBABILITIES)
    chosen = chosen.model_copy(
        update={k: v for k, v in {"evaluations": evaluations, "futures": futures}.items() if v is not None}
    )
    if chosen.futures % chosen.replications or chosen.futures < 1:
        message = f"futures must be a positive multiple of the spec's replications, {chosen.replications}"
        raise InputError(REQUEST, message, key="futures")
    if chosen.evaluations < chosen.population:
        message = (
            f"at least one generation ({chosen.population} candidates) is needed, got {chosen.evaluations} evaluations"
        )
        raise InputError(REQUEST, message, key="evaluations")
    need, have = estimated_bytes(loaded, chosen.population, chosen.futures, chosen.years, False), usable_memory()
    if need > MEMORY_SHARE * have:
        message = (
            f"request too large: a generation of {chosen.population} candidates × {chosen.futures:,} futures needs "
            f"about {need / 2**30:.1f} GiB, more than {MEMORY_SHARE:.0%} of the {have / 2**30:.1f} GiB this process "
            "may use; use fewer futures or a smaller population"
        )
        raise InputError(REQUEST, message, key="futures")
    import hashlib
    import json

    record = {
        "spec": chosen.model_dump(mode="json"),
        "case": hashlib.sha256(json.dumps(loaded.model_dump(mode="json"), sort_keys=True).encode()).hexdigest(),
    }
    done = None
    if resume:
        if output is None or not (Path(output) / SEARCH_CHECKPOINT).is_file():
            raise InputError(
                output or REQUEST, "holds no unfinished search to resume", key=None if output else "resume"
            )
        folder: Path | None = Path(output)
        started = Path(output) / SEARCH_RECORD
        try:
            same = json.loads(started.read_text(encoding="utf-8")) == record
        except (OSError, ValueError):
            same = False
        if not same:
            message = "was started with another spec, budget or case: resume it with the same ones, or start anew"
            raise InputError(started, message)
        done = _read_checkpoint(Path(output) / SEARCH_CHECKPOINT)
    else:
        folder = _new_folder(output) if output is not None else None
        if folder is not None:
            write_whole(folder / SEARCH_RECORD, json.dumps(record, indent=1).encode("utf-8"))

    def checkpoint(archive: Any) -> None:
        if folder is not None:
            write_whole(folder / SEARCH_CHECKPOINT, _parquet(archive))

    def heard(archive: Any) -> None:
        if progress is not None:
            progress(len(archive), chosen.evaluations * chosen.runs, hypervolume(archive))

    variables = chosen.variables(loaded)
    executor = make_executor(workers)
    try:
        result = optimise(
            package_batch(loaded, chosen, packages, executor),
            np.array([v.low for v in variables]),
            np.array([v.high for v in variables]),
            [o.label for o in chosen.objectives],
            [c.label for c in chosen.constraints],
            chosen.evaluations,
            chosen.population,
            chosen.seed,
            [v.name for v in variables],
            heard,
            done,
            checkpoint,
            chosen.runs,
            chosen.epsilons,
            [v.integer for v in variables],
        )
    except ValueError as exc:
        raise InputError(output or REQUEST, f"the unfinished search there cannot be resumed: {exc}") from None
    if result.feasible:
        result = dataclasses.replace(
            result, out_of_sample=out_of_sample(loaded, chosen, result.pareto, packages, executor)
        )
    if folder is not None:
        command = f"alliance-futures search {spec} --evaluations {chosen.evaluations} --futures {chosen.futures}"
        if not isinstance(case, Case) and str(case) != BUILTIN_CASE:
            command += f" --case {case}"
        _write_search(result, chosen, loaded, packages, folder, f"{command} --output NEW_FOLDER")
        (folder / SEARCH_CHECKPOINT).unlink(missing_ok=True)
    return result


def _new_folder(output: str | Path) -> Path:
    """A folder that does not exist yet or is empty, made; never one that holds anything."""
    folder = Path(output)
    if (folder / SEARCH_CHECKPOINT).is_file():
        raise InputError(folder, "holds an unfinished search: add --resume to continue it, or name a new folder")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(folder, "already exists and is not an empty folder: name a new one")
    try:
        folder.mkdir(parents=False, exist_ok=True)
    except OSError as exc:
        raise InputError(folder, f"cannot be made: {exc.strerror or exc}") from None
    return folder


def _write_search(
    result: SearchResult, spec: SearchSpec, case: Case, packages: dict[str, Policy], folder: Path, command: str
) -> None:
    """The Pareto set's packages, the out-of-sample re-run, the report, the convergence, the Pareto set and the
    archive, each file written whole; the archive last, so a folder with it is a finished search."""
    import yaml

    from .analysis.search import found_packages
    from .report.search import search_html

    policies = folder / "policies"
    policies.mkdir(exist_ok=True)
    for name, package in found_packages(spec, case, result.pareto).items():
        text = yaml.safe_dump(package.model_dump(mode="json", exclude_none=True), sort_keys=False, allow_unicode=True)
        write_whole(policies / f"{name}.yaml", text.encode("utf-8"))
    tables = [("convergence.parquet", result.convergence)]
    if result.out_of_sample is not None:
        tables += [
            ("out_of_sample.parquet", result.out_of_sample.estimates),
            ("placement.parquet", result.out_of_sample.placement),
            ("shift.parquet", result.out_of_sample.shift),
        ]
    for name, table in tables:
        write_whole(folder / name, _parquet(table))
    placed = [packages[name] for name in spec.packages]
    page = search_html(result, spec, spec.variables(case), placed, command)
    write_whole(folder / REPORT_FILE, page.encode("utf-8"))
    for name, table in (("pareto.parquet", result.pareto), ("archive.parquet", result.archive)):
        write_whole(folder / name, _parquet(table))


def _read_checkpoint(path: Path) -> Any:
    import pandas as pd
    import pyarrow as pa

    try:
        return pd.read_parquet(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(path, f"cannot be read as a search's checkpoint: {exc}") from None


def _parquet(table: Any) -> bytes:
    import io

    buffer = io.BytesIO()
    table.to_parquet(buffer)
    return buffer.getvalue()


def update(
    run: str | Path | Ensemble,
    observations: str | Path | Sequence[Observation],
    baseline: str | None = None,
    output: str | Path | None = None,
    seed: int | None = None,
) -> Update:
    """A run (a saved folder, or an ensemble with its yearly paths) weighed against an observation log (a YAML
    file, or its entries; see `case.observations`): each package's futures weighted by the likelihood of what was
    observed, the outcomes before and after with intervals, the effective sample sizes, and the parameters the
    evidence moved (read from `baseline`'s weights, the case's baseline package by default). See
    `analysis.nowcast`.

    With `output`, the posterior is also saved there as a run of its own (see `posterior`; its fresh random numbers
    from `seed`, the run's + 1 by default), with the log copied in and the update recorded in its run.json
    (`evidence`), which `report`, `explain` and the dashboard read."""
    from .analysis.nowcast import update as weigh
    from .case.observations import observations_yaml, read_observations

    target = claim_output(output) if output is not None else None
    try:
        ensemble = run if isinstance(run, Ensemble) else load_run(run).ensemble()
        if ensemble.yearly is None:
            where = run if not isinstance(run, Ensemble) else REQUEST
            raise InputError(where, "the run was saved without yearly paths (--no-paths): run it again with paths")
        if baseline is not None and baseline not in ensemble.policies:
            known = ", ".join(ensemble.policies)
            raise InputError(REQUEST, f"'{baseline}' is not a package of the run ({known})", key="baseline")
        if isinstance(observations, str | Path):
            logged, source = read_observations(observations), observations
        else:
            logged, source = list(observations), REQUEST
        check_observations(logged, ensemble.case, ensemble.years, source)
        result = weigh(ensemble, logged, baseline)
        if target is not None:
            log = observations_yaml(logged) if source == REQUEST else Path(source).read_bytes()
            prior = None if isinstance(run, Ensemble) else Path(run)
            chosen = ensemble.seed + 1 if seed is None else seed
            _save_posterior(ensemble, prior, result, max(o.year for o in logged), chosen, log, target)
    except BaseException:
        if target is not None:
            release_output(target)
        raise
    return result


def check_observations(
    observations: Sequence[Observation], case: Case, years: int, source: str | Path = REQUEST
) -> None:
    """Refuse observations a run of `case` over `years` years cannot weigh (see `case.observations.check_against`):
    a variable the engine does not record or a value outside its domain, a signpost the case lacks, a year outside
    the run's; the error names `source` and the entry."""
    from .case.observations import check_against

    first = case.calendar.start_year + 1
    check_against(list(observations), case, range(first, first + years), recorded_domains(), source)


def recorded_domains() -> dict[str, tuple[float, float]]:
    """The variables a run records every year (what an observation may name), each with the values it can take
    (unbounded where the model sets no bound)."""
    from .model.state import DOMAINS

    return {v: DOMAINS.get(v, (-math.inf, math.inf)) for v in RECORDED}


def _save_posterior(
    ensemble: Ensemble, prior: Path | None, result: Update, through: int, seed: int, log: bytes, target: Path
) -> None:
    """Save an update's posterior (see `posterior`) in the claimed folder `target`, with the observation log and
    what was done, and the commands that make it again, in its run.json."""
    command = (
        f"{making_command(ensemble, prior)} && alliance-futures update {_made_folder(ensemble)} "
        f"{shlex.quote(str(target / OBSERVATIONS_FILE))} --baseline {result.baseline} --seed {seed} "
        f"--output run-{len(ensemble.branches) + 1}"
    )
    evidence = {
        "prior": None if prior is None else str(prior.resolve()),
        "observations": OBSERVATIONS_FILE,
        "through": through,
        "seed": seed,
        "command": command,
        "update": update_json(result),
    }
    import pandas as pd

    weights = pd.concat(
        pd.DataFrame({"package": package, "future": range(len(w)), "weight": w})
        for package, w in result.weights.items()
    )
    attachments = {OBSERVATIONS_FILE: log, WEIGHTS_FILE: _parquet(weights)}
    save(posterior(ensemble, result, through, seed), target, record={"evidence": evidence}, attachments=attachments)


def posterior(ensemble: Ensemble, result: Update, through: int, seed: int) -> Ensemble:
    """The posterior of an update as an ensemble of as many equally weighted futures: resampled by the weights of
    the package the world followed while observed (`result.baseline`), retracing its paths through year `through`
    (the last observed), then on fresh random numbers from `seed` with each package put forward the year after
    (see `analysis.nowcast.rejuvenate`)."""
    from .analysis.nowcast import rejuvenate

    if result.ess[result.baseline] == 0:
        raise InputError(REQUEST, "no simulated future is consistent with the observations: there is no posterior")
    return rejuvenate(ensemble, result, through, seed)


def update_json(result: Update) -> dict[str, Any]:
    """An update as `alliance-futures update --format json` prints it: the smallest effective sample size over the
    packages (and each one's, in futures and in parameter vectors), every outcome's prior and posterior, each with
    its interval, and the parameters, most moved first."""
    return {
        "ess": min(result.ess.values()),
        "ess_by_package": result.ess,
        "vector_ess_by_package": result.vector_ess,
        "futures": len(next(iter(result.weights.values()))),
        "shared_weights": result.shared,
        "followed": result.baseline,
        "warnings": result.warnings,
        "packages": {
            package: {
                str(outcome): {k: _number(row[k]) for k in ("prior", "prior_lo", "prior_hi", "posterior", "lo", "hi")}
                for outcome, row in table.droplevel("package").iterrows()
            }
            for package, table in result.outcomes.groupby(level="package", sort=False)
        },
        "parameters": [
            {"name": name} | {k: _number(row[k]) for k in ("prior_mean", "posterior_mean", "shift", "p05", "p95")}
            for name, row in result.parameters.iterrows()
        ],
    }


def elicitation_scores(
    study: str | Path, splits: int = 0, robustness: bool = False, quantiles: bool = False
) -> dict[str, Any]:
    """Cooke's classical model on an elicitation study (a YAML file in our format, an EXCALIBUR .dtt file with its .rls
    beside it, or a built-in study by name): each expert's calibration, information and weight in the optimised
    performance-weight decision maker, and the scores of that decision maker, of the item-weight one and of the
    equal-weight one (see `elicitation.classical`). A score that cannot be computed (an expert who answered no seed
    item) is None. With `splits`, that many out-of-sample tests (`elicitation.cross_validation`, 80% of the seed
    items for training) and the ratio of the two decision makers' combined scores on the items left out; with
    `robustness`, the optimised decision maker's scores with each seed item, and each expert, left out; with
    `quantiles`, per item its scale, its realisation (None for a target) and each expert's and decision maker's
    quantiles (None where an expert gave none)."""
    from . import elicitation

    if not 0 <= splits <= MAX_CROSS_VALIDATION_SPLITS:
        raise InputError(REQUEST, f"expected 0 to {MAX_CROSS_VALIDATION_SPLITS:,} splits, got {splits}", key="splits")
    loaded = elicitation.read_study(study)
    performance = elicitation.optimal_decision_maker(loaded)
    makers = {
        "performance": performance,
        "item": elicitation.optimal_decision_maker(loaded, per_item=True),
        "equal": elicitation.equal_decision_maker(loaded),
    }
    experts = elicitation.score(loaded)
    weights = elicitation.weights(loaded, performance.alpha)
    expert_keys = ("calibration", "information_seed", "information_all")
    maker_keys = ("calibration", "information_seed", "combined")
    return {
        "study": str(study),
        "items": len(loaded.items),
        "seed_items": int(loaded.seed.sum()),
        "levels": list(loaded.levels),
        "experts": {
            name: _scored(experts, e, expert_keys) | {"weight": _number(weights[e])}
            for e, name in enumerate(loaded.experts)
        },
        "decision_makers": {
            kind: _scored(dm.scores, 0, maker_keys) | {"alpha": dm.alpha} for kind, dm in makers.items()
        },
        "cross_validation": _cross_validation(loaded, splits) if splits else None,
        "robustness": {
            over: {name: _scored(scores, 0, maker_keys) for name, scores in elicitation.robustness(loaded, over)}
            for over in ("items", "experts")
        }
        if robustness
        else None,
        "quantiles": {
            item: {
                "scale": "log-uniform" if loaded.log_scale[j] else "uniform",
                "realisation": _number(loaded.realisation[j]),
                "experts": {name: _quantiles(loaded.quantiles[e, j]) for e, name in enumerate(loaded.experts)},
                "decision_makers": {kind: _quantiles(dm.quantiles[j]) for kind, dm in makers.items()},
            }
            for j, item in enumerate(loaded.items)
        }
        if quantiles
        else None,
    }


def write_elicitation_report(study: str | Path, output: str | Path, splits: int = 0) -> Path:
    """An HTML report of a study (`elicitation_scores` with robustness, quantiles, and `splits` out-of-sample
    tests), written whole or not at all."""
    from .report.elicitation import scores_html

    target = check_output_file(output)
    scores = elicitation_scores(study, splits, robustness=True, quantiles=True)
    command = shlex.join(["alliance-futures", "elicit", "report", str(study), "--output", str(output)])
    command += f" --cross-validate {splits}" if splits else ""
    return write_whole(target, scores_html(scores, command).encode("utf-8"))


KIT_FILES = ("study.yaml", "questionnaire.csv", "questionnaire.html")


def elicit_template(
    output: str | Path,
    case: str | Path | Case = BUILTIN_CASE,
    parameters: int = 10,
    seeds: int | None = None,
    history: str | Path | None = None,
    sobol_base: int = SOBOL_BASE,
    seed: int = DEFAULT_SEED,
) -> dict[str, Any]:
    """Write an elicitation kit into the folder `output` (made if missing): a questionnaire (`questionnaire.csv` for
    the experts to fill in, `questionnaire.html` to print) on the `parameters` quantities of the case with the largest
    total Sobol indices (summed over the report's outcomes, baseline package), and `seeds` seed questions from the
    history's recorded series (`elicitation.template`), with `study.yaml`, the study the facilitator completes. No
    file already there is replaced. Returns the files and the questions."""
    from .analysis.findings import SOBOL_OUTPUTS, SOBOL_REPLICATIONS
    from .analysis.matrix import top_drivers
    from .analysis.sensitivity import model_sobol
    from .elicitation import template
    from .report.elicitation import questionnaire_html

    loaded = case if isinstance(case, Case) else load_case(case)
    quantities = [n for n, p in uncertain_parameters(loaded).items() if p.choices is None]
    if not 1 <= parameters <= len(quantities):
        raise InputError(REQUEST, f"expected 1 to {len(quantities)} parameters, got {parameters}", key="parameters")
    count = template.SEED_QUESTIONS if seeds is None else seeds
    if not 0 <= count <= MAX_SEED_QUESTIONS:
        raise InputError(REQUEST, f"expected 0 to {MAX_SEED_QUESTIONS} seed questions, got {count}", key="seeds")
    _check_sobol_base(sobol_base)
    seeds_asked = template.seed_questions(load_history(history, loaded, STATE_VARIABLES), count)
    folder = Path(output)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise InputError(folder, f"cannot be made a folder for the kit: {exc.strerror or exc}") from None
    files = [check_output_file(folder / name) for name in KIT_FILES]
    for file in files:
        if file.exists():
            raise InputError(file, "already exists and may hold answers: choose a new folder for the kit")
    baseline = load_policy(loaded.baseline, loaded)
    indices = model_sobol(loaded, baseline, SOBOL_OUTPUTS, base=sobol_base, seed=seed, replications=SOBOL_REPLICATIONS)
    ranking = top_drivers(indices, len(indices))
    questions = [*seeds_asked, *template.target_questions(loaded, ranking, parameters)]
    title = f"Elicitation: {loaded.title}"
    description = (
        f"{title}. The {parameters} parameters with the largest total Sobol indices over {', '.join(SOBOL_OUTPUTS)} "
        f"(baseline package, Sobol base {sobol_base}, seed {seed}); {len(seeds_asked)} seed questions from the "
        "recorded history"
    )
    texts = (
        template.study_file(f"{loaded.name}-elicitation", description, questions),
        template.questionnaire_csv(questions),
        questionnaire_html(title, questions),
    )
    for file, text in zip(files, texts, strict=True):
        write_whole(file, text.encode("utf-8"))
    return {"files": [str(f) for f in files], "questions": [q.__dict__ for q in questions]}


def _quantiles(values: Any) -> list[float] | None:
    return None if any(v != v for v in values) else [float(v) for v in values]


def elicit_apply(
    study: str | Path, case: str | Path, output: str | Path, weighting: str = "performance"
) -> dict[str, Any]:
    """Write to `output` a copy of the case file in which every parameter a target item of the study (our YAML format)
    names takes the decision maker's distribution (`elicitation.apply`), every other line as it was; return each
    such parameter before and after, and the decision maker's weights. The copy is checked as `load_case` checks a
    case before it is written; it may not replace the case or the study."""
    from .case.loader import resolve_case_path, with_parameters
    from .elicitation.apply import WEIGHTINGS, elicited_parameters

    if weighting not in WEIGHTINGS:
        raise InputError(REQUEST, f"expected one of {', '.join(WEIGHTINGS)}, got '{weighting}'", key="weighting")
    source, target, study_file = resolve_case_path(case), check_output_file(output), Path(study)
    if study_file.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(
            study_file, "a study in our YAML format is needed: only it names the parameter each item informs"
        )
    for given in (source, study_file):
        if given.exists() and target.exists() and target.samefile(given):
            raise InputError(target, f"this is the {'case' if given == source else 'study'} itself: name a new file")
    loaded = load_case(source)
    elicited = elicited_parameters(study_file, loaded, weighting)
    text = with_parameters(source, elicited.parameters)
    with tempfile.TemporaryDirectory() as folder:  # the copy is checked whole before it takes the output's name
        draft = Path(folder) / target.name
        draft.write_text(text, encoding="utf-8")
        written = load_case(draft).flat_parameters()
    write_whole(target, text.encode())
    before = loaded.flat_parameters()
    return {
        "case": str(target),
        "weighting": weighting,
        "alpha": None if weighting == "equal" else elicited.decision_maker.alpha,
        "weights": elicited.weights,
        "parameters": {
            name: {"before": _distribution(before[name]), "after": _distribution(written[name])}
            for name in elicited.parameters
        },
    }


def _distribution(p: Parameter) -> dict[str, Any]:
    """A parameter's value or range, distribution and quantiles (keyed '5', '50', '95'), without its documentation."""
    shape = p.model_dump(include={"value", "range", "distribution"}, exclude_none=True)
    return shape | ({"quantiles": {f"{k:g}": v for k, v in p.quantiles.items()}} if p.quantiles else {})


def _number(x: float) -> float | None:
    """A score for JSON: None where it cannot be computed (NaN)."""
    return None if x != x else float(x)


def _scored(scores: Any, i: int, keys: Sequence[str]) -> dict[str, float | None]:
    """Row `i` of an `elicitation.Scores` (an expert, or a decision maker) as JSON, the named scores only."""
    return {key: _number(getattr(scores, key)[i]) for key in keys}


def _cross_validation(study: Any, splits: int) -> dict[str, Any]:
    """Out-of-sample tests, the spread of the ratio of the two decision makers' combined scores over them, and that
    in a sentence."""
    import numpy as np

    from .elicitation.classical import TRAINING_SHARE, cross_validation

    tests = cross_validation(study, splits=splits)
    ratio = np.array([t.performance.combined[0] / t.equal.combined[0] for t in tests if t.equal.combined[0] > 0])
    spread = {name: float(np.quantile(ratio, q)) for name, q in {"p05": 0.05, "median": 0.5, "p95": 0.95}.items()}
    better = float((ratio > 1).mean())
    return {
        "splits": len(tests),
        "training_share": TRAINING_SHARE,
        "performance_over_equal": spread,
        "performance_better_share": better,
        "summary": f"Out of sample ({len(tests)} splits, {TRAINING_SHARE:.0%} of the seed items for training): "
        f"performance over equal weights, combined score on the items left out, median {spread['median']:.2f} "
        f"(5–95%: {spread['p05']:.2f}–{spread['p95']:.2f}); performance weights did better in {better:.0%} of the "
        "splits",
    }


def findings(
    ensemble: Ensemble,
    baseline: str | None = None,
    drivers: Sequence[str] | None = None,
    thresholds: Mapping[str, float] | None = None,
    sobol_base: int = SOBOL_BASE,
    progress: Callable[[int, str], None] | None = None,
    every_future: analysis.FinalChunks | None = None,
) -> analysis.Findings:
    """Everything the report shows, as pandas objects (see `analysis.findings.analyse`); `progress(i, label)` hears
    of each stage of the analysis (`analysis.findings.STAGES`) as it starts; `every_future`: where the ensemble is a
    sample of a saved run, the run's final states chunk by chunk (`final_chunks`)."""
    _check_sobol_base(sobol_base)
    return analysis.analyse(ensemble, baseline, drivers, thresholds, sobol_base, progress, every_future)


def final_chunks(saved: store.Run) -> analysis.FinalChunks:
    """A saved run's final states chunk by chunk, with each chunk's clusters (a vector's replications; for a
    posterior run, the ids of the chunk's parameter vectors, read from its experiments rows)."""
    for chunk in saved.chunks(experiments=bool(saved.branches)):
        rows = chunk.experiments
        yield chunk.final, saved.info["replications"] if rows is None else vector_ids(rows)


def _check_sobol_base(base: int) -> None:
    if not 2 <= base <= MAX_SOBOL_BASE or not is_power_of_two(base):
        message = f"sobol_base must be a power of two from 2 to {MAX_SOBOL_BASE}, got {base}"
        raise InputError(REQUEST, message, key="sobol_base")


def repeat_command(ensemble: Ensemble, saved: str | Path | None = None, futures: int | None = None) -> str:
    """The command line that simulates this ensemble again and reports on it. The built-in case and packages go by
    name; a case or package of the user's own, or one changed by overrides, goes by its copy in the run's folder
    `saved` (or by a placeholder file name when the ensemble was never saved). A posterior run is made again by
    the commands that made it (see `making_command`). `futures`: the run's, where the ensemble is its first ones."""
    if ensemble.branches:
        return f"{making_command(ensemble, saved)} && alliance-futures report {_made_folder(ensemble)}"
    return f"{_run_command(ensemble, saved, futures)} --report"


def making_command(ensemble: Ensemble, saved: str | Path | None = None) -> str:
    """The command line that makes this ensemble's run in the folder `run-K` (K: the updates it went through): a
    run, then each update (whose command a posterior run's run.json records)."""
    if not ensemble.branches:
        return f"{_run_command(ensemble, saved)} --output {_made_folder(ensemble)}"
    evidence = store.read_record(Path(saved)).get("evidence") if saved is not None else None
    return str(evidence["command"]) if evidence else "(the run and the updates that made this posterior)"


def _made_folder(ensemble: Ensemble) -> str:
    return f"run-{len(ensemble.branches)}"


def _run_command(ensemble: Ensemble, saved: str | Path | None, futures: int | None = None) -> str:
    builtin = load_case(BUILTIN_CASE)
    builtin_names = builtin_policy_names()

    def copy(relative: Path, placeholder: str) -> str:
        return shlex.quote(str(Path(saved) / relative)) if saved is not None else placeholder

    case = BUILTIN_CASE if ensemble.case == builtin else copy(store.CASE_FILE, "YOUR_CASE.yaml")
    packages = " ".join(
        f"-p {name}"
        if name in builtin_names and policy == load_policy(name, builtin)
        else f"-p {copy(store.policy_file(name), f'YOUR_{name}.yaml')}"
        for name, policy in ensemble.policies.items()
    )
    return (
        f"alliance-futures run --case {case} {packages} --futures {futures or ensemble.futures} "
        f"--replications {ensemble.replications} --years {ensemble.years} --seed {ensemble.seed}"
    )


def write_report(
    ensemble: Ensemble,
    path: str | Path,
    baseline: str | None = None,
    drivers: Sequence[str] | None = None,
    thresholds: Mapping[str, float] | None = None,
    sobol_base: int = SOBOL_BASE,
    saved: str | Path | None = None,
    progress: Callable[[int, str], None] | None = None,
    sample_of: int | None = None,
    every_future: analysis.FinalChunks | None = None,
) -> Path:
    """Analyse an ensemble and write the self-contained HTML report to `path`; `saved` is the folder the ensemble
    was saved in, if it was (the report's repeat command points at the case and package files copied there);
    `progress` hears of each stage of the analysis (see `findings`); `sample_of`: the futures of the run whose first
    futures the ensemble is, and `every_future` that run's final states chunk by chunk (`final_chunks`)."""
    check_output_file(path)  # before the slow analysis
    evidence = evidence_of(saved) if saved is not None else None
    found = findings(ensemble, baseline, drivers, thresholds, sobol_base, progress, every_future)
    command = repeat_command(ensemble, saved, sample_of)
    return write_findings_report(found, ensemble, path, command, sobol_base, drivers is not None, evidence, sample_of)


def evidence_of(saved: str | Path) -> report.Evidence | None:
    """What a saved posterior run was made from (None for a run made by `run`)."""
    from .case.observations import read_observations

    evidence = store.read_record(Path(saved)).get("evidence")
    if evidence is None:
        return None
    observations = read_observations(Path(saved) / evidence["observations"])
    return report.Evidence(observations, evidence["update"], evidence["through"])


def write_findings_report(
    found: analysis.Findings,
    ensemble: Ensemble,
    path: str | Path,
    command: str,
    sobol_base: int,
    drivers_chosen: bool = False,
    evidence: report.Evidence | None = None,
    sample_of: int | None = None,
) -> Path:
    """Write the report of findings already computed; `command` is how a reader repeats the run."""
    options = report.ReportOptions(command, sobol_base, drivers_chosen, evidence, sample_of)
    html = report.render(found, ensemble, options)
    return report.write_report(html, path)


def analysed_futures(saved: store.Run, most: int | None = None) -> int | None:
    """How many futures per package of a saved run are analysed (by its report; the service's views pass their own
    `most`): all of them (None) up to `most` (default `REPORT_MAX_FUTURES`); past it, its first ones, whole vectors
    (a random sample of its design, since the Latin hypercube puts its vectors in random order). run.json's summary
    covers every future."""
    total, k, most = saved.info["futures"], saved.info["replications"], most or REPORT_MAX_FUTURES
    sample = max(k, most - most % k)
    return sample if total > sample else None


def report_run(
    run_dir: str | Path,
    output: str | Path | None = None,
    baseline: str | None = None,
    drivers: Sequence[str] | None = None,
    thresholds: Mapping[str, float] | None = None,
    sobol_base: int = SOBOL_BASE,
    progress: Callable[[int, str], None] | None = None,
) -> Path:
    """Write the report of a saved run (default: `report.html` in the run's folder). A run of more than
    `REPORT_MAX_FUTURES` futures per package is analysed on its first ones (whole vectors: a random sample of its
    design, read from the chunks that hold it), and the report says so."""
    saved = load_run(run_dir)
    target = check_output_file(output if output is not None else saved.path / REPORT_FILE)
    sample = analysed_futures(saved)
    sample_of, every_future = (saved.info["futures"], final_chunks(saved)) if sample else (None, None)
    ensemble = saved.ensemble(sample)
    return write_report(
        ensemble, target, baseline, drivers, thresholds, sobol_base, saved.path, progress, sample_of, every_future
    )
