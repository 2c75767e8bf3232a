"""N parameter vectors × K replications at a fixed budget of futures: what K buys (docs/analysis.md, "Replications").

For each K, at 10,000 futures per package (N = 10,000 / K vectors):

- claims: how often a vector's verdict on a claim (holds, fails or no difference) survives re-simulation. Each vector
  is simulated 2K times; the verdict from its first K futures is compared with the verdict from the other K (other
  random streams, same parameters). With K = 1 a verdict is one coin toss and often flips; the share that agrees is
  the measure;
- scenario discovery: PRIM's held-out lift for rupture and nuclear pursuit under the current course (the search on
  half the vectors, scored on the other half), the mean over the seeds;
- Sobol indices: how many of the top five total indices for rupture and nuclear pursuit exclude zero, at a fixed
  budget of base × (parameters + 2) × K futures.

    python benchmarks/replications_tradeoff.py [--seeds 2]
"""

from __future__ import annotations

import argparse

import numpy as np

import alliance_futures as af
from alliance_futures.analysis.compare import indicators
from alliance_futures.analysis.discovery import drivers, prim_box
from alliance_futures.analysis.sensitivity import model_sobol

BUDGET = 10_000
CHOICES = (1, 5, 10, 20)
SOBOL = ((512, 1), (128, 4), (64, 8))  # base × replications at one budget


def verdicts(difference: np.ndarray, direction: str) -> np.ndarray:
    wanted = -1.0 if direction == "lower" else 1.0
    return np.sign(wanted * difference)  # 1 holds, -1 fails, 0 no difference


def claim_agreement(k: int, seed: int) -> float:
    """The share of (claim, vector) verdicts that two independent sets of K replications agree on."""
    ensemble = af.run(futures=2 * BUDGET, replications=2 * k, seed=seed)
    tables = af.outcome_tables(ensemble)
    agree = []
    for claim in ensemble.case.claims.values():
        d = (indicators(tables[claim.package]) - indicators(tables[claim.baseline]))[claim.outcome].to_numpy()
        halves = d.reshape(ensemble.vectors, 2, k).mean(axis=2)
        first, second = verdicts(halves[:, 0], claim.direction), verdicts(halves[:, 1], claim.direction)
        moved = (first != 0) | (second != 0)  # vectors where neither half moves say nothing either way
        agree.append((first == second)[moved].mean())
    return float(np.mean(agree))


def heldout_lifts(k: int, seed: int) -> list[float]:
    ensemble = af.run(policies=["current_course"], futures=BUDGET, replications=k, seed=seed)
    flags = indicators(af.outcome_tables(ensemble)["current_course"])
    x = drivers(ensemble, "current_course")
    lifts = []
    for outcome in ("rupture", "nuclear_pursuit"):
        box = prim_box(x, ensemble.per_vector(flags[outcome].to_numpy()), outcome, seed=seed)
        lifts.append(box.heldout_lift[0] if box.heldout_lift else float("nan"))
    return lifts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    seeds = range(1, parser.parse_args().seeds + 1)
    print(f"{BUDGET:,} futures per package; means over seeds {list(seeds)}")
    print("   K      N  claim verdicts that survive re-simulation  held-out lift: rupture  nuclear pursuit")
    for k in CHOICES:
        agreement = np.mean([claim_agreement(k, s) for s in seeds])
        lifts = np.nanmean([heldout_lifts(k, s) for s in seeds], axis=0)
        print(f"{k:4d} {BUDGET // k:6,d}  {agreement:42.0%}  {lifts[0]:22.2f}  {lifts[1]:15.2f}")
    case = af.load_case()
    policy = af.load_policy("current_course", case)
    print("Sobol, top five total indices whose interval excludes zero (rupture, nuclear pursuit)")
    for base, k in SOBOL:
        indices = model_sobol(case, policy, ("rupture", "nuclear_pursuit"), 20, base, 1, k)
        tops = [indices.loc[o].nlargest(5, "ST") for o in ("rupture", "nuclear_pursuit")]
        clear = [int((top["ST"] - top["ST_conf"] > 0).sum()) for top in tops]
        print(f"  base {base:4d} × K {k:2d}: {clear[0]}/5, {clear[1]}/5")


if __name__ == "__main__":
    main()
