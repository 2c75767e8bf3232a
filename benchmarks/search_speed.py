"""How long the built-in search takes (`alliance-futures search default`): the issue asks for 5,000 candidate
evaluations in under 10 minutes on this 2-core machine. Each budget runs as a user starts it, in a new process.

    python benchmarks/search_speed.py                       # the default spec on 2 workers, and on 1,000 futures
    python benchmarks/search_speed.py 500:1000:2            # EVALUATIONS:FUTURES:WORKERS triples
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGETS = ("5000:5000:2", "5000:1000:2", "5000:1000:1")


def main() -> None:
    for budget in sys.argv[1:] or BUDGETS:
        evaluations, futures, workers = budget.split(":")
        with tempfile.TemporaryDirectory() as folder:
            command = [sys.executable, "-m", "alliance_futures", "-q", "search", "--output", str(Path(folder) / "out")]
            command += ["--evaluations", evaluations, "--futures", futures, "--workers", workers]
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            seconds = time.perf_counter() - start
        print(f"{evaluations} evaluations x {futures} futures, {workers} workers: {seconds:.0f} s", flush=True)


if __name__ == "__main__":
    main()
