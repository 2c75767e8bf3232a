"""Charts, declared with Altair (Vega-Lite) and rendered offline by vl-convert, with no browser: SVG or PNG for
print, or a self-contained HTML page with the Vega libraries bundled in."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import altair as alt
import pandas as pd
import vl_convert

from ..analysis.outcomes import outcome_label
from ..bargaining import Negotiation
from ..case import History
from ..errors import InputError
from ..store.files import write_whole

C = TypeVar("C", alt.FacetChart, alt.LayerChart, alt.VConcatChart)

FONT = {"label": 12, "title": 13}  # px: Vega-Lite's 10–11 px defaults are hard to read on screen and in print
LABEL_LIMIT = 600  # px: wide enough for any parameter's name, which Vega-Lite's 180 px default cuts
RENDERERS = {
    ".svg": lambda spec: vl_convert.vegalite_to_svg(spec).encode(),
    ".png": lambda spec: vl_convert.vegalite_to_png(spec, scale=2),
    ".html": lambda spec: vl_convert.vegalite_to_html(spec, bundle=True).encode(),
}


def save_chart(chart: alt.TopLevelMixin, path: str | Path) -> Path:
    """Render `chart` by the file's suffix (.svg, .png or .html) and write it whole or not at all."""
    p = Path(path)
    render = RENDERERS.get(p.suffix.lower())
    if render is None:
        raise InputError(p, f"expected a file name ending in {', '.join(RENDERERS)}")
    return write_whole(p, render(chart.to_dict()))


def negotiation_rounds(negotiation: Negotiation) -> alt.LayerChart:
    """Each stakeholder's position over the expected utility model's rounds, with the weighted mean dashed."""
    rounds = negotiation.rounds()
    positions = pd.DataFrame(
        [{"round": r["round"], "stakeholder": who, "position": x} for r in rounds for who, x in r["positions"].items()]
    )
    mean = pd.DataFrame([{"round": r["round"], "position": r["weighted_mean"]} for r in rounds])
    x = alt.X("round:O", title="round", axis=alt.Axis(labelAngle=0))
    y = alt.Y("position:Q", title="position", scale=alt.Scale(zero=False))
    lines = (
        alt.Chart(positions)
        .mark_line(point=True)
        .encode(x=x, y=y, color=alt.Color("stakeholder:N"), tooltip=["stakeholder", "round", "position"])
    )
    weighted_mean = alt.Chart(mean).mark_line(color="black", strokeDash=[6, 3]).encode(x=x, y=y)
    return legible(
        (lines + weighted_mean).properties(
            title=f"{negotiation.table.issue}: positions over rounds (dashed: weighted mean)", width=560, height=320
        )
    )


def legible(chart: C) -> C:
    """The chart with fonts that read at screen and print width, and legends that never cut a label."""
    return (
        chart.configure_axis(labelFontSize=FONT["label"], titleFontSize=FONT["title"], labelLimit=LABEL_LIMIT)
        .configure_header(labelFontSize=FONT["title"], titleFontSize=FONT["title"])
        .configure_legend(labelFontSize=FONT["label"], titleFontSize=FONT["label"], labelLimit=LABEL_LIMIT)
        .configure_title(fontSize=FONT["title"])
    )


def _words(data: pd.DataFrame) -> pd.DataFrame:
    """Package names as words ('current course'), as tables print them."""
    return data.assign(package=data["package"].str.replace("_", " "))


def svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG document, for inlining in an HTML page."""
    return str(vl_convert.vegalite_to_svg(chart.to_dict()))


def _package(title: str = "package") -> alt.Color:
    return alt.Color("package:N", title=title, legend=alt.Legend(orient="bottom", columns=3, symbolOpacity=1))


def _hover(x: alt.X, y: str, fields: Sequence[str | alt.Tooltip]) -> alt.Chart:
    """Invisible points that show their values on hover in an interactive view (and nothing in print)."""
    return alt.Chart().mark_point(opacity=0, size=80).encode(x=x, y=y, tooltip=list(fields))


def outcomes_over_time(timeline: pd.DataFrame, keys: Sequence[str]) -> alt.FacetChart:
    """Each outcome's probability by year (the share of futures in which it has happened), one line per package,
    its 95% interval shaded."""
    data = _words(timeline[timeline["outcome"].isin(keys)].assign(outcome=lambda t: t["outcome"].map(outcome_label)))
    x = alt.X("year:Q", axis=alt.Axis(format="d"), title=None)
    band = (
        alt.Chart()
        .mark_area(opacity=0.2)
        .encode(x=x, y=alt.Y("lo:Q", axis=alt.Axis(format="%")), y2="hi:Q", color=_package())
    )
    line = (
        alt.Chart()
        .mark_line()
        .encode(x=x, y=alt.Y("p:Q", title="share of futures", axis=alt.Axis(format="%")), color=_package())
    )
    hover = _hover(x, "p:Q", ["package", "outcome", "year", alt.Tooltip("p:Q", format=".1%"), "lo:Q", "hi:Q"])
    return legible(
        alt.layer(band, line, hover, data=data)
        .properties(width=520, height=220)
        .facet(facet=alt.Facet("outcome:N", title=None, sort=[outcome_label(k) for k in keys]), columns=2)
        .resolve_scale(y="independent")
    )


def fan_chart(bands: pd.DataFrame) -> alt.FacetChart:
    """Quantile bands of one variable over time per package: 90% (light), 50% (dark) and the median. The variable is
    named by the chart's heading: a y title repeated on every row of panels would cross the next."""
    x = alt.X("year:Q", axis=alt.Axis(format="d"), title=None)
    outer = alt.Chart().mark_area(opacity=0.25).encode(x=x, y=alt.Y("q05:Q", title=None), y2="q95:Q")
    inner = alt.Chart().mark_area(opacity=0.45).encode(x=x, y="q25:Q", y2="q75:Q")
    median = alt.Chart().mark_line(color="black").encode(x=x, y="q50:Q")
    return legible(
        alt.layer(outer, inner, median, data=_words(bands))
        .properties(width=360, height=160)
        .facet(facet=alt.Facet("package:N", title=None), columns=3)
    )


