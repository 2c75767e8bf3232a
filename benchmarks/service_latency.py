"""Latency of the service under concurrent clients fetching a finished run's results.

    python benchmarks/service_latency.py                         # 50 clients, 20 requests each, a 10,000-future run
    python benchmarks/service_latency.py --clients 100 --futures 2000

Starts `alliance-futures serve` in its own process on a free port (as a user would), submits a run of all six
packages and waits for it, then has every client fetch, in turn, the comparison, outcomes over time, the discovery
boxes, a variable's bands filtered by a named future and a page of futures, as the dashboard does (client k starts at
the k-th of them). Prints the median, 90th and 99th percentile latency over all requests, and per kind of request.
The clients run on the same machine as the server and share its two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from helpers import Server  # the tests' way of starting the server, reused


def requests_for(run_id: str) -> dict[str, tuple[str, dict[str, str]]]:
    return {
        "comparison": (f"/api/runs/{run_id}/views/comparison", {}),
        "timeline": (f"/api/runs/{run_id}/views/timeline", {}),
        "discovery": (f"/api/runs/{run_id}/views/discovery", {}),
        "series": (f"/api/runs/{run_id}/series", {"variable": "credibility", "named_future": "hollowed_alliance"}),
        "futures": (f"/api/runs/{run_id}/futures", {"named_future": "rupture", "limit": "25"}),
    }


async def client(
    url: str, plan: dict[str, tuple[str, dict[str, str]]], first: int, n: int, out: list[tuple[str, float]]
) -> None:
    kinds = list(plan)
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        for i in range(first, first + n):
            kind = kinds[i % len(kinds)]
            path, params = plan[kind]
            start = time.perf_counter()
            response = await http.get(path, params=params)
            out.append((kind, time.perf_counter() - start))
            response.raise_for_status()


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="requests per client")
    parser.add_argument("--futures", type=int, default=10_000, help="futures per package of the run fetched")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data, Server(data) as server:
        with httpx.Client(base_url=server.url, timeout=600) as http:
            run_id = http.post("/api/runs", json={"futures": args.futures}).json()["id"]
            with http.stream("GET", f"/api/runs/{run_id}/progress") as stream:
                assert '"finished"' in "".join(stream.iter_text()), "the run did not finish"
        plan = requests_for(run_id)
        latencies: list[tuple[str, float]] = []

        async def everyone() -> None:
            clients = (client(server.url, plan, k, args.requests, latencies) for k in range(args.clients))
            await asyncio.gather(*clients)

        start = time.perf_counter()
        asyncio.run(everyone())
        wall = time.perf_counter() - start
    every = [s for _, s in latencies]
    print(
        f"{args.clients} concurrent clients × {args.requests} requests on a run of {args.futures:,} futures × 6 "
        f"packages: {len(every)} answers in {wall:.1f} s ({len(every) / wall:.0f} per second)"
    )
    print(f"{'request':>12} {'median ms':>10} {'p90 ms':>8} {'p99 ms':>8}")
    for kind in [*plan, "all"]:
        values = every if kind == "all" else [s for k, s in latencies if k == kind]
        cells = (1000 * statistics.median(values), 1000 * percentile(values, 90), 1000 * percentile(values, 99))
        print(f"{kind:>12} {cells[0]:>10.1f} {cells[1]:>8.1f} {cells[2]:>8.1f}")


if __name__ == "__main__":
    main()
