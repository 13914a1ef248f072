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
import statistics
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


CONCERNS = (
    "collect_revenue",
    "incur_expenses",
    "accrue_debt",
    "test_covenants",
    "enforce",
    "distribute",
    "test_payments",
    "fund_construction",
    "mature",
    "record",
)
# each stage's parts: the engine by concern (the Books methods the SimPy processes call), the
# other stages by the project functions their entry point calls directly (generation: by factor)
ENTRY = {"market generation": "generate_block", "outcomes": "tranche_outcomes", "period statistics": "add"}


def by_part(profile: cProfile.Profile, stage: str) -> dict[str, float]:
    """Cumulative seconds of each part of a stage (see ``ENTRY`` and ``CONCERNS``)."""
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    parts: dict[str, float] = defaultdict(float)
    for (filename, _line, function), (_cc, _nc, _own, cumulative, callers) in stats.items():
        if "/waterfall/" not in filename:
            continue
        where = _owner(filename, function)
        if stage == "engine":
            if where == "engine/simulation" and function in CONCERNS:
                parts[function] += cumulative
        elif any(c[2] == ENTRY[stage] for c in callers):
            parts[f"{where}.{function}"] += cumulative
    return dict(parts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunk", type=int, default=4_096)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
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
    holder = {}

    def stage(name, call):
        profile = cProfile.Profile()
        profile.enable()
        holder[name] = call()
        profile.disable()
        stages[name] = profile

    calls = {
        "market generation": lambda: generate(scenario, deal, args.seed, first, args.chunk),
        "engine": lambda: run(deal, holder["market generation"], sculpted),
        "outcomes": lambda: tranche_outcomes(holder["engine"]),
        "period statistics": lambda: stats.add(holder["engine"]),
    }
    # each stage's time without the profiler (which slows Python-level calls several times
    # over): the median of ``--repeats`` runs; then one run under cProfile for the breakdown
    clock: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.repeats):
        for name, call in calls.items():
            start = time.perf_counter()
            holder[name] = call()
            clock[name].append(time.perf_counter() - start)
    for name, call in calls.items():
        stage(name, call)
    timings = {name: statistics.median(spent) for name, spent in clock.items()}

    total = sum(timings.values())
    path_months = args.chunk * months
    print(f"one chunk of {args.chunk:,} paths x {months} months, deal {deal.name}, scenario {BENCH_SCENARIO}")
    print(f"(stage times: medians of {args.repeats} runs without the profiler; the breakdowns: shares under cProfile)")
    for name, seconds in timings.items():
        print(
            f"\n{name}: {seconds:.3f} s, {seconds / total:.1%} of the chunk, "
            f"{path_months / seconds / 1e6:.2f} M path-months/s"
        )
        profiled = sum(by_module(stages[name]).values()) or 1.0
        print(f"  by {'concern' if name == 'engine' else 'part'} (cumulative, share of the stage under the profiler):")
        for part, spent in sorted(by_part(stages[name], name).items(), key=lambda kv: -kv[1])[: args.top]:
            print(f"    {part:44s} {spent / profiled:6.1%}")
        print("  by module (own time; numpy and builtins charged to their caller):")
        for module, own in sorted(by_module(stages[name]).items(), key=lambda kv: -kv[1])[: args.top]:
            print(f"    {module:44s} {own / profiled:6.1%}")


if __name__ == "__main__":
    main()
