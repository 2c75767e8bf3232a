"""The HTML report: one self-contained file (styles and charts inline, no script, no network) that opens offline and
prints, built from the findings of `analysis.analyse` and the case as simulated."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import numpy as np

from ..analysis import FUTURE_PREFIX, NAMED_FUTURES
from ..analysis.backtest import Backtest
from ..analysis.claims import UNITS, VERBS, share_text
from ..analysis.compare import GRAVITY
from ..analysis.findings import FAN_VARIABLES, Findings
from ..analysis.matrix import driver_label
from ..analysis.nowcast import before_after
from ..analysis.outcomes import SUMMARY_KEYS, outcome_label, row_label, significant
from ..analysis.sensitivity import influence, told_apart
from ..analysis.signposts import watch_years
from ..analysis.skill import BLOCK_YEARS
from ..case import Parameter, Policy
from ..case.loader import CITATION, CITATIONS, cited_keys, load_bibliography
from ..case.observations import Observation
from ..case.schema import Documented
from ..engine import Ensemble
from ..store.files import write_whole
from ..version import VERSION
from . import charts

SECTIONS = (
    ("comparison", "Comparison"),
    ("claims", "Claims"),
    ("over-time", "Over time"),
    ("discovery", "Scenario discovery"),
    ("sensitivity", "Sensitivity"),
    ("judgement", "Expert judgement"),  # only where the case has parameters given by quantiles
    ("matrix", "2×2 matrix"),
    ("signposts", "Signposts"),
    ("narratives", "Example futures"),
    ("backtest", "Backtest"),
    ("appendix", "Assumptions"),
)
EVIDENCE_PARAMETERS = 10  # the parameters listed as the evidence moved them, most moved first
CHARTED = ("rupture", "nuclear_pursuit", "war", "drawdown")  # outcomes drawn over time and as paired differences
# Shown red when a package makes them more likely, green when less (or the reverse for GOOD); the others uncoloured.
BAD = {"rupture", "nuclear_pursuit", "frequent_incidents", "war", "war_without_us", "nuclear_use"} | {
    FUTURE_PREFIX + k for k in GRAVITY
}
GOOD = {FUTURE_PREFIX + "transformed_alliance", FUTURE_PREFIX + "managed_continuity"}
VERDICT_TONE = {"skill": "down", "worse than base rate": "up"}  # the colours of a good and a bad change
BACKTEST_SERIES = {
    "credibility": "credibility of the US commitment",
    "public_support": "public support for nuclear weapons",
    "termination_hazard": "treaty-notice hazard",
    "war_hazard": "war hazard",
}
FAN_TITLES = {
    "credibility": "Credibility of the US commitment (share)",
    "public_support": "South Koreans wanting their own nuclear weapons (share)",
    "troops": "USFK troops",
}

_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("alliance_futures", "report/templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def _cite(text: str) -> markupsafe.Markup:
    """A source text, escaped, with each [@key] citation linked to its entry in the appendix's references (a key
    the bibliography does not hold stays plain text)."""
    known = load_bibliography()

    def link(group: re.Match[str]) -> str:
        keys = CITATION.findall(group.group(1))
        return "[" + "; ".join(f'<a href="#ref-{k}">{k}</a>' if k in known else k for k in keys) + "]"

    return markupsafe.Markup(CITATIONS.sub(link, str(markupsafe.escape(text))))


_templates.filters["cite"] = _cite


def _command(text: str) -> markupsafe.Markup:
    """A command to repeat, escaped, its words kept whole: a line may break between them, never at an option's
    hyphen."""
    words = (f'<span class="word">{markupsafe.escape(word)}</span>' for word in text.split(" "))
    return markupsafe.Markup(" ".join(words))


_templates.filters["command"] = _command


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _comparison(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    packages = list(summary["packages"])
    rows = [
        {
            "label": row_label(k),
            "end": i == len(NAMED_FUTURES) - 1,
            "cells": [
                {"value": _pct(c["p"]), "lo": _pct(c["lo"]), "hi": _pct(c["hi"])}
                for c in (summary["packages"][p][k] for p in packages)
            ],
        }
        for i, k in enumerate(SUMMARY_KEYS)
    ]
    costs = [summary["us_net_cost_usd_bn"][p] for p in packages]
    rows.append(
        {
            "label": "US net cost, USD bn (mean)",
            "end": False,
            "cells": [{"value": f"{c['mean']:.1f}", "lo": f"{c['lo']:.1f}", "hi": f"{c['hi']:.1f}"} for c in costs],
        }
    )
    return rows


def _paired(findings: Findings) -> dict[str, Any] | None:
    if findings.paired.empty:
        return None
    table = findings.paired
    packages = list(dict.fromkeys(table.index.get_level_values("package")))
    rows = []
    for key in dict.fromkeys(table.index.get_level_values("outcome")):
        scale = 1.0 if key == "us_net_cost" else 100.0
        cells = []
        for p in packages:
            d, lo, hi = (scale * float(table.loc[(p, key), c]) for c in ("difference", "lo", "hi"))
            direction = 1 if lo > 0 else -1 if hi < 0 else 0  # 0: the interval includes zero
            sign = 1 if key in BAD else -1 if key in GOOD else 0
            tone = {1: "up", -1: "down"}.get(direction * sign, "")
            cells.append({"value": f"{d:+.1f}", "lo": f"{lo:+.1f}", "hi": f"{hi:+.1f}", "tone": tone})
        label = "US net cost, USD bn" if key == "us_net_cost" else row_label(key)
        rows.append({"label": label, "cells": cells})
    return {"packages": packages, "rows": rows}


def _robustness(findings: Findings) -> list[dict[str, str]]:
    out = []
    for package, r in findings.regret.iterrows():
        s = findings.satisficing.loc[str(package)]
        out.append(
            {
                "package": str(package),
                "mean": f"{r['mean_regret']:.2f}",
                "p90": f"{r['p90_regret']:.0f}",
                "best": f"{100 * r['share_best']:.0f}%",
                "share": f"{100 * s['share']:.1f}%",
                "lo": f"{100 * s['lo']:.1f}",
                "hi": f"{100 * s['hi']:.1f}",
            }
        )
    return out


def _claims(findings: Findings) -> list[dict[str, str]]:
    out = []
    for r in findings.claims:
        c = r.claim
        scale, unit = (1.0, "USD bn") if c.outcome in UNITS else (100.0, "points")
        out.append(
            {
                "name": r.name,
                "seed": c.seed,
                "sentence": c.sentence,
                "effect": f"{c.package} {VERBS[c.direction][0]} {outcome_label(c.outcome)} against {c.baseline}",
                "mechanism": c.mechanism or "",
                "difference": f"{scale * r.difference:+.1f} {unit}",
                "lo": f"{scale * r.lo:+.1f}",
                "hi": f"{scale * r.hi:+.1f}",
                "verdict": r.verdict,
                "holds": share_text(r.share_holds, r.holds_interval),
                "fails": share_text(r.share_fails, r.fails_interval),
                "fails_where": r.fails_where() or "It holds or shows no difference in every parameter vector.",
            }
        )
    return out


def _boxes(findings: Findings, ensemble: Ensemble) -> list[dict[str, Any]]:
    out = []
    for box in findings.boxes:
        out.append(
            {
                "title": outcome_label(box.outcome).capitalize(),
                "sentence": box.sentence(),
                "limits": [
                    {
                        "name": name,
                        "meaning": driver_label(ensemble, name),
                        "lo": "" if lo is None else f"{lo:.3g}",
                        "hi": "" if hi is None else f"{hi:.3g}",
                    }
                    for name, (lo, hi) in box.limits.items()
                ],
                "coverage": f"{box.coverage:.0%}",
                "density": f"{box.density:.0%}",
                "base_rate": f"{box.base_rate:.0%}",
                "mass": f"{box.mass:.0%}",
                "lift": f"{box.lift:.1f}",
                "heldout": "not checked"
                if box.heldout_lift is None
                else "{:.1f} ({:.1f}–{:.1f})".format(*box.heldout_lift),
            }
        )
    return out


def _matrix(findings: Findings, chosen: bool) -> dict[str, Any]:
    m = findings.matrix
    why = (
        "The two drivers were chosen by the analyst."
        if chosen
        else "The two drivers are the parameters with the largest total Sobol indices summed over the outcomes above."
    )
    cells = {q.high: q for q in m.quadrants}
    rows = []
    for high0 in (True, False):
        row = []
        for high1 in (True, False):
            q = cells[(high0, high1)]
            top = sorted(q.rates.items(), key=lambda kv: -kv[1])[:3]
            row.append(
                {
                    "probability": f"{q.probability:.0%}",
                    "rates": [(NAMED_FUTURES[k], f"{v:.0%}") for k, v in top],
                    "typical": q.typical,
                    "typical_future": NAMED_FUTURES.get(q.typical_future, "none"),
                    "narrative": q.narrative,
                    "contrast": q.contrast(),
                }
            )
        rows.append({"label": m.side(0, high0), "cells": row})
    return {"why": why, "columns": [m.side(1, True), m.side(1, False)], "rows": rows}


def _signposts(findings: Findings, ensemble: Ensemble) -> list[dict[str, str]]:
    def ratio(row: Any, future: str) -> str:
        return f"{NAMED_FUTURES[future]} ({row['lr_' + future]:.2f})"

    out = []
    for name, row in findings.watch_list.iterrows():
        defined = row["points_to"] == row["points_to"]  # NaN when never or always seen
        out.append(
            {
                "name": str(name),
                "meaning": ensemble.case.signposts[str(name)].meaning,
                "seen": f"{row['seen']:.0%}",
                "to": ratio(row, row["points_to"]) if defined else "",
                "away": ratio(row, row["points_away_from"]) if defined else "",
                "strength": f"{row['strength']:.2f}" if defined else "",
            }
        )
    return out


def _with_interval(value: float | None, ci: list[float] | None, digits: int, sign: str = "") -> dict[str, str]:
    if value is None:
        return {"value": "–", "ci": ""}
    interval = "" if ci is None else f"{ci[0]:.{digits}f} to {ci[1]:.{digits}f}"
    return {"value": f"{value:{sign}.{digits}f}", "ci": interval}


def _backtest(result: Backtest) -> dict[str, Any]:
    """The score table and charts of the backtest section."""
    history = result.replay.history
    years = result.replay.calendar_years
    rows = []
    for kind, row in result.as_json()["events"].items():
        spec = history.kinds[kind]
        rows.append(
            {
                "kind": kind.replace("_", " "),
                "meaning": spec.meaning,
                "window": f"{spec.first_year}–{spec.last_year}",
                "years": ", ".join(
                    str(y) for y in sorted(history.event_years[kind]) if spec.first_year <= y <= spec.last_year
                ),
                "brier_model": _with_interval(row["brier_model"], row["brier_model_ci"], 4),
                "brier_base": f"{row['brier_base']:.4f}",
                "skills": [
                    _with_interval(b["brier_skill"]["value"], [b["brier_skill"]["lo"], b["brier_skill"]["hi"]], 2, "+")
                    for b in row["baselines"].values()
                ],
                "ahead": _with_interval(
                    row["ahead"]["brier_skill"]["base_rate"]["value"],
                    [row["ahead"]["brier_skill"]["base_rate"]["lo"], row["ahead"]["brier_skill"]["base_rate"]["hi"]],
                    2,
                    "+",
                ),
                "auc": _with_interval(row["auc"], row["auc_ci"], 2),
                "murphy": {
                    part: _with_interval(m["value"], [m["lo"], m["hi"]], 4) for part, m in row["murphy"].items()
                },
                "windows": [_window_text(row["windows"][w.name]) for w in history.windows],
                "carried_by": ", ".join(row["carried_by"]),
                "verdict": row["verdict"],
                "tone": VERDICT_TONE.get(row["verdict"], ""),
            }
        )
    references = next(iter(result.scores.values()))["baselines"]
    return {
        "futures_text": f"{len(result.replay.experiments):,}",
        "first_year": int(years[0]),
        "last_year": int(years[-1]),
        "references": [name.replace("_", " ") for name in references],
        "windows": [f"{w.name} ({w.first_year}–{w.last_year})" for w in history.windows],
        "block_years": BLOCK_YEARS,
        "scores": rows,
        "events_svg": charts.svg(charts.backtest_events(result.bands, result.events, history)),
        "reliability_svg": charts.svg(charts.backtest_reliability(result.reliability())),
        "series_svg": charts.svg(charts.backtest_series(result.bands, BACKTEST_SERIES)),
    }


def _window_text(score: dict[str, Any] | None) -> dict[str, str]:
    """A kind's scores in one window: skill against the window's base rate, AUC, event years ('not scored' if the
    kind is not scored there)."""
    if score is None:
        return {"value": "not scored", "ci": "", "note": ""}
    skill_score = score["brier_skill"]
    shown = _with_interval(skill_score["value"], [skill_score["lo"], skill_score["hi"]], 2, "+")
    auc = "–" if score["auc"] is None else f"{score['auc']:.2f}"
    first, last = score["years"]
    return {
        "value": shown["value"],
        "ci": shown["ci"],
        "note": f"AUC {auc}; {score['n_event_years']} of {last - first + 1} years",
    }


def _adoption_text(policy: Policy) -> str:
    """' Seeks: law. Adopted by: US internationalist 0.2, transactional 0.5; … (reasoning).', or '' for a package
    with no levers."""
    if policy.adoption is None or not policy.settings():
        return ""
    chances = policy.adoption.model_dump(exclude={"source"})
    sides = "; ".join(
        f"{side.upper()} " + ", ".join(f"{k} {v:g}" for k, v in by.items()) for side, by in chances.items() if by
    )
    level = policy.institutionalisation.replace("_", " ")
    return f" Seeks: {level}. Adopted by: {sides} ({policy.adoption.source})"


DISTRIBUTION_NOTES = {
    "loguniform": " (log-uniform)",
    "piecewise_uniform": " (uniform between quantiles)",
    "piecewise_loguniform": " (log-uniform between quantiles)",
}


def _value(p: Parameter) -> str:
    """A parameter's value, range (with its quantiles) or forms, as the report writes it."""
    if p.choices is not None:
        forms = list(p.choices)
        return " or ".join(forms) + " (each drawn equally)" if p.range is not None else forms[int(p.value or 0)]
    if p.range is not None:
        value = f"{p.range[0]:g} to {p.range[1]:g}" + DISTRIBUTION_NOTES.get(p.distribution, "")
        if p.quantiles is not None:
            value += ": " + ", ".join(f"{level:g}% {x:g}" for level, x in p.quantiles.items())
        return value
    return f"{p.value:g}"