def sobol_bars(indices: pd.DataFrame, top: int = 8) -> alt.FacetChart:
    """Total (bar) and first-order (tick) Sobol indices of the most influential parameters of each output, with
    95% bootstrap intervals on the total index."""
    data = indices.reset_index()
    data = data[data.groupby("output")["ST"].rank(ascending=False, method="first") <= top].assign(
        ST_lo=lambda d: (d["ST"] - d["ST_conf"]).clip(lower=0),
        ST_hi=lambda d: d["ST"] + d["ST_conf"],
        output=lambda d: d["output"].map(outcome_label),
    )
    y = alt.Y("parameter:N", sort="-x", title=None)
    bars = (
        alt.Chart()
        .mark_bar(color="#4c78a8")
        .encode(
            x=alt.X("ST:Q", title="total-order index (bar), first-order (tick)"), y=y, tooltip=["parameter", "ST", "S1"]
        )
    )
    interval = alt.Chart().mark_rule(color="black").encode(x="ST_lo:Q", x2="ST_hi:Q", y=y)
    first = alt.Chart().mark_tick(color="#e45756", thickness=3).encode(x="S1:Q", y=y)
    return legible(
        alt.layer(bars, interval, first, data=data)
        .properties(width=420, height=alt.Step(18))
        .facet(facet=alt.Facet("output:N", title=None), columns=2)
        .resolve_scale(y="independent")
    )


def paired_dots(paired: pd.DataFrame, keys: Sequence[str]) -> alt.FacetChart:
    """Each package's difference from the baseline, future by future, in percentage points with 95% intervals."""
    data = _words(
        paired.reset_index()
        .loc[lambda d: d["outcome"].isin(keys)]
        .assign(outcome=lambda d: d["outcome"].map(outcome_label))
    )
    data[["difference", "lo", "hi"]] *= 100
    y = alt.Y("package:N", title=None)
    x = alt.X("difference:Q", title="difference from the baseline, percentage points")
    rule = alt.Chart().mark_rule().encode(x="lo:Q", x2="hi:Q", y=y)
    dot = alt.Chart().mark_point(filled=True, size=50).encode(x=x, y=y, color=_package())
    zero = alt.Chart().mark_rule(strokeDash=[4, 3], color="grey").encode(x=alt.datum(0))
    return legible(
        alt.layer(rule, dot, zero, data=data)
        .properties(width=420, height=alt.Step(20))
        .facet(facet=alt.Facet("outcome:N", title=None, sort=[outcome_label(k) for k in keys]), columns=2)
    )


def backtest_events(bands: pd.DataFrame, events: pd.DataFrame, history: History) -> alt.FacetChart:
    """For each kind of recorded event: the model's forecast over the scored years (mean, 90% band over futures)
    with the years the event happened marked red."""
    frames = []
    for kind, spec in history.kinds.items():
        scored = events[events["kind"] == kind][["year", "happened"]]
        forecast = bands[bands["variable"] == spec.forecast].merge(scored, on="year")
        frames.append(forecast.assign(kind=f"{kind.replace('_', ' ')} ({spec.forecast.replace('_', ' ')})"))
    data = pd.concat(frames, ignore_index=True)
    x = alt.X("year:Q", axis=alt.Axis(format="d"), title=None)
    band = alt.Chart().mark_area(opacity=0.2).encode(x=x, y=alt.Y("p05:Q", title="probability"), y2="p95:Q")
    happened = alt.Chart().mark_rule(color="#d62728", opacity=0.6).encode(x=x).transform_filter("datum.happened")
    mean = alt.Chart().mark_line(color="black").encode(x=x, y="mean:Q", tooltip=["year", "mean", "happened"])
    return legible(
        alt.layer(band, happened, mean, data=data)
        .properties(width=520, height=150)
        .facet(facet=alt.Facet("kind:N", title=None), columns=2)
        .resolve_scale(x="independent", y="independent")
    )


