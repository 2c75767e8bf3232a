"""The engine: random streams, sampling designs, executors and chunked ensemble runs."""

from .design import DEFAULT_DESIGN, Sampling, per_vector, replicate, sample, uncertain_parameters
from .ensemble import (
    DEFAULT_CHUNK,
    RECORDED,
    Branch,
    Ensemble,
    branch,
    parameter_values,
    run_ensemble,
    simulate,
    simulate_chunks,
    vector_ids,
)
from .executors import DaskExecutor, Executor, ProcessExecutor, SerialExecutor, make_executor
from .sinks import Chunk, MemorySink, Paths, Sink, chunks
from .streams import Streams

__all__ = [
    "DEFAULT_CHUNK",
    "DEFAULT_DESIGN",
    "RECORDED",
    "Branch",
    "Chunk",
    "DaskExecutor",
    "Ensemble",
    "Executor",
    "MemorySink",
    "Paths",
    "ProcessExecutor",
    "Sampling",
    "SerialExecutor",
    "Sink",
    "Streams",
    "branch",
    "chunks",
    "make_executor",
    "parameter_values",
    "per_vector",
    "replicate",
    "run_ensemble",
    "sample",
    "simulate",
    "simulate_chunks",
    "uncertain_parameters",
    "vector_ids",
]
