"""The page of a lever search (`alliance-futures search --output DIR` writes it as DIR/report.html): how the search
converged, the Pareto set re-run on fresh futures with intervals, the levers and objectives of every found package
in parallel coordinates, the trade-offs in words, and the placed packages among the found ones."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..analysis.outcomes import outcome_label
from ..analysis.robustness import PROBABILITIES
from ..analysis.search import OutOfSample, SearchResult, tradeoffs
from ..case import Policy
from ..case.schema import Conditions
from ..case.search import Objective, SearchSpec, Variable
from ..version import VERSION
from . import charts
from .html import _templates

SHOWN_LEVERS = 3  # the levers named for each objective, strongest rank correlation first
# Convergence in words (our convention): what the last quarter of the evaluations added; under 1% of the final
# hypervolume reads as levelling off
LAST_SHARE = 0.25
LEVELLED = 0.01


def search_html(
    result: SearchResult, spec: SearchSpec, variables: Sequence[Variable], placed: Sequence[Policy], command: str
) -> str:
    """The report of a finished search over `variables` (`SearchSpec.variables`); `command` repeats it."""
    objectives = spec.objectives
    checked = result.out_of_sample
    context: dict[str, Any] = {
        "version": VERSION,
        "spec": spec,
        "command": command,
        "vectors": spec.futures // spec.replications,
        "evaluated": len(result.archive),
        "feasible": int(result.archive["feasible"].sum()),
        "found": len(result.pareto),
        "convergence": convergence_text(result.convergence),
        "convergence_chart": charts.svg(charts.convergence_chart(result.convergence)),
        "objectives": [objective_words(o) for o in objectives],
        "terms": "; ".join(f"{term.replace('_', ' ')}: {_choice(value)}" for term, value in spec.fixed_terms().items()),
        "choices": [
            f"{v.name}: " + ", ".join(f"{i} {_choice(c)}" for i, c in enumerate(v.choices))
            for v in variables
            if v.choices is not None
        ],
        "rows": [],
        "bias": [],
        "parallel": "",
        "tradeoffs": [],
        "placement": [],
    }
    if checked is not None:
        estimates = checked.estimates
        context |= {
            "rows": _rows(estimates, objectives),
            "bias": _bias(checked),
            "parallel": charts.svg(
                charts.parallel_coordinates(_lines(result, variables, placed, estimates, objectives).dropna())
            ),
            "tradeoffs": _tradeoff_text(result.pareto, estimates, spec, objectives),
            "placement": _placement(checked, objectives, len(result.pareto)),
        }
    return _templates.get_template("search.html.j2").render(context)


def objective_words(objective: Objective) -> str:
    """An objective in words: 'rupture', 'war, regret against current course (percentile 90)'."""
    what = outcome_label(objective.outcome)
    if objective.statistic == "percentile":
        return f"{what}, percentile {objective.q:g} over worlds"
    if objective.statistic == "regret":
        against = Path(str(objective.against)).stem.replace("_", " ")
        return f"{what}, regret against {against} ({'mean' if objective.q is None else f'percentile {objective.q:g}'})"
    if objective.statistic == "satisficing":
        return f"share of worlds with {what} above {objective.max:g}"
    return what


def _share(objective: Objective) -> bool:
    """Whether the objective is a share (a probability, or a share of worlds), shown in percent."""
    return objective.statistic == "satisficing" or objective.outcome in PROBABILITIES


def _value(objective: Objective, x: float) -> str:
    """A share in percent, or a mean in its measure's unit (the US net cost in USD bn), to one decimal."""
    return f"{100 * x:.1f}%" if _share(objective) else f"{x:,.1f}"


def estimate_text(objective: Objective, row: Mapping[Hashable, Any] | pd.Series) -> str:
    """An out-of-sample estimate with its interval: '7.5% [4.1%, 13.4%]'."""
    return f"{_value(objective, row['estimate'])} [{_value(objective, row['lo'])}, {_value(objective, row['hi'])}]"


def convergence_text(convergence: pd.DataFrame) -> str:
    """How much of the final hypervolume the last quarter of the evaluations added, and, with ε-progress, how many
    ε-boxes it opened."""
    if convergence.empty or convergence["hypervolume"].iloc[-1] == 0:
        return "No feasible candidate was found, so there is no hypervolume to follow."
    total = convergence["evaluations"].iloc[-1]
    late = convergence["evaluations"] > (1 - LAST_SHARE) * total
    final = convergence["hypervolume"].iloc[-1]
    if late.all():
        return f"The hypervolume reached {final:.4f}; the search was too short to say whether it had levelled off."
    gain = (final - convergence["hypervolume"][~late].iloc[-1]) / final
    text = f"The hypervolume reached {final:.4f}; the last quarter of the evaluations added {gain:.1%} of it " + (
        "(still growing: a longer search may find better trade-offs)." if gain > LEVELLED else "(levelling off)."
    )
    if "epsilon_progress" in convergence:
        opened = int(convergence["epsilon_progress"][late].sum())
        text += (
            f" ε-progress: the last quarter opened {opened} ε-box(es) in the front, of "
            f"{int(convergence['epsilon_progress'].sum())} in all"
            + (" (none: no trade-off wider than the resolution was found late)." if not opened else ".")
        )
    return text


