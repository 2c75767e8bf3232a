"""EMA Workbench interoperability (Kwakkel 2017, *Environmental Modelling & Software* 96).

An ensemble converts to EMA Workbench's `(experiments, outcomes)` pair: one experiments row per package and future
(the sampled parameters, then EMA's `scenario`, `policy` and `model` columns) and a dict of outcome arrays in the
same row order (scalars per future, and time series futures × years for the recorded variables, named like
'credibility_yearly'); `store.save_ema` writes it as EMA's own archive, so `load_results` and EMA's analysis and
plotting functions work on our results unchanged. `ema_model` goes the other way: our model as an EMA Workbench `Model`.
"""

from __future__ import annotations

import importlib
import logging
import warnings
from collections.abc import Mapping, Sequence
from functools import partial
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..case import Case, Parameter, Policy
from ..case.search import SearchSpec
from ..engine import Ensemble, parameter_values, simulate, uncertain_parameters
from .compare import severity
from .outcomes import OUTCOMES, outcome_table, outcome_tables

MODEL_NAME = "alliancefutures"  # EMA Workbench allows letters and digits only
YEARLY_SUFFIX = "_yearly"  # time series outcomes: 'war_yearly' beside the scalar 'war' (EMA keys outcomes by name)


def ema(module: str) -> ModuleType:
    """Import an EMA Workbench module when first needed: importing it loads matplotlib, seaborn and more (about 4 s),
    which no command should pay for unless it uses EMA. Its warnings about optional parallel back-ends we do not use
    are silenced, and its log kept to warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        imported = importlib.import_module(module)
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return imported


def to_ema(ensemble: Ensemble) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The ensemble as EMA Workbench's (experiments, outcomes), every package stacked in turn."""
    tables = outcome_tables(ensemble)
    frames = []
    for name in ensemble.policies:
        frame = ensemble.experiments.reset_index(drop=True)  # one column per uncertain parameter (engine.sample)
        frame["scenario"] = np.arange(ensemble.futures)
        frame["policy"] = name
        frame["model"] = MODEL_NAME
        frames.append(frame)
    experiments = pd.concat(frames, ignore_index=True)
    for column in ("policy", "model"):
        experiments[column] = experiments[column].astype("category")
    outcomes = {k: np.concatenate([tables[n][k].to_numpy(dtype=float) for n in ensemble.policies]) for k in OUTCOMES}
    outcomes["us_net_cost"] = np.concatenate([tables[n]["us_net_cost"].to_numpy() for n in ensemble.policies])
    if ensemble.yearly is not None:
        for variable in next(iter(ensemble.yearly.values())):
            outcomes[variable + YEARLY_SUFFIX] = np.concatenate(
                [ensemble.yearly[n][variable].astype(float) for n in ensemble.policies]
            )
    return experiments, outcomes


def declare_outcomes(outcomes: dict[str, np.ndarray]) -> list[Any]:
    """EMA Workbench outcome objects for our outcome arrays: scalar per future, or a time series. Declaring them
    registers them, which EMA's archive format needs to know how to store each one."""
    kinds = ema("ema_workbench.em_framework.outcomes")
    return [kinds.ScalarOutcome(k) if v.ndim == 1 else kinds.ArrayOutcome(k) for k, v in outcomes.items()]


def evaluate_future(
    case: Case, policies: Mapping[str, Policy], years: int, seed: int, package: str, stream: int, **values: float
) -> dict[str, float]:
    """One future, as EMA Workbench calls a model: every uncertain parameter by keyword, the package (a lever) and
    the random stream (the future's index in our engine: the same stream and values give our engine's future)."""
    return _one_future(case, policies[package], years, seed, stream, values, ())


def evaluate_levers(
    case: Case, spec: SearchSpec, years: int, seed: int, stream: int, **values: float
) -> dict[str, float]:
    """One future of the package a search spec's levers make (`analysis.search.candidate`), as EMA Workbench calls
    a model: each searched lever, every uncertain parameter and the random stream by keyword."""
    from .search import candidate

    package = candidate(spec, case, [values.pop(v.name) for v in spec.variables(case)], "candidate")
    return _one_future(case, package, years, seed, stream, values, _finals(spec))


def _finals(spec: SearchSpec) -> tuple[str, ...]:
    """The state variables a spec's objectives and constraints read, beyond the outcomes every model reports."""
    named = [o.outcome for o in spec.objectives] + [c.outcome for c in spec.constraints]
    return tuple(dict.fromkeys(n for n in named if n not in (*OUTCOMES, "us_net_cost")))


