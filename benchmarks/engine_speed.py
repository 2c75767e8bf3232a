"""Future-years simulated per second for one package, on 1 and 2 worker processes.

    python benchmarks/engine_speed.py                 # 1,000,000 futures x 20 years
    python benchmarks/engine_speed.py --futures 200000 --package transactional_pressure

Both worker counts run in the same invocation so their ratio is measured under the same machine load. The
Latin hypercube design is included in the timing (it is part of every run); yearly paths are not recorded, as for
a large exploratory run. The arrays of both runs are compared, which also checks that the worker count does not
change the results.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from alliance_futures import load_case, load_policy
from alliance_futures.engine import make_executor, run_ensemble


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--futures", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--package", default="current_course")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    case = load_case()
    policy = load_policy(args.package, case)
    results = {}
    for workers in args.workers:
        start = time.perf_counter()
        ensemble = run_ensemble(
            case, [policy], args.futures, args.years, seed=1, executor=make_executor(workers), record=False
        )
        seconds = time.perf_counter() - start
        results[workers] = ensemble.final[policy.name]
        rate = args.futures * args.years / seconds
        print(
            f"{workers} worker(s): {args.futures:,} futures x {args.years} years in {seconds:.2f} s "
            f"= {rate:,.0f} future-years/s"
        )
    first = results[args.workers[0]]
    same = all(np.array_equal(first[v], r[v]) for r in results.values() for v in first)
    print(f"results identical across worker counts: {same}")


if __name__ == "__main__":
    main()