def _rows(estimates: pd.DataFrame, objectives: Sequence[Objective]) -> list[dict[str, Any]]:
    """The found packages, best first on the first objective: each objective's fresh estimate with its interval,
    and its in-sample value."""
    found = estimates[estimates["kind"] == "found"]
    first = found.xs(objectives[0].label, level="objective")["estimate"].sort_values()
    return [
        {
            "name": name,
            "cells": [
                (estimate_text(o, found.loc[(name, o.label)]), _value(o, found.loc[(name, o.label), "in_sample"]))
                for o in objectives
            ],
        }
        for name in first.index
    ]


def _bias(checked: OutOfSample) -> list[str]:
    """Per objective: how far the fresh futures moved the found packages' estimates on average, against how far they
    moved the placed ones', which the search did not select, and the difference, the selection's flattery, each with
    its interval (`analysis.search._shifts`); and for how many found packages the in-sample value lies outside the
    fresh interval."""
    lines = []
    for o in checked.objectives:
        shift = checked.shift.xs(o.label, level="objective")
        size = (lambda x: f"{100 * x:+.1f} points") if _share(o) else (lambda x: f"{x:+,.1f}")
        moved = {
            kind: f"{size(row['estimate'])} (95% interval {size(row['lo'])} to {size(row['hi'])})"
            for kind, row in shift.iterrows()
        }
        text = f"{objective_words(o)}: fresh minus in-sample, the found packages by {moved['found']} on average"
        if "flattery" in moved:
            flattery = shift.loc["flattery"]
            verdict = "" if flattery["lo"] > 0 or flattery["hi"] < 0 else ", not distinguishable from zero"
            text += f", the placed ones by {moved['placed']}; the selection's flattery, their difference, "
            text += f"{moved['flattery']}{verdict}"
        found = checked.estimates.xs(o.label, level="objective")
        found = found[found["kind"] == "found"]
        outside = int(((found["in_sample"] < found["lo"]) | (found["in_sample"] > found["hi"])).sum())
        text += f"; the in-sample value lies outside the fresh 95% interval for {outside} of {len(found)} found."
        lines.append(text)
    return lines


def _lines(
    result: SearchResult,
    variables: Sequence[Variable],
    placed: Sequence[Policy],
    estimates: pd.DataFrame,
    objectives: Sequence[Objective],
) -> pd.DataFrame:
    """The parallel coordinates' points: each searched lever and term (scaled over its bounds in the spec; a term by
    its choice's index) and each objective (fresh estimates, scaled over the found and placed packages), for the
    found and the placed packages (a lever a placed package does not set, or a choice not among the spec's, has no
    point)."""
    words = {o.label: objective_words(o) for o in objectives}
    rows: list[tuple[str, str, str, float]] = []
    for name, (_, chosen) in zip(_names(estimates, "found"), result.pareto.iterrows(), strict=True):
        rows += [(name, "found", v.name, float(chosen[v.name])) for v in variables]
    for name, package in zip(_names(estimates, "placed"), placed, strict=True):
        values = _placed_values(package)
        rows += [(name, "placed", v.name, _encoded(v, values[v.name])) for v in variables if v.name in values]
    for (name, objective), kind, estimate in zip(
        estimates.index, estimates["kind"], estimates["estimate"], strict=True
    ):
        rows.append((str(name), str(kind), words[str(objective)], float(estimate)))
    lines = pd.DataFrame(rows, columns=["package", "kind", "axis", "value"])
    low = {v.name: v.low for v in variables}
    high = {v.name: v.high for v in variables}
    for label in words.values():
        shown = lines.loc[lines["axis"] == label, "value"]
        low[label], high[label] = float(shown.min()), float(shown.max())
    span = (lines["axis"].map(high) - lines["axis"].map(low)).replace(0, 1)
    return lines.assign(scaled=(lines["value"] - lines["axis"].map(low)) / span)


def _choice(value: Any) -> str:
    """A term's choice in words: 'law', 'US internationalist', 'either government'."""
    if isinstance(value, Conditions):
        said = [f"{side.upper()} {who}" for side, who in value.model_dump().items() if who is not None]
        return " and ".join(said) or "either government"
    return str(value).replace("_", " ")


