"""Analysis of ensembles: outcomes, named futures, probabilities, robust comparison, scenario discovery, EMA Workbench
interoperability and narratives."""

from .compare import paired_differences, regret, satisficing
from .discovery import Box, drivers, prim_box
from .interop import save_ema, to_ema
from .narrative import narrate, trace_future
from .outcomes import (
    FUTURE_PREFIX,
    NAMED_FUTURES,
    OUTCOMES,
    outcome_tables,
    outcomes,
    probabilities,
    summarize,
    wilson,
)
from .sensitivity import model_sobol, sobol

__all__ = [
    "FUTURE_PREFIX",
    "NAMED_FUTURES",
    "OUTCOMES",
    "Box",
    "drivers",
    "model_sobol",
    "narrate",
    "outcome_tables",
    "outcomes",
    "paired_differences",
    "prim_box",
    "probabilities",
    "regret",
    "satisficing",
    "save_ema",
    "sobol",
    "summarize",
    "to_ema",
    "trace_future",
    "wilson",
]
