"""How long `alliance-futures update` takes on the default run (10,000 futures × 6 packages × 20 years, seed 1953):
the issue asks for under 10 s. The run is saved once into a temporary folder; each update is a new process, as a
user starts it, timed from start to exit.

    python benchmarks/update_speed.py            # three updates with a two-entry log, then three saving the posterior
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPEATS = 3


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        run = Path(folder) / "run"
        command = [sys.executable, "-m", "alliance_futures", "-q", "run", "--output", str(run)]
        subprocess.run(command, check=True, capture_output=True)
        log = Path(folder) / "observations.yaml"
        entries = [
            {"year": 2027, "indicator": "public_support", "value": 0.72, "sd": 0.03, "source": "benchmark"},
            {
                "year": 2027,
                "signpost": "demand_above_5t",
                "seen": True,
                "false_alarm": 0.05,
                "miss": 0.1,
                "source": "b",
            },
        ]
        log.write_text(yaml.safe_dump(entries), encoding="utf-8")
        command = [sys.executable, "-m", "alliance_futures", "update", str(run), str(log), "--format", "json"]
        for _ in range(REPEATS):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            print(f"update on 10,000 futures x 6 packages: {time.perf_counter() - start:.2f} s")
        for i in range(REPEATS):  # resampled, re-simulated after 2027 and saved as a run
            start = time.perf_counter()
            posterior = [*command, "--output", str(Path(folder) / f"posterior-{i}")]
            subprocess.run(posterior, check=True, capture_output=True)
            print(f"update --output (the posterior saved as a run): {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
