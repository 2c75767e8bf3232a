"""Cooke's classical model of structured expert judgement.

Each expert gives the 5%, 50% and 95% quantiles of every item; on the *seed* items the true value is known. An expert's
quantiles cut an item's range into four bins that should hold the truth with chances P = (0.05, 0.45, 0.45, 0.05).

- **Calibration** (Cooke 1991, *Experts in Uncertainty*, ch. 12; Cooke & Goossens 2008, *Reliability Engineering &
  System Safety* 93(5), 657–674, sec. 2): with s the share of an expert's N seed realisations in each bin, the
  relative information I(s‖P) = Σ s ln(s/P) makes 2·N·I(s‖P) asymptotically chi-square with 3 degrees of freedom
  when the expert is well calibrated; calibration is its p-value.
- **Information**: the expert's distribution on an item is uniform within each bin of the item's *intrinsic range*
  (the smallest interval holding every expert's quantiles and the realisation, widened by 10% of its width on each
  side), and its information is the relative information of that distribution to the uniform one on the range
  (to the log-uniform one, on log-scale items): Σ P ln(P / (bin width / range width)).
- **Weights**: calibration × mean information over the seed items, and 0 for an expert whose calibration is below
  the cut-off α; normalised. *Item* weights use each item's information instead of the mean.
- **Decision maker**: the weighted mixture of the experts' distributions, scored as an expert (its 5%, 50%, 95%
  quantiles against the same intrinsic ranges); its combined score is calibration × mean seed information, and the
  optimal α maximises it (Cooke & Goossens 2008, sec. 2).
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import chi2

LEVELS = (0.05, 0.5, 0.95)  # the quantiles experts usually give; a study may ask for others (5%, 25%, 50%, 75%, 95%)
OVERSHOOT = 0.1  # the intrinsic range is widened by this share of its width on each side (Cooke 1991, ch. 12)
# Seed items for training in cross-validation: at 80%, Colson & Cooke (2017, RESS 163, doi 10.1016/j.ress.2017.02.003)
# find the training set powerful enough to resolve differences in the experts' performance
TRAINING_SHARE = 0.8

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Study:
    """An elicitation: experts' quantiles on items, some with a known realisation (the seed items)."""

    experts: tuple[str, ...]
    items: tuple[str, ...]
    log_scale: NDArray[np.bool_]  # per item: judged on a log scale (log-uniform background)
    quantiles: Array  # experts × items × levels, NaN where an expert gave no answer
    realisation: Array  # per item, NaN for a target item
    levels: tuple[float, ...] = LEVELS

    @property
    def bins(self) -> Array:
        """The chance each inter-quantile bin holds the truth: (0.05, 0.45, 0.45, 0.05) for 5%, 50%, 95%."""
        return np.diff([0.0, *self.levels, 1.0])

    @property
    def seed(self) -> NDArray[np.bool_]:
        return ~np.isnan(self.realisation)


def on_scale(study: Study, values: Array) -> Array:
    """Quantiles (… × items × 3) or realisations (items) on each item's own scale: logarithms on log-scale items."""
    log = study.log_scale[:, None] if values.ndim >= 2 else study.log_scale
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(log, np.log(values), values)


def intrinsic_range(study: Study) -> tuple[Array, Array]:
    """Per item, on its scale: the smallest interval holding every expert's quantiles and the realisation, widened by
    `OVERSHOOT` of its width on each side."""
    q = on_scale(study, study.quantiles).transpose(1, 0, 2).reshape(len(study.items), -1)
    values = np.concatenate([q, on_scale(study, study.realisation)[:, None]], axis=1)
    with warnings.catch_warnings():  # an item nobody answered has no range (NaN), and the caller says so
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanmin(values, axis=1), np.nanmax(values, axis=1)
    width = high - low
    return low - OVERSHOOT * width, high + OVERSHOOT * width


def calibration(quantiles: Array, realisation: Array, p: Array) -> Array:
    """Per expert (rows of `quantiles`, experts × items × levels, on the items' scales): the p-value of 2·N·I(s‖p)
    against chi-square with (bins − 1) degrees of freedom, over the seed items the expert answered (N of them); NaN
    with none. `p` is each bin's chance (`Study.bins`). A realisation equal to a quantile counts in the bin below."""
    seed = ~np.isnan(realisation)
    q = quantiles[:, seed]
    answered = ~np.isnan(q).any(axis=2)
    bins = (q < realisation[seed][None, :, None]).sum(axis=2)  # 0..3: how many quantiles lie below the truth
    counts = np.stack([((bins == b) & answered).sum(axis=1) for b in range(len(p))], axis=1).astype(float)
    n = answered.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = counts / n[:, None]
        relative = np.where(s > 0, s * np.log(s / p), 0.0).sum(axis=1)
    return np.where(n > 0, chi2.sf(2 * n * relative, df=len(p) - 1), np.nan)