def _judgement(findings: Findings, ensemble: Ensemble) -> list[dict[str, Any]]:
    """The section 'Parameters set by expert judgement': each parameter sampled from quantiles (a decision maker's,
    written by `alliance-futures elicit apply`), and how much it drives each outcome of the Sobol analysis. (Keys
    that a dict's methods shadow in the template, such as 'clear' or 'items', are avoided.)"""
    quantiled = {n: p for n, p in ensemble.case.flat_parameters().items() if p.quantiles is not None and p.range}
    if not quantiled:
        return []
    table = influence(findings.sobol, list(quantiled))
    rows = []
    for name, p in quantiled.items():
        cells = []
        for output, row in table.loc[name].iterrows():
            said = f"{row['ST']:.2f} ± {row['ST_conf']:.2f}, rank {row['rank']} of {row['of']}"
            cells.append({"output": outcome_label(str(output)), "text": said, "distinct": bool(row["told_apart"])})
        rows.append({"name": name, "meaning": p.meaning, "value": _value(p), "source": p.source, "cells": cells})
    return rows


def _appendix(ensemble: Ensemble) -> dict[str, Any]:
    case = ensemble.case
    parameters = []
    for name, p in case.flat_parameters().items():
        source = p.source
        if p.choices is not None:
            source += " " + " ".join(f"{form}: {why}" for form, why in p.choices.items())
        parameters.append({"name": name, "value": _value(p), "unit": p.unit, "meaning": p.meaning, "source": source})

    def rows(items: Mapping[str, Any], value: Any) -> list[dict[str, str]]:
        return [
            {"name": n, "value": value(q), "unit": q.unit, "meaning": q.meaning, "source": q.source}
            for n, q in items.items()
        ]

    groups = [
        {"title": "Initial state", "rows": rows(case.initial, lambda q: f"{q.value:g}")},
        {
            "title": "Thresholds of the outcomes and named futures",
            "rows": rows(case.thresholds, lambda q: f"{q.value:g}"),
        },
        {
            "title": "Base rates the start-year hazards are checked against (alliance-futures calibrate)",
            "rows": rows(case.base_rates, lambda q: f"{q.value:g} ({q.low:g}–{q.high:g})"),
        },
        {
            "title": "Levers: what each government does when no package sets them",
            "rows": rows(case.levers, lambda q: ", ".join(f"{k} {v:g}" for k, v in q.defaults.items())),
        },
        {
            "title": "Signposts",
            "rows": rows(
                case.signposts,
                lambda s: f"{s.variable} ≥ {s.above:g}" if s.above is not None else f"{s.variable} ≤ {s.below:g}",
            ),
        },
    ]
    policies = [
        {
            "name": name,
            "description": p.description,
            "levers": ", ".join(f"{k} {s.value:g}" for k, s in p.settings().items()) or "none (the defaults)",
            "source": p.source + _adoption_text(p),
        }
        for name, p in ensemble.policies.items()
    ]
    documented: list[Documented] = [
        *case.initial.values(),
        *case.thresholds.values(),
        *case.base_rates.values(),
        *case.levers.values(),
        *case.signposts.values(),
    ]
    texts = [row["source"] for row in (*parameters, *policies)] + [item.source for item in documented]
    bibliography = load_bibliography()
    keys = sorted({key for text in texts for key in cited_keys(text) if key in bibliography})
    references = [{"key": key, "text": bibliography[key].cite(), "url": bibliography[key].url} for key in keys]
    return {
        "case_title": case.title,
        "parameters": parameters,
        "groups": groups,
        "policies": policies,
        "references": references,
    }


