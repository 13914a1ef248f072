"""Monte Carlo throughput and peak memory: a GPU deal under a full stochastic scenario.

Every factor of the scenario is on: GPU rent (drift, cycle, launch jumps,
floor), Hull-White rates, tenant and guarantor credit tilted by the common
demand driver, rent-linked residual values and fire-sale haircuts. Each size
runs in its own process so its peak RSS is its own.

    python benchmarks/montecarlo.py [--paths 100000 1000000] [--scenario bust]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import waterfall
from waterfall.market.scenario import load_scenario
from waterfall.risk.montecarlo import run_monte_carlo

DEAL = Path(__file__).resolve().parent.parent / "deals" / "gpu_lease_spv.toml"


def measure(paths: int, scenario: str, chunk: int) -> dict[str, float]:
    deal = waterfall.load_deal(DEAL)
    world = load_scenario(scenario)
    start = time.perf_counter()
    result = run_monte_carlo(deal, world, paths, seed=1, chunk_size=chunk)
    seconds = time.perf_counter() - start
    senior = result.summary.row(0, named=True)
    return {
        "paths": paths,
        "months": deal.calendar.horizon_months,
        "seconds": seconds,
        "path_months_per_s": paths * deal.calendar.horizon_months / seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "senior_pd": senior["pd"],
        "senior_el": senior["el_pct"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paths", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--scenario", default="base")
    parser.add_argument("--chunk", type=int, default=4_096)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.scenario, args.chunk)))
        return
    for paths in args.paths:
        command = [sys.executable, __file__, "--one", str(paths), "--scenario", args.scenario]
        command += ["--chunk", str(args.chunk)]
        figures = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        print(
            f"{args.scenario}: {figures['paths']:>9,} paths x {figures['months']} months  "
            f"{figures['seconds']:7.1f} s  {figures['path_months_per_s'] / 1e6:5.2f} M path-months/s  "
            f"peak RSS {figures['peak_rss_mb']:7,.0f} MB  (senior PD {figures['senior_pd']:.2%}, "
            f"EL {figures['senior_el']:.3%})"
        )


if __name__ == "__main__":
    main()
