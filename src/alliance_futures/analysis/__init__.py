"""Analysis of ensembles: outcomes, named futures, probabilities, robust comparison, the case's claims tested,
scenario discovery, EMA Workbench interoperability, outcomes over time, signposts, the alternative futures matrix and
narratives."""

from ..case import Requirements
from ..model import REQUIREMENTS as MODEL_REQUIREMENTS
from . import calibration as _calibration
from . import compare as _compare
from . import outcomes as _outcomes
from . import signposts as _signposts
from .claims import ClaimResult, assess_claims
from .compare import paired_differences, regret, satisficing
from .discovery import Box, drivers, prim_box
from .interop import ema_model, to_ema
from .matrix import FuturesMatrix, futures_matrix, top_drivers
from .narrative import narrate, tell, trace_future
from .outcomes import (
    FUTURE_PREFIX,
    NAMED_FUTURES,
    OUTCOMES,
    outcome_tables,
    outcomes,
    probabilities,
    summarize,
    summary_frame,
    summary_json,
    wilson,
)
from .sensitivity import model_sobol, sobol, told_apart
from .signposts import signposts
from .timeline import fan, timeline, typical_future

# What a case must give the model and the analysis: the model's parameters, initial state and levers, the thresholds
# that turn paths into outcomes, named futures and signposts, and the base rates the model is calibrated against.
REQUIREMENTS = MODEL_REQUIREMENTS | Requirements.of(
    thresholds=(*_outcomes.THRESHOLDS, *_signposts.THRESHOLDS, *_calibration.THRESHOLDS),
    base_rates=_calibration.BASE_RATES,
    outcomes=_compare.INDICATORS,
)

__all__ = [
    "FUTURE_PREFIX",
    "NAMED_FUTURES",
    "OUTCOMES",
    "REQUIREMENTS",
    "Box",
    "ClaimResult",
    "FuturesMatrix",
    "assess_claims",
    "drivers",
    "ema_model",
    "fan",
    "futures_matrix",
    "model_sobol",
    "narrate",
    "outcome_tables",
    "outcomes",
    "paired_differences",
    "prim_box",
    "probabilities",
    "regret",
    "satisficing",
    "signposts",
    "sobol",
    "summarize",
    "summary_frame",
    "summary_json",
    "tell",
    "timeline",
    "to_ema",
    "told_apart",
    "top_drivers",
    "trace_future",
    "typical_future",
    "wilson",
]
