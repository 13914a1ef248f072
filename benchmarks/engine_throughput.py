"""Throughput of each stage of a Monte Carlo chunk on the bench deal, and the peak RSS.

The 120-month GPU-lease bench deal (``bench_deal.py``) under the full-factor
scenario, chunk after chunk as ``run_monte_carlo`` runs them: market
generation, the engine, per-path tranche outcomes (IRR, WAL, loss) and the
per-period histograms, each timed on its own, in path-months per second. The
first chunk is a warm-up and is not counted. A benchmark, not a test: figures
go in the issue notes.

    python benchmarks/engine_throughput.py [--paths 65536] [--chunk 4096]
"""

from __future__ import annotations

import argparse
import resource
import time

from bench_deal import BENCH_SCENARIO, bench_deal

from waterfall.engine import run
from waterfall.engine.simulation import sculpted_schedule
from waterfall.market.generate import generate
from waterfall.market.scenario import load_scenario
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.results import simulate
from waterfall.risk.heap import release_memory
from waterfall.risk.period_stats import PeriodStats


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paths", type=int, default=65_536)
    parser.add_argument("--chunk", type=int, default=4_096)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    deal = bench_deal()
    scenario = load_scenario(BENCH_SCENARIO)
    months = deal.calendar.horizon_months
    sculpted = sculpted_schedule(deal)
    stats = PeriodStats(months, float(simulate(deal).periods["cfads"].abs().max() or 0.0))
    seconds = dict.fromkeys(("generation", "engine", "outcomes", "period stats"), 0.0)
    counted = defaults = 0
    for first in range(0, args.paths + args.chunk, args.chunk):  # one extra chunk: the warm-up
        count = min(args.chunk, args.paths + args.chunk - first)
        t0 = time.perf_counter()
        market = generate(scenario, deal, args.seed, first, count)
        t1 = time.perf_counter()
        tape = run(deal, market, sculpted)
        t2 = time.perf_counter()
        tranche_outcomes(tape)
        t3 = time.perf_counter()
        stats.add(tape)
        t4 = time.perf_counter()
        defaulted = int((tape.default_month >= 0).sum())
        del market, tape  # as the Monte Carlo loop does: one chunk's arrays alive at a time
        release_memory()
        if first == 0:
            continue
        for stage, spent in zip(seconds, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            seconds[stage] += spent
        counted += count
        defaults += defaulted
    path_months = counted * months
    total = sum(seconds.values())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"deal {deal.name}, scenario {BENCH_SCENARIO}: {counted:,} paths x {months} months, chunks of {args.chunk:,}")
    print(f"paths with an event of default: {defaults:,} ({defaults / counted:.1%})")
    for stage, spent in seconds.items():
        print(f"{stage:13s} {spent:7.2f} s  {spent / total:6.1%}  {path_months / spent / 1e6:7.2f} M path-months/s")
    print(f"{'all stages':13s} {total:7.2f} s  {'':6s}  {path_months / total / 1e6:7.2f} M path-months/s")
    print(f"peak RSS: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
