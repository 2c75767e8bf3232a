"""The source articles' claims, tested across the futures instead of assumed.

Each claim of the case (`claims:`) says that a package moves an outcome against a baseline, lower or higher. On
common random numbers the effect is read future by future: the paired difference, with its interval, over all
futures; then, parameter vector by parameter vector, the mean paired difference over the vector's replications. The
share of vectors where it has the claimed sign is where the claim holds; the share where it has the opposite sign,
where it fails; the rest show no difference. Where failures concentrate is found by PRIM on the failing vectors
(`discovery.prim_box`, with its held-out check) and said in a sentence ("… it fails most where …", or "no region
stands out"). The interval of the paired difference comes from the spread of the per-vector means, since a vector's
replications share its parameters. With one future per vector the per-vector differences are single coin tosses, so
the shares are rough; replications sharpen them (docs/analysis.md, "Replications").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ..case import Claim
from ..engine import Ensemble, per_vector
from .compare import indicators
from .discovery import Box, drivers, prim_box, rank_correlation
from .outcomes import CONFIDENCE, Clusters, mean_interval, outcome_label, share_interval, vector_clusters

VERBS = {"lower": ("lowers", "raises"), "higher": ("raises", "lowers")}
UNITS = {"us_net_cost": "USD bn a year"}  # every other outcome is a probability
ASSOCIATED = 2  # drivers named when failures spread without a region
MIN_RHO = 0.1  # a driver whose rank correlation with failing is weaker than this is not named


@dataclass(frozen=True)
class ClaimResult:
    """What the runs say of one claim: the paired difference over all futures (lo, hi: its interval), and per
    parameter vector the shares where it holds, fails, or shows no difference; where it fails most (a PRIM box on
    the failing vectors)."""

    name: str
    claim: Claim
    baseline: str  # the claim's, or else the case's
    difference: float
    lo: float
    hi: float
    share_holds: float
    share_fails: float
    # their 95% Wilson intervals: over the vectors, independent draws of the parameters (a posterior run's futures, on
    # the effective number of them, since those resampled from one source vector are not independent evidence)
    holds_interval: tuple[float, float]
    fails_interval: tuple[float, float]
    vectors: int
    failures: Box | None  # None when the claim fails in no vector
    associated: tuple[tuple[str, float], ...] = ()  # drivers most rank-correlated with failing, and their rho

    @property
    def verdict(self) -> str:
        """Over all futures: 'holds' or 'fails' when the paired difference's interval excludes zero on the claimed
        or the opposite side, else 'not distinguishable from zero'."""
        if self.lo > 0 or self.hi < 0:
            wanted = -1.0 if self.claim.direction == "lower" else 1.0
            return "holds" if wanted * self.difference > 0 else "fails"
        return "not distinguishable from zero"

    def fails_where(self) -> str:
        """Where the claim fails, in a sentence; empty only when it holds in every vector. The region is PRIM's
        densest readable box of failing vectors, with its check on held-out vectors; a box that does not pass the
        check is named as a weak tendency, not as a region that stands out."""
        if self.failures is None:
            return ""
        what = outcome_label(self.claim.outcome)
        claimed, opposite = VERBS[self.claim.direction]
        package, baseline = self.claim.package.replace("_", " "), self.baseline.replace("_", " ")
        head = (
            f"{package} {claimed} {what} against {baseline} in {share_text(self.share_holds, self.holds_interval)} of "
            f"parameter vectors and {opposite} it in {share_text(self.share_fails, self.fails_interval)}"
        )
        box = self.failures
        leaning = ", ".join(
            f"{'higher' if rho > 0 else 'lower'} {name} (rho {rho:+.2f})" for name, rho in self.associated
        )
        tendency = f"; they lean toward {leaning}" if leaning else ""
        if not box.limits:
            return f"{head}; the failures are spread across the space: no region stands out{tendency}."
        if box.heldout_lift is None:  # a half of the vectors holds no failure, or no readable box
            return f"{head}; too few vectors fail to check where: no region stands out{tendency}."
        lift, lo, hi = box.heldout_lift
        where = (
            f"it fails most where {' and '.join(box.conditions())}: there {box.density:.0%} of vectors go against the "
            f"claim (against {box.base_rate:.0%} overall, a lift of {box.lift:.1f}; on held-out vectors "
            f"{lift:.1f}, {lo:.1f}–{hi:.1f})"
        )
        if box.stands_out:
            return f"{head}; {where}."
        return f"{head}; {where}, a weak tendency: no region stands out clearly{tendency}."

    def as_json(self) -> dict[str, Any]:
        c = self.claim
        return {
            "seed": c.seed,
            "sentence": c.sentence,
            "package": c.package,
            "baseline": self.baseline,
            "outcome": c.outcome,
            "direction": c.direction,
            "mechanism": c.mechanism,
            "unit": UNITS.get(c.outcome, "probability"),
            "difference": self.difference,
            "lo": self.lo,
            "hi": self.hi,
            "verdict": self.verdict,
            "share_holds": self.share_holds,
            "share_holds_lo": self.holds_interval[0],
            "share_holds_hi": self.holds_interval[1],
            "share_fails": self.share_fails,
            "share_fails_lo": self.fails_interval[0],
            "share_fails_hi": self.fails_interval[1],
            "vectors": self.vectors,
            "fails_where": self.fails_where(),
        }


def share_text(share: float, interval: tuple[float, float]) -> str:
    """A share of vectors with its interval, to a tenth of a point so that a bound near zero shows:
    '0.0% (0.0–0.4%)'."""
    return f"{share:.1%} ({100 * interval[0]:.1f}–{interval[1]:.1%})"


def assess_claim(
    name: str,
    claim: Claim,
    baseline: str,
    x: pd.DataFrame,
    per_future: np.ndarray,
    clusters: Clusters,
    seed: int = 0,
    confidence: float = CONFIDENCE,
) -> ClaimResult:
    """Test one claim from the paired differences of its outcome, future by future (`per_future`, package minus
    `baseline`), and the drivers per vector `x`. `clusters`: each vector's replications (the futures are read vector
    by vector), or per future an id (a posterior run's resampled futures, read one by one and counted by vector in
    the effect's interval)."""
    effect = mean_interval(per_future, clusters, confidence)  # from the spread of the clusters' totals
    mean, lo, hi = effect["mean"], effect["lo"], effect["hi"]
    units = vector_clusters(clusters)  # of the shares: vectors, or futures by source vector
    vectors = per_future if isinstance(clusters, np.ndarray) else per_vector(per_future, clusters)
    wanted = -1.0 if claim.direction == "lower" else 1.0
    holds, fails = wanted * vectors > 0, wanted * vectors < 0
    held, failed = share_interval(holds, units, confidence), share_interval(fails, units, confidence)
    result = ClaimResult(
        name,
        claim,
        baseline,
        mean,
        lo,
        hi,
        float(held["p"]),
        float(failed["p"]),
        (float(held["lo"]), float(held["hi"])),
        (float(failed["lo"]), float(failed["hi"])),
        len(vectors),
        None,
    )
    if not fails.any():
        return result
    rho = rank_correlation(x, fails)
    leaning = tuple((str(k), float(rho[k])) for k in rho.abs().nlargest(ASSOCIATED).index if abs(rho[k]) >= MIN_RHO)
    return replace(result, failures=prim_box(x, fails, f"claim:{name}", seed=seed, clusters=units), associated=leaning)


def assess_claims(ensemble: Ensemble, tables: Mapping[str, pd.DataFrame]) -> tuple[list[ClaimResult], list[str]]:
    """Every claim of the ensemble's case whose package and baseline were run (`tables`: the ensemble's
    `outcome_tables`); and a note for each one skipped."""
    flags = {name: indicators(table) for name, table in tables.items()}
    baselines: dict[str, pd.DataFrame] = {}  # drivers per baseline package, read once
    results, skipped = [], []
    for name, claim in ensemble.case.claims.items():
        against = claim.baseline or ensemble.case.baseline
        missing = [p for p in (claim.package, against) if p not in tables]
        if missing:
            skipped.append(f"{name}: the run has no package {', '.join(missing)}")
            continue
        difference = flags[claim.package][claim.outcome] - flags[against][claim.outcome]
        x = baselines.setdefault(against, drivers(ensemble, against))
        results.append(assess_claim(name, claim, against, x, difference.to_numpy(), ensemble.clusters, ensemble.seed))
    return results, skipped
