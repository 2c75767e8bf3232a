"""Stakeholder models of collective decisions on a one-dimensional issue.

Every function takes arrays with one row per issue and one column per stakeholder (NaN where a stakeholder takes
no position) and returns one forecast per issue, so that many issues are forecast at once.

References: the compromise model and the weighted median as in Achen 2006, "Evaluating political decision-making
models", in Thomson et al., *The European Union Decides* (the compromise model is also the Nash bargaining solution
when utilities are quadratic and disagreement is very costly); the Nash bargaining solution (Nash 1950) with the
status quo as the disagreement point, as in Schneider, Finke & Bailer 2010 (*Political Studies* 58(1)).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def _weights(positions: Array, capability: Array, salience: Array) -> Array:
    """Capability × salience, zero where a stakeholder has no position."""
    w = np.broadcast_to(capability, positions.shape) * salience
    return np.where(np.isnan(positions) | np.isnan(w), 0.0, w)


def compromise(positions: Array, capability: Array, salience: Array) -> Array:
    """The capability × salience weighted mean of positions."""
    w = _weights(positions, capability, salience)
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.nansum(w * np.nan_to_num(positions), axis=1) / total, np.nan)


def weighted_median(positions: Array, capability: Array, salience: Array) -> Array:
    """The position where the capability × salience weight on either side is at most half the total (the lowest
    such position): the outcome no weighted majority would move."""
    w = _weights(positions, capability, salience)
    x = np.where(np.isnan(positions), np.inf, positions)
    return stakeholder_median(np.ascontiguousarray(x.T), np.ascontiguousarray(w.T))


def stakeholder_median(positions: Array, weights: Array) -> Array:
    """The weighted median with stakeholders along the first axis and issues along the second (weights ≥ 0, zero
    for a stakeholder without a position). Each stakeholder's position is tested in turn against the weight at or
    below it: no per-issue sort, which makes it fast for the few stakeholders and many futures of the simulation."""
    half = weights.sum(axis=0) / 2.0
    lowest = np.full(half.shape, np.inf)
    for candidate in positions:
        holds = ((positions <= candidate) * weights).sum(axis=0) >= half
        lowest = np.where(holds, np.minimum(lowest, candidate), lowest)
    return np.where(half > 0, lowest, np.nan)


def nash(
    positions: Array,
    capability: Array,
    salience: Array,
    status_quo: Array,
    scale: tuple[float, float] = (0.0, 100.0),
    points: int = 1001,
) -> Array:
    """The asymmetric Nash bargaining solution: the outcome x that maximises Σ w_i log(u_i(x) − u_i(q)) with linear
    utilities u_i(x) = −|x − p_i|, weights w_i = capability × salience and the status quo q as disagreement point.
    Stakeholders indifferent between every outcome and q (w_i = 0) do not count. Where no outcome makes every
    stakeholder with weight better off than q, the forecast is q. NaN where q is unknown. Solved on a grid of
    `points` outcomes over the scale."""
    w = _weights(positions, capability, salience)
    grid = np.linspace(*scale, points)
    p = np.nan_to_num(positions)[:, None, :]
    q = status_quo[:, None, None]
    gain = np.abs(q - p) - np.abs(grid[None, :, None] - p)
    counted = (w > 0)[:, None, :]
    feasible = np.all(~counted | (gain > 0), axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        objective = np.where(counted, w[:, None, :] * np.log(np.where(gain > 0, gain, 1.0)), 0.0).sum(axis=2)
    objective = np.where(feasible, objective, -np.inf)
    best = grid[np.argmax(objective, axis=1)]
    out = np.where(feasible.any(axis=1), best, status_quo)
    return np.where(np.isnan(status_quo), np.nan, out)


def power_compromise(positions: Array, capability: Array, salience: Array, exponent: float) -> Array:
    """Our model: the compromise model with capability raised to a power, capability**exponent × salience.

    Rationale: capability scores built from GDP or population overstate how far the largest stakeholders pull a
    consensus-seeking body; in weighted voting, power grows about with the square root of size (Penrose 1946,
    "The elementary statistics of majority voting", *JRSS* 109(1)). `exponent` 1 is the compromise model, 0 ignores
    capability; it is fitted on training issues only (see `scoring`)."""
    return compromise(positions, np.asarray(capability, dtype=float) ** exponent, salience)
