"""Where a Monte Carlo chunk's time goes, so a change can be reported before and after.

One chunk of the 120-month bench deal (``bench_deal.py``) under the full-factor
scenario, after a warm-up chunk (imports, compiled-kernel caches): market
generation, the engine, the per-path tranche outcomes and the per-period
statistics, each run under cProfile. Each stage's time is broken down by the
module of the project that spends it (its own time: numpy calls are charged to
the project function that makes them, via the caller's module), and within market
generation by factor, within the engine by concern (engine module).

    python benchmarks/profile_chunk.py [--chunk 4096] [--top 12]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections import defaultdict

from bench_deal import BENCH_SCENARIO, bench_deal

from waterfall.engine import run
from waterfall.engine.simulation import sculpted_schedule
from waterfall.market.generate import generate
from waterfall.market.scenario import load_scenario
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.results import simulate
from waterfall.risk.period_stats import PeriodStats


def _owner(filename: str, function: str) -> str:
    """A project module ('engine/debt') for project code; numpy, simpy and builtins by package."""
    if "/waterfall/" in filename:
        return filename.rsplit("/waterfall/", 1)[1].removesuffix(".py")
    if filename == "~":  # builtins and C functions (numpy ufuncs, reductions)
        return "(builtin)"
    for package in ("numpy", "simpy", "polars", "numba"):
        if f"/{package}/" in filename:
            return package
    return "(other)"


def by_module(profile: cProfile.Profile) -> dict[str, float]:
    """Seconds of own time per project module; time in numpy, builtins and simpy is
    charged to the project module that called it (its direct caller, pro rata)."""
    stats = pstats.Stats(profile)
    spent: dict[str, float] = defaultdict(float)
    for (filename, _line, function), (_cc, _nc, own, _cum, callers) in stats.stats.items():  # type: ignore[attr-defined]
        owner = _owner(filename, function)
        if "/" in owner or not callers:  # project code, or a root
            spent[owner] += own
            continue
        # a library call: split its own time over its callers in proportion to their calls' time
        total = sum(c[2] for c in callers.values()) or 1.0
        for (cfile, _cline, cfunc), caller in callers.items():
            spent[_owner(cfile, cfunc)] += own * caller[2] / total
    return dict(spent)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunk", type=int, default=4_096)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    deal = bench_deal()
    scenario = load_scenario(BENCH_SCENARIO)
    months = deal.calendar.horizon_months
    sculpted = sculpted_schedule(deal)
    stats = PeriodStats(months, float(simulate(deal).periods["cfads"].abs().max() or 0.0))
    # warm-up chunk: first calls, caches, page faults
    tape = run(deal, generate(scenario, deal, args.seed, 0, 1024), sculpted)
    tranche_outcomes(tape)
    stats.add(tape)

    first = args.chunk  # a chunk after the warm-up's paths
    stages = {}
    timings = {}
    holder = {}

    def stage(name, call):
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.enable()
        holder[name] = call()
        profile.disable()
        timings[name] = time.perf_counter() - start
        stages[name] = profile

    stage("market generation", lambda: generate(scenario, deal, args.seed, first, args.chunk))
    stage("engine", lambda: run(deal, holder["market generation"], sculpted))
    stage("outcomes", lambda: tranche_outcomes(holder["engine"]))
    stage("period statistics", lambda: stats.add(holder["engine"]))

    total = sum(timings.values())
    path_months = args.chunk * months
    print(f"one chunk of {args.chunk:,} paths x {months} months, deal {deal.name}, scenario {BENCH_SCENARIO}")
    print("(times under cProfile, which slows Python-level calls; the shares are what to compare)")
    for name, seconds in timings.items():
        print(
            f"\n{name}: {seconds:.3f} s, {seconds / total:.1%} of the chunk, "
            f"{path_months / seconds / 1e6:.2f} M path-months/s"
        )
        spent = sorted(by_module(stages[name]).items(), key=lambda kv: -kv[1])
        own_total = sum(s for _, s in spent) or 1.0
        for module, own in spent[: args.top]:
            print(f"  {module:32s} {own:7.3f} s  {own / own_total:6.1%}")


if __name__ == "__main__":
    main()