def _one_future(
    case: Case, package: Policy, years: int, seed: int, stream: int, values: Mapping[str, float], finals: Sequence[str]
) -> dict[str, float]:
    """The outcomes of one future: its parameter values and random stream under `package`."""
    experiments = pd.DataFrame({name: [float(v)] for name, v in values.items()})
    paths = simulate(case, package, parameter_values(case, experiments), np.array([stream]), years, seed)
    table = outcome_table(paths.final, case, years)
    result = {k: float(table[k].iloc[0]) for k in OUTCOMES}
    result["us_net_cost"] = float(table["us_net_cost"].iloc[0])
    result["severity"] = float(severity(table).iloc[0])
    result |= {name: float(paths.final[name][0]) for name in finals}
    return result


def _frozen(parameter: Parameter) -> Any:
    """A piecewise parameter as the frozen SciPy distribution EMA samples through its `ppf`."""
    low, high = parameter.range or (0.0, 0.0)

    class Piecewise(stats.rv_continuous):
        def _ppf(self, q: np.ndarray) -> np.ndarray:
            return parameter.inverse_cdf(q)

    return Piecewise(a=low, b=high, name=parameter.distribution)()


def ema_model(
    case: Case,
    policies: Sequence[Policy] = (),
    years: int = 20,
    seed: int = 0,
    streams: int = 2**31 - 1,
    levers: SearchSpec | None = None,
) -> Any:
    """Our model as an EMA Workbench `Model`, for analysts who drive it with their own evaluators, samplers and
    optimisers.

        Uncertainties: every uncertain parameter of the case over its range (log-uniform ones keep their distribution),
        and `stream`, the future's random stream, an integer from 0 to `streams`.
        Levers: `package`, one of `policies` (a constant if there is only one); or, given a search spec as `levers`,
    each lever and term it searches (`SearchSpec.variables`: whole-step levers and a term's choice as integers; the
    rest fixed as it says), so that
    EMA's `optimize(searchover="levers")` can drive the model; the measures of the spec's objectives are then the
    outcomes to minimise (per future: EMA's robustness functions, not ours, summarise them over scenarios).
        Outcomes: each outcome flag (0 or 1), the US net cost (USD bn), the severity of the named future (0–4, see
        `compare.severity`) and any final state a spec's objectives read. EMA calls the model once per experiment, so
        it is slower than our vectorised engine."""
    workbench = ema("ema_workbench")
    by_name = {p.name: p for p in policies}
    if (levers is None) == (not by_name):
        raise ValueError("give the packages to choose among, or a search spec's levers, not both")
    function = (
        partial(evaluate_future, case, by_name, years, seed)
        if levers is None
        else partial(evaluate_levers, case, levers, years, seed)
    )
    model = workbench.Model(MODEL_NAME, function=function)
    uncertainties = []
    for name, parameter in uncertain_parameters(case).items():
        low, high = parameter.range or (0.0, 0.0)
        if parameter.distribution == "loguniform":
            uncertainties.append(workbench.RealParameter.from_dist(name, stats.loguniform(low, high)))
        elif parameter.quantiles is not None:
            uncertainties.append(workbench.RealParameter.from_dist(name, _frozen(parameter)))
        else:
            uncertainties.append(workbench.RealParameter(name, low, high))
    uncertainties.append(workbench.IntegerParameter("stream", 0, streams))
    model.uncertainties = uncertainties
    if levers is not None:  # a whole-step lever or a term's choice as an integer (`SearchSpec.variables`)
        model.levers = [
            (workbench.IntegerParameter if v.integer else workbench.RealParameter)(v.name, v.low, v.high)
            for v in levers.variables(case)
        ]
    elif len(by_name) > 1:
        model.levers = [workbench.CategoricalParameter("package", list(by_name))]
    else:  # EMA wants at least two categories; one package is a constant
        model.constants = [workbench.Constant("package", next(iter(by_name)))]
    minimised = set() if levers is None else {o.outcome for o in levers.objectives}
    kind = workbench.ScalarOutcome
    model.outcomes = [
        kind(k, kind=kind.MINIMIZE if k in minimised else kind.INFO)
        for k in (*OUTCOMES, "us_net_cost", "severity", *(() if levers is None else _finals(levers)))
    ]
    return model
