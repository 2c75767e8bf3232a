"""Everything the report and the service show about an ensemble, computed in one call: the comparison, outcomes over
time, the source articles' claims tested, scenario discovery, Sobol indices, the alternative futures matrix,
signposts, example narratives, and the backtest of the case's model against the recorded past."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..case import load_history
from ..engine import Ensemble
from ..errors import REQUEST, InputError
from ..limits import SOBOL_BASE
from ..model import STATE_VARIABLES
from .backtest import Backtest, backtest_history
from .claims import ClaimResult, assess_claims
from .compare import GRAVITY, PairedDifferences, Regret, Satisficing, indicators
from .discovery import Box, drivers, prim_box
from .matrix import FuturesMatrix, check_drivers, futures_matrix, top_drivers
from .narrative import tell
from .outcomes import (
    FUTURE_PREFIX,
    SUMMARY_KEYS,
    Clusters,
    Summary,
    final_outcomes,
    outcome_tables,
    row_label,
    summary_frame,
    table_chunks,
    vector_clusters,
)
from .sensitivity import model_sobol
from .signposts import rank_signposts
from .timeline import fan, outcomes_over_time, typical_future

DISCOVER = ("rupture", "nuclear_pursuit", "war", FUTURE_PREFIX + "hollowed_alliance")
SOBOL_OUTPUTS = ("rupture", "nuclear_pursuit", "war", "drawdown")
FAN_VARIABLES = ("credibility", "public_support", "troops")
DEFAULT_THRESHOLDS: Mapping[str, float] = {"war": 0, "nuclear_pursuit": 0, "rupture": 0}
BACKTEST_FUTURES = 2_000  # replayed futures for the report's backtest section, under a second
# One future per Saltelli row: at a fixed budget, more base points narrow the intervals more than replications do
# (benchmarks/replications_tradeoff.py; docs/analysis.md, "Replications")
SOBOL_REPLICATIONS = 1
EXAMPLES = 3  # narratives of the typical future of the gravest named futures that occur
STAGES = (  # in the order `analyse` takes them
    "comparing the packages",
    "testing the claims",
    "discovering scenarios (PRIM)",
    "Sobol indices",
    "the 2×2 matrix",
    "signposts",
    "example futures",
    "outcomes over time",
    "the backtest",
)
log = logging.getLogger(__name__)
FinalChunks = Iterable[tuple[Mapping[str, pd.DataFrame], Clusters]]  # per chunk: package -> final states; clusters


@dataclass
class Findings:
    """What an analyst reads about one ensemble (each field is a pandas object or a small record)."""

    baseline: str
    summary: dict[str, Any]
    paired: pd.DataFrame
    regret: pd.DataFrame
    satisficing: pd.DataFrame
    thresholds: dict[str, float]
    timeline: pd.DataFrame
    fans: dict[str, pd.DataFrame]
    claims: list[ClaimResult]
    claims_skipped: list[str]  # claims whose package or baseline the run lacks
    boxes: list[Box]
    sobol: pd.DataFrame
    matrix: FuturesMatrix
    watch_list: pd.DataFrame
    examples: list[tuple[int, str, str]]  # future, named future, narrative
    backtest: Backtest

    def _repr_html_(self) -> str:
        """In a notebook: each package's named futures with their 95% intervals, and the verdicts of the claims
        and of the backtest (the report has the rest)."""
        frame = summary_frame(self.summary)
        named = frame[frame.index.get_level_values("outcome").str.startswith(FUTURE_PREFIX)]
        cells = named.apply(lambda r: f"{100 * r['estimate']:.1f} ({100 * r['low']:.1f}–{100 * r['high']:.1f})", axis=1)
        order = [key for key in SUMMARY_KEYS if key.startswith(FUTURE_PREFIX)]
        futures = cells.unstack("package").reindex(index=order, columns=list(self.summary["packages"]))
        futures = futures.rename(index=row_label).rename_axis(index=None, columns=None)
        claims = pd.DataFrame(
            {"against": [c.baseline for c in self.claims], "verdict": [c.verdict for c in self.claims]},
            index=[c.name for c in self.claims],
        )
        scored = self.backtest.as_json()["events"]
        backtest = pd.DataFrame({"verdict": [row["verdict"] for row in scored.values()]}, index=list(scored))
        return (
            f"<h4>Percent of futures per package, 95% interval (baseline: {self.baseline})</h4>{futures.to_html()}"
            f"<h4>The case's claims</h4>{claims.to_html()}<h4>The backtest</h4>{backtest.to_html()}"
        )


def compare(
    chunks: Iterable[tuple[Mapping[str, pd.DataFrame], Clusters]], baseline: str, thresholds: Mapping[str, float]
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The summary (`summary_json`), paired differences against the baseline (none for one package), regret and
    satisficing, reduced over chunks of every package's outcomes tables (whole clusters; see `table_chunks`)."""
    try:
        satisficing = Satisficing(thresholds)
    except (KeyError, ValueError) as exc:
        raise InputError(REQUEST, str(exc.args[0]), key="thresholds") from None
    summary, regret, paired, packages = Summary(), Regret(), PairedDifferences(baseline), 0
    for tables, clusters in chunks:
        for name, table in tables.items():
            summary.add(name, table, clusters)
        regret.add(tables)
        satisficing.add(tables, clusters)
        packages = len(tables)
        if packages > 1:
            paired.add(tables, clusters)
    return summary.json(), paired.frame() if packages > 1 else pd.DataFrame(), regret.frame(), satisficing.frame()


