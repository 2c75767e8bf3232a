"""Charts, declared with Altair (Vega-Lite) and rendered offline by vl-convert, with no browser: SVG or PNG for
print, or a self-contained HTML page with the Vega libraries bundled in."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import altair as alt
import pandas as pd
import vl_convert

from ..bargaining import Negotiation
from ..case import InputError

RENDERERS = {
    ".svg": lambda spec: vl_convert.vegalite_to_svg(spec).encode(),
    ".png": lambda spec: vl_convert.vegalite_to_png(spec, scale=2),
    ".html": lambda spec: vl_convert.vegalite_to_html(spec, bundle=True).encode(),
}


def save_chart(chart: alt.TopLevelMixin, path: str | Path, key: str = "--plot") -> Path:
    """Render `chart` by the file's suffix (.svg, .png or .html) and write it whole or not at all."""
    p = Path(path)
    render = RENDERERS.get(p.suffix.lower())
    if render is None:
        raise InputError(p, f"expected a file name ending in {', '.join(RENDERERS)}", key=key)
    if not p.parent.is_dir():
        raise InputError(p, "the folder does not exist", key=key)
    data = render(chart.to_dict())
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, p)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return p


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
    return (lines + weighted_mean).properties(
        title=f"{negotiation.table.issue}: positions over rounds (dashed: weighted mean)", width=480, height=300
    )
