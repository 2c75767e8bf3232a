"""Defaults and limits of a run, its report, a calibration, a backtest and a negotiation, declared once: `api`
checks requests against them, and the service's request models and the command line's options take their defaults
and bounds from here. Nothing here imports anything heavy, so the command line starts fast."""

from enum import StrEnum

DEFAULT_SEED = 1953  # the year of the Mutual Defense Treaty; any fixed number would do
MAX_SEED = 2**63 - 1  # NumPy's seeds are unsigned 64-bit; JSON and SQLite integers are signed
DEFAULT_REPLICATIONS = 10  # futures per parameter vector (docs/analysis.md, "Replications": the measured trade-off)
MAX_REPLICATIONS = 10_000
MAX_YEARS = 200
MAX_WORKERS = 256
# Futures per package a report analyses at most: a larger run's report reads its first futures (whole chunks), a
# random sample of its vectors, since the Latin hypercube puts them in random order (docs/scale.md)
REPORT_MAX_FUTURES = 200_000
DEFAULT_CHUNK = 32_768  # futures per chunk: a worker holds one chunk's yearly paths (about 85 MB at 20 years)
MEMORY_SHARE = 0.8  # refuse runs whose estimated peak is more than this share of the memory the process may use
# Peak resident memory of `run` per byte of the ensemble's arrays, and of the process itself: measured 1.1–1.45 and
# about 0.25 GB (benchmarks/run_footprint.py: 20,000 to 700,000 futures × 6 packages and 200,000 × 1, 20 years; the
# largest peaked at 14.7 GB), with a margin
MEMORY_PEAK_FACTOR = 1.5
PROCESS_BYTES = 400 * 2**20
# A saved run's Parquet bytes per package, future and year of yearly paths, and per package and future of final states:
# measured 60–62 and 165 (2,000 and 20,000 futures × 6 packages × 20 years); the estimate is 1.45–1.5 times the
# folders of 150,000 and 700,000 futures (benchmarks/run_footprint.py)
DISK_BYTES_PER_PATH_YEAR = 70
DISK_BYTES_PER_FINAL = 200
# Parquet C++'s default limit on a column chunk's dictionary page (the `dictionary_pagesize_limit` of pyarrow's
# writer): a column whose dictionary outgrows it is written plain
PARQUET_DICTIONARY_PAGE = 2**20
# The service's limits on one request, on a machine others share. A run is streamed to disk (memory holds a few
# chunks) and its views analyse at most SERVICE_MAX_ANALYSED futures per package, so what bounds it is time and disk:
# at the largest, about 8 GB of Parquet and a few minutes of simulation (docs/scale.md).
SERVICE_MAX_FUTURES = 1_000_000
SERVICE_MAX_CELLS = SERVICE_MAX_FUTURES * 20 * 6  # futures × years × packages: a million futures, 20 years, 6 packages
# The Sobol analysis's futures × years, simulated in memory: about 0.5 GB of yearly paths and a minute at this size.
SERVICE_MAX_SOBOL_CELLS = 4_000_000
# Futures per package the service's views analyse (of a larger run, its first ones): the most a run had when the
# service held whole runs in memory, so that its analysis needs no more memory than it did then (the analysis of
# 200,000 futures × 2 packages peaked at 4.3 GB).
SERVICE_MAX_ANALYSED = 100_000
SERVICE_MAX_BODY = 2**20  # bytes of one request; the largest valid one, 200 stakeholders, is about 40 KB
SERVICE_MAX_QUEUED = 16  # runs waiting or running at once; more wait for some to finish
SERVICE_MAX_STREAMS = 64  # progress streams open at once

SOBOL_BASE = 512  # SALib's N for the report: 62,464 futures for 122 parameters, a few seconds
MAX_SOBOL_BASE = 2**14

CALIBRATION_FUTURES = 4_000
MAX_CALIBRATION_FUTURES = 1_000_000  # two short simulations of this many futures; a few seconds at 4,000
MAX_BACKTEST_FUTURES = 100_000  # a replay keeps ten yearly series per future: about 0.3 GB at this size
MAX_NEGOTIATION_ROUNDS = 100  # longest expected utility path a table may ask for
MAX_SEED_QUESTIONS = 200  # an elicitation kit's; the six TU Delft studies shipped ask 10 to 21
MAX_CROSS_VALIDATION_SPLITS = 10_000  # out-of-sample tests of an elicitation: about 0.1 s each on a 20-expert study
MAX_STAKEHOLDERS = 200  # rows of a stakeholder table; the expected utility model's time and memory grow as rows³
# stakeholders³ × rounds: 200 stakeholders for 10 rounds, about a second here (its cost per round is cubic)
MAX_NEGOTIATION_WORK = 200**3 * 10


class Executors(StrEnum):
    """Where a run's chunks are simulated: local processes, or a Dask cluster (`engine.DaskExecutor`)."""

    local = "local"
    dask = "dask"


class Export(StrEnum):
    """What a saved run exports to (`store.export`)."""

    csv = "csv"
    xlsx = "xlsx"
    ema = "ema"


def is_power_of_two(n: int) -> bool:
    """The Sobol design base must be one (Saltelli's sequence keeps its balance only at powers of two)."""
    return n > 0 and not n & (n - 1)
