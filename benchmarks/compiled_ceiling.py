"""How fast could a compiled engine be? A ceiling: a synthetic year with the model's counts of work, compiled by Numba.

    pip install numba                                 # not a dependency of the project: this script's alone
    python benchmarks/compiled_ceiling.py             # 300,000 futures x 20 years, 3 repeats
    python benchmarks/compiled_ceiling.py --futures 100000 --repeats 5

The counts are measured from the model first, on a small run: the random draws and the calls of exponentials and
logarithms a year (each call is one per future), and the state variables. The synthetic year then does per future,
in one compiled loop with the state held in a small local array: that many SplitMix64 draws (as `engine.streams`),
and for each state variable an update from itself, another variable, two of the future's sampled parameters and a
draw (about a dozen arithmetic operations, clipping and a random flip: some 500 a year, more than the model's 400 or
so array operations a year), that many of them through a logistic (`exp`). It has none of the model's branches on
levers and politics, no recorded paths and no Python between mechanisms, so a real compiled engine would be slower:
this is an upper bound on what compiling buys on this machine, not an estimate of it.

Each repeat times, in turn: the NumPy engine on one process and on two (as `engine_speed.py`, without paths); the
synthetic year on one process, with and without its exponentials; and the synthetic year on two processes at once,
half the futures each (the sum of what each does). Then the ratios to the NumPy engine on as many processes.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from unittest import mock

import numpy as np

try:
    import numba
except ImportError:
    raise SystemExit("this benchmark needs Numba, which the project does not install: pip install numba") from None

from alliance_futures import load_case, load_policy
from alliance_futures.engine import MemorySink, Sampling, make_executor, simulate_chunks, uncertain_parameters
from alliance_futures.engine.streams import Streams
from alliance_futures.model import STATE_VARIABLES

TRANSCENDENTAL = ("exp", "expm1", "log", "log1p", "power", "sqrt", "tanh", "sin", "cos")
_M1, _M2, _GOLDEN = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB), np.uint64(0x9E3779B97F4A7C15)
_TO_UNIT = 1.0 / (1 << 53)
COUNTED = 1024  # futures of the run that counts the work, in one chunk: some draws are made only where an event is due


def model_counts(years: int = 20) -> tuple[int, int, int, int]:
    """(sampled parameters, state variables, draws a future-year, transcendental calls a future-year) of the model
    on the built-in case, from a small run."""
    case = load_case()
    policy = load_policy("current_course", case)
    rows = Sampling(case, COUNTED, seed=1).rows(0, COUNTED)
    with ExitStack() as patched:
        calls = [patched.enter_context(mock.patch.object(np, name, wraps=getattr(np, name))) for name in TRANSCENDENTAL]
        draws = patched.enter_context(mock.patch.object(Streams, "uniform", autospec=True, side_effect=Streams.uniform))
        sink = MemorySink([policy.name], COUNTED)
        simulate_chunks(case, [policy], rows, years, 1, sink, record=False, chunk_size=COUNTED)  # one call a year each
    transcendental = round(sum(c.call_count for c in calls) / years)
    return len(uncertain_parameters(case)), len(STATE_VARIABLES), round(draws.call_count / years), transcendental


@numba.njit(inline="always")
def _mix(x: np.uint64) -> np.uint64:
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


@numba.njit(cache=True)
def _synthetic(params, start, years, streams, seed, logistic, other, p1, p2, u1, u2, out):
    """Every future's years in one loop (see the module's docstring); the final state in `out`. Its constants and
    wiring are arbitrary: only the amount and kind of work stand for the model's."""
    n, variables, draws = params.shape[0], start.shape[0], streams.shape[1]
    state, u = np.empty(variables), np.empty(draws)
    for f in range(n):
        base = _mix(np.uint64(f) * _GOLDEN + seed)
        state[:] = start
        for t in range(years):
            for k in range(draws):
                u[k] = (_mix(base + streams[t, k]) >> np.uint64(11)) * _TO_UNIT
            for j in range(variables):
                a, b, p, q = state[j], state[other[j]], params[f, p1[j]], params[f, p2[j]]
                z = 1.0 / (1.0 + np.exp(q * b - p * a)) if j < logistic else a + p * (b - a)
                z = min(max(z * (1.0 - 0.1 * q) + 0.05 * u[u1[j]], 0.0), 1.0)
                state[j] = 1.0 - z if u[u2[j]] < 0.01 * p else z
        out[f] = state


def _synthetic_rate(futures: int, years: int, parameters: int, variables: int, draws: int, logistic: int) -> float:
    """Future-years a second of the synthetic year on this process (compiled first, on a few futures)."""
    rng = np.random.default_rng(0)
    params, start = rng.random((futures, parameters)), rng.random(variables)
    streams = rng.integers(0, 2**63, size=(years, draws), dtype=np.int64).astype(np.uint64)
    j = np.arange(variables)
    wiring = ((j * 7 + 3) % variables, j % parameters, (j * 5 + 1) % parameters, j % draws, (j + 5) % draws)
    out = np.empty((futures, variables))
    _synthetic(params[:8], start, years, streams, np.uint64(1), logistic, *wiring, out[:8])
    began = time.perf_counter()
    _synthetic(params, start, years, streams, np.uint64(1), logistic, *wiring, out)
    return futures * years / (time.perf_counter() - began)


def _numpy_rate(futures: int, years: int, workers: int) -> float:
    """Future-years a second of the NumPy engine on `workers` processes (one package, no paths; the design made
    before)."""
    case = load_case()
    policy = load_policy("current_course", case)
    rows = Sampling(case, futures, seed=1).rows(0, futures)
    sink = MemorySink([policy.name], futures)
    began = time.perf_counter()
    simulate_chunks(case, [policy], rows, years, 1, sink, record=False, executor=make_executor(workers))
    return futures * years / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--futures", type=int, default=300_000)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    parameters, variables, draws, logistic = model_counts(args.years)
    print(
        f"the model: {parameters} sampled parameters; per future-year {variables} state variables, {draws} draws, "
        f"{logistic} exponentials or logarithms"
    )
    shape = (args.years, parameters, variables, draws)
    for _ in range(args.repeats):
        numpy, numpy_both = (_numpy_rate(args.futures, args.years, workers) for workers in (1, 2))
        compiled = _synthetic_rate(args.futures, *shape, logistic)
        plain = _synthetic_rate(args.futures, *shape, 0)
        with ProcessPoolExecutor(2) as pool:
            halves = [pool.submit(_synthetic_rate, args.futures // 2, *shape, logistic) for _ in range(2)]
            both = sum(half.result() for half in halves)
        print(
            f"1 process:   NumPy engine {numpy / 1e6:.2f} M future-years/s; synthetic compiled year "
            f"{compiled / 1e6:.2f} M ({compiled / numpy:.1f}x), without its exponentials {plain / 1e6:.2f} M "
            f"({plain / numpy:.1f}x)\n2 processes: NumPy engine {numpy_both / 1e6:.2f} M future-years/s; synthetic "
            f"compiled year {both / 1e6:.2f} M ({both / numpy_both:.1f}x)",
            flush=True,
        )


if __name__ == "__main__":
    main()
