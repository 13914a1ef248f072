"""Monte Carlo: a deal under a scenario over many paths, in chunks, with bounded memory.

Chunks are made of whole blocks of paths (``waterfall.market.generate.BLOCK``),
and each block's market comes from its own seed, so results depend on (deal,
scenario, seed, paths) only, never on the chunk size. Full per-path tapes are
not kept, only each path's tranche outcome and the per-period histograms;
``keep_paths`` re-runs the first paths to keep their whole tapes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
from attrs import frozen

from waterfall.engine import run
from waterfall.engine.simulation import sculpted_schedule
from waterfall.market.conditioning import UNCONDITIONAL, Given
from waterfall.market.generate import BLOCK, generate
from waterfall.market.scenario import Scenario
from waterfall.outcomes.parquet import write_tables
from waterfall.outcomes.tables import EQUITY, tranche_outcomes
from waterfall.results import Results, simulate
from waterfall.risk.executors import Executor, InProcess
from waterfall.risk.heap import release_between_chunks, release_memory
from waterfall.risk.period_stats import PeriodStats
from waterfall.risk.summary import DEFAULT_MEASURE, check_measure, summarise
from waterfall.spec.deal import Deal

if TYPE_CHECKING:
    from waterfall.report.notebook import MonteCarloPlots


# measured on 2 cores, 1M paths of the bench deal, workers keeping what glibc frees and handing
# back what polars frees (``risk.heap``): 2,048-path chunks 3.86 M path-months/s at a 1,470 MB
# peak for the whole process tree; 3,072-path chunks 3.98-4.05 M/s at 1,531-1,540 MB, at or
# over the 1.5 GB goal (``make bench``, medians of 3, with 2,048: 3.32 M/s at 1,441 MB)
DEFAULT_CHUNK = 2 * BLOCK

# what one chunk's (months, paths) float arrays may take (market, ledger flows, tape): set so the
# 120-month bench deal (98 such arrays by the estimate below) keeps the 2,048 paths of
# DEFAULT_CHUNK (stated assumption)
CHUNK_BUDGET_BYTES = 200 * 2**20
MAX_CHUNK = 16 * BLOCK  # beyond this numpy's per-call overhead is already amortised
# (months, paths) float arrays a chunk holds whatever the deal, and per tranche, per lease or
# fleet and per account, hedge or fee: estimates checked against measured peaks of library deals
BASE_ARRAYS, PER_TRANCHE, PER_LEASE, PER_ACCOUNT = 40, 12, 6, 4


def chunk_for(deal: Deal) -> int:
    """Paths per chunk for ``deal``: as many whole blocks as its width fits in the memory budget.

    Results never depend on it (markets come in seeded blocks); only speed and memory do.
    """
    arrays = (
        BASE_ARRAYS
        + PER_TRANCHE * len(deal.tranches)
        + PER_LEASE * (len(deal.leases) + len(deal.merchant) + len(deal.fleets))
        + PER_ACCOUNT * (len(deal.accounts) + len(deal.hedges) + len(deal.fees))
    )
    per_path = arrays * deal.calendar.horizon_months * 8
    blocks = CHUNK_BUDGET_BYTES // (per_path * BLOCK)
    return int(min(max(blocks, 1) * BLOCK, MAX_CHUNK))


@frozen
class MonteCarlo:
    deal: Deal
    scenario: Scenario
    seed: int
    paths: int
    tranches: pl.DataFrame
    summary: pl.DataFrame
    period_stats: pl.DataFrame
    kept: Results | None

    def write(self, directory: str | Path) -> list[Path]:
        """Write the three tables (and the kept tapes) as parquet; each file whole or not at all."""
        names = ("tranches", "summary", "period_stats")
        written = write_tables(directory, {name: getattr(self, name) for name in names})
        if self.kept is not None:
            written += self.kept.write(Path(directory) / "kept_paths")
        return written

    def _repr_html_(self) -> str:  # the notebook summary (waterfall.report.notebook)
        return _notebook().monte_carlo_html(self)

    @property
    def plot(self) -> MonteCarloPlots:
        """The report's charts as plotly figures: ``.dscr_fan()``, ``.loss_histogram()``, ``.modes()``."""
        return _notebook().MonteCarloPlots(self)


@frozen
class Chunk:
    """What one task of paths sends back: per-path tranche outcomes and period histograms."""

    first: int
    outcomes: pl.DataFrame
    stats: PeriodStats | None


