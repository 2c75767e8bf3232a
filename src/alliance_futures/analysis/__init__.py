"""Analysis of ensembles: outcomes, named futures, probabilities and narratives."""

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

__all__ = [
    "FUTURE_PREFIX",
    "NAMED_FUTURES",
    "OUTCOMES",
    "narrate",
    "outcome_tables",
    "outcomes",
    "probabilities",
    "summarize",
    "trace_future",
    "wilson",
]