@dataclass(frozen=True)
class Evidence:
    """What a posterior run (`alliance-futures update --output`) was made from: the observations, and the update
    as `update --format json` gives it (its run.json's `evidence`)."""

    observations: Sequence[Observation]
    update: Mapping[str, Any]
    through: int  # the last observed year: the posterior's futures part after it


@dataclass(frozen=True)
class ReportOptions:
    """What the report says of how it was made, beyond the findings and the ensemble."""

    command: str  # how a reader repeats the run: a command line, or the service's request
    sobol_base: int  # the Saltelli design's base N behind the Sobol indices
    drivers_chosen: bool = False  # the 2×2 matrix's drivers were the analyst's, not the top two by Sobol index
    evidence: Evidence | None = None  # for a posterior run
    sample_of: int | None = None  # the run's futures, where the report analyses its first ones


def _observed(o: Observation) -> str:
    """One observation in words."""
    if o.indicator is not None:
        return f"{o.indicator.replace('_', ' ')} measured at {o.value:g} (standard error {o.sd:g})"
    seen = "reported seen" if o.seen else "reported not seen"
    return f"signpost {o.signpost}: {seen} (false alarms {o.false_alarm:.0%}, misses {o.miss:.0%})"


def _evidence(evidence: Evidence | None, ensemble: Ensemble) -> dict[str, Any] | None:
    """The section 'What the evidence says': the observations, the before and after of every outcome in each
    package, the effective number of futures left, and the parameters the evidence moved most."""
    if evidence is None:
        return None
    said = evidence.update
    packages = said["packages"]
    distinct = len(np.unique(ensemble.branches[-1].source)) if ensemble.branches else ensemble.futures
    vectors = _distinct_vectors(ensemble)
    return {
        "observations": [
            {"year": o.year, "what": _observed(o), "source": o.source}
            for o in sorted(evidence.observations, key=lambda o: o.year)
        ],
        "packages": [p.replace("_", " ") for p in packages],
        "rows": [
            {"label": row_label(outcome), "cells": [before_after(outcome, rows[outcome]) for rows in packages.values()]}
            for outcome in next(iter(packages.values()))
        ],
        "ess": [
            {"package": p, "ess": f"{e:,.0f}", "vectors": f"{said['vector_ess_by_package'][p]:,.0f}"}
            for p, e in said["ess_by_package"].items()
        ],
        "futures": f"{said['futures']:,}",
        "shared": said["shared_weights"],
        "followed": said["followed"],
        "followed_ess": f"{said['ess_by_package'][said['followed']]:,.0f}",
        "followed_vectors": f"{said['vector_ess_by_package'][said['followed']]:,.0f}",
        "through": evidence.through,
        "distinct": f"{distinct:,}",
        "vectors": f"{vectors:,}",
        "warnings": said["warnings"],
        "parameters": [
            {
                "name": r["name"],
                "prior": significant(r["prior_mean"]),
                "posterior": significant(r["posterior_mean"]),
                "shift": significant(r["shift"]),
                "range": f"{significant(r['p05'])}–{significant(r['p95'])}",
            }
            for r in said["parameters"][:EVIDENCE_PARAMETERS]
        ],
    }