def simulate_paths(
    deal: Deal,
    scenario: Scenario,
    seed: int,
    first: int,
    count: int,
    chunk_size: int,
    sculpted: dict[str, np.ndarray],
    cfads_scale: float | None,
    given: Given = UNCONDITIONAL,
) -> Chunk:
    """Paths ``first .. first + count`` in chunks of ``chunk_size``: the unit of work an executor runs.

    ``cfads_scale`` sets the period histograms' CFADS bins; None skips the histograms.
    """
    # what the last task left in this worker's heap (its result's pickle, sent since) goes back
    # before this task's chunks take their memory
    release_memory()
    stats = PeriodStats(deal.calendar.horizon_months, cfads_scale) if cfads_scale is not None else None
    # a million paths x tranches of repeated names: keep them as enums, not strings
    names = pl.Enum([*(t.name for t in deal.tranches), EQUITY])
    kinds = pl.Enum(["debt", "equity"])
    outcomes = []
    for start in range(first, first + count, chunk_size):
        size = min(chunk_size, first + count - start)
        # the outcomes and histograms read no ledger flows: the chunk's tape leaves them out
        tape = run(deal, generate(scenario, deal, seed, start, size, given), sculpted, keeps_flows=False)
        outcome = tranche_outcomes(tape).with_columns(
            pl.col("path") + start, pl.col("tranche").cast(names), pl.col("kind").cast(kinds)
        )
        outcomes.append(outcome)
        if stats is not None:
            stats.add(tape)
        del tape
        release_between_chunks()
    table = pl.concat(outcomes, rechunk=True)
    del outcomes
    release_memory()  # the chunks' pieces, before the result is pickled beside it
    return Chunk(first, table, stats)


def plan(paths: int, chunk_size: int, workers: int) -> list[tuple[int, int]]:
    """(first path, count) of each task: whole blocks shared out evenly, at least four tasks per
    worker so every worker stays busy to the end, each at most 16 chunks so its results stay small."""
    blocks = -(-paths // BLOCK)
    tasks = -(-paths // (16 * whole_blocks(chunk_size)))
    if workers > 1:
        tasks = max(tasks, 4 * workers)
    tasks = min(tasks, blocks)
    per_task, extra = divmod(blocks, tasks)
    plan, first = [], 0
    for i in range(tasks):
        count = min((per_task + (i < extra)) * BLOCK, paths - first)
        plan.append((first, count))
        first += count
    return plan


def whole_blocks(chunk_size: int) -> int:
    return max(BLOCK, -(-chunk_size // BLOCK) * BLOCK)


def run_monte_carlo(
    deal: Deal,
    scenario: Scenario,
    paths: int,
    seed: int,
    chunk_size: int | None = None,
    keep_paths: int = 0,
    progress: Callable[[int], None] | None = None,
    executor: Executor | None = None,
    measure: str = DEFAULT_MEASURE,
    given: Given = UNCONDITIONAL,
) -> MonteCarlo:
    """Simulate ``paths`` paths; ``progress`` is told how many paths each finished task held.

    ``chunk_size`` (default: ``chunk_for(deal)``) and ``executor`` (default: this process) change
    only speed and memory; the result is the same for any of them.
    ``measure`` is the debt loss the summary's PD, EL, LGD, VaR and ES read (``risk.summary``).
    ``given`` conditions every path on its events (``waterfall.market.conditioning``).
    """
    if paths < 1:
        raise ValueError(f"paths: expected at least 1, found {paths}")
    check_measure(measure)
    runner = executor if executor is not None else InProcess()
    chunk = whole_blocks(chunk_size if chunk_size is not None else chunk_for(deal))
    sculpted = sculpted_schedule(deal)
    base = simulate(deal)
    scale = float(base.periods["cfads"].abs().max() or 0.0)
    tasks = [
        (deal, scenario, seed, first, count, chunk, sculpted, scale, given)
        for first, count in plan(paths, chunk, runner.workers)
    ]
    # each task's histograms are added in as it arrives (integer counts: any order gives the
    # same sums) and only its table kept: a task's histograms outweigh its table four to one
    stats = PeriodStats(deal.calendar.horizon_months, scale)
    outcomes: list[pl.DataFrame | None] = [None] * len(tasks)
    for index, result in runner.map_unordered(simulate_paths, tasks):
        if isinstance(result, BaseException):
            raise result
        stats.merge(result.stats)
        outcomes[index] = result.outcomes
        del result
        release_memory()  # the received histograms and the unpickling buffers
        if progress is not None:
            progress(tasks[index][4])
    # the tasks' tables side by side, not copied into one (a million paths: half a GB saved)
    tranches = pl.concat([o for o in outcomes if o is not None], rechunk=False)
    del outcomes
    kept = None
    if keep_paths > 0:
        keep = min(keep_paths, paths)
        kept = Results(deal, run(deal, generate(scenario, deal, seed, 0, keep, given), sculpted))
    dates = [deal.calendar.date_of(m) for m in range(deal.calendar.horizon_months)]
    lives = {t.name: (deal.calendar.month_of(t.legal_maturity) + 1) / 12 for t in deal.tranches}
    return MonteCarlo(
        deal=deal,
        scenario=scenario,
        seed=seed,
        paths=paths,
        tranches=tranches,
        summary=summarise(tranches, lives, measure),
        period_stats=stats.table(dates),
        kept=kept,
    )


def _notebook() -> Any:
    """``waterfall.report.notebook``, imported when a notebook first asks: it sits above this
    module (it formats as the report does) and loads plotly, which a run never needs."""
    return importlib.import_module("waterfall.report.notebook")