def backtest_reliability(curves: pd.DataFrame) -> alt.FacetChart:
    """For each kind of event (`curves`: kind, forecast, recalibrated, happened, one row per scored year): the CORP
    reliability curve, the observed event rate against the forecast (on the diagonal, the forecast is calibrated),
    with a tick for each year's forecast (red: a year with the event)."""
    x = alt.X("forecast:Q", title="forecast", scale=alt.Scale(domain=[0, 1]))
    y = alt.Y("recalibrated:Q", title="observed rate", scale=alt.Scale(domain=[0, 1]))
    diagonal = (
        alt.Chart()
        .mark_rule(color="#999", strokeDash=[4, 3])
        .encode(x=alt.datum(0), y=alt.datum(0), x2=alt.datum(1), y2=alt.datum(1))
    )
    curve = (
        alt.Chart()
        .mark_line(interpolate="step-after", color="black", point=alt.OverlayMarkDef(color="black", size=12))
        .encode(x=x, y=y)
    )
    ticks = (
        alt.Chart()
        .mark_tick(thickness=1, size=8, yOffset=4)
        .encode(
            x=x,
            y=alt.datum(0),
            color=alt.Color(
                "happened:N", scale=alt.Scale(domain=[False, True], range=["#777", "#d62728"]), legend=None
            ),
            tooltip=["year", "forecast", "happened"],
        )
    )
    return legible(
        alt.layer(diagonal, curve, ticks, data=curves)
        .properties(width=340, height=260)
        .facet(facet=alt.Facet("kind:N", title=None, sort=list(dict.fromkeys(curves["kind"]))), columns=3)
    )


def backtest_series(bands: pd.DataFrame, titles: Mapping[str, str]) -> alt.FacetChart:
    """Replayed yearly series with their 90% bands over futures, one panel each."""
    data = bands[bands["variable"].isin(list(titles))].assign(variable=lambda d: d["variable"].map(titles))
    x = alt.X("year:Q", axis=alt.Axis(format="d"), title=None)
    band = alt.Chart().mark_area(opacity=0.25).encode(x=x, y=alt.Y("p05:Q", title=None), y2="p95:Q")
    mean = alt.Chart().mark_line(color="black").encode(x=x, y="mean:Q")
    return legible(
        alt.layer(band, mean, _hover(x, "mean:Q", ["variable", "year", "mean", "p05", "p95"]), data=data)
        .properties(width=520, height=150)
        .facet(facet=alt.Facet("variable:N", title=None), columns=2)
        .resolve_scale(y="independent")
    )


def convergence_chart(convergence: pd.DataFrame) -> alt.LayerChart | alt.VConcatChart:
    """A search's hypervolume (of the feasible candidates found so far) by candidates evaluated, and below it, where
    the search has epsilons, the ε-boxes each generation opened in the front (ε-progress)."""
    data = convergence.reset_index()
    x = alt.X("evaluations:Q", title="candidates evaluated")
    y = alt.Y("hypervolume:Q", title="hypervolume (scaled objectives)", scale=alt.Scale(zero=False))
    line = alt.Chart().mark_line(point=True).encode(x=x, y=y)
    hover = _hover(x, "hypervolume:Q", ["run", "generation", "evaluations", alt.Tooltip("hypervolume:Q", format=".4f")])
    volume = alt.LayerChart(layer=[line, hover], data=data).properties(width=560, height=220)
    if "epsilon_progress" not in data:
        return legible(volume)
    y = alt.Y("epsilon_progress:Q", title="ε-boxes opened")
    opened = (
        alt.Chart(data)
        .mark_bar()
        .encode(x=x, y=y, tooltip=["run", "generation", "evaluations", "epsilon_progress"])
        .properties(width=560, height=120)
    )
    return legible(alt.vconcat(volume, opened))


def parallel_coordinates(lines: pd.DataFrame) -> alt.LayerChart:
    """One line per package across axes of levers and objectives (`lines`: package, kind, axis, value, scaled: the
    value placed between the axis's lowest and highest, 0 to 1), the found packages in grey and the placed ones
    coloured, in the axes' order."""
    axes = list(dict.fromkeys(lines["axis"]))
    x = alt.X("axis:N", sort=axes, title=None, axis=alt.Axis(labelAngle=-35))
    y = alt.Y("scaled:Q", title="lowest to highest on each axis", axis=alt.Axis(format="~%"))
    tooltip = ["package:N", "axis:N", alt.Tooltip("value:Q", format=".3~g")]
    found = (  # inline: a Pareto set of hundreds passes Altair's 5,000-row guard, which is for unplanned data
        alt.Chart(alt.InlineData(values=json.loads(lines[lines["kind"] == "found"].to_json(orient="records"))))
        .mark_line(color="#8a93a6", opacity=0.35, strokeWidth=1)
        .encode(x=x, y=y, detail="package:N", tooltip=tooltip)
    )
    placed = (
        alt.Chart(_words(lines[lines["kind"] == "placed"]))
        .mark_line(point=True, strokeWidth=2.5)
        .encode(x=x, y=y, color=_package("placed package"), tooltip=tooltip)
    )
    return legible((found + placed).properties(width=max(480, 70 * len(axes)), height=300))
