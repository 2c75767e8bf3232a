"""The `alliance-futures` command line: run ensembles, explain single futures, validate case and policy files."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import errno
import ipaddress
import json
import logging
import math
import os
import shlex
import signal
import socket
import sys
import time
from collections.abc import Callable, Collection, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import lazy_loader
import typer
from rich import box
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.measure import Measurement
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from . import bargaining, limits, report, store
from .case import BUILTIN_CASE, OVERRIDES
from .errors import REQUEST, InputError
from .limits import MAX_WORKERS, Export
from .version import VERSION

if TYPE_CHECKING:
    from . import analysis, api
else:  # loaded on first use, so that --help, validate and explain start fast (the analysis stack takes seconds)
    api = lazy_loader.load("alliance_futures.api", suppress_warning=True)  # its package is loaded already

app = typer.Typer(
    help="Simulate many futures of the US–ROK alliance and compare policy packages on them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
PIPED_WIDTH = 240  # columns when output goes to a file or a pipe: wide enough that no table column is cut


def console(stream: TextIO) -> Console:
    """A console for stdout or stderr, as wide as the terminal, or `PIPED_WIDTH` when not a terminal (unless
    COLUMNS says otherwise)."""
    piped = not stream.isatty() and "COLUMNS" not in os.environ
    return Console(file=stream, width=PIPED_WIDTH if piped else None)


out = console(sys.stdout)  # results
err = console(sys.stderr)  # errors
note = console(sys.stderr)  # progress, hints and where files went: silenced by --quiet
log = logging.getLogger("alliance_futures")


def _print_version(asked: bool) -> None:
    if asked:
        out.print(f"alliance-futures {VERSION}", highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", help="print the version and exit", callback=_print_version, is_eager=True),
    ] = False,
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="say what is being done (-v), and in detail (-vv)")
    ] = 0,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="print results and errors only: no progress, hints or warnings")
    ] = False,
) -> None:
    """Simulate many futures of the US–ROK alliance and compare policy packages on them."""
    note.quiet = quiet
    if sys.stderr.isatty():
        handler: logging.Handler = RichHandler(console=err, show_path=False, markup=False)
        logging.basicConfig(level=logging.WARNING, format="%(message)s", handlers=[handler])
    else:  # a file or a pipe gets plain lines, not a terminal's padded columns
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    levels = {0: logging.WARNING, 1: logging.INFO}
    log.setLevel(logging.ERROR if quiet else levels.get(verbose, logging.DEBUG))
    signal.signal(signal.SIGTERM, _stop)


def _stop(signum: int, frame: Any) -> None:
    """SIGTERM ends a command as Ctrl+C does, so that what it was writing is removed and its folder given back."""
    raise SystemExit(128 + signum)


DEFAULT_OUTPUT = Path("alliance-futures-output")
DEFAULT_DATA = Path("alliance-futures-data")
TOKEN_ENV = "ALLIANCE_FUTURES_TOKEN"
MIN_TOKEN = 16  # characters: a guessable token protects nothing
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")  # what a browser on this machine puts in Host
EXAMPLE_SET = "dprk.icbm_maturation=0.05:0.1"


class Format(StrEnum):
    table = "table"
    json = "json"


def show(table: Table, keep: int = 1) -> None:
    """Print a table whole on stdout. One wider than the console is printed as several tables, each with the first
    `keep` columns (the row labels) and as many of the others as fit, so that a cell is wrapped at a space or moved
    to the next part, and never cut."""
    for part in _parts(table, keep):
        out.print(part)


def _parts(table: Table, keep: int) -> list[Table]:
    unbounded = out.options.update_width(sys.maxsize)

    def widest(renderable: Any) -> int:
        return Measurement.get(out, unbounded, renderable).maximum

    def unbroken(column: Column) -> Column:
        """A copy of the column that a narrow console may wrap (at a space, or folding a word longer than the
        column) only if the column wraps at all, and never cut."""
        whole = copy.copy(column)
        whole.overflow = "fold"
        if column.no_wrap:
            whole.min_width = max(widest(cell) for cell in [column.header, *column.cells])
        return whole

    def part(columns: list[Column], first: bool) -> Table:
        piece = Table(title=table.title if first else None, box=table.box)
        piece.columns = columns
        piece.rows = list(table.rows)
        return piece

    def narrowest(columns: list[Column]) -> int:
        return Measurement.get(out, unbounded, part(columns, False)).minimum

    labels, rest = [unbroken(c) for c in table.columns[:keep]], [unbroken(c) for c in table.columns[keep:]]
    parts: list[Table] = []
    chosen: list[Column] = []
    for column in rest:
        if chosen and narrowest(labels + chosen + [column]) > out.width:
            parts.append(part(labels + chosen, not parts))
            chosen = []
        chosen.append(column)
    parts.append(part(labels + chosen, not parts))
    return parts


# parameters whose option is not --NAME
SEARCH_EXTRA = "pip install 'alliance-futures[search]'"  # pymoo: only `search` needs it
OPTIONS = {"thresholds": "--satisfice", "paths": "--no-paths", "splits": "--cross-validate", "weighting": "--weights"}


def fail(exc: InputError) -> typer.Exit:
    """Say what is wrong, naming the option where a parameter is wrong, and exit with code 2."""
    said = str(exc)
    if exc.file == REQUEST:
        option = OPTIONS.get(exc.key or "", f"--{(exc.key or '').replace('_', '-')}")
        said = f"command line, at '{option}': {exc.detail}" if exc.key else f"command line: {exc.detail}"
    err.print(f"[bold red]error:[/] {escape(said)}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def comparison_table(summary: dict[str, Any], futures: int, years: int, first_year: int, replications: int) -> Table:
    """The table `run` prints: each package's probability of each named future and outcome, and the mean US net
    cost, each with its 95% interval (docs/tables.py prints the README's copy with it)."""
    from .analysis import NAMED_FUTURES
    from .analysis.outcomes import SUMMARY_KEYS, row_label

    packages = list(summary["packages"])
    design = f" ({futures // replications:,} parameter vectors × {replications})" if replications > 1 else ""
    table = Table(
        title=f"Percent of {futures:,} futures{design} per package, {first_year}–{first_year + years - 1} "
        "(95% interval)",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("outcome", no_wrap=True)
    for name in packages:
        table.add_column(name.replace("_", "\n"), justify="right", no_wrap=True)
    for i, key in enumerate(SUMMARY_KEYS):
        cells = [
            f"{100 * c['p']:.1f} [dim]({100 * c['lo']:.1f}–{100 * c['hi']:.1f})[/]"
            for c in (summary["packages"][n][key] for n in packages)
        ]
        table.add_row(row_label(key), *cells, end_section=i == len(NAMED_FUTURES) - 1)
    costs = [summary["us_net_cost_usd_bn"][n] for n in packages]
    table.add_row(
        "US net cost, USD bn (mean)", *(f"{c['mean']:.1f} [dim]({c['lo']:.1f}–{c['hi']:.1f})[/]" for c in costs)
    )
    return table


# What a run's folder records of its request: `run --resume` reads it from there, and refuses it on the command line.
RUN_REQUEST = ("case", "policies", "futures", "replications", "years", "seed", "output", "paths", "set_", "chunk_size")


@app.command()
def run(
    ctx: typer.Context,
    case: Annotated[str, typer.Option(help="built-in case name or path to a case YAML file")] = BUILTIN_CASE,
    policies: Annotated[
        list[str] | None,
        typer.Option("--policies", "-p", help="policy package name or file (repeatable; default: all six)"),
    ] = None,
    futures: Annotated[int, typer.Option(help="futures per package: parameter vectors × replications")] = 10_000,
    replications: Annotated[
        int, typer.Option(help="futures per sampled parameter vector (each on its own random streams)")
    ] = limits.DEFAULT_REPLICATIONS,
    years: Annotated[int, typer.Option(help="years to simulate")] = 20,
    seed: Annotated[int, typer.Option(help="random seed; the same seed gives the same results")] = limits.DEFAULT_SEED,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    executor: Annotated[
        limits.Executors,
        typer.Option(help="local worker processes, or a Dask cluster (needs the cluster extra)"),
    ] = limits.Executors.local,
    scheduler: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS",
            help="with --executor dask: the address of a running Dask scheduler (default: a local cluster of "
            "--workers processes)",
        ),
    ] = None,
    output: Annotated[Path | None, typer.Option(help="folder for the saved run (must be new or empty)")] = None,
    paths: Annotated[bool, typer.Option(help="save yearly paths as well as final states")] = True,
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
    report: Annotated[bool, typer.Option("--report", help="also write the HTML report into the run's folder")] = False,
    resume: Annotated[
        Path | None,
        typer.Option(
            metavar="RUN_DIR",
            help="finish a run that was killed part-way, simulating only the chunks it had not saved; its request "
            "is read from its folder (give only --workers, --executor, --scheduler, --format or --report with it)",
        ),
    ] = None,
    chunk_size: Annotated[
        int,
        typer.Option(
            help="futures per chunk: each worker holds one chunk's paths at a time (the futures do not depend on it)"
        ),
    ] = limits.DEFAULT_CHUNK,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="PARAM=VALUE|LOW:HIGH",
            help="fix a parameter ('group.name', as in the case) at a value, or sample it from a narrower range; "
            "repeatable, checked against the parameter's allowed range and recorded in the run",
        ),
    ] = None,
) -> None:
    """Simulate the case under each policy package and print the probability of each named future and outcome."""
    if resume is not None:
        if given := _given(ctx, RUN_REQUEST):
            raise fail(InputError("command line", f"--resume reads the run's request from its folder; drop {given[0]}"))
        return _resume(resume, workers, executor, scheduler, format, report)
    try:
        overrides = _overrides(set_)
        try:
            spec = api.prepare(
                case,
                policies=policies,
                futures=futures,
                years=years,
                seed=seed,
                workers=workers,
                paths=paths,
                overrides=overrides,
                replications=replications,
                chunk_size=chunk_size,
                streamed=True,
                executor=executor,
                scheduler=scheduler,
            )
        except InputError as exc:
            if exc.file != OVERRIDES:
                raise
            raise InputError("command line", exc.detail, key=f"--set {exc.key}") from None
        if report and not paths:
            raise InputError("command line", "--report needs the yearly paths; drop --no-paths", key="--report")
        default = DEFAULT_OUTPUT / f"run-{time.strftime('%Y%m%d-%H%M%S')}-seed{seed}"
        target = api.claim_output(output or default, unique=output is None)
        _mention_unfinished(target.parent)
        try:
            api.check_disk(spec, target)
            with _simulating(futures * len(spec.policies), transient=format is Format.json) as advance:
                summary = api.simulate_to(spec, target, advance)
        except BaseException:  # an error or Ctrl+C before the run is saved: give the claimed folder back
            api.release_output(target)
            raise
        written = _report(lambda progress: api.report_run(target, progress=progress)) if report else None
    except InputError as exc:
        raise fail(exc) from None
    _said_run(target, written, summary, format)