def _placed_values(package: Policy) -> dict[str, Any]:
    """A package's lever values and terms, by name."""
    values: dict[str, Any] = {name: float(setting.value) for name, setting in package.settings().items()}
    return values | {
        "start_year": package.start_year,
        "institutionalisation": package.institutionalisation,
        "conditions": package.conditions,
    }


def _encoded(variable: Variable, value: Any) -> float:
    """A value as the search's number for it: a choice's index (NaN if not among them), or the value itself."""
    if variable.choices is None:
        return float(value)
    return float(variable.choices.index(value)) if value in variable.choices else float("nan")


def _names(estimates: pd.DataFrame, kind: str) -> list[str]:
    """The found or the placed packages of an out-of-sample table, in its order."""
    return list(dict.fromkeys(estimates[estimates["kind"] == kind].index.get_level_values("package")))


def _rho(row: Mapping[str, float]) -> str:
    return f"ρ = {row['rho']:+.2f} [{row['lo']:+.2f}, {row['hi']:+.2f}]"


def _tradeoff_text(
    pareto: pd.DataFrame, estimates: pd.DataFrame, spec: SearchSpec, objectives: Sequence[Objective]
) -> list[str]:
    """The trade-offs among the found packages in words: for each pair of objectives, whether lower on one comes
    with higher on the other (a rank correlation whose interval lies below 0), the two fall together, or neither
    can be told; then, for each objective, the levers whose settings go with it beyond noise."""
    found = estimates[estimates["kind"] == "found"]["estimate"].unstack("objective")
    labels = [objective_words(o) for o in objectives]
    values = found.loc[_names(estimates, "found"), [o.label for o in objectives]].set_axis(labels, axis=1)
    values = values.join(pareto[list(spec.searched)].set_axis(values.index))
    table = tradeoffs(values)
    cells: dict[tuple[str, str], dict[str, float]] = table.to_dict("index")  # type: ignore[assignment]
    if table["rho"].isna().all():
        return [f"Too few found packages ({len(values)}) to read trade-offs from: a rank correlation needs four."]
    lines = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            row = cells[(a, b)]
            if row["hi"] < 0:
                lines.append(f"Trade-off: the found packages lower on {a} are higher on {b} ({_rho(row)}).")
            elif row["lo"] > 0:
                lines.append(f"No trade-off: {a} and {b} fall together across the found packages ({_rho(row)}).")
            else:
                lines.append(f"{a} and {b}: no relation distinguishable from zero ({_rho(row)}).")
    for a in labels:
        clear = [lever for lever in spec.searched if cells[(a, lever)]["hi"] < 0 or cells[(a, lever)]["lo"] > 0]
        if not clear:
            lines.append(f"{a}: no lever's setting goes with it beyond noise across the found packages.")
            continue
        strongest = sorted(clear, key=lambda lever: -abs(cells[(a, lever)]["rho"]))[:SHOWN_LEVERS]
        said = [
            f"{'higher' if cells[(a, lever)]['rho'] < 0 else 'lower'} {lever} ({_rho(cells[(a, lever)])})"
            for lever in strongest
        ]
        lines.append(f"Lower {a} goes with " + "; ".join(said) + ".")
    return lines


def _placement(checked: OutOfSample, objectives: Sequence[Objective], found: int) -> list[dict[str, Any]]:
    """Each placed package: its objectives on the fresh futures, and how many found packages beat it."""
    verdicts = placement_text(checked, found)
    return [
        {
            "name": str(name).replace("_", " "),
            "cells": [estimate_text(o, checked.estimates.loc[(name, o.label)]) for o in objectives],
            "verdict": verdict,
        }
        for name, verdict in zip(checked.placement.index, verdicts, strict=True)
    ]


def placement_text(checked: OutOfSample, found: int) -> list[str]:
    """For each placed package, in words: how many of the `found` packages beat it by point estimate and beyond
    noise."""
    lines = []
    for name, row in checked.placement.iterrows():
        beyond, chance = int(row["beaten_beyond_noise_by"]), float(row["expected_by_chance"])
        said = (
            f" ({_some(row['beaten_beyond_noise_by_names'].split(', '))}); about {chance:.1f} would be by chance "
            "alone were none different from it" + (", so no more than chance gives." if beyond <= chance else ".")
            if beyond
            else ": no found package is distinguishable from it as an improvement."
        )
        lines.append(
            f"{str(name).replace('_', ' ')}: {int(row['dominated_by'])} of the {found} found packages do better on "
            f"every objective by point estimate; {beyond} are better beyond noise on one objective at least and "
            f"worse beyond noise on none{said}"
        )
    return lines


def _some(names: Sequence[str], shown: int = 8) -> str:
    """The first `shown` names, and how many more."""
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")
