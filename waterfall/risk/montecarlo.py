"""Monte Carlo: a deal under a scenario over many paths, in chunks, with bounded memory.

Chunks are made of whole blocks of paths (``waterfall.market.generate.BLOCK``),
and each block's market comes from its own seed, so results depend on (deal,
scenario, seed, paths) only, never on the chunk size. Full per-path tapes are
not kept, only each path's tranche outcome and the per-period histograms;
``keep_paths`` re-runs the first paths to keep their whole tapes.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from pathlib import Path

import polars as pl
from attrs import frozen

from waterfall.engine import run
from waterfall.engine.simulation import sculpted_schedule
from waterfall.market.generate import BLOCK, generate
from waterfall.market.scenario import Scenario
from waterfall.outcomes.parquet import write_tables
from waterfall.outcomes.tables import EQUITY, tranche_outcomes
from waterfall.results import Results, simulate
from waterfall.risk.period_stats import PeriodStats
from waterfall.risk.summary import summarise
from waterfall.spec.deal import Deal


def _trimmer() -> Callable[[], object]:
    """glibc keeps freed chunk-sized arrays in its heap (its mmap threshold grows
    with each freed array), so a long run's RSS would climb chunk by chunk;
    ``malloc_trim`` hands that memory back. A no-op where there is no glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        return lambda: libc.malloc_trim(0)
    except (OSError, AttributeError):
        return lambda: None


release_memory = _trimmer()

DEFAULT_CHUNK = 4 * BLOCK  # measured fastest on 2 cores: fits the caches better than larger chunks


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


def run_monte_carlo(
    deal: Deal,
    scenario: Scenario,
    paths: int,
    seed: int,
    chunk_size: int = DEFAULT_CHUNK,
    keep_paths: int = 0,
    progress: Callable[[int], None] | None = None,
) -> MonteCarlo:
    """Simulate ``paths`` paths; ``progress`` is told how many paths each finished chunk held."""
    if paths < 1:
        raise ValueError(f"paths: expected at least 1, found {paths}")
    chunk = max(BLOCK, -(-chunk_size // BLOCK) * BLOCK)  # whole blocks
    sculpted = sculpted_schedule(deal)
    base = simulate(deal)
    stats = PeriodStats(deal.calendar.horizon_months, float(base.periods["cfads"].abs().max() or 0.0))
    outcomes = []
    # a million paths x tranches of repeated names: keep them as enums, not strings
    names = pl.Enum([*(t.name for t in deal.tranches), EQUITY])
    kinds = pl.Enum(["debt", "equity"])
    for first in range(0, paths, chunk):
        count = min(chunk, paths - first)
        tape = run(deal, generate(scenario, deal, seed, first, count), sculpted)
        outcome = tranche_outcomes(tape).with_columns(
            pl.col("path") + first, pl.col("tranche").cast(names), pl.col("kind").cast(kinds)
        )
        outcomes.append(outcome)
        stats.add(tape)
        del tape
        release_memory()
        if progress is not None:
            progress(count)
    tranches = pl.concat(outcomes, rechunk=True)
    del outcomes
    kept = None
    if keep_paths > 0:
        keep = min(keep_paths, paths)
        kept = Results(deal, run(deal, generate(scenario, deal, seed, 0, keep), sculpted))
    dates = [deal.calendar.date_of(m) for m in range(deal.calendar.horizon_months)]
    lives = {t.name: (deal.calendar.month_of(t.legal_maturity) + 1) / 12 for t in deal.tranches}
    return MonteCarlo(
        deal=deal,
        scenario=scenario,
        seed=seed,
        paths=paths,
        tranches=tranches,
        summary=summarise(tranches, lives),
        period_stats=stats.table(dates),
        kept=kept,
    )
