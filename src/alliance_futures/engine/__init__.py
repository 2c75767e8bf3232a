"""The engine: random streams, sampling designs, executors and chunked ensemble runs."""

from .design import per_vector, replicate, sample, uncertain_parameters
from .ensemble import RECORDED, Branch, Ensemble, Paths, branch, parameter_values, run_ensemble, simulate
from .executors import Executor, ProcessExecutor, SerialExecutor, make_executor
from .streams import Streams

__all__ = [
    "RECORDED",
    "Branch",
    "Ensemble",
    "Executor",
    "Paths",
    "ProcessExecutor",
    "SerialExecutor",
    "Streams",
    "branch",
    "make_executor",
    "parameter_values",
    "per_vector",
    "replicate",
    "run_ensemble",
    "sample",
    "simulate",
    "uncertain_parameters",
]
