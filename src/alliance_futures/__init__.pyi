from . import analysis
from .analysis import narrate, outcome_table, outcome_tables, summarize, tell, trace_future
from .api import (
    backtest,
    claims,
    explain,
    findings,
    load_case,
    load_run,
    negotiate,
    prepare,
    report_run,
    run,
    save,
    validate,
    write_report,
)
from .case import builtin_policy_names, load_policy
from .engine import Ensemble, run_ensemble, simulate
from .errors import InputError

__version__: str

__all__ = [
    "Ensemble",
    "InputError",
    "__version__",
    "analysis",
    "backtest",
    "builtin_policy_names",
    "claims",
    "explain",
    "findings",
    "load_case",
    "load_policy",
    "load_run",
    "narrate",
    "negotiate",
    "outcome_table",
    "outcome_tables",
    "prepare",
    "report_run",
    "run",
    "run_ensemble",
    "save",
    "simulate",
    "summarize",
    "tell",
    "trace_future",
    "validate",
    "write_report",
]