def analyse(
    ensemble: Ensemble,
    baseline: str | None = None,
    matrix_drivers: Sequence[str] | None = None,
    thresholds: Mapping[str, float] | None = None,
    sobol_base: int = SOBOL_BASE,
    progress: Callable[[int, str], None] | None = None,
    every_future: FinalChunks | None = None,
) -> Findings:
    """Analyse an ensemble with yearly paths. The baseline package is the reference of paired differences and the
    package whose futures scenario discovery, Sobol indices, the 2×2 matrix, signposts and examples read (default:
    the case's baseline).
    `progress(i, label)` hears of each of the `STAGES` as it starts; each is logged too. `every_future`: where the
    ensemble is a sample of a saved run, the run's final states chunk by chunk (every package's states of the same
    whole vectors, as a frame per package, and the chunk's clusters), one chunk in memory at a time: the summary,
    paired differences, regret and satisficing are then reduced over every future, the other views read the
    sample."""

    def stage(label: str) -> None:
        log.info("analysis: %s", label)
        if progress is not None:
            progress(STAGES.index(label), label)

    baseline = baseline or ensemble.case.baseline
    if baseline not in ensemble.policies:
        raise InputError(
            REQUEST,
            f"the run has no package '{baseline}' (it has {', '.join(ensemble.policies)})",
            key="baseline",
        )
    if ensemble.yearly is None:
        raise InputError(REQUEST, "the report needs the yearly paths, and this run kept only final states", key="paths")
    stage("comparing the packages")
    tables = outcome_tables(ensemble)
    limits = dict(thresholds or DEFAULT_THRESHOLDS)
    clusters = ensemble.clusters
    if every_future is None:
        summary, paired, chosen_regret, chosen_satisficing = compare(table_chunks(tables, clusters), baseline, limits)
    else:
        outcomes = (
            ({name: final_outcomes(final, ensemble.case, ensemble.years) for name, final in part.items()}, c)
            for part, c in every_future
        )
        summary, paired, chosen_regret, chosen_satisficing = compare(outcomes, baseline, limits)
    flags = indicators(tables[baseline])
    x = drivers(ensemble, baseline)
    if matrix_drivers is not None:
        check_drivers(x, matrix_drivers)  # before the slow steps
    stage("testing the claims")
    claims, skipped = assess_claims(ensemble, tables)
    stage("discovering scenarios (PRIM)")
    by_row = vector_clusters(clusters)  # of the rows of `x`: its vectors, or a posterior run's futures
    boxes = [
        prim_box(x, ensemble.per_vector(flags[k].to_numpy()), k, seed=ensemble.seed, clusters=by_row) for k in DISCOVER
    ]
    stage("Sobol indices")
    sobol = model_sobol(
        ensemble.case,
        ensemble.policies[baseline],
        SOBOL_OUTPUTS,
        ensemble.years,
        sobol_base,
        ensemble.seed,
        SOBOL_REPLICATIONS,
    )
    stage("the 2×2 matrix")
    matrix = futures_matrix(ensemble, baseline, matrix_drivers or top_drivers(sobol))
    stage("signposts")
    watch, _ = rank_signposts(ensemble, baseline)
    stage("example futures")
    named = tables[baseline]["named_future"]
    examples: list[tuple[int, str, str]] = []
    for future in reversed(GRAVITY):
        members = (named == future).to_numpy()
        if members.any() and len(examples) < EXAMPLES:
            index = typical_future(ensemble, baseline, members)
            examples.append((index, future, tell(ensemble, baseline, index)))
    stage("outcomes over time")
    timeline = outcomes_over_time(ensemble)
    fans = {v: fan(ensemble, v) for v in FAN_VARIABLES}
    stage("the backtest")
    history = load_history(None, ensemble.case, STATE_VARIABLES)
    return Findings(
        baseline=baseline,
        summary=summary,
        paired=paired,
        regret=chosen_regret,
        satisficing=chosen_satisficing,
        thresholds=limits,
        timeline=timeline,
        fans=fans,
        claims=claims,
        claims_skipped=skipped,
        boxes=boxes,
        sobol=sobol,
        matrix=matrix,
        watch_list=watch,
        examples=examples,
        backtest=backtest_history(ensemble.case, history, BACKTEST_FUTURES, ensemble.seed),
    )
