"""Nowcasting: what has been observed since a run began, weighed against each simulated future.

Each future gets the likelihood of the observations given its recorded path: a normal density for a measured
indicator (the future's value in that year, with the observation's standard error), and for a signpost the chance of
the report given whether the future shows it that year (1 − miss or false_alarm when it does not; the likelihood of a
binary report with stated error rates). The product, normalised, is the future's importance weight: sampling the
futures from the prior and weighting them by the likelihood makes weighted averages estimate posterior expectations
(Smith & Gelfand 1992, *The American Statistician* 46(2), "Bayesian statistics without tears"). Their spread is read
through Kish's effective sample size, (Σw)² / Σw² (Kish 1965, *Survey Sampling*; Liu 1996, *Statistics and
Computing* 6); the intervals count the futures that share a parameter vector as one cluster (`_estimate`). The
weights are computed per package: where the observations come before any package's levers move, the packages' paths
(on common random numbers) agree and so do their weights.

The posterior is also made an ensemble of its own (`rejuvenate`): futures drawn by systematic resampling of the
weights (Kitagawa 1996, *Journal of Computational and Graphical Statistics* 5(1); Douc, Cappé & Moulines 2005,
"Comparison of resampling schemes for particle filtering", ISPA), each keeping its source's parameter vector and
path through the last observed year and simulated afresh after it: the bootstrap filter's resample-and-propagate
step (Gordon, Salmond & Smith 1993, *IEE Proceedings F* 140(2)). Its futures are equally weighted, so every view of
an ensemble reads it as the posterior.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..case.observations import Observation
from ..engine import Ensemble, branch, vector_ids
from .compare import CONFIDENCE, indicators
from .outcomes import outcome_tables, wilson

# Judgement: below a tenth of the futures, the weighted estimates rest on few of them and a warning says so
ESS_WARNING_SHARE = 0.1


def log_likelihood(ensemble: Ensemble, package: str, observations: Sequence[Observation]) -> NDArray[np.float64]:
    """Per future: the log-likelihood of all the observations, given the future's recorded path under `package`
    (observations independent given the path). −inf where a report is impossible in that future (an error rate of
    0)."""
    assert ensemble.yearly is not None, "the run was saved without yearly paths (--no-paths): nothing to weigh"
    first = int(ensemble.calendar_years[0])
    total = np.zeros(ensemble.futures)
    for o in observations:
        column = o.year - first
        if o.indicator is not None:
            x = ensemble.yearly[package][o.indicator][:, column].astype(float)
            total += -0.5 * ((float(o.value or 0) - x) / float(o.sd or 1)) ** 2
        else:
            signpost = ensemble.case.signposts[str(o.signpost)]
            shows = signpost.seen(ensemble.yearly[package][signpost.variable][:, column].astype(float))
            miss, false_alarm = float(o.miss or 0), float(o.false_alarm or 0)
            chance = np.where(shows, 1 - miss, false_alarm) if o.seen else np.where(shows, miss, 1 - false_alarm)
            with np.errstate(divide="ignore"):
                total += np.log(chance)
    return total


def normalised(log_weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """Weights summing to 1 from log weights, computed from the largest so that none overflows; all zero when every
    future is impossible."""
    top = np.max(log_weights)
    if not np.isfinite(top):
        return np.zeros_like(log_weights)
    w = np.exp(log_weights - top)
    return w / w.sum()


def effective_sample_size(weights: NDArray[np.float64]) -> float:
    """Kish's (Σw)² / Σw²: the number of equally weighted futures that would estimate as precisely; 0 with no
    weight."""
    total = weights.sum()
    return 0.0 if total == 0 else float(total**2 / np.sum(weights**2))


def effective_vectors(weights: NDArray[np.float64], clusters: NDArray[np.int64]) -> float:
    """Kish's effective sample size of the parameter vectors (`clusters`: per future, its vector's id), each weighing
    what its futures weigh together: below the futures' when the evidence favours some replications of a vector,
    and never above the number of vectors."""
    return effective_sample_size(np.bincount(clusters, weights).astype(np.float64))


@dataclass(frozen=True)
class Update:
    """An ensemble weighed against observations: the weights per package, each one's effective sample size, the
    prior and posterior of every outcome, and what the evidence did to each uncertain parameter."""

    weights: dict[str, NDArray[np.float64]]  # package -> per future, summing to 1
    ess: dict[str, float]  # effective futures
    vector_ess: dict[str, float]  # effective parameter vectors (`effective_vectors`)
    outcomes: pd.DataFrame  # rows (package, outcome): prior, prior_lo, prior_hi, posterior, lo, hi
    parameters: pd.DataFrame  # rows parameter: prior_mean, posterior_mean, prior_sd, shift (in prior sds), p05, p95
    shared: bool  # every package has the same weights
    baseline: str  # the package the world followed while observed: the parameters' posterior is read from its weights

    @property
    def warnings(self) -> list[str]:
        futures = len(next(iter(self.weights.values())))
        out = []
        for package, ess in self.ess.items():
            if ess == 0:
                out.append(f"{package}: no simulated future is consistent with the observations (every weight is 0)")
            elif ess < ESS_WARNING_SHARE * futures:
                out.append(
                    f"{package}: the evidence leaves an effective {ess:,.0f} of {futures:,} futures (under "
                    f"{ESS_WARNING_SHARE:.0%}; {self.vector_ess[package]:,.0f} effective parameter vectors); the "
                    "posterior rests on few futures and its intervals are wide"
                )
        return out


def update(ensemble: Ensemble, observations: Sequence[Observation], baseline: str | None = None) -> Update:
    """Weigh every package's futures by the observations; `baseline` is the package the world followed while it
    was observed (the case's baseline package by default), whose weights give the parameters' posterior."""
    weights = {p: normalised(log_likelihood(ensemble, p, observations)) for p in ensemble.policies}
    ess = {p: effective_sample_size(w) for p, w in weights.items()}
    rows = []
    clusters = vector_ids(ensemble.experiments)  # the prior's vectors, whatever its replications
    vector_ess = {p: effective_vectors(w, clusters) for p, w in weights.items()}
    for package, table in outcome_tables(ensemble).items():
        flags = indicators(table)
        values = flags.to_numpy(dtype=float)
        prior = _estimate(values, np.full(len(values), 1 / len(values)), clusters)
        posterior = _estimate(values, weights[package], clusters)
        rows.append(
            pd.DataFrame(
                {
                    "package": package,
                    "outcome": flags.columns,
                    "prior": prior[0],
                    "prior_lo": prior[1],
                    "prior_hi": prior[2],
                    "posterior": posterior[0],
                    "lo": posterior[1],
                    "hi": posterior[2],
                }
            )
        )
    chosen = baseline or ensemble.case.baseline
    if chosen not in weights:
        chosen = next(iter(weights))
    first = next(iter(weights.values()))
    return Update(
        weights=weights,
        ess=ess,
        vector_ess=vector_ess,
        outcomes=pd.concat(rows, ignore_index=True).set_index(["package", "outcome"]),
        parameters=parameter_shifts(ensemble.experiments, weights[chosen]),
        shared=all(np.array_equal(first, w) for w in weights.values()),
        baseline=chosen,
    )


def _estimate(
    values: NDArray[np.float64], weights: NDArray[np.float64], clusters: NDArray[np.int64]
) -> tuple[NDArray[np.float64], ...]:
    """Per column of `values` (futures × outcomes): the weighted mean and its interval. The mean's variance is the
    delta-method one of a self-normalised importance-sampling estimate (Owen 2013, *Monte Carlo theory, methods and
    examples*, ch. 9), summed over clusters of futures that share a parameter vector, since replications are not
    independent evidence (Kish 1965, *Survey Sampling*, on cluster samples): Σ_c (Σ_{i∈c} wᵢ (yᵢ − m))². A 0/1
    outcome gets Wilson's interval with the n that variance implies, m(1 − m) / Var (at most Kish's effective sample
    size of the vectors' summed weights); an amount, the normal one. NaN with no weight."""
    if weights.sum() == 0:
        nan = np.full(values.shape[1], np.nan)
        return nan, nan, nan
    z = NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)
    mean = weights @ values
    spread = weights @ (values - mean) ** 2
    per_cluster = np.zeros((clusters.max() + 1, values.shape[1]))
    np.add.at(per_cluster, clusters, weights[:, None] * (values - mean))
    variance = np.sum(per_cluster**2, axis=0)
    clustered_ess = effective_vectors(weights, clusters)
    n = np.where(variance > 0, np.minimum(clustered_ess, spread / np.where(variance > 0, variance, 1)), clustered_ess)
    binary = np.all((values == 0) | (values == 1), axis=0)
    shares = np.array([wilson(m * k, k) if b else (np.nan, np.nan) for m, k, b in zip(mean, n, binary, strict=True)])
    normal = z * np.sqrt(variance)
    return mean, np.where(binary, shares[:, 0], mean - normal), np.where(binary, shares[:, 1], mean + normal)


