"""Future-years simulated per second for one package, on 1 and 2 worker processes.

    python benchmarks/engine_speed.py                 # 1,000,000 futures x 20 years
    python benchmarks/engine_speed.py --futures 200000 --package transactional_pressure --repeats 2
    git worktree add /tmp/old COMMIT && python benchmarks/engine_speed.py --against /tmp/old/src --repeats 2

The Latin hypercube design is made once and timed on its own; then the engine simulates its futures on each worker
count in turn (`--repeats` times), as a run does, without yearly paths (as for a large exploratory run). The worker
counts alternate in the same invocation so that their ratio is measured under the same machine load. With
--against, each repeat runs this version and then the sources at SRC (another checkout's `src`), each in a process
of its own. The final states of every run are compared, which also checks that the worker count does not change the
results.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np

from alliance_futures import load_case, load_policy
from alliance_futures.engine import MemorySink, Sampling, make_executor, simulate_chunks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--futures", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--package", default="current_course")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--against", metavar="SRC", help="another version's sources, measured in turn with this one")
    args = parser.parse_args()
    if args.against:
        for _ in range(args.repeats):
            for label, src in (("this version", None), ("against", args.against)):
                for line in _measured_in(src, args).splitlines():
                    print(f"{label:>12}  {line}", flush=True)
        return
    case = load_case()
    policy = load_policy(args.package, case)
    start = time.perf_counter()
    rows = Sampling(case, args.futures, seed=1).rows(0, args.futures)
    print(f"design: {args.futures:,} futures' parameters in {time.perf_counter() - start:.2f} s")
    results = []
    for _ in range(args.repeats):
        for workers in args.workers:
            sink = MemorySink([policy.name], args.futures)
            start = time.perf_counter()
            simulate_chunks(case, [policy], rows, args.years, 1, sink, record=False, executor=make_executor(workers))
            seconds = time.perf_counter() - start
            results.append(sink.final[policy.name])
            rate = args.futures * args.years / seconds
            print(
                f"{workers} worker(s): {args.futures:,} futures x {args.years} years in {seconds:.2f} s "
                f"= {rate:,.0f} future-years/s"
            )
    same = all(np.array_equal(results[0][v], r[v]) for r in results for v in results[0])
    print(f"results identical across worker counts: {same}")


def _measured_in(src: str | None, args: argparse.Namespace) -> str:
    """This benchmark's output, run once in a process of its own on the sources at `src` (None: this version)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | ({"PYTHONPATH": src} if src else {})
    command = [sys.executable, __file__, "--futures", str(args.futures), "--years", str(args.years)]
    command += ["--package", args.package, "--workers", *map(str, args.workers)]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout


if __name__ == "__main__":
    main()
