"""Write the tables that the README and docs/backtest.md, elicitation.md and nowcasting.md quote, from runs anyone
can repeat.

    python docs/tables.py          # rewrite the tables in README.md and those pages
    python docs/tables.py --check  # exit 1 if any table is not what the runs give

Each table sits between '<!-- begin NAME: docs/tables.py -->' and '<!-- end NAME -->'. The README's come from a
default run (the built-in case, all six packages, 10,000 futures: 1,000 parameter vectors × 10 replications, 20
years, seed 1953) as `alliance-futures run` and `alliance-futures claims` print them; docs/backtest.md's from
`alliance-futures backtest --format json` and `--sensitivity` (5,000 futures, seed 1953) and from the history's
codings; docs/elicitation.md's from the synthetic study in docs/examples, through `elicit score` and `elicit apply`,
and default runs of the baseline package on the built-in case and on the case the study gives; docs/nowcasting.md's
from `alliance-futures update` of a default run with the illustrative log in docs/examples, and its posterior run.
tests/test_docs.py checks that the pages hold this script's output.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

import alliance_futures as af
from alliance_futures import api
from alliance_futures.analysis.outcomes import row_label
from alliance_futures.cli import claims_table, comparison_table, distribution_text, update_tables, window_cell

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BACKTEST = ROOT / "docs" / "backtest.md"
ELICITATION = ROOT / "docs" / "elicitation.md"
NOWCASTING = ROOT / "docs" / "nowcasting.md"
EXAMPLE_STUDY = ROOT / "docs" / "examples" / "synthetic-study.yaml"
EXAMPLE_LOG = ROOT / "docs" / "examples" / "illustrative-observations.yaml"
WIDTH = 150  # columns the text tables are laid out in; README code blocks scroll sideways beyond that
BACKTEST_FUTURES = 5_000


def block(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- begin {name}: docs/tables\.py -->\n)(.*?)(<!-- end {name} -->)", re.S)


def plain(table: Table) -> str:
    console = Console(width=WIDTH, file=io.StringIO(), color_system=None, record=True)
    console.print(table)
    text = "\n".join(line.rstrip() for line in console.export_text().splitlines()).strip("\n")
    return f"```text\n{text}\n```\n"


@cache
def default_run() -> af.Ensemble:
    """A default run (every table that quotes one quotes the same)."""
    return af.run()


def readme_tables() -> dict[str, str]:
    """The tables a default `alliance-futures run` and `alliance-futures claims` on it print, as plain text."""
    ensemble = default_run()
    summary = af.analysis.summary_json(af.outcome_tables(ensemble), ensemble.replications)
    first = int(ensemble.calendar_years[0])
    run = comparison_table(summary, ensemble.futures, ensemble.years, first, ensemble.replications)
    return {"default-run table": plain(run), "claims table": plain(claims_table(af.claims(ensemble)))}


def markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = [header, ["---"] * len(header), *rows]
    return "".join("| " + " | ".join(cell.replace("|", "/") for cell in line) + " |\n" for line in lines)


def interval(score: dict[str, Any]) -> str:
    return f"{score['value']:+.2f} ({score['lo']:.2f} to {score['hi']:.2f})"


def backtest_tables() -> dict[str, str]:
    """The scores of `alliance-futures backtest --format json`, the history's analyst codings with their rules and
    evidence, and what `--sensitivity` finds, as Markdown tables."""
    scores = api.backtest(futures=BACKTEST_FUTURES, seed=api.DEFAULT_SEED).as_json()["events"]
    references = ("base_rate", "persistence", "logistic")
    results = []
    for kind, s in scores.items():
        lo, hi = s["brier_model_ci"]
        auc = "–" if s["auc"] is None else f"{s['auc']:.2f} ({s['auc_ci'][0]:.2f}–{s['auc_ci'][1]:.2f})"
        results.append(
            [
                kind,
                f"{s['brier_model']:.4f} ({lo:.4f}–{hi:.4f})",
                *(f"{s['baselines'][r]['brier']:.4f}" for r in references),
                *(interval(s["baselines"][r]["brier_skill"]) for r in references),
                interval(s["ahead"]["brier_skill"]["base_rate"]),
                auc,
                s["verdict"],
            ]
        )
    header = ["kind", "Brier, model", *(f"Brier, {r.replace('_', ' ')}" for r in references)]
    header += [*(f"skill vs {r.replace('_', ' ')}" for r in references), "start of year: skill vs base rate"]
    header += ["AUC", "verdict"]

    parts = ("reliability", "resolution", "uncertainty")
    murphy = [
        [kind, f"{s['brier_model']:.4f}"]
        + [f"{s['murphy'][p]['value']:.4f} ({s['murphy'][p]['lo']:.4f}–{s['murphy'][p]['hi']:.4f})" for p in parts]
        for kind, s in scores.items()
    ]

    case = api.load_case()
    history = api.load_history(None, case, api.STATE_VARIABLES)
    windows = [[kind] + [window_cell(s["windows"][w.name]) for w in history.windows] for kind, s in scores.items()]
    codings = [
        [f"{term.leader} ({term.start.year})", term.orientation, term.rule, term.evidence]
        for terms in history.administrations.values()
        for term in terms
    ]
    codings += [
        [f"{name} {point.year}", f"{point.value:g}", series.rule, point.evidence or ""]
        for name, series in history.series.items()
        if series.rule is not None
        for point in series.points
    ]

    flips = api.backtest_sensitivity(case, None, BACKTEST_FUTURES, api.DEFAULT_SEED)["kinds"]
    sensitivity = []
    for kind, s in flips.items():
        span, auc_span = s["brier_skill_range"], s["auc_range"]
        coded_auc = s["as_coded"]["auc"]
        changes = "; ".join(f"{c['verdict']} if {c['coding']}" for c in s["verdict_changes"]) or "none"
        sensitivity.append(
            [
                kind,
                f"{s['as_coded']['brier_skill']:+.2f}",
                f"{span[0]:+.2f} to {span[1]:+.2f}",
                "–" if coded_auc is None else f"{coded_auc:.2f}",
                "–" if auc_span is None else f"{auc_span[0]:.2f} to {auc_span[1]:.2f}",
                s["verdict"],
                changes,
            ]
        )
    reversals = next(iter(flips.values()))["flips"]
    return {
        "backtest results": markdown(header, results),
        "murphy": markdown(["kind", "Brier, model", *parts], murphy),
        "windows": markdown(["kind", *(f"{w.name} ({w.first_year}–{w.last_year})" for w in history.windows)], windows),
        "codings": markdown(["row", "coded as", "rule", "evidence"], codings),
        "coding sensitivity": markdown(
            [
                "kind",
                "skill vs base rate, as coded",
                f"over the {reversals} reversals",
                "AUC, as coded",
                "AUC over the reversals",
                "verdict as coded",
                "reversals that change the verdict",
            ],
            sensitivity,
        ),
    }


def elicitation_tables() -> dict[str, str]:
    """The synthetic study's scores, the parameters `elicit apply` writes from it, and what they change in a default
    run of the baseline package (the same seed, so the same points of the unit cube: the futures are paired)."""
    scores = api.elicitation_scores(EXAMPLE_STUDY)
    experts = [
        [name, f"{s['calibration']:.3g}", f"{s['information_seed']:.3g}", f"{s['weight']:.3f}"]
        for name, s in scores["experts"].items()
    ]
    makers = [
        [kind, f"{s['calibration']:.3g}", f"{s['information_seed']:.3g}", f"{s['combined']:.3g}"]
        for kind, s in scores["decision_makers"].items()
    ]
    baseline = api.load_case().baseline
    with tempfile.TemporaryDirectory() as folder:
        elicited = Path(folder) / "elicited.yaml"
        applied = api.elicit_apply(EXAMPLE_STUDY, api.BUILTIN_CASE, elicited)
        runs = {"built-in": af.run(policies=[baseline]), "elicited": af.run(elicited, policies=[baseline])}
    parameters = [
        [name, distribution_text(change["before"]), distribution_text(change["after"])]
        for name, change in applied["parameters"].items()
    ]
    tables = {label: af.outcome_tables(e)[baseline] for label, e in runs.items()}
    k = runs["built-in"].replications
    summary = af.analysis.summary_json(tables, k)
    first = int(runs["built-in"].calendar_years[0])
    side_by_side = comparison_table(summary, runs["built-in"].futures, runs["built-in"].years, first, k)
    paired = af.analysis.paired_differences(tables, "built-in", clusters=k).loc["elicited"]
    differences = []
    for outcome, d in paired.iterrows():
        scale, unit = (1, " USD bn") if outcome == "us_net_cost" else (100, " points")
        verdict = (
            "not distinguishable from zero" if d["lo"] <= 0 <= d["hi"] else ("up" if d["difference"] > 0 else "down")
        )
        interval = f"{scale * d['difference']:+.1f}{unit} ({scale * d['lo']:+.1f} to {scale * d['hi']:+.1f})"
        differences.append([row_label(str(outcome)), interval, verdict])
    return {
        "elicitation experts": markdown(["expert", "calibration", "information (seed)", "weight"], experts),
        "elicitation decision makers": markdown(
            ["decision maker", "calibration", "information (seed)", "combined"], makers
        ),
        "elicited parameters": markdown(["parameter", "built-in", "from the study"], parameters),
        "elicited run": plain(side_by_side),
        "elicited differences": markdown(["outcome", "elicited minus built-in (95% interval)", "reading"], differences),
    }


def nowcasting_tables() -> dict[str, str]:
    """What `alliance-futures update` prints for a default run and the illustrative log, and the comparison
    `alliance-futures run` would print for the posterior run `--output` saves."""
    ensemble = default_run()
    said = api.update_json(api.update(ensemble, EXAMPLE_LOG))
    before_after, moved = update_tables(said, 10)
    with tempfile.TemporaryDirectory() as folder:
        api.update(ensemble, EXAMPLE_LOG, output=Path(folder) / "posterior")
        posterior = af.load_run(Path(folder) / "posterior").ensemble()
    summary = af.analysis.summary_json(af.outcome_tables(posterior), posterior.clusters)
    first = int(posterior.calendar_years[0])
    run = comparison_table(summary, posterior.futures, posterior.years, first, posterior.replications)
    return {"update before after": plain(before_after), "update parameters": plain(moved), "posterior run": plain(run)}


PAGES: dict[Path, Callable[[], dict[str, str]]] = {
    README: readme_tables,
    BACKTEST: backtest_tables,
    ELICITATION: elicitation_tables,
    NOWCASTING: nowcasting_tables,
}


def quoted(text: str, page: Path, name: str) -> str:
    found = block(name).search(text)
    if found is None:
        raise SystemExit(f"{page}: no '<!-- begin {name}: docs/tables.py -->' … '<!-- end {name} -->' block")
    return found.group(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    for page, make in PAGES.items():
        text, tables = page.read_text(encoding="utf-8"), make()
        if args.check:
            if any(quoted(text, page, name) != table for name, table in tables.items()):
                sys.exit(1)
            continue
        for name, table in tables.items():
            quoted(text, page, name)  # refuse a page without the block before writing anything
            text = block(name).sub(lambda m, t=table: m.group(1) + t + m.group(3), text)
        page.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
