"""Monte Carlo at scale: throughput and peak memory on every core, and Dask scaling.

The bench deal (``bench_deal.py``: the GPU-lease SPV over 120 months) under the
base preset, every factor on. Each size runs in its own process so its memory
is its own; peak memory is the largest sum of the resident set sizes of the run
and its worker processes, sampled every 50 ms.

    python benchmarks/montecarlo.py [--paths 10000 100000 1000000] [--workers 2]
    python benchmarks/montecarlo.py --dask --paths 200000     # LocalCluster: 1 worker vs 2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from polars.testing import assert_frame_equal

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_deal import BENCH_SCENARIO, bench_deal

from waterfall.market.scenario import load_scenario
from waterfall.risk.executors import DaskCluster, make_executor
from waterfall.risk.montecarlo import run_monte_carlo


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc)."""
    total = 0
    pending = [root]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/status") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
            with open(f"/proc/{pid}/task/{pid}/children") as children:
                pending.extend(int(c) for c in children.read().split())
        except (OSError, StopIteration):
            continue
    return total / 1024


class PeakMemory:
    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mb(os.getpid()))
            time.sleep(0.05)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(paths: int, workers: int, chunk: int) -> dict[str, float]:
    deal = bench_deal()
    world = load_scenario(BENCH_SCENARIO)
    started = time.perf_counter()
    executor = make_executor("local", workers)
    # start the worker processes (imports: about a second each) before the clock starts;
    # the start-up is reported on its own
    run_monte_carlo(deal, world, workers * 1024, seed=1, chunk_size=1024, executor=executor)
    startup = time.perf_counter() - started
    try:
        with PeakMemory() as memory:
            start = time.perf_counter()
            result = run_monte_carlo(deal, world, paths, seed=1, chunk_size=chunk, executor=executor)
            seconds = time.perf_counter() - start
    finally:
        executor.close()
    senior = result.summary.row(0, named=True)
    months = deal.calendar.horizon_months
    return {
        "paths": paths,
        "months": months,
        "workers": workers,
        "seconds": seconds,
        "startup_seconds": startup,
        "path_months_per_s": paths * months / seconds,
        "peak_memory_mb": memory.peak,
        "senior_pd": senior["pd"],
        "senior_el": senior["el_pct"],
    }


def dask_scaling(paths: int, chunk: int, quiet: bool = False) -> tuple[float, bool]:
    """Seconds of a LocalCluster of 1 and of 2 workers on the same run; (speed-up, results identical)."""
    deal = bench_deal()
    world = load_scenario(BENCH_SCENARIO)
    timings, results = {}, {}
    for workers in (1, 2):
        cluster = DaskCluster(workers=workers)
        try:
            run_monte_carlo(deal, world, 4 * 1024, seed=1, chunk_size=chunk, executor=cluster)  # warm the workers
            start = time.perf_counter()
            results[workers] = run_monte_carlo(deal, world, paths, seed=1, chunk_size=chunk, executor=cluster)
            timings[workers] = time.perf_counter() - start
        finally:
            cluster.close()
    identical = True
    for table in ("tranches", "summary", "period_stats"):
        try:
            assert_frame_equal(getattr(results[1], table), getattr(results[2], table), check_exact=True)
        except AssertionError:
            identical = False
    months = deal.calendar.horizon_months
    speed_up = timings[1] / timings[2]
    if not quiet:
        for workers, seconds in timings.items():
            rate = paths * months / seconds
            speed = f"{rate / 1e6:.2f} M path-months/s"
            print(f"dask LocalCluster, {workers} worker(s): {paths:,} paths in {seconds:.1f} s, {speed}")
        print(f"dask speed-up, 2 workers vs 1: {speed_up:.2f}x; results identical: {'yes' if identical else 'NO'}")
    return speed_up, identical


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paths", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--chunk", type=int, default=4_096)
    parser.add_argument("--dask", action="store_true", help="compare a Dask LocalCluster of 1 and 2 workers")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dask:
        dask_scaling(args.paths[0], args.chunk)
        return
    if args.one:
        print(json.dumps(measure(args.one, args.workers, args.chunk)))
        return
    for paths in args.paths:
        command = [
            sys.executable,
            __file__,
            "--one",
            str(paths),
            "--workers",
            str(args.workers),
            "--chunk",
            str(args.chunk),
        ]
        figures = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        print(
            f"monte carlo, {figures['workers']} worker(s): {paths:>9,} paths x {figures['months']} months in "
            f"{figures['seconds']:6.1f} s = {figures['path_months_per_s'] / 1e6:5.2f} M path-months/s "
            f"(+{figures['startup_seconds']:.1f} s starting workers), "
            f"peak memory {figures['peak_memory_mb']:,.0f} MB (senior PD {figures['senior_pd']:.2%}, "
            f"EL {figures['senior_el']:.2%})"
        )


if __name__ == "__main__":
    main()
