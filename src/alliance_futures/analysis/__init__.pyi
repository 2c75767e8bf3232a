from .backtest import Backtest, backtest_history, coding_sensitivity, sensitivity_summary
from .calibration import calibrate
from .claims import ClaimResult, assess_claims
from .compare import paired_differences, regret, satisficing
from .discovery import Box, drivers, prim_box
from .findings import FinalChunks, Findings, analyse
from .interop import ema_model, to_ema
from .matrix import FuturesMatrix, futures_matrix, top_drivers
from .narrative import narrate, tell, trace_future
from .outcomes import (
    FUTURE_PREFIX,
    NAMED_FUTURES,
    OUTCOMES,
    long_outcomes,
    outcome_table,
    outcome_tables,
    probabilities,
    summarize,
    summary_frame,
    summary_json,
    summary_of_chunks,
    wilson,
)
from .requirements import REQUIREMENTS
from .sensitivity import model_sobol, sobol, told_apart
from .signposts import rank_signposts, watch_years
from .timeline import fan, outcomes_over_time, typical_future

__all__ = [
    "FUTURE_PREFIX",
    "NAMED_FUTURES",
    "OUTCOMES",
    "REQUIREMENTS",
    "Backtest",
    "Box",
    "ClaimResult",
    "FinalChunks",
    "Findings",
    "FuturesMatrix",
    "analyse",
    "assess_claims",
    "backtest_history",
    "calibrate",
    "coding_sensitivity",
    "drivers",
    "ema_model",
    "fan",
    "futures_matrix",
    "long_outcomes",
    "model_sobol",
    "narrate",
    "outcome_table",
    "outcome_tables",
    "outcomes_over_time",
    "paired_differences",
    "prim_box",
    "probabilities",
    "rank_signposts",
    "regret",
    "satisficing",
    "sensitivity_summary",
    "sobol",
    "summarize",
    "summary_frame",
    "summary_json",
    "summary_of_chunks",
    "tell",
    "to_ema",
    "told_apart",
    "top_drivers",
    "trace_future",
    "typical_future",
    "watch_years",
    "wilson",
]
