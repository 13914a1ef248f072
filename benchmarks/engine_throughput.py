"""Engine throughput on the GPU-lease deal with a path-varying market.

Prints path-months per second for the engine alone and with per-path tranche
outcomes (IRR, WAL, loss), over chunks of paths, and the peak RSS. A benchmark,
not a test: figures go in the issue notes.

    python benchmarks/engine_throughput.py [--paths 100000] [--chunk 10000]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np

import waterfall
from waterfall.engine import run
from waterfall.market import Market
from waterfall.market.curves import base_case
from waterfall.outcomes.tables import tranche_outcomes

DEAL = Path(__file__).resolve().parent.parent / "deals" / "gpu_lease_spv.toml"


def stressed_market(deal: waterfall.Deal, paths: int, seed: int) -> Market:
    """Base-case curves times a lognormal random walk: 35% annual rent vol, 1% rate vol."""
    rng = np.random.default_rng(seed)
    base = base_case(deal, 1)
    months = deal.calendar.horizon_months
    shocks = rng.normal(0.0, 0.35 / np.sqrt(12), (paths, months)).cumsum(axis=1)
    rent = base.gpu_rent["H100"] * np.exp(shocks - 0.5 * (0.35**2 / 12) * np.arange(1, months + 1))
    index = np.maximum(base.index["SOFR"] + rng.normal(0, 0.01 / np.sqrt(12), (paths, months)).cumsum(axis=1), 0)
    return Market.from_arrays({"H100": rent}, {"SOFR": index})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paths", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=10_000)
    args = parser.parse_args()
    deal = waterfall.load_deal(DEAL)
    months = deal.calendar.horizon_months
    market = stressed_market(deal, args.paths, seed=7)
    sculpted = {}  # the GPU deal has no sculpted tranche; skip the sizing pass per chunk
    engine_seconds = outcome_seconds = 0.0
    defaults = 0
    for start in range(0, args.paths, args.chunk):
        block = market.take(slice(start, start + args.chunk))
        t0 = time.perf_counter()
        tape = run(deal, block, sculpted)
        t1 = time.perf_counter()
        outcomes = tranche_outcomes(tape)
        t2 = time.perf_counter()
        engine_seconds += t1 - t0
        outcome_seconds += t2 - t1
        defaults += int((tape.default_month >= 0).sum())
        del outcomes
    path_months = args.paths * months
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"deal {deal.name}: {args.paths:,} paths x {months} months in chunks of {args.chunk:,}")
    print(f"paths in default: {defaults:,} ({defaults / args.paths:.1%})")
    print(f"engine only:        {engine_seconds:7.2f} s  {path_months / engine_seconds / 1e6:6.2f} M path-months/s")
    total = engine_seconds + outcome_seconds
    print(f"engine + outcomes:  {total:7.2f} s  {path_months / total / 1e6:6.2f} M path-months/s")
    print(f"peak RSS: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
