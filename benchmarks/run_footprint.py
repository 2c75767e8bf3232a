"""A run's footprint against the estimates it is admitted by: peak memory (`api.estimated_bytes`) and bytes on disk
(`api.estimated_disk_bytes`).

Each size runs in its own process (one worker, streamed to disk as `alliance-futures run` does); its peak resident
memory is read from the operating system when it ends, and its folder's size from the disk. The ratios are what
`limits.MEMORY_PEAK_FACTOR`, `PROCESS_BYTES` and the `DISK_BYTES_PER_*` rates must cover.

    python benchmarks/run_footprint.py                      # four sizes, a few minutes
    python benchmarks/run_footprint.py 200000:1 50000:6     # FUTURES:PACKAGES pairs
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from alliance_futures import api
from alliance_futures.case import builtin_policy_names
from alliance_futures.limits import DEFAULT_CHUNK, DEFAULT_REPLICATIONS

SIZES = ("2000:6", "20000:6", "50000:6", "200000:1")
YEARS = 20


PEAK = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
PEAK += "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"  # the run's own peak, in a fresh process


def run(futures: int, packages: int, folder: Path) -> int:
    """Run one size in a new process; return its peak resident memory (Linux reports it in KiB)."""
    chosen = [arg for name in builtin_policy_names()[:packages] for arg in ("-p", name)]
    command = [sys.executable, "-m", "alliance_futures", "-q", "run", "--futures", str(futures), "--years", str(YEARS)]
    measured = subprocess.run(
        [sys.executable, "-c", PEAK, *command, *chosen, "--output", str(folder)], check=True, capture_output=True
    )
    return int(measured.stdout) * 1024


def main(sizes: list[str]) -> None:
    case = api.load_case()
    pairs = [(int(f), int(p)) for f, p in (s.split(":") for s in sizes)]
    print(f"{'futures':>9} {'packages':>8} {'memory: estimate':>16} {'peak GB':>8} {'disk: estimate':>14} {'MB':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for futures, packages in pairs:
            folder = Path(tmp) / f"run-{futures}-{packages}"
            peak = run(futures, packages, folder)
            disk = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
            memory_estimate = api.estimated_bytes(case, packages, futures, YEARS, True, DEFAULT_CHUNK)
            disk_estimate = api.estimated_disk_bytes(case, packages, futures, YEARS, True, DEFAULT_REPLICATIONS)
            print(
                f"{futures:>9,} {packages:>8} {memory_estimate / 1e9:>13.2f} GB {peak / 1e9:>8.2f} "
                f"{disk_estimate / 1e6:>11,.0f} MB {disk / 1e6:>8,.0f}"
            )


if __name__ == "__main__":
    main(sys.argv[1:] or list(SIZES))