def information(quantiles: Array, low: Array, high: Array, p: Array) -> Array:
    """Per expert and item (`quantiles`: experts × items × levels on the items' scales): the relative information of
    the expert's distribution, uniform within each bin of [low, high] with the bins' chances `p`, to the uniform
    distribution on [low, high]."""
    edges = np.concatenate(
        [
            np.broadcast_to(low[None, :, None], (*quantiles.shape[:2], 1)),
            quantiles,
            np.broadcast_to(high[None, :, None], (*quantiles.shape[:2], 1)),
        ],
        axis=2,
    )
    share = np.diff(edges, axis=2) / (high - low)[None, :, None]
    return (p * np.log(p / share)).sum(axis=2)


@dataclass(frozen=True)
class Scores:
    """An expert's (or a decision maker's) scores on a study."""

    calibration: Array
    information_seed: Array  # mean information over the seed items
    information_all: Array  # mean information over every item

    @property
    def combined(self) -> Array:
        return self.calibration * self.information_seed


def score(study: Study, quantiles: Array | None = None) -> Scores:
    """The scores of the study's experts, or of other `quantiles` (a decision maker's, 1 × items × 3) judged against
    the experts' intrinsic ranges."""
    scaled = on_scale(study, study.quantiles if quantiles is None else quantiles)
    low, high = intrinsic_range(study)
    info = information(scaled, low, high, study.bins)
    seed_info = _mean(info, study.seed[None, :] & ~np.isnan(info))
    all_info = _mean(info, ~np.isnan(info))
    return Scores(calibration(scaled, on_scale(study, study.realisation), study.bins), seed_info, all_info)


def _mean(values: Array, where: NDArray[np.bool_]) -> Array:
    """Row means of `values` over `where`; NaN for a row with nothing to average."""
    count = where.sum(axis=1)
    total = np.where(where, values, 0.0).sum(axis=1)
    return np.divide(total, count, out=np.full(len(count), np.nan), where=count > 0)


def weights(study: Study, alpha: float = 0.0, per_item: bool = False) -> Array:
    """Performance weights, normalised over the experts: calibration × information (mean over seed items, or each
    item's with `per_item`: experts × items), zero below the calibration cut-off `alpha`. With item weights, an item
    no weighted expert answered gets no weights (the decision maker has no answer there)."""
    scores = score(study)
    low, high = intrinsic_range(study)
    passing = np.where(scores.calibration >= alpha, np.nan_to_num(scores.calibration), 0.0)
    if per_item:
        raw = np.nan_to_num(passing[:, None] * information(on_scale(study, study.quantiles), low, high, study.bins))
    else:
        raw = passing * np.nan_to_num(scores.information_seed)
    total = raw.sum(axis=0)
    if not np.any(total > 0):
        raise ValueError(f"no expert has calibration of at least {alpha:g}: every weight would be zero")
    return np.divide(raw, total, out=np.zeros_like(raw), where=total > 0)


def decision_maker(study: Study, weights_: Array) -> Array:
    """The quantiles (1 × items × levels, on the items' own units) of the weighted mixture of the experts'
    distributions; `weights_` per expert (experts) or per expert and item (experts × items). Each expert's distribution
    is uniform within its bins of the intrinsic range, so the mixture's CDF is piecewise linear between the union of
    the experts' quantiles."""
    low, high = intrinsic_range(study)
    q = on_scale(study, study.quantiles)
    w = weights_ if weights_.ndim == 2 else np.broadcast_to(weights_[:, None], q.shape[:2])
    out = np.empty((len(study.items), len(study.levels)))
    cdf_levels = np.array([0.0, *study.levels, 1.0])
    for j in range(len(study.items)):
        answered = ~np.isnan(q[:, j]).any(axis=1) & (w[:, j] > 0)
        if not answered.any():  # no weighted expert answered the item: the decision maker has no answer either
            out[j] = np.nan
            continue
        knots = np.column_stack([np.full(answered.sum(), low[j]), q[answered, j], np.full(answered.sum(), high[j])])
        grid = np.unique(knots)
        share = w[answered, j] / w[answered, j].sum()
        mixture = sum(s * np.interp(grid, k, cdf_levels) for s, k in zip(share, knots, strict=True))
        out[j] = np.interp(study.levels, mixture, grid)
    out[study.log_scale] = np.exp(out[study.log_scale])
    return out[None]


