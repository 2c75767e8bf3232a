"""A decision maker's distributions as case parameters.

Each target item of a study that names a case parameter gives that parameter a new range: the decision maker's
quantiles inside the study's intrinsic range (clipped to the values the model allows), uniform or log-uniform between
them, as the classical model's decision maker itself is (Cooke 1991, *Experts in Uncertainty*, ch. 12). The parameter's
source names the study, the decision maker, its weights and the date, and keeps what the parameter was before.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..case import Case, Parameter
from ..errors import InputError
from .classical import DecisionMaker, equal_decision_maker, intrinsic_range, optimal_decision_maker, weights
from .study import read_study_file

Weighting = Literal["performance", "item", "equal"]
WEIGHTINGS: tuple[Weighting, ...] = ("performance", "item", "equal")
SIGNIFICANT = 6  # digits written for the decision maker's quantiles and range


@dataclass(frozen=True)
class Elicited:
    """The new entries of the parameters a study informs ('group.name' -> the parameter's keys), with the decision
    maker they come from and its weight on each expert (on each item, for item weights: the mean over the items)."""

    parameters: dict[str, dict[str, Any]]
    decision_maker: DecisionMaker
    weights: dict[str, float]


def elicited_parameters(
    path: Path, case: Case, weighting: Weighting = "performance", day: date | None = None
) -> Elicited:
    """The parameters of `case` that the target items of the study at `path` (our YAML format) inform, each with the
    `weighting` decision maker's distribution: performance weights at the optimal cut-off, item weights, or equal
    weights. Refused, naming the study and the item: a parameter the case does not have, a switch, a unit other than
    the parameter's, and a decision maker outside the values the parameter allows."""
    parsed, study = read_study_file(path)
    targets = {j: item for j, item in enumerate(parsed.items) if item.parameter is not None}
    if not targets:
        raise InputError(path, "no item names a case parameter ('parameter: group.name' on a target item)")
    known = case.flat_parameters()
    for item in targets.values():
        old = known.get(str(item.parameter))
        key = f"items.{item.id}.parameter"
        if old is None:
            raise InputError(
                path, f"item '{item.id}' informs '{item.parameter}', which the case does not have", key=key
            )
        if old.choices is not None:
            raise InputError(path, f"'{item.parameter}' is a switch between forms, not a quantity to elicit", key=key)
        if item.unit != old.unit:
            message = f"item '{item.id}' is in '{item.unit}', the parameter '{item.parameter}' in '{old.unit}'"
            raise InputError(path, message, key=f"items.{item.id}.unit")
    try:
        if weighting == "equal":
            maker, w = equal_decision_maker(study), np.full(len(study.experts), 1.0 / len(study.experts))
        else:
            maker = optimal_decision_maker(study, per_item=weighting == "item")
            w = weights(study, maker.alpha, per_item=weighting == "item")
    except ValueError as exc:
        raise InputError(path, str(exc)) from None
    per_expert = w.mean(axis=1) if w.ndim == 2 else w
    shares = dict(zip(study.experts, per_expert.tolist(), strict=True))
    low, high = intrinsic_range(study)
    low[study.log_scale], high[study.log_scale] = np.exp(low[study.log_scale]), np.exp(high[study.log_scale])
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    provenance = (
        f"elicitation study '{parsed.study}' ({path.name}, SHA-256 {digest}…), {weighting}-weight decision maker of "
        f"Cooke's classical model"
        + ("" if weighting == "equal" else f" (cut-off α = {maker.alpha:.3g})")
        + f" on {int(study.seed.sum())} seed items; weights "
        + ", ".join(f"{e} {s:.3f}" for e, s in shares.items())
        + f"; written by `alliance-futures elicit apply` on {(day or date.today()).isoformat()}"
    )
    out = {}
    for j, item in targets.items():
        name = str(item.parameter)
        old = known[name]
        quantiles = maker.quantiles[j]
        if np.isnan(quantiles).any():
            raise InputError(path, f"no weighted expert answered item '{item.id}'", key=f"items.{item.id}")
        lo, hi = old.allowed
        if quantiles[0] < lo or quantiles[-1] > hi:
            message = (
                f"the decision maker's quantiles on item '{item.id}' ({', '.join(f'{q:g}' for q in quantiles)}) leave "
                f"the values '{name}' allows, {lo:g} to {hi:g}"
            )
            raise InputError(path, message, key=f"items.{item.id}")
        out[name] = {
            "range": [_rounded(max(low[j], lo)), _rounded(min(high[j], hi))],
            "distribution": "piecewise_loguniform" if study.log_scale[j] else "piecewise_uniform",
            "quantiles": {_percent(p): _rounded(q) for p, q in zip(study.levels, quantiles, strict=True)},
            "allowed": list(old.allowed),
            "unit": old.unit,
            "meaning": old.meaning,
            "source": f"{provenance}. Before: {_described(old)}, from {old.source}",
        }
    return Elicited(out, maker, shares)


def _rounded(x: float) -> float:
    return float(f"{x:.{SIGNIFICANT}g}")


def _percent(level: float) -> float | int:
    """A quantile's level as the percentage a case file keys it by: 5, not 5.0."""
    percent = _rounded(100 * level)
    return int(percent) if percent.is_integer() else percent


def _described(p: Parameter) -> str:
    if p.range is None:
        return f"fixed at {p.value:g}"
    shape = p.distribution.replace("_", " ").replace("loguniform", "log-uniform")
    return f"{shape} on {p.range[0]:g} to {p.range[1]:g}"
