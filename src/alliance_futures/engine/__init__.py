"""The engine: random streams, sampling designs, executors and chunked ensemble runs."""

from .design import DEFAULT_DESIGN, per_vector, replicate, sample, sample_futures, uncertain_parameters
from .ensemble import RECORDED, Branch, Ensemble, branch, parameter_values, run_ensemble, simulate, simulate_chunks
from .executors import Executor, ProcessExecutor, SerialExecutor, make_executor
from .sinks import Chunk, MemorySink, Paths, Sink
from .streams import Streams

__all__ = [
    "DEFAULT_DESIGN",
    "RECORDED",
    "Branch",
    "Chunk",
    "Ensemble",
    "Executor",
    "MemorySink",
    "Paths",
    "ProcessExecutor",
    "SerialExecutor",
    "Sink",
    "Streams",
    "branch",
    "make_executor",
    "parameter_values",
    "per_vector",
    "replicate",
    "run_ensemble",
    "sample",
    "sample_futures",
    "simulate",
    "simulate_chunks",
    "uncertain_parameters",
]