def _given(ctx: typer.Context, names: Collection[str]) -> list[str]:
    """The options among `names` given on the command line, whatever their value, spelled as --help spells them.
    (Click's ParameterSource, compared by name: Typer vendors its own copy of Click.)"""
    return [
        "/".join([*p.opts, *p.secondary_opts])
        for p in ctx.command.params
        if p.name in names and getattr(ctx.get_parameter_source(p.name), "name", None) == "COMMANDLINE"
    ]


def _resume(
    target: Path, workers: int, executor: limits.Executors, scheduler: str | None, format: Format, report: bool
) -> None:
    """`run --resume`: finish a run killed part-way, then say what `run` says."""
    try:
        plan = store.unfinished_plan(target)
        with _simulating(plan["futures"] * len(plan["packages"]), transient=format is Format.json) as advance:
            summary = api.resume(target, workers, advance, executor, scheduler)
        written = _report(lambda progress: api.report_run(target, progress=progress)) if report else None
    except InputError as exc:
        raise fail(exc) from None
    _said_run(target, written, summary, format)


@contextlib.contextmanager
def _simulating(total: int, transient: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar of the futures simulated (of `total`), and the function that advances it."""
    columns = (TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=note, transient=transient) as bar:
        task = bar.add_task("futures", total=total)
        yield lambda n: bar.advance(task, n)


def _said_run(target: Path, written: Path | None, summary: dict[str, Any], format: Format) -> None:
    """What `run` prints of the run it saved in `target` (and the report `written`, if any)."""
    info = store.read_record(target)
    if format is Format.json:
        described = {"run": str(target), "report": None if written is None else str(written)}
        described |= {k: info[k] for k in ("case", "seed", "futures", "replications", "years", "first_year")}
        out.print_json(json.dumps(described | {"overrides": info["overrides"]} | summary))
        return
    show(comparison_table(summary, info["futures"], info["years"], info["first_year"], info["replications"]))
    note.print(f"Saved to {target}", highlight=False, soft_wrap=True)
    note.print(f"Explain a future: alliance-futures explain {target} 0", highlight=False, soft_wrap=True)
    if written is not None:
        note.print(f"Report: {written}", highlight=False, soft_wrap=True)


def _mention_unfinished(folder: Path) -> None:
    left = [save for save in store.clean_saves(folder, remove=False) if not save.whole]
    if left:
        size = sum(save.bytes for save in left) / 2**20
        note.print(
            f"note: {len(left)} unfinished save(s) of killed runs ({size:,.0f} MB) in {folder}; "
            f"`alliance-futures run --resume RUN_DIR` finishes one, `alliance-futures clean {folder}` removes them",
            highlight=False,
            soft_wrap=True,
        )


def _assignment(pair: str, option: str, expected: str, ranges: bool = False) -> tuple[str, list[float]]:
    """'key=0.4' → ('key', [0.4]), and with `ranges` 'key=0.2:0.5' → ('key', [0.2, 0.5]); anything else, a
    non-finite number included, is refused naming the option and what it expects."""
    key, sep, value = pair.partition("=")
    try:
        numbers = [float(part) for part in (value.split(":") if ranges else [value])]
    except ValueError:
        numbers = []
    if not sep or not key.strip() or len(numbers) not in (1, 2) or not all(math.isfinite(x) for x in numbers):
        raise InputError("command line", f"expected {expected}, got '{pair}'", key=option)
    return key.strip(), numbers


def _overrides(pairs: list[str] | None) -> dict[str, float | list[float]]:
    """'group.name=0.4' → {'group.name': 0.4}; 'group.name=0.2:0.5' → {'group.name': [0.2, 0.5]}, for --set."""
    expected = f"PARAM=VALUE or PARAM=LOW:HIGH such as {EXAMPLE_SET}"
    out: dict[str, float | list[float]] = {}
    for pair in pairs or []:
        name, numbers = _assignment(pair, "--set", expected, ranges=True)
        out[name] = numbers if len(numbers) == 2 else numbers[0]
    return out


def _report(write: Callable[[Callable[[int, str], None]], Path]) -> Path:
    """Write a report with a spinner that names each stage of the analysis: it takes a few seconds."""
    from .analysis.findings import STAGES

    with note.status("analysing the futures") as status:

        def progress(i: int, label: str) -> None:
            status.update(f"analysing the futures: {label} ({i + 1} of {len(STAGES)})")

        written = write(progress)
        log.info("report written to %s", written)
        return written


def _thresholds(pairs: list[str] | None) -> dict[str, float] | None:
    """'war=0' → {'war': 0.0}, for --satisfice."""
    if not pairs:
        return None
    parsed = (_assignment(pair, "--satisfice", "OUTCOME=VALUE such as war=0") for pair in pairs)
    return {key: numbers[0] for key, numbers in parsed}


@app.command("report")
def report_command(
    run_dir: Annotated[Path, typer.Argument(metavar="RUN", help="folder of a saved run")],
    output: Annotated[Path | None, typer.Option(help="HTML file to write (default: RUN/report.html)")] = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            help="package that the others are compared with and that is explored (default: the case's baseline, "
            "current_course in the built-in case)"
        ),
    ] = None,
    drivers: Annotated[
        list[str] | None,
        typer.Option("--drivers", help="two drivers for the 2×2 matrix (default: the top two by Sobol index)"),
    ] = None,
    satisfice: Annotated[
        list[str] | None,
        typer.Option(
            help="a satisficing threshold OUTCOME=VALUE, repeatable (default: war=0, nuclear_pursuit=0, rupture=0)"
        ),
    ] = None,
    sobol_base: Annotated[int, typer.Option(help="Sobol design base N (futures: N × (parameters + 2))")] = (
        limits.SOBOL_BASE
    ),
) -> None:
    """Write the self-contained HTML report of a saved run: comparison, outcomes over time, scenario discovery,
    Sobol indices, the 2×2 matrix, signposts, example futures and every assumption."""
    try:
        thresholds = _thresholds(satisfice)
        written = _report(
            lambda progress: api.report_run(run_dir, output, baseline, drivers, thresholds, sobol_base, progress)
        )
    except InputError as exc:
        raise fail(exc) from None
    out.print(f"Report: {written}", highlight=False)


def claims_table(result: dict[str, Any]) -> Table:
    """The table `claims` prints (docs/tables.py prints the README's copy with it)."""
    from .analysis.claims import VERBS, share_text
    from .analysis.outcomes import outcome_label

    t = Table(
        title="The source articles' claims tested on the run: the paired difference (points of probability, or USD "
        "bn) with its 95% interval, and the share of parameter vectors where each claim holds and fails, with their "
        "95% intervals",
        box=box.SIMPLE_HEAD,
    )
    for column in ("claim", "seed", "claimed effect", "against", "difference", "verdict", "holds", "fails"):
        t.add_column(
            column,
            justify="right" if column in ("difference", "holds", "fails") else "left",
            no_wrap=column in ("claim", "holds", "fails"),
            max_width=len("distinguishable")
            if column == "verdict"
            else None,  # wrap the longest verdict, not the effect
        )
    for name, c in result["claims"].items():
        scale = 100 if c["unit"] == "probability" else 1
        t.add_row(
            name,
            c["seed"],
            f"{c['package'].replace('_', ' ')} {VERBS[c['direction']][0]} {outcome_label(c['outcome'])}",
            c["baseline"].replace("_", " "),
            f"{scale * c['difference']:+.1f} ± {scale * (c['hi'] - c['difference']):.1f}",
            c["verdict"],
            share_text(c["share_holds"], (c["share_holds_lo"], c["share_holds_hi"])),
            share_text(c["share_fails"], (c["share_fails_lo"], c["share_fails_hi"])),
        )
    return t


@app.command("search")
def search_command(
    spec: Annotated[
        str, typer.Argument(metavar="SPEC", help="a search spec (YAML; docs/search.md), or 'default', the built-in one")
    ] = "default",
    output: Annotated[Path | None, typer.Option(help="a new folder for the archive, Pareto set and packages")] = None,
    evaluations: Annotated[int | None, typer.Option(help="candidate evaluations (overrides the spec's)")] = None,
    futures: Annotated[
        int | None, typer.Option(help="futures each candidate is simulated on (overrides the spec's)")
    ] = None,
    case: Annotated[str, typer.Option(help="built-in case name or path to a case YAML file")] = BUILTIN_CASE,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    resume: Annotated[
        bool, typer.Option(help="continue the killed search in --output from its checkpoint (same spec and options)")
    ] = False,
) -> None:
    """Search the levers for the packages that trade the spec's objectives off best (NSGA-II on the same futures for
    every candidate), and print the Pareto set and the spec's packages re-run on fresh futures with intervals; with
    --output, save every candidate evaluated, the Pareto set, the re-run, a report (report.html), and each Pareto
    package as a policy file that `run --policies` accepts."""
    try:
        bar = Progress(
            TextColumn("searching"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=note,
        )
        tasks: list[Any] = []  # the bar starts with the first generation: a bad spec is refused before any bar

        def progress(done: int, total: int, volume: float) -> None:
            if not tasks:
                bar.start()
                tasks.append(bar.add_task("", total=total))
            bar.update(tasks[0], completed=done, description=f"hypervolume {volume:.3f}")

        try:
            result = api.search(spec, case, output, evaluations, futures, workers, progress, resume)
        finally:
            if tasks:  # stopping a bar never started would print an empty line
                bar.stop()
    except InputError as exc:
        raise fail(exc) from None
    except ModuleNotFoundError as exc:
        err.print(f"[bold red]error:[/] the search needs {exc.name}: {escape(SEARCH_EXTRA)}", highlight=False)
        raise typer.Exit(code=2) from None
    if not result.feasible:
        out.print(f"No candidate of the {len(result.archive):,} evaluated met the constraints.", highlight=False)
        return
    from .report.search import convergence_text, estimate_text, objective_words, placement_text

    checked = result.out_of_sample
    assert checked is not None  # a feasible search is always re-run on fresh futures
    objectives = checked.objectives
    t = Table(
        title=f"The Pareto set, {len(result.pareto)} of {len(result.archive):,} candidates evaluated, and the placed "
        f"packages, re-run on fresh futures (seed {checked.seed}): objectives minimised, probabilities and shares in "
        "percent, the US net cost in USD bn, with 95% intervals",
        box=box.SIMPLE_HEAD,
    )
    t.add_column("package")
    for objective in objectives:
        t.add_column(objective_words(objective), justify="right")
    estimates = checked.estimates
    for kind in ("found", "placed"):
        for name, rows in estimates[estimates["kind"] == kind].groupby(level="package", sort=False):
            cells = rows.droplevel("package").to_dict("index")
            shown = str(name) if kind == "found" else str(name).replace("_", " ")  # found: their files' names
            t.add_row(shown, *(estimate_text(o, cells[o.label]) for o in objectives))
        t.add_section()
    show(t)
    out.print(convergence_text(result.convergence), highlight=False)
    for line in placement_text(checked, len(result.pareto)):
        out.print(line, highlight=False)
    if output is not None:
        out.print(
            f"Saved to {output}, with the report {output}/report.html; run a found package: alliance-futures run "
            f"--policies {output}/policies/NAME.yaml",
            highlight=False,
            soft_wrap=True,
        )


@app.command("update")
def update_command(
    run_dir: Annotated[Path, typer.Argument(metavar="RUN", help="folder of a saved run (with its yearly paths)")],
    observations: Annotated[
        Path,
        typer.Argument(metavar="OBSERVATIONS", help="an observation log (YAML; the format is in docs/nowcasting.md)"),
    ],
    baseline: Annotated[
        str | None,
        typer.Option(
            help="the package the world followed while observed (default: the case's baseline): its weights give the "
            "parameters' posterior and the --output run"
        ),
    ] = None,
    top: Annotated[int, typer.Option(help="how many of the most moved parameters to list")] = 10,
    output: Annotated[
        Path | None,
        typer.Option(
            help="a new folder to save the posterior in, as a run that report, explain and the dashboard read: "
            "futures resampled by the evidence and simulated afresh after the last observed year"
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="seed of the posterior's fresh random numbers (default: the run's + 1)")
    ] = None,
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Weigh a saved run's futures by what has been observed since it began: every outcome and named future before
    and after the evidence with its interval, the effective number of futures left, and the parameters it moved."""
    try:
        with note.status("weighing the futures" if output is None else "weighing the futures, saving the posterior"):
            result = api.update(run_dir, observations, baseline, output, seed)
    except InputError as exc:
        raise fail(exc) from None
    said = api.update_json(result)
    if format is Format.json:
        out.print_json(json.dumps(said))
    else:
        for warning in said["warnings"]:
            err.print(f"[bold yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
        for table in update_tables(said, top):
            show(table)
    if output is not None:
        note.print(f"Posterior run: {output}", highlight=False)


def update_tables(said: dict[str, Any], top: int) -> tuple[Table, Table]:
    """The tables `update` prints (docs/tables.py prints docs/nowcasting.md's copy with them): before and after per
    package, and the parameters the evidence moved most."""
    from .analysis.nowcast import before_after
    from .analysis.outcomes import row_label, significant

    futures = said["futures"]
    vectors = said["vector_ess_by_package"]
    ess = ", ".join(f"{p} {e:,.0f} ({vectors[p]:,.0f} vectors)" for p, e in said["ess_by_package"].items())
    shared = "the same for every package" if said["shared_weights"] else "computed package by package (they differ)"
    t = Table(
        title=f"Before → after the evidence: percent of {futures:,} futures (US net cost: USD bn), each with its 95% "
        f"interval; effective futures after: {ess}; weights {shared}",
        box=box.SIMPLE_HEAD,
    )
    t.add_column("outcome")
    for package in said["packages"]:
        t.add_column(package.replace("_", " "), justify="right")
    for outcome in next(iter(said["packages"].values())):
        t.add_row(row_label(outcome), *(before_after(outcome, rows[outcome]) for rows in said["packages"].values()))
    moved = Table(
        title="The parameters the evidence moved most (shift: posterior minus prior mean, in prior sds)",
        box=box.SIMPLE_HEAD,
    )
    for column in ("parameter", "prior mean", "posterior mean", "shift", "posterior 5–95%"):
        moved.add_column(column, justify="left" if column == "parameter" else "right")
    for p in said["parameters"][:top]:
        moved.add_row(
            p["name"],
            significant(p["prior_mean"]),
            significant(p["posterior_mean"]),
            significant(p["shift"]),
            f"{significant(p['p05'])}–{significant(p['p95'])}",
        )
    return t, moved


@app.command("claims")
def claims_command(
    run_dir: Annotated[Path, typer.Argument(metavar="RUN", help="folder of a saved run")],
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Test each claim of the source articles on a saved run: the paired difference with its interval, the share of
    parameter vectors where the claim holds, and where it fails."""
    try:
        with note.status("testing the claims"):
            result = api.claims(run_dir)
    except InputError as exc:
        raise fail(exc) from None
    if format is Format.json:
        out.print_json(json.dumps(result))
        return
    show(claims_table(result))
    for name, c in result["claims"].items():
        if c["fails_where"]:
            out.print(f"[bold]{name}[/]: {c['fails_where']}")
    for why in result["skipped"]:
        note.print(f"skipped {why}", highlight=False)


@app.command()
def export(
    run_dir: Annotated[Path, typer.Argument(metavar="RUN", help="folder of a saved run")],
    to: Annotated[Export, typer.Option(help="CSV files, an Excel workbook, or EMA Workbench's archive")] = Export.csv,
    output: Annotated[
        Path | None,
        typer.Option(help="folder for the CSV files, or the file to write (default: inside RUN, named by --to)"),
    ] = None,
) -> None:
    """Export a saved run's tables: the summary, each future's outcomes and each future's parameters (CSV or
    Excel), or everything with the yearly paths as an archive EMA Workbench's load_results reads."""
    try:
        with note.status(f"writing {to.value}"):
            written = api.export(run_dir, to, output)
    except InputError as exc:
        raise fail(exc) from None
    for path in written:
        out.print(str(path), highlight=False, soft_wrap=True)


@app.command()
def explain(
    run_dir: Annotated[Path, typer.Argument(metavar="RUN", help="folder of a saved run")],
    future: Annotated[int, typer.Argument(metavar="FUTURE", help="future number (0-based)")],
    package: Annotated[str | None, typer.Option(help="policy package (default: the run's first)")] = None,
) -> None:
    """Tell one simulated future as a dated narrative."""
    try:
        out.print(api.explain(run_dir, future, package), highlight=False)
    except InputError as exc:
        raise fail(exc) from None


@app.command()
def negotiate(
    table: Annotated[
        Path | None, typer.Argument(help="stakeholder table (CSV or YAML), or built-in: us-rok-sma, us-rok-posture")
    ] = None,
    score: Annotated[str | None, typer.Option(help="score every model on a data set: 'deu3'")] = None,
    rounds: Annotated[
        int | None, typer.Option(help="expected utility rounds to run (default: the number fitted on DEU III)")
    ] = None,
    plot: Annotated[Path | None, typer.Option(help="write positions over rounds to a .svg, .png or .html file")] = None,
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Forecast a negotiation from a stakeholder table, or score the models on real EU decisions."""
    try:
        if score is not None:
            if score != "deu3":
                raise InputError("command line", f"unknown data set '{score}' (known: deu3)", key="--score")
            _print_scores(format)
        elif table is not None:
            if plot is not None:
                api.check_output_file(plot)
            negotiation = api.negotiate(table, rounds)
            if plot is not None:
                report.save_chart(report.negotiation_rounds(negotiation), plot)
            if format is Format.json:
                out.print_json(json.dumps(negotiation.to_json()))
            else:
                _print_negotiation(negotiation)
            if plot is not None:
                note.print(f"chart written to {plot}", highlight=False)
        else:
            raise InputError("command line", "give a stakeholder TABLE or --score deu3", key="TABLE")
    except InputError as exc:
        raise fail(exc) from None


def _print_negotiation(negotiation: bargaining.Negotiation) -> None:
    out.print(f"[bold]{negotiation.table.issue}[/]", highlight=False)
    for name, value in negotiation.forecasts.items():
        out.print(f"{name:>18}  {value:.1f}", highlight=False)
    out.print(
        f"\nExpected utility model, round by round ({negotiation.settings.statistic.replace('_', ' ')} is its "
        "forecast):",
        highlight=False,
    )
    for r in negotiation.rounds():
        median, mean = r["weighted_median"], r["weighted_mean"]
        out.print(f"round {r['round']:>2}: weighted median {median:.1f}, weighted mean {mean:.1f}", highlight=False)
        for m in r["moves"]:
            if f"{m['from']:.1f}" == f"{m['to']:.1f}":
                continue  # a move too small to show
            verb = bargaining.negotiation.VERBS[m["kind"]]
            line = f"    {m['stakeholder']} {verb} {m['toward']}: {m['from']:.1f} → {m['to']:.1f}"
            out.print(line, highlight=False, soft_wrap=True)


def _print_scores(format: Format) -> None:
    results, settings = api.score_bargaining()
    if format is Format.json:
        out.print_json(json.dumps({"models": results["all"], "settings": dataclasses.asdict(settings)}))
        return
    for subset, scores in results.items():
        label = "all issues" if subset == "all" else "issues that are not yes/no"
        t = Table(
            title=f"DEU III, held-out proposals, {label} (fitted on the other half: {settings})",
            box=box.SIMPLE_HEAD,
        )
        for column in ("model", "MAE (95% interval)", "median AE", "issues", "seconds"):
            t.add_column(column, justify="left" if column == "model" else "right")
        for name, s in sorted(scores.items(), key=lambda kv: kv[1]["mae"]):
            t.add_row(
                name,
                f"{s['mae']:.2f} ({s['mae_lo']:.2f}–{s['mae_hi']:.2f})",
                f"{s['median_ae']:.1f}",
                str(s["n"]),
                f"{s['seconds']:.3f}",
            )
        show(t)


@app.command("backtest")
def backtest_command(
    case: Annotated[str, typer.Option(help="built-in case name or path to a case YAML file")] = BUILTIN_CASE,
    history: Annotated[
        Path | None, typer.Option(help="history YAML file (default: the built-in US–ROK history, 1953–2025)")
    ] = None,
    futures: Annotated[int, typer.Option(help="futures to replay")] = 5_000,
    seed: Annotated[int, typer.Option(help="random seed; the same seed gives the same results")] = limits.DEFAULT_SEED,
    csv: Annotated[Path | None, typer.Option(help="CSV file for the yearly bands with their percentiles")] = None,
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
    sensitivity: Annotated[
        bool,
        typer.Option(
            "--sensitivity",
            help="reverse each analyst coding of the history in turn (each orientation, each coded turn or spell) "
            "and print the headline scores under each, on the same futures",
        ),
    ] = False,
) -> None:
    """Replay the recorded past with the recorded drivers held, and score the model's yearly hazards against the
    events that happened, next to a constant base rate, persistence and a logistic model on the recorded drivers."""
    try:
        if csv is not None:
            api.check_output_file(csv)
        flips = api.backtest_sensitivity(case, history, futures, seed) if sensitivity else None
        result = api.backtest(case, history, futures, seed) if flips is None or csv is not None else None
        written = api.write_backtest_csv(result, csv) if result is not None and csv is not None else None
    except InputError as exc:
        raise fail(exc) from None
    if flips is not None and format is Format.json:
        out.print_json(json.dumps(flips))
    elif flips is not None:
        _print_sensitivity(flips)
    elif result is not None and format is Format.json:
        out.print_json(json.dumps(result.as_json()))
    elif result is not None:
        _print_backtest(result)
    if written is not None:
        note.print(f"Yearly bands: {written}", highlight=False)


def _print_sensitivity(flips: dict[str, Any]) -> None:
    kinds = flips["kinds"]
    t = Table(
        title="Backtest under each single reversal of an analyst coding: Brier skill score against the base rate / "
        "AUC, and the verdict where it differs from the verdict as coded",
        box=box.SIMPLE_HEAD,
    )
    t.add_column("coding")
    t.add_column("rule")
    for kind in kinds:
        t.add_column(kind.replace("_", " "), justify="right")
    cells: dict[str, dict[str, str]] = {}
    rules: dict[str, str] = {}
    for row in flips["codings"]:
        skill = "–" if row["brier_skill"] is None else f"{row['brier_skill']:+.2f}"
        auc = "–" if row["auc"] is None else f"{row['auc']:.2f}"
        changed = "" if row["verdict"] == kinds[row["kind"]]["verdict"] else f" [red]{row['verdict']}[/]"
        cells.setdefault(row["coding"], {})[row["kind"]] = f"{skill} / {auc}{changed}"
        rules[row["coding"]] = row["rule"]
    for coding, by_kind in cells.items():
        t.add_row(coding, rules[coding], *(by_kind[kind] for kind in kinds))
    show(t, keep=2)
    for kind, summary in kinds.items():
        span = summary["brier_skill_range"]
        spread = "" if span is None else f", from {span[0]:+.2f} to {span[1]:+.2f} over {summary['flips']} reversals"
        changes = summary["verdict_changes"]
        moved = (
            f"'{summary['verdict']}' under every reversal"
            if not changes
            else f"'{summary['verdict']}' as coded; " + "; ".join(f"{c['verdict']} if {c['coding']}" for c in changes)
        )
        coded = summary["as_coded"]["brier_skill"]
        shown = "–" if coded is None else f"{coded:+.2f}"
        out.print(f"{kind.replace('_', ' ')}: skill vs base rate {shown} as coded{spread}; verdict {moved}")


def _interval(ci: list[float] | None, digits: int) -> str:
    return "" if ci is None else f" ({ci[0]:.{digits}f} to {ci[1]:.{digits}f})"


def _print_backtest(result: analysis.Backtest) -> None:
    years = result.replay.calendar_years
    t = Table(
        title=f"Backtest, {years[0]}–{years[-1]}: {len(result.replay.experiments):,} replayed futures against the "
        "recorded events. Brier score (lower is better) and AUC with 95% block-bootstrap intervals; Brier skill "
        "score of the model against each reference (above 0: the model is better), and of its forecast made at the "
        "start of each year, from what was recorded by then",
        box=box.SIMPLE_HEAD,
    )
    references = ("base_rate", "persistence", "logistic")
    columns = ("event", "event years", "Brier, model", *(f"skill vs {r.replace('_', ' ')}" for r in references))
    columns += ("start of year: skill vs base rate",)
    for column in (*columns, "AUC", "verdict"):
        t.add_column(column, justify="left" if column in ("event", "verdict") else "right")
    kinds = result.replay.history.kinds
    for kind, row in result.as_json()["events"].items():
        colour = {"skill": "green", "worse than base rate": "red"}.get(row["verdict"], "default")
        skills = [row["baselines"][r]["brier_skill"] for r in references] + [row["ahead"]["brier_skill"]["base_rate"]]
        t.add_row(
            kind.replace("_", " "),
            f"{row['n_event_years']} of {row['n_years']} ({kinds[kind].first_year}–{kinds[kind].last_year})",
            f"{row['brier_model']:.4f}" + _interval(row["brier_model_ci"], 4),
            *("–" if s["value"] is None else f"{s['value']:+.2f}" + _interval([s["lo"], s["hi"]], 2) for s in skills),
            "–" if row["auc"] is None else f"{row['auc']:.2f}" + _interval(row["auc_ci"], 2),
            f"[{colour}]{row['verdict']}[/]",
        )
    show(t)
    windows = result.replay.history.windows
    if windows:
        by_window = Table(
            title="The model in each window against the window's own base rate: Brier skill score and AUC (95% "
            "intervals), event years",
            box=box.SIMPLE_HEAD,
        )
        by_window.add_column("event")
        for w in windows:
            by_window.add_column(f"{w.name} ({w.first_year}–{w.last_year})", justify="right")
        for kind, row in result.as_json()["events"].items():
            by_window.add_row(kind.replace("_", " "), *(window_cell(row["windows"][w.name]) for w in windows))
        show(by_window)
    for kind, row in result.as_json()["events"].items():
        if row["carried_by"]:
            carried = ", ".join(row["carried_by"])
            out.print(f"{kind.replace('_', ' ')}: carried by the recorded {carried}; its score is not a test of skill")


def window_cell(score: dict[str, Any] | None) -> str:
    """One kind's scores in one window, as the backtest table prints them (docs/tables.py quotes it)."""
    if score is None:
        return "not scored"
    skill, auc = score["brier_skill"], score["auc"]
    shown = "–" if skill["value"] is None else f"{skill['value']:+.2f}" + _interval([skill["lo"], skill["hi"]], 2)
    ranked = "–" if auc is None else f"{auc:.2f}" + _interval(score["auc_ci"], 2)
    first, last = score["years"]
    return f"{shown}, AUC {ranked}; {score['n_event_years']} of {last - first + 1} years"


@app.command()
def calibrate(
    case: Annotated[str, typer.Option(help="built-in case name or path to a case YAML file")] = BUILTIN_CASE,
    futures: Annotated[int, typer.Option(help="futures at the central values and over the ranges")] = (
        limits.CALIBRATION_FUTURES
    ),
    seed: Annotated[int, typer.Option(help="random seed; the same seed gives the same results")] = limits.DEFAULT_SEED,
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Print the model's start-year hazards under the current course, at the central values of the ranges and over
    them, beside the case's base rates."""
    try:
        result = api.calibrate(case, futures, seed)
    except InputError as exc:
        raise fail(exc) from None
    if format is Format.json:
        out.print_json(json.dumps(result))
        return
    t = Table(
        title="Start-year hazards under the current course beside the base rates (sources: --format json)",
        box=box.SIMPLE_HEAD,
    )
    for column in ("hazard", "central", "over the ranges (5–95%)", "base rate (interval)", "unit", "central within"):
        t.add_column(column, justify="right" if column[0] in "cob" else "left", no_wrap=column != "unit")
    for name, row in result["hazards"].items():
        t.add_row(
            name.replace("_", " "),
            _rate(row["central"]),
            f"{_rate(row['p05'])}–{_rate(row['p95'])}",
            f"{_rate(row['base_rate'])} ({_rate(row['base_low'])}–{_rate(row['base_high'])})",
            row["unit"],
            "[green]yes[/]" if row["within"] else "[red]no[/]",
        )
    show(t)


def _rate(value: float) -> str:
    """A probability as a percentage with enough digits to read a small one."""
    return f"{100 * value:.2f}%" if value < 0.1 else f"{100 * value:.1f}%"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on; any but loopback needs a token")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on", min=1, max=65535)] = 8000,
    data_dir: Annotated[Path, typer.Option(help="folder for the runs and their catalogue (kept across restarts)")] = (
        DEFAULT_DATA
    ),
    token: Annotated[
        str | None, typer.Option(envvar=TOKEN_ENV, help=f"every request must carry it (or set {TOKEN_ENV})")
    ] = None,
    workers: Annotated[
        int, typer.Option(help="worker processes that simulate a submitted run", min=1, max=MAX_WORKERS)
    ] = 1,
) -> None:
    """Serve the web dashboard and the HTTP API (OpenAPI documentation at /docs)."""
    import uvicorn

    from .service import create_app

    try:
        if token is not None and len(token) < MIN_TOKEN:
            raise InputError("command line", f"a token needs at least {MIN_TOKEN} characters", key="--token")
        if token is None and not _loopback(host):
            raise InputError(
                "command line",
                f"refusing to listen on {host} without a token: anyone who can reach it could run and read "
                f"simulations; give --token or set {TOKEN_ENV}, or listen on 127.0.0.1",
                key="--host",
            )
        _check_free(host, port)
        local = None if token is not None else sorted({host, *LOOPBACK_NAMES})  # a token stops rebinding already
        service = create_app(data_dir, token, hosts=local, workers=workers)
    except InputError as exc:
        raise fail(exc) from None
    link = f"http://{host}:{port}/" + (f"?token={token}" if token else "")
    err.print(f"Dashboard: {link}  (API documentation: /docs; stop with Ctrl+C)", highlight=False)
    uvicorn.run(service, host=host, port=port, log_level="warning")


def _check_free(host: str, port: int) -> None:
    """Refuse a port another program listens on, before printing an address that would lead to it."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        problem = (
            "is in use (another server?)" if exc.errno == errno.EADDRINUSE else f"cannot be opened: {exc.strerror}"
        )
        raise InputError(
            "command line", f"port {port} on {host} {problem}; choose another with --port", key="--port"
        ) from None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any address


elicit = typer.Typer(help="Structured expert judgement: Cooke's classical model.", no_args_is_help=True)
app.add_typer(elicit, name="elicit")


@elicit.command("score")
def elicit_score(
    study: Annotated[
        str,
        typer.Argument(
            help="a study: a YAML file (docs/elicitation.md), an EXCALIBUR .dtt file (its .rls beside it), or a "
            "built-in one: Arsenic_D-R, CDC_ROI_Final, Food_prices, IceSheet2012, PoliticalViolence_March17_CW, Topaz"
        ),
    ],
    splits: Annotated[
        int,
        typer.Option(
            "--cross-validate",
            metavar="SPLITS",
            help="also test out of sample: weights fitted on 80% of the seed items, scored on the rest, over this "
            "many random splits (or all of them, if fewer)",
        ),
    ] = 0,
    robustness: Annotated[
        bool,
        typer.Option(
            "--robustness", help="also the decision maker's scores with each seed item, and each expert, left out"
        ),
    ] = False,
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Score each expert on the seed items (calibration, information, weight) and the decision makers that combine
    them: performance weights at the cut-off that maximises the combined score, item weights, and equal weights."""
    try:
        result = api.elicitation_scores(study, splits, robustness)
    except InputError as exc:
        raise fail(exc) from None
    if format is Format.json:
        out.print_json(json.dumps(result))
        return
    from .analysis.outcomes import significant

    experts = Table(
        title=f"{study}: {len(result['experts'])} experts, {result['seed_items']} seed items of {result['items']}. "
        "Calibration (the p-value of the seed realisations' spread over the experts' quantiles), information "
        "relative to a uniform or log-uniform background, and weight in the performance-weight decision maker",
        box=box.SIMPLE_HEAD,
    )
    for column in ("expert", "calibration", "information (seed)", "information (all)", "weight"):
        experts.add_column(column, justify="left" if column == "expert" else "right")
    ranked = sorted(result["experts"].items(), key=lambda kv: -(kv[1]["weight"] or 0))
    for name, row in ranked:
        experts.add_row(
            name, *(significant(row[k]) for k in ("calibration", "information_seed", "information_all", "weight"))
        )
    show(experts)
    makers = Table(title="Decision makers", box=box.SIMPLE_HEAD)
    for column in ("decision maker", "calibration", "information (seed)", "combined", "cut-off α"):
        makers.add_column(column, justify="left" if column == "decision maker" else "right")
    labels = {"performance": "performance weights", "item": "item weights", "equal": "equal weights"}
    for kind, row in result["decision_makers"].items():
        alpha = "" if kind == "equal" else significant(row["alpha"])
        makers.add_row(
            labels[kind], *(significant(row[k]) for k in ("calibration", "information_seed", "combined")), alpha
        )
    show(makers)
    for over, left_out in (result["robustness"] or {}).items():
        t = Table(
            title=f"Robustness: the performance-weight decision maker with each {over[:-1]} left out",
            box=box.SIMPLE_HEAD,
        )
        for column in (f"{over[:-1]} left out", "calibration", "information (seed)", "combined"):
            t.add_column(column, justify="left" if column.endswith("left out") else "right")
        for name, row in left_out.items():
            t.add_row(name, *(significant(row[k]) for k in ("calibration", "information_seed", "combined")))
        show(t)
    if result["cross_validation"] is not None:
        out.print(result["cross_validation"]["summary"], highlight=False)


@elicit.command("report")
def elicit_report(
    study: Annotated[str, typer.Argument(help="a study, as for `elicit score`")],
    output: Annotated[str, typer.Option("--output", help="the HTML file to write")],
    splits: Annotated[
        int,
        typer.Option("--cross-validate", metavar="SPLITS", help="also this many out-of-sample tests, as for `score`"),
    ] = 0,
) -> None:
    """Write an HTML report of a study: each expert's scores and weight, the decision makers, the robustness tables
    (each seed item and each expert left out), and every item's quantiles, expert by expert, beside the decision
    makers'."""
    try:
        written = api.write_elicitation_report(study, output, splits)
    except InputError as exc:
        raise fail(exc) from None
    out.print(f"Wrote {written}", highlight=False, soft_wrap=True)


@elicit.command("template")
def elicit_template(
    output: Annotated[str, typer.Option("--output", help="the folder to write the kit into (made if missing)")],
    parameters: Annotated[
        int, typer.Option("--parameters", help="ask about this many of the case's most influential parameters")
    ] = 10,
    seeds: Annotated[
        int | None,
        typer.Option(
            "--seeds", help="seed questions from the case's recorded history [default: 10]", show_default=False
        ),
    ] = None,
    case: Annotated[str, typer.Option(help="built-in case name or path to a case YAML file")] = BUILTIN_CASE,
    history: Annotated[str | None, typer.Option(help="the case's history file (the built-in one by default)")] = None,
    sobol_base: Annotated[
        int, typer.Option(help="Sobol design base N for the ranking (a power of two)")
    ] = limits.SOBOL_BASE,
) -> None:
    """Write an elicitation kit: a questionnaire (CSV to fill in, HTML to print) on the case's most influential
    parameters by total Sobol index, each with its meaning, unit and current range, plus seed questions whose answers
    the case's history records; and study.yaml, the study the facilitator completes with the experts' answers."""
    try:
        result = api.elicit_template(output, case, parameters, seeds, history, sobol_base)
    except InputError as exc:
        raise fail(exc) from None
    targets = sum(1 for q in result["questions"] if q["parameter"])
    out.print(
        f"Wrote {', '.join(result['files'])}: {targets} target and {len(result['questions']) - targets} seed questions",
        highlight=False,
        soft_wrap=True,
    )


@elicit.command("apply")
def elicit_apply(
    study: Annotated[str, typer.Argument(help="a study in our YAML format whose target items name case parameters")],
    output: Annotated[str, typer.Option("--output", help="the new case file to write")],
    case: Annotated[str, typer.Option(help="built-in case name or path to a case YAML file")] = BUILTIN_CASE,
    weighting: Annotated[
        str,
        typer.Option(
            "--weights",
            help="the decision maker: performance (global weights at the optimal cut-off), item, or equal weights",
        ),
    ] = "performance",
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Write a copy of the case in which each parameter the study's target items name takes the decision maker's
    distribution: its quantiles within the study's range, uniform (log-uniform on log-scale items) between them, with
    the study, weights and date in the parameter's source. Run it with `alliance-futures run --case OUTPUT`."""
    try:
        result = api.elicit_apply(study, case, output, weighting)
    except InputError as exc:
        raise fail(exc) from None
    if format is Format.json:
        out.print_json(json.dumps(result))
        return
    alpha = "" if result["alpha"] is None else f" at cut-off α = {result['alpha']:.3g}"
    t = Table(
        title=f"{result['case']}: {len(result['parameters'])} parameters from the {weighting}-weight decision "
        f"maker{alpha} (weights: " + ", ".join(f"{e} {w:.3f}" for e, w in result["weights"].items()) + ")",
        box=box.SIMPLE_HEAD,
    )
    for column in ("parameter", "before", "after"):
        t.add_column(column)
    for name, change in result["parameters"].items():
        t.add_row(name, distribution_text(change["before"]), distribution_text(change["after"]))
    show(t)
    out.print(f"Run it: alliance-futures run --case {shlex.quote(result['case'])}", highlight=False, soft_wrap=True)


def distribution_text(p: dict[str, Any]) -> str:
    """A parameter's value, or its range, distribution and quantiles, in a line."""
    if "value" in p:
        return f"{p['value']:g}"
    text = f"{p['range'][0]:g} to {p['range'][1]:g} {p['distribution'].replace('_', ' ')}"
    quantiles = p.get("quantiles") or {}
    return text + "".join(f", {level}% {x:g}" for level, x in quantiles.items())


@app.command()
def clean(
    folder: Annotated[Path, typer.Argument(help="folder the runs were saved in")] = DEFAULT_OUTPUT,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="list what would be removed; remove nothing")] = False,
) -> None:
    """Remove what runs killed before their end left behind: the hidden folders .NAME.partial-PID of their saves,
    and the folders they claimed; a whole run that could not take its folder's name is kept and named."""
    if not folder.is_dir():
        raise fail(InputError(folder, "no such folder"))
    found = store.clean_saves(folder, remove=not dry_run)
    for save in found:
        if save.whole:
            said = "a whole run, kept: rename it (without the leading dot and the .partial-PID suffix) to use it"
        else:
            said = "unfinished, would be removed" if dry_run else "unfinished, removed"
        out.print(f"{save.path}  {save.bytes / 2**20:,.1f} MB  {said}", highlight=False, soft_wrap=True)
    if not found:
        out.print(f"nothing to clean in {folder}", highlight=False)


@app.command()
def validate(file: Annotated[Path, typer.Argument(help="case, policy or search spec YAML file")]) -> None:
    """Check a case, policy or search spec file and say what is wrong, with the key and line."""
    try:
        out.print(api.validate(file), highlight=False)
    except InputError as exc:
        raise fail(exc) from None
