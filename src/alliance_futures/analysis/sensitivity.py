"""Global sensitivity: Sobol first- and total-order indices with SALib (Sobol 2001; Saltelli et al. 2010, *Computer
Physics Communications* 181(2)), the Saltelli design run through our engine in one vectorised batch.

`sobol` is generic (any vectorised function of the unit cube's points, tested on the Ishigami function);
`model_sobol` applies it to the model: each row of the design is one future, its uncertain parameters mapped from the
unit cube onto their ranges (uniform or log-uniform, as the case says), and the indices decompose the variance of
each outcome's indicator over futures. The rows SALib derives from one base point (A, the D mixed rows, B) share one
random stream, so chance events are common to the points compared and the indices measure the parameters' effect,
not noise (common random numbers; Kleijnen 2008, *Design and Analysis of Simulation Experiments*). With one future
per row, chance still leaves variance the parameters do not explain, so first orders sum to well under one; with
replications, each row's outcome is a probability over its futures and much of that noise averages out. The bootstrap
intervals say how far to trust each index: one whose interval reaches zero cannot be told from no effect.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from ..case import Case, Policy
from ..engine import parameter_values, per_vector, simulate, uncertain_parameters
from .outcomes import outcome_label, outcome_table

DEFAULT_BASE = 1024  # SALib's N: the design has N × (parameters + 2) rows (a power of two keeps Sobol' balanced)
LEADERS = 5  # the drivers per output that `told_apart` reads


def sobol(
    names: Sequence[str], evaluate: Callable[[np.ndarray], dict[str, np.ndarray]], base: int, seed: int
) -> pd.DataFrame:
    """First-order (S1) and total (ST) indices with 95% bootstrap half-widths for each output of `evaluate`, which
    takes the whole design (rows × len(names), points of the unit cube) at once. Rows: output and parameter."""
    from SALib.analyze import sobol as sobol_analyze  # imported here: SALib loads SciPy, 0.8 s every command
    from SALib.sample import sobol as sobol_sample

    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    design = sobol_sample.sample(problem, base, calc_second_order=False, seed=seed)
    frames = []
    for output, y in evaluate(design).items():
        s = sobol_analyze.analyze(problem, np.asarray(y, dtype=float), calc_second_order=False, seed=seed)
        frames.append(
            pd.DataFrame(
                {
                    "output": output,
                    "parameter": list(names),
                    "S1": s["S1"],
                    "S1_conf": s["S1_conf"],
                    "ST": s["ST"],
                    "ST_conf": s["ST_conf"],
                }
            )
        )
    return pd.concat(frames, ignore_index=True).set_index(["output", "parameter"])


def sobol_futures(case: Case, base: int, replications: int = 1) -> int:
    """The futures `model_sobol` simulates: SALib's N × (parameters + 2) rows of the design (without second-order
    indices), each `replications` times."""
    return base * (len(uncertain_parameters(case)) + 2) * replications


def model_sobol(
    case: Case,
    policy: Policy,
    outputs: Sequence[str] = ("rupture", "nuclear_pursuit", "war", "drawdown"),
    years: int = 20,
    base: int = DEFAULT_BASE,
    seed: int = 0,
    replications: int = 1,
) -> pd.DataFrame:
    """Sobol indices of the model's outcomes over every uncertain parameter of the case, for one package. With
    replications, each row of the design is simulated that many times (on streams shared by the rows of one base
    point) and the indices decompose the variance of each outcome's probability, not of one coin toss."""
    uncertain = uncertain_parameters(case)
    names = list(uncertain)

    def evaluate(unit: np.ndarray) -> dict[str, np.ndarray]:
        rows = np.repeat(np.arange(len(unit)), replications)
        experiments = pd.DataFrame({n: uncertain[n].inverse_cdf(unit[rows, i]) for i, n in enumerate(names)})
        params = parameter_values(case, experiments)
        base_point = rows // (len(names) + 2)  # SALib's row layout without second order
        streams = base_point * replications + np.tile(np.arange(replications), len(unit))
        paths = simulate(case, policy, params, streams, years, seed)
        table = outcome_table(paths.final, case, years)
        return {k: per_vector(table[k].to_numpy(), replications) for k in outputs}

    return sobol(names, evaluate, base, seed)


def distinct_from_zero(indices: pd.DataFrame) -> pd.Series:
    """Whether each total index's 95% interval excludes zero; one that reaches zero cannot be told from no effect."""
    return indices["ST"] - indices["ST_conf"] > 0


def influence(indices: pd.DataFrame, parameters: Sequence[str]) -> pd.DataFrame:
    """How much each of some parameters drives each output: its total index with the interval's half-width, its rank
    by total index among all the parameters (1: the largest), and whether the interval excludes zero. Rows: parameter
    and output, in the order given."""
    ranks = indices.groupby(level="output", sort=False)["ST"].rank(ascending=False, method="min").astype(int)
    table = indices.assign(rank=ranks, of=indices.groupby(level="output", sort=False)["ST"].transform("size"))
    table = table.assign(told_apart=distinct_from_zero(table)).swaplevel("output", "parameter")
    rows = pd.MultiIndex.from_product(
        [list(parameters), indices.index.get_level_values("output").unique()], names=["parameter", "output"]
    )
    return table.reindex(rows)[["ST", "ST_conf", "rank", "of", "told_apart"]]


def told_apart(indices: pd.DataFrame, top: int = LEADERS) -> list[str]:
    """For each output, in a sentence, which of its `top` drivers by total index have an interval that excludes zero
    (the rest cannot be told apart from no effect)."""
    out = []
    for output, table in indices.groupby(level="output", sort=False):
        leaders = table.droplevel("output").nlargest(top, "ST")
        clear = [str(p) for p in leaders.index[distinct_from_zero(leaders)]]
        what = outcome_label(str(output)).capitalize()
        if not clear:
            out.append(f"{what}: no parameter's total index can be told apart from zero at this base.")
        elif len(clear) == len(leaders):
            out.append(f"{what}: the top {len(leaders)} total indices all exclude zero ({', '.join(clear)}).")
        else:
            out.append(
                f"{what}: of the top {len(leaders)}, the intervals of {', '.join(clear)} exclude zero; the others "
                "cannot be told apart from zero."
            )
    return out