@dataclass(frozen=True)
class DecisionMaker:
    kind: str  # "performance", "item" or "equal"
    alpha: float
    quantiles: Array  # items × levels
    scores: Scores  # of the decision maker, one entry


def optimal_decision_maker(study: Study, per_item: bool = False) -> DecisionMaker:
    """The performance-weighted decision maker whose cut-off α (tried at every expert's calibration score, and 0)
    gives it the highest combined score (Cooke & Goossens 2008, sec. 2)."""
    best: DecisionMaker | None = None
    for alpha in np.unique(np.concatenate([[0.0], np.nan_to_num(score(study).calibration)])):
        try:
            w = weights(study, float(alpha), per_item)
        except ValueError:
            continue
        q = decision_maker(study, w)
        candidate = DecisionMaker("item" if per_item else "performance", float(alpha), q[0], score(study, q))
        if best is None or candidate.scores.combined[0] > best.scores.combined[0]:
            best = candidate
    assert best is not None  # at α = 0 every expert with a calibration score is weighted
    return best


def equal_decision_maker(study: Study) -> DecisionMaker:
    q = decision_maker(study, np.full(len(study.experts), 1.0 / len(study.experts)))
    return DecisionMaker("equal", 0.0, q[0], score(study, q))


def subset(study: Study, experts: NDArray[np.bool_] | None = None, items: NDArray[np.bool_] | None = None) -> Study:
    """The study with only the chosen experts and items (boolean masks)."""
    e = np.ones(len(study.experts), bool) if experts is None else experts
    i = np.ones(len(study.items), bool) if items is None else items
    return Study(
        tuple(np.array(study.experts)[e]),
        tuple(np.array(study.items)[i]),
        study.log_scale[i],
        study.quantiles[e][:, i],
        study.realisation[i],
        study.levels,
    )


def robustness(study: Study, over: str) -> list[tuple[str, Scores]]:
    """The optimised performance-weight decision maker's scores with each seed item (`over="items"`) or each expert
    (`over="experts"`) left out in turn (Cooke & Goossens 2008, sec. 4): a decision maker whose scores move much when
    one item or expert goes rests on it."""
    names = [study.items[j] for j in np.nonzero(study.seed)[0]] if over == "items" else list(study.experts)
    out = []
    for name in names:
        if over == "items":
            kept = subset(study, items=np.array([item != name for item in study.items]))
        else:
            kept = subset(study, experts=np.array([expert != name for expert in study.experts]))
        out.append((name, optimal_decision_maker(kept).scores))
    return out


@dataclass(frozen=True)
class Split:
    """One out-of-sample test: performance weights fitted on `training` seed items, both decision makers scored on
    the rest."""

    training: tuple[str, ...]
    alpha: float
    weights: Array  # per expert, fitted on the training items
    performance: Scores
    equal: Scores


def cross_validation(
    study: Study, training_share: float = TRAINING_SHARE, splits: int | None = None, seed: int = 0
) -> list[Split]:
    """Out-of-sample validation (Colson & Cooke 2017, *Reliability Engineering & System Safety* 163): for each choice
    of `training_share` of the seed items, the optimised performance weights are fitted on those items alone (the
    others are hidden as if they were targets) and the decision maker they make is scored, with the equal-weight one,
    on the items left out. Every choice is tried, or `splits` of them drawn at random (with `seed`) when there are
    more."""
    seeds = np.nonzero(study.seed)[0]
    size = round(training_share * len(seeds))
    if not 1 <= size < len(seeds):
        raise ValueError(f"a training share of {training_share} leaves no seed item for training or for testing")
    choices = list(itertools.combinations(seeds, size))
    if splits is not None and splits < len(choices):
        picked = np.random.default_rng(seed).choice(len(choices), size=splits, replace=False)
        choices = [choices[i] for i in sorted(picked)]
    out = []
    for training in choices:
        test = study.seed.copy()
        test[list(training)] = False
        fitted = _hiding(study, ~np.isin(np.arange(len(study.items)), training))
        performance = optimal_decision_maker(fitted)
        tested = _hiding(study, ~test)
        w = weights(fitted, performance.alpha)
        equal = np.full(len(study.experts), 1.0 / len(study.experts))
        out.append(
            Split(
                tuple(study.items[j] for j in training),
                performance.alpha,
                w,
                score(tested, decision_maker(tested, w)),
                score(tested, decision_maker(tested, equal)),
            )
        )
    return out


def _hiding(study: Study, hidden: NDArray[np.bool_]) -> Study:
    """The study with the realisations of the `hidden` items removed: they count as targets."""
    return Study(
        study.experts,
        study.items,
        study.log_scale,
        study.quantiles,
        np.where(hidden, np.nan, study.realisation),
        study.levels,
    )
