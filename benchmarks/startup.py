"""Seconds from starting `alliance-futures` to its exit, for the commands that should feel instant: --help,
validate (the built-in case) and explain (one future of a small saved run).

    python benchmarks/startup.py                          # this checkout, five rounds
    python benchmarks/startup.py --against /tmp/old/src   # and an older checkout's src/, interleaved

Each command runs in a new process, as a user runs it, with its bytecode cached after a first call (as pip compiles
it on install). With --against, old and new alternate round by round, so that
their ratio is measured under the same machine load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def environment(src: Path) -> dict[str, str]:
    """Python as an installed package runs it: from `src`, with its bytecode cached (as pip compiles it)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPATH": str(src)}


def seconds(args: list[str], src: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "alliance_futures", *args], env=environment(src), capture_output=True, check=True
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--against", type=Path, help="another checkout's src/ folder, timed in turn with this one")
    args = parser.parse_args()
    sources = {"this checkout": SRC} | ({"against": args.against} if args.against else {})
    times: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        commands = {}
        for label, src in sources.items():  # each checkout reads its own case, and a run it saved itself
            case = src / "alliance_futures" / "case" / "data" / "us_rok.yaml"
            run = Path(folder) / label.replace(" ", "-")
            small = ["run", "--futures", "20", "--years", "3", "-p", "current_course", "--output", str(run)]
            subprocess.run(
                [sys.executable, "-m", "alliance_futures", *small],
                env=environment(src),
                capture_output=True,
                check=True,
            )
            commands[label] = {
                "--help": ["--help"],
                "validate": ["validate", str(case)],
                "explain": ["explain", str(run), "0"],
            }
        for label, src in sources.items():  # a first call of each caches its bytecode
            for command in commands[label].values():
                seconds(command, src)
        for _ in range(args.rounds):
            for label, src in sources.items():
                for name, command in commands[label].items():
                    times.setdefault((label, name), []).append(seconds(command, src))
    for (label, name), values in times.items():
        print(f"{label:>14}  {name:<9} mean {statistics.mean(values):.2f} s, fastest {min(values):.2f} s")


if __name__ == "__main__":
    main()