def parameter_shifts(experiments: pd.DataFrame, weights: NDArray[np.float64]) -> pd.DataFrame:
    """Per uncertain parameter: its prior and posterior mean, the shift in prior standard deviations, and the
    posterior's 5% and 95% quantiles; ranked by the size of the shift."""
    rows = {}
    for name in experiments.columns:
        x = experiments[name].to_numpy(dtype=float)
        sd = x.std()
        posterior = float(weights @ x) if weights.sum() > 0 else np.nan
        order = np.argsort(x)
        at = np.searchsorted(np.cumsum(weights[order]), (0.05, 0.95)).clip(max=len(x) - 1)
        p05, p95 = x[order][at] if weights.sum() > 0 else (np.nan, np.nan)
        rows[name] = {
            "prior_mean": x.mean(),
            "posterior_mean": posterior,
            "prior_sd": sd,
            "shift": (posterior - x.mean()) / sd if sd > 0 else 0.0,
            "p05": p05,
            "p95": p95,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    return table.reindex(table["shift"].abs().sort_values(ascending=False).index)


def before_after(outcome: str, row: Mapping[str, float | None]) -> str:
    """An outcome's prior and posterior as text, each with its 95% interval: percent of futures, or USD bn for the
    US net cost ('–' where there is no posterior)."""
    scale = 1 if outcome == "us_net_cost" else 100

    def estimate(value: float | None, lo: float | None, hi: float | None) -> str:
        if value is None:
            return "–"
        return f"{scale * value:.1f}" + ("" if lo is None or hi is None else f" ({scale * lo:.1f}–{scale * hi:.1f})")

    before = estimate(row["prior"], row.get("prior_lo"), row.get("prior_hi"))
    return f"{before} → {estimate(row['posterior'], row['lo'], row['hi'])}"


def systematic_resample(weights: NDArray[np.float64], n: int, rng: np.random.Generator) -> NDArray[np.int64]:
    """`n` indices drawn by systematic resampling: one uniform offset, then n evenly spaced points through the
    cumulative weights, so that future i is drawn ⌊n·wᵢ⌋ or ⌈n·wᵢ⌉ times (Kitagawa 1996; Douc, Cappé & Moulines
    2005) and never when its weight is 0."""
    cumulative = np.cumsum(weights)
    cumulative /= cumulative[-1]
    points = (rng.random() + np.arange(n)) / n
    return np.searchsorted(cumulative, points, side="right").astype(np.int64)


def rejuvenate(ensemble: Ensemble, update: Update, through: int, seed: int) -> Ensemble:
    """The posterior as an ensemble of as many equally weighted futures: resampled by the weights of the package
    the world followed while it was observed (`update.baseline`), each retracing its source's path under it through
    year `through`, then on fresh random numbers from `seed` with every package put forward the year after (one
    set of futures for all, so that common random numbers are kept)."""
    source = systematic_resample(update.weights[update.baseline], ensemble.futures, np.random.default_rng(seed))
    return branch(ensemble, source, through, update.baseline, seed)
