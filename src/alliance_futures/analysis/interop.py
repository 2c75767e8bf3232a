"""EMA Workbench interoperability (Kwakkel 2017, *Environmental Modelling & Software* 96).

An ensemble converts to EMA Workbench's `(experiments, outcomes)` pair: one experiments row per package and future
(the sampled parameters, then EMA's `scenario`, `policy` and `model` columns) and a dict of outcome arrays in the
same row order (scalars per future, and time series futures × years for the recorded variables). `save_ema` writes
EMA's own archive (`ema_workbench.save_results`), so `load_results` and EMA's analysis and plotting functions work on
our results unchanged.
"""

from __future__ import annotations

import importlib
import logging
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from ..engine import Ensemble
from .outcomes import OUTCOMES, outcome_tables

MODEL_NAME = "alliance_futures"


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
            outcomes[variable] = np.concatenate([ensemble.yearly[n][variable].astype(float) for n in ensemble.policies])
    return experiments, outcomes


def declare_outcomes(outcomes: dict[str, np.ndarray]) -> list[Any]:
    """EMA Workbench outcome objects for our outcome arrays: scalar per future, or a time series. Declaring them
    registers them, which EMA's archive format needs to know how to store each one."""
    kinds = ema("ema_workbench.em_framework.outcomes")
    return [kinds.ScalarOutcome(k) if v.ndim == 1 else kinds.ArrayOutcome(k) for k, v in outcomes.items()]


def save_ema(ensemble: Ensemble, path: str | Path) -> Path:
    """Write the ensemble as an EMA Workbench results archive (.tar.gz)."""
    target = Path(path)
    experiments, outcomes = to_ema(ensemble)
    declare_outcomes(outcomes)
    ema("ema_workbench").save_results((experiments, outcomes), str(target))
    return target
