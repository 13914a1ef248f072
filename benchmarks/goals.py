"""The goals table of issue 13: each goal's measured figure (median of repeated runs), its goal, met or not.

Rows, on the 120-month bench deal (``bench_deal.py``) under the full-factor preset:

- the engine alone in one process against the fused reference (``fused_reference.py``) on
  the same paths, in path-months per second, and their ratio (goal at least 1/3): as
  ``waterfall run`` runs it (ledger flows kept) and as a Monte Carlo worker does (no flows
  kept, freed memory kept for the next chunk, ``risk.heap``);
- the end-to-end Monte Carlo on every core (1M paths x 120 months), in path-months per
  second (goal 10M) and the peak resident memory of the whole process tree (goal 1.5 GB),
  as ``montecarlo.py`` measures them, each run in its own process;
- a single-path ``waterfall run`` of every library deal, cold (a fresh, empty numba cache
  directory) and warm (the cache the cold run left), against the figure of the code before
  the compiled kernels, recorded in ``baseline.json`` by ``--write-baseline`` with its commit
  (goal: no slower, within 5% for the noise of starting a process);
- a Dask LocalCluster of 2 workers against 1 (goal 1.8x) with identical results;
- a scaling table: 10k / 100k / 1M paths x chunk sizes, cold and warm.

    python benchmarks/goals.py [--quick] [--repeats 3]

``--quick`` runs smaller sizes (the 1M rows at 100k, the scaling table to 100k) for a
check that everything runs; its figures are not the goals' figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_deal import BENCH_SCENARIO, bench_deal  # noqa: E402
from fused_reference import Terms, fused  # noqa: E402
from montecarlo import dask_scaling  # noqa: E402

from waterfall.engine import run  # noqa: E402
from waterfall.engine.simulation import sculpted_schedule  # noqa: E402
from waterfall.market.generate import generate  # noqa: E402
from waterfall.market.scenario import load_scenario  # noqa: E402
from waterfall.risk.heap import keep_freed_memory  # noqa: E402
from waterfall.risk.montecarlo import DEFAULT_CHUNK  # noqa: E402

DEALS = HERE.parent / "deals"
BASELINE = HERE / "baseline.json"


def engine_against_fused(paths: int, chunk: int, repeats: int, worker: bool = False) -> tuple[float, float]:
    """(engine, fused) path-months per second on the same chunks, medians over ``repeats``.

    ``worker``: the engine as a Monte Carlo worker runs it, keeping no ledger flows (the
    outcomes never read them) and keeping the memory it frees (``risk.heap``); for this
    process from then on, so measured last. Otherwise as ``waterfall run`` does: flows kept."""
    if worker:
        keep_freed_memory()
    deal = bench_deal()
    scenario = load_scenario(BENCH_SCENARIO)
    sculpted = sculpted_schedule(deal)
    terms = Terms(deal)
    months = deal.calendar.horizon_months
    markets = [generate(scenario, deal, 1, first, min(chunk, paths - first)) for first in range(0, paths, chunk)]
    # the fused loop reads the operating side (revenue, costs, fees) as an input: taken from the tape
    tapes = [run(deal, m, sculpted) for m in markets]  # (also the warm-up)
    inputs = [
        (m.index["SOFR"], m.collateral, *(np.ascontiguousarray(t.period[k].T) for k in ("revenue", "opex", "fees")))
        for m, t in zip(markets, tapes, strict=True)
    ]
    del tapes
    fused(terms, *inputs[0])  # compile or load from the cache outside the clock
    engine_rates, fused_rates = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        for market in markets:
            run(deal, market, sculpted, keeps_flows=not worker)
        engine_rates.append(paths * months / (time.perf_counter() - start))
        start = time.perf_counter()
        for args in inputs:
            fused(terms, *args)
        fused_rates.append(paths * months / (time.perf_counter() - start))
    return statistics.median(engine_rates), statistics.median(fused_rates)


def monte_carlo(paths: int, chunk: int, workers: int, cache: str | None = None) -> dict:
    """One ``montecarlo.py --one`` run in its own process (its memory its own)."""
    env = dict(os.environ)
    if cache is not None:
        env["NUMBA_CACHE_DIR"] = cache
    command = [sys.executable, str(HERE / "montecarlo.py"), "--one", str(paths), "--workers", str(workers)]
    command += ["--chunk", str(chunk)]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout)


def waterfall_run(deal: Path, cache: str) -> float:
    """Wall seconds of ``waterfall run deal`` in a fresh process, numba's cache in ``cache``."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    executable = Path(sys.executable).with_name("waterfall")
    start = time.perf_counter()
    subprocess.run([str(executable), "run", str(deal)], check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def run_times(repeats: int) -> dict[str, tuple[float, float]]:
    """Each library deal: (cold, warm) seconds, medians; cold runs each get an empty cache."""
    times = {}
    for deal in sorted(DEALS.glob("*.toml")):
        cold, warm = [], []
        for _ in range(repeats):
            with tempfile.TemporaryDirectory() as cache:
                cold.append(waterfall_run(deal, cache))
                warm.append(waterfall_run(deal, cache))
        times[deal.stem] = (statistics.median(cold), statistics.median(warm))
    return times


def row(name: str, measured: str, goal: str, met: bool | None) -> None:
    verdict = "-" if met is None else ("met" if met else "not met")
    print(f"{name:84s} {measured:>14s} {goal:>14s}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes: a check that everything runs")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--write-baseline",
        action="store_true",
        help="measure only `waterfall run` of each deal and record it in baseline.json (today's code)",
    )
    args = parser.parse_args()
    repeats = 1 if args.quick else args.repeats
    if args.write_baseline:
        git = ["git", "rev-parse", "HEAD"]
        commit = subprocess.run(git, check=False, capture_output=True, text=True, cwd=HERE).stdout.strip()
        times = run_times(repeats)
        record = {
            "commit": commit,
            "repeats": repeats,
            "waterfall_run": {deal: round(max(cold, warm), 3) for deal, (cold, warm) in times.items()},
        }
        BASELINE.write_text(json.dumps(record, indent=2) + "\n")
        print(json.dumps(record, indent=2))
        return
    big = 100_000 if args.quick else 1_000_000
    baseline = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    print(
        f"goals of issue 13, bench deal, scenario {BENCH_SCENARIO}; medians of {repeats} run(s); "
        f"chunks of {DEFAULT_CHUNK:,} paths (the library's default) but in the scaling table"
    )

    engine, reference = engine_against_fused(16_384 if args.quick else 65_536, DEFAULT_CHUNK, repeats)
    mc_runs = [monte_carlo(big, DEFAULT_CHUNK, args.workers) for _ in range(repeats)]
    rate = statistics.median(r["path_months_per_s"] for r in mc_runs)
    peak = statistics.median(r["peak_memory_mb"] for r in mc_runs)
    runs = run_times(repeats)
    dask_paths = 50_000 if args.quick else 200_000
    dask = dask_scaling(dask_paths, DEFAULT_CHUNK, quiet=True)
    worker, worker_reference = engine_against_fused(16_384 if args.quick else 65_536, DEFAULT_CHUNK, repeats, True)

    print(f"\n{'goal':84s} {'measured':>14s} {'goal':>14s}  met")
    as_run = f"engine alone, 1 process, chunks of {DEFAULT_CHUNK:,}, as `waterfall run` (flows kept)"
    row(f"{as_run} (M path-months/s)", f"{engine / 1e6:.2f}", "-", None)
    row("fused reference, 1 process, the same paths (M path-months/s)", f"{reference / 1e6:.2f}", "-", None)
    row("engine / fused", f"1/{reference / engine:.1f}", ">= 1/3", engine * 3 >= reference)
    as_worker = f"engine alone, 1 process, chunks of {DEFAULT_CHUNK:,}, as a Monte Carlo worker"
    row(f"{as_worker} (M path-months/s)", f"{worker / 1e6:.2f}", "-", None)
    row("fused reference, measured again beside it (M path-months/s)", f"{worker_reference / 1e6:.2f}", "-", None)
    row("engine as a worker / fused", f"1/{worker_reference / worker:.1f}", ">= 1/3", worker * 3 >= worker_reference)
    mc = f"monte carlo, {args.workers} cores, {big:,} paths x 120 months"
    row(f"{mc} (M path-months/s)", f"{rate / 1e6:.2f}", ">= 10", rate >= 10e6)
    row(f"{mc}: peak memory, process tree (MB)", f"{peak:,.0f}", "<= 1,536", peak <= 1536)
    for deal, (cold, warm) in runs.items():
        today = baseline.get("waterfall_run", {}).get(deal)
        goal = f"<= {today:.2f}" if today else "(no baseline)"
        met = None if not today else max(cold, warm) <= today * 1.05  # 5%: the noise of one process start
        row(f"waterfall run {deal}: cold / warm (s)", f"{cold:.2f} / {warm:.2f}", goal, met)
    speed_up, identical = dask
    row(f"dask LocalCluster 2 workers vs 1, {dask_paths:,} paths", f"{speed_up:.2f}x", ">= 1.8x", speed_up >= 1.8)
    row("dask: results identical, 1 and 2 workers", "yes" if identical else "no", "yes", identical)

    print(
        "\nscaling: M path-months/s (+ seconds starting the workers: imports, compiling or loading kernels), "
        "cold = an empty numba cache, warm = the cache the cold run left; one run each"
    )
    chunks = (4_096, 16_384)
    sizes = (10_000, 100_000) if args.quick else (10_000, 100_000, 1_000_000)
    print(f"{'paths':>10s} " + " ".join(f"{f'chunk {c:,} cold':>24s} {f'chunk {c:,} warm':>24s}" for c in chunks))
    for paths in sizes:
        cells = []
        for chunk in chunks:
            with tempfile.TemporaryDirectory() as cache:
                for _ in ("cold", "warm"):
                    figures = monte_carlo(paths, chunk, args.workers, cache)
                    cells.append(f"{figures['path_months_per_s'] / 1e6:8.2f} (+{figures['startup_seconds']:.1f} s)")
        print(f"{paths:>10,} " + " ".join(f"{c:>24s}" for c in cells))


if __name__ == "__main__":
    main()
