"""Robustness statistics of a package over the parameter vectors of an ensemble.

Each parameter vector is one world of the deep uncertainty the case spans; its replications are the chance within it.
A measure's value in a world is the mean over the vector's futures: an outcome's probability (the share of its
futures in which the outcome happens) or a final state's mean (the US net cost, the troops). A statistic summarises
the worlds (McPhail et al. 2018, *Earth's Future* 6(2), 169–191): their mean; a percentile (the value a package
keeps to in all but the worst worlds); the regret against a reference package, world by world (Savage 1951, *JASA*
46(253)), as a mean or a percentile; or the share of worlds in which the measure exceeds a threshold (satisficing:
Simon 1956, *Psychological Review* 63(2)), each minimised. Intervals resample whole worlds, so that a world's
replications stay together (Davison & Hinkley 1997, *Bootstrap Methods and their Application*, sec. 3.8), with the
same resampled worlds for every package, so that differences between packages are paired.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..case.search import Objective
from ..engine import Ensemble
from ..model.state import STATE_VARIABLES
from .outcomes import OUTCOMES, outcome_table

PROBABILITIES = OUTCOMES  # measures that are a share of a world's futures
MEASURES = (*OUTCOMES, *(v for v in STATE_VARIABLES if v not in OUTCOMES))  # what an objective or constraint may name
# Percentile-bootstrap resamples of the worlds (Efron & Tibshirani 1993, *An Introduction to the Bootstrap*, ch. 13):
# our choice, enough that the 2.5th and 97.5th percentiles rest on 25 resamples beyond each
RESAMPLES = 1_000


def world_values(ensemble: Ensemble, measures: Iterable[str]) -> dict[str, dict[str, NDArray[np.float64]]]:
    """Package -> measure -> its value in each world (parameter vector) of the ensemble."""
    wanted = list(dict.fromkeys(measures))
    out = {}
    for name, final in ensemble.final.items():
        table = outcome_table(final, ensemble.case, ensemble.years) if set(wanted) & set(OUTCOMES) else None
        out[name] = {
            m: ensemble.per_vector(table[m].to_numpy(dtype=float) if table is not None and m in OUTCOMES else final[m])
            for m in wanted
        }
    return out


def statistic(objective: Objective, values: NDArray[np.float64], reference: NDArray[np.float64] | None = None) -> Any:
    """The objective's statistic of a measure's values over the worlds (the last axis), against the reference
    package's values in the same worlds for regret."""
    if objective.statistic == "regret":
        if reference is None:
            raise ValueError(f"regret needs the values of '{objective.against}' in the same worlds")
        values = values - reference
    if objective.max is not None:  # satisficing
        return (values > objective.max).mean(axis=-1)
    if objective.q is not None:
        return np.percentile(values, objective.q, axis=-1)
    return values.mean(axis=-1)


def resampled_worlds(worlds: int, seed: int, resamples: int = RESAMPLES) -> NDArray[np.int64]:
    """`resamples` rows of `worlds` world indices drawn with replacement; the same rows serve every package."""
    return np.random.default_rng(seed).integers(0, worlds, size=(resamples, worlds))


def resampled(
    objective: Objective,
    values: NDArray[np.float64],
    rows: NDArray[np.int64],
    reference: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """The statistic over each resample of the worlds (`rows`, from `resampled_worlds`): its percentiles, or a paired
    difference's over the same rows, are the interval (`outcomes.percentile_interval`)."""
    return np.asarray(statistic(objective, values[rows], None if reference is None else reference[rows]))


def references(objectives: Sequence[Objective]) -> list[str]:
    """The packages the objectives measure regret against, once each, in order."""
    return list(dict.fromkeys(o.against for o in objectives if o.against is not None))
