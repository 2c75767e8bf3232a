"""The whole `alliance-futures run` command with yearly paths: wall time and peak memory of all its processes.

    python benchmarks/run_speed.py                         # 1,000,000 futures x 20 years x 1 package, 2 workers
    python benchmarks/run_speed.py --futures 200000 --packages 6 --repeats 3
    git worktree add /tmp/old COMMIT && python benchmarks/run_speed.py --against /tmp/old/src

With --against, the same command runs from another checkout's sources too, alternating with this one, so that
their ratio is measured under the same machine load. Peak memory is the largest sum, over the command's process
and its workers, of each one's proportional set size (PSS: a page shared by n processes counts 1/n in each, so
memory the workers share with the parent is not counted twice), sampled every 100 ms from /proc (Linux only).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from alliance_futures.case import builtin_policy_names

SAMPLE_SECONDS = 0.1


def _tree(pid: int) -> list[int]:
    """The process and its descendants, as /proc lists them now."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                queue += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def _pss(pid: int) -> int:
    """A process's proportional set size in bytes (0 if it has ended)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def measure(src: Path | None, futures: int, packages: int, workers: int) -> tuple[float, int]:
    """One run of the command (from `src`, or the installed package): its wall time and peak memory."""
    chosen = [arg for name in builtin_policy_names()[:packages] for arg in ("-p", name)]
    folder = Path(tempfile.mkdtemp(prefix="run-speed-"))
    command = [sys.executable, "-m", "alliance_futures", "-q", "run", "--futures", str(futures), *chosen]
    command += ["--workers", str(workers), "--output", str(folder / "run")]
    env = os.environ | ({"PYTHONPATH": str(src)} if src is not None else {})
    peak, start = 0, time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    while process.poll() is None:
        peak = max(peak, sum(_pss(pid) for pid in _tree(process.pid)))
        time.sleep(SAMPLE_SECONDS)
    elapsed = time.perf_counter() - start
    shutil.rmtree(folder)
    if process.returncode != 0:
        raise RuntimeError(f"the run from {src or 'this installation'} failed ({process.returncode})")
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--futures", type=int, default=1_000_000)
    parser.add_argument("--packages", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--against", type=Path, help="another checkout's src folder, run alternately with this one")
    args = parser.parse_args()
    versions: dict[str, Path | None] = {"this version": None}
    if args.against is not None:
        versions["against"] = args.against
    print(f"{args.futures:,} futures x 20 years x {args.packages} package(s) with yearly paths, {args.workers} workers")
    for repeat in range(args.repeats):
        for name, src in versions.items():
            elapsed, peak = measure(src, args.futures, args.packages, args.workers)
            rate = args.futures * 20 * args.packages / elapsed / 1e6
            said = f"{elapsed:6.1f} s, peak {peak / 2**30:5.2f} GiB, {rate:.2f} M future-years/s"
            print(f"  {name:13} run {repeat + 1}: {said}")


if __name__ == "__main__":
    main()
