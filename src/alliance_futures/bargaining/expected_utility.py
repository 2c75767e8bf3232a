"""Bueno de Mesquita's expected utility (challenge) model, round by round, as specified and reproduced by Scholz,
Calbert & Smith (2011), "Unravelling Bueno de Mesquita's group decision model", *Journal of Theoretical Politics*
23(4): 510–531; the original is Bueno de Mesquita (1994), "Political forecasting: an expected utility method", in
*European Community Decision Making*, Yale UP.

Each round:
1. **Risk.** With every risk exponent set to 1, each stakeholder's danger is the sum of the other stakeholders'
   expected utility of challenging it. A stakeholder's risk acceptance ρ = (2·danger − max − min) / (max − min)
   over the stakeholders, and its risk exponent r = (1 − ρ/3) / (1 + ρ/3), from 0.5 (risk-acceptant: the most
   exposed, who holds its position anyway) to 2 (risk-averse).
2. **Votes and the chance of winning.** Stakeholder k votes for position a over b with w_k·(|x_k − b|^r_k −
   |x_k − a|^r_k), w = capability × salience, distances as shares of the issue's range. The probability that a
   challenger at x_i beats x_j is the sum of the positive votes for x_i over x_j divided by the sum of the absolute
   votes over all pairs of positions, the denominator used in Scholz et al.'s replication (it keeps the chance of
   any one challenge small, so that salience, the chance that the challenged side resists, decides most moves).
3. **Expected utility of a challenge** of j by i, as seen by a stakeholder with risk exponent r, with d the distance
   from x_i to x_j: U_success = 2 − 4(0.5 − d/2)^r, U_failure = 2 − 4(0.5 + d/2)^r, U_status_quo = 2 − 4·0.5^r and
   EU = s_j·(P·U_success + (1 − P)·U_failure) + (1 − s_j)·U_success − q·U_status_quo.
4. **Offers.** Stakeholder i weighs, from its own view (its own r), its gain from challenging j, eu_ij, against j's
   gain from challenging i, eu_ji. If eu_ji > eu_ij > 0, i expects to lose a confrontation and moves to x_j. If
   eu_ji > 0 > eu_ij, i concedes the share |eu_ij| / eu_ji of the way to x_j: a compromise when that share is below
   one, a capitulation (all the way) otherwise. Of the offers it receives, i takes the most pressing kind
   (confrontation, then compromise, then capitulation) and, of that kind, the one that moves it least.

The forecast after any round is the weighted median or the weighted mean of the positions (capability × salience);
which one, and after how many rounds, is fitted on training issues only (see `scoring`). Everything is computed over
arrays of issues × stakeholders (NaN where a stakeholder takes no position), so DEU III is forecast in one call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .models import Array, compromise, weighted_median

KINDS = ("none", "confrontation", "compromise", "capitulation")  # index stored in `EUPath.kind`


@dataclass(frozen=True)
class EUPath:
    """The model's path: `positions[k]` after round k (k = 0 is the start), the risk exponents, the kind of move each
    stakeholder made and whose offer it took (−1 for none) in each round, and the weighted median and mean after
    each round. Shapes: rounds(+1) × issues × stakeholders."""

    positions: Array
    risk: Array
    kind: np.ndarray
    partner: np.ndarray
    weighted_median: Array
    weighted_mean: Array

    def forecast(self, statistic: str, after: int) -> Array:
        """The forecast per issue: `statistic` ('weighted_median' or 'weighted_mean') after round `after`."""
        return getattr(self, statistic)[after]


def _win_probability(d: Array, w: Array, risk: Array | float, pairs: np.ndarray) -> Array:
    """P[m, i, j]: the chance that a challenger at x_i beats x_j on issue m (step 2), from the normalised distances
    d[m, k, j] between positions and each voter k's risk exponent (`risk` broadcasts along the voter axis)."""
    distance = d**risk  # [m, voter, position]
    votes = w[:, :, None, None] * (distance[:, :, None, :] - distance[:, :, :, None]) * pairs[:, None]
    total = np.abs(votes).sum(axis=(1, 2, 3))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.maximum(votes, 0.0).sum(axis=1) / total[:, None, None]
    return np.where(total[:, None, None] > 0, p, 0.0)


def _challenge(d: Array, p: Array, resist: Array, risk: Array | float, q: float) -> Array:
    """Expected utility of a challenge over normalised distance d, won with chance p, resisted with chance `resist`,
    as seen with risk exponent `risk` (step 3)."""
    success = 2.0 - 4.0 * (0.5 - 0.5 * d) ** risk
    failure = 2.0 - 4.0 * (0.5 + 0.5 * d) ** risk
    status_quo = 2.0 - 4.0 * 0.5**risk
    return resist * (p * success + (1.0 - p) * failure) + (1.0 - resist) * success - q * status_quo