def _design_text(ensemble: Ensemble) -> str:
    if ensemble.branches:
        return (
            f"resampled by the evidence from an earlier run's: {_distinct_vectors(ensemble):,} distinct parameter "
            "vectors"
        )
    if ensemble.replications > 1:
        return f"{ensemble.vectors:,} parameter vectors × {ensemble.replications} replications"
    return f"{ensemble.vectors:,} parameter vectors, one future each"


def _distinct_vectors(ensemble: Ensemble) -> int:
    clusters = ensemble.clusters
    return int(np.max(clusters)) + 1 if isinstance(clusters, np.ndarray) else ensemble.vectors


def render(findings: Findings, ensemble: Ensemble, options: ReportOptions) -> str:
    """The report as one HTML document."""
    years = ensemble.calendar_years
    judgement = _judgement(findings, ensemble)
    sections = [s for s in SECTIONS if s[0] != "judgement" or judgement]
    sobol_parameters = findings.sobol.index.get_level_values("parameter").nunique()
    sobol_base = options.sobol_base
    context = {
        "meta": {
            "title": ensemble.case.title,
            "version": VERSION,
            "seed": ensemble.seed,
            "command": options.command,
            "futures_text": f"{ensemble.futures:,}",
            "sample_of_text": None if options.sample_of is None else f"{options.sample_of:,}",
            "design_text": _design_text(ensemble),
            "first_year": int(years[0]),
            "last_year": int(years[-1]),
            "packages": list(ensemble.policies),
        },
        "sections": [("evidence", "Evidence"), *sections] if options.evidence else sections,
        "evidence": _evidence(options.evidence, ensemble),
        "packages": list(ensemble.policies),
        "baseline": findings.baseline,
        "comparison": _comparison(findings.summary),
        "paired": _paired(findings),
        "thresholds": "; ".join(
            f"{outcome_label(k)} {'never happens' if v == 0 else f'at most {v:g}'}"
            for k, v in findings.thresholds.items()
        ),
        "robustness": _robustness(findings),
        "claims": _claims(findings),
        "claims_skipped": findings.claims_skipped,
        "charts": {
            "timeline": charts.svg(charts.outcomes_over_time(findings.timeline, CHARTED)),
            "sobol": charts.svg(charts.sobol_bars(findings.sobol)),
            "paired": charts.svg(charts.paired_dots(findings.paired, CHARTED)) if not findings.paired.empty else "",
        },
        "fans": [
            {"title": FAN_TITLES[v], "svg": charts.svg(charts.fan_chart(findings.fans[v]))} for v in FAN_VARIABLES
        ],
        "boxes": _boxes(findings, ensemble),
        "sobol": {
            "parameters": sobol_parameters,
            "base": sobol_base,
            "futures_text": f"{sobol_base * (sobol_parameters + 2):,}",
            "sentences": told_apart(findings.sobol),
        },
        "judgement": judgement,
        "matrix": _matrix(findings, options.drivers_chosen),
        "signpost_years": watch_years(ensemble),
        "signposts": _signposts(findings, ensemble),
        "examples": [
            {"future": f, "title": NAMED_FUTURES[name], "narrative": story} for f, name, story in findings.examples
        ],
        "backtest": _backtest(findings.backtest),
        "appendix": _appendix(ensemble),
    }
    return _templates.get_template("report.html.j2").render(context)


def write_report(html: str, path: str | Path) -> Path:
    """Write the report whole or not at all."""
    return write_whole(Path(path), html.encode("utf-8"))
