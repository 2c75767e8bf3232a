"""Seconds to write an ensemble as an EMA Workbench archive: EMA's own `save_results` against `store.save_ema`.

    python benchmarks/ema_export.py                  # 2,000 futures × six packages × 20 years
    python benchmarks/ema_export.py --futures 10000

Both writers run on the same ensemble in the same invocation, so their ratio is measured under the same machine
load; both archives are then read back with EMA's `load_results` and compared, which also checks that ours is an
archive EMA reads as its own.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import alliance_futures as af
from alliance_futures.analysis.interop import declare_outcomes, ema, to_ema
from alliance_futures.store import save_ema


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--futures", type=int, default=2_000)
    args = parser.parse_args()
    ensemble = af.run(futures=args.futures)
    workbench = ema("ema_workbench")
    with tempfile.TemporaryDirectory() as folder:
        theirs, ours = Path(folder) / "ema.tar.gz", Path(folder) / "ours.tar.gz"
        start = time.perf_counter()
        experiments, outcomes = to_ema(ensemble)
        declare_outcomes(outcomes)
        workbench.save_results((experiments, outcomes), str(theirs))
        ema_seconds = time.perf_counter() - start
        start = time.perf_counter()
        save_ema(ensemble, ours)
        our_seconds = time.perf_counter() - start
        (e1, o1), (e2, o2) = workbench.load_results(str(theirs)), workbench.load_results(str(ours))
        pd.testing.assert_frame_equal(e1, e2)
        assert o1.keys() == o2.keys() and all(np.allclose(o1[k], o2[k]) for k in o1)
        sizes = theirs.stat().st_size / 2**20, ours.stat().st_size / 2**20
    print(f"{args.futures:,} futures × {len(ensemble.policies)} packages × {ensemble.years} years")
    print(f"EMA save_results: {ema_seconds:6.1f} s, {sizes[0]:.0f} MiB")
    print(f"store.save_ema:   {our_seconds:6.1f} s, {sizes[1]:.0f} MiB ({ema_seconds / our_seconds:.0f}× faster)")
    print("both archives load back identically with ema_workbench.load_results")


if __name__ == "__main__":
    main()