def _risk_exponents(d: Array, w: Array, s: Array, present: np.ndarray, pairs: np.ndarray, q: float) -> Array:
    """Each stakeholder's risk exponent from its danger relative to the others' (step 1)."""
    eu = _challenge(d, _win_probability(d, w, 1.0, pairs), s[:, None, :], 1.0, q)  # eu[m, i, j]: i challenges j
    danger = np.where(pairs, eu, 0.0).sum(axis=1)  # challenges aimed at each j
    top = np.where(present, danger, -np.inf).max(axis=1, keepdims=True)
    bottom = np.where(present, danger, np.inf).min(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        acceptance = np.where(top > bottom, (2.0 * danger - top - bottom) / (top - bottom), 0.0)
    return np.where(present, (1.0 - acceptance / 3.0) / (1.0 + acceptance / 3.0), 1.0)


def _round(
    x: Array, w: Array, s: Array, present: np.ndarray, pairs: np.ndarray, span: Array, q: float
) -> tuple[Array, Array, np.ndarray, np.ndarray]:
    """One round: new positions, the risk exponents used, each stakeholder's kind of move and partner (step 4)."""
    d = np.abs(x[:, :, None] - x[:, None, :]) / span[:, None, None]
    risk = _risk_exponents(d, w, s, present, pairs, q)
    r_i = risk[:, :, None]
    p = _win_probability(d, w, r_i, pairs)
    eu_ij = _challenge(d, p, s[:, None, :], r_i, q)  # i challenges j, seen by i
    eu_ji = _challenge(d, p.transpose(0, 2, 1), s[:, :, None], r_i, q)  # j challenges i, seen by i
    valid = pairs & (d > 0)
    confront = valid & (eu_ji > eu_ij) & (eu_ij > 0)
    yields = valid & (eu_ji > 0) & (eu_ij < 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(confront, 1.0, np.minimum(np.abs(eu_ij) / eu_ji, 1.0))
    kind = np.select([confront, yields & (share < 1.0), yields], [1, 2, 3], 0)
    target = x[:, :, None] + share * (x[:, None, :] - x[:, :, None])
    moved = np.abs(target - x[:, :, None]) / span[:, None, None]
    cost = np.where(kind > 0, 2.0 * kind + moved, np.inf)  # kind first, then the smallest move (moved <= 1)
    partner = np.argmin(cost, axis=2)
    chosen = np.take_along_axis(kind, partner[:, :, None], axis=2)[:, :, 0]
    new = np.take_along_axis(target, partner[:, :, None], axis=2)[:, :, 0]
    return np.where(chosen > 0, new, x), risk, chosen, np.where(chosen > 0, partner, -1)


def expected_utility(positions: Array, capability: Array, salience: Array, rounds: int, q: float = 1.0) -> EUPath:
    """Run the model for `rounds` rounds on every issue at once. `positions` and `salience` are issues ×
    stakeholders (salience 0 to 1), `capability` per stakeholder or issues × stakeholders; `q` is the weight of the
    status quo in a challenge's expected utility (1 in Scholz et al.)."""
    x = np.asarray(positions, dtype=float)
    present = ~np.isnan(x)
    pairs = present[:, :, None] & present[:, None, :]
    s = np.where(present, salience, 0.0)
    w = np.where(present, np.broadcast_to(capability, x.shape) * s, 0.0)
    lo = np.where(present, x, np.inf).min(axis=1)
    hi = np.where(present, x, -np.inf).max(axis=1)
    lo = np.where(np.isfinite(lo), lo, 0.0)
    span = np.where(hi > lo, hi - lo, 1.0)
    m, n = x.shape
    path = np.zeros((rounds + 1, m, n))
    path[0] = np.where(present, x, lo[:, None])  # absent stakeholders sit at the low end, masked out
    risk = np.ones((rounds, m, n))
    kind = np.zeros((rounds, m, n), dtype=int)
    partner = np.full((rounds, m, n), -1)
    for k in range(rounds):
        path[k + 1], risk[k], kind[k], partner[k] = _round(path[k], w, s, present, pairs, span, q)
    path = np.where(present, path, np.nan)
    return EUPath(
        positions=path,
        risk=risk,
        kind=kind,
        partner=partner,
        weighted_median=np.stack([weighted_median(p, capability, salience) for p in path]),
        weighted_mean=np.stack([compromise(p, capability, salience) for p in path]),
    )
