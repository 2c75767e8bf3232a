"""alliance-futures: many simulated futures of the US–ROK alliance, and policy packages compared on them.

The flow is case → design → engine → analysis → report; `api` has the functions a notebook needs.
"""

from .analysis import narrate, outcome_tables, outcomes, summarize, trace_future
from .api import explain, prepare, run, save, validate
from .case import InputError, builtin_policy_names, load_case, load_policy
from .engine import Ensemble, run_ensemble, simulate
from .store import load_run

__all__ = [
    "Ensemble",
    "InputError",
    "builtin_policy_names",
    "explain",
    "load_case",
    "load_policy",
    "load_run",
    "narrate",
    "outcome_tables",
    "outcomes",
    "prepare",
    "run",
    "run_ensemble",
    "save",
    "simulate",
    "summarize",
    "trace_future",
    "validate",
]
