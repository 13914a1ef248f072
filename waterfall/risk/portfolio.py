"""Monte Carlo of a portfolio: every deal on one clock and the same paths, and the lender's losses.

The clock starts at the earliest closing and runs to the last deal's horizon.
Each deal's market is the window of the common market from its own closing, so
paths line up across deals: path ``i`` is one world for all of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
from attrs import frozen

from waterfall.engine import run
from waterfall.engine.simulation import sculpted_schedule
from waterfall.market.conditioning import UNCONDITIONAL, Given
from waterfall.market.generate import BLOCK, generate, on_clock
from waterfall.market.scenario import Scenario, check_against
from waterfall.outcomes.parquet import write_tables
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.risk.exposure import by_obligor
from waterfall.risk.heap import release_memory
from waterfall.risk.montecarlo import DEFAULT_CHUNK
from waterfall.risk.summary import DEFAULT_MEASURE, LOSS_TOLERANCE, MEASURES, summarise
from waterfall.spec.portfolio import LoadedPortfolio

if TYPE_CHECKING:
    from waterfall.report.notebook import PortfolioPlots


@frozen
class PortfolioRun:
    loaded: LoadedPortfolio
    scenario: Scenario
    seed: int
    paths: int
    tranches: pl.DataFrame  # per (deal, path, tranche)
    summary: pl.DataFrame  # per (deal, tranche), then the lender's holdings as one row
    holdings: pl.DataFrame  # per path: the lender's loss
    obligors: pl.DataFrame | None = None  # per ultimate obligor: held exposure and EL (risk.exposure)

    def write(self, directory: str | Path) -> list[Path]:
        """Write the tables as parquet; each file whole or not at all."""
        names = ("tranches", "summary", "holdings", "obligors")
        return write_tables(directory, {name: getattr(self, name) for name in names if getattr(self, name) is not None})

    def _repr_html_(self) -> str:  # the notebook summary (waterfall.report.notebook)
        return _notebook().portfolio_html(self)

    @property
    def plot(self) -> PortfolioPlots:
        """The report's loss distribution of every held tranche and of the holdings: ``.loss_histogram()``."""
        return _notebook().PortfolioPlots(self)


def run_portfolio(
    loaded: LoadedPortfolio,
    scenario: Scenario,
    paths: int,
    seed: int,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
    given: Given = UNCONDITIONAL,
    measure: str = DEFAULT_MEASURE,
) -> PortfolioRun:
    deals = loaded.deals
    for deal in deals:
        check_against(scenario, deal, scenario.name)
    start = min(d.calendar.start for d in deals)
    offsets = [-d.calendar.month_of(start) for d in deals]
    months = max(o + d.calendar.horizon_months for o, d in zip(offsets, deals, strict=True))
    clocked = [on_clock(d, start, months) for d in deals]
    sculpted = [sculpted_schedule(d) for d in deals]
    chunk = max(BLOCK, -(-chunk_size // BLOCK) * BLOCK)
    parts = []
    for first in range(0, paths, chunk):
        count = min(chunk, paths - first)
        for deal, wide, offset, schedule in zip(deals, clocked, offsets, sculpted, strict=True):
            market = generate(scenario, wide, seed, first, count, given).window(offset, deal.calendar.horizon_months)
            outcome = tranche_outcomes(run(deal, market, schedule))
            parts.append(outcome.with_columns(pl.col("path") + first, pl.lit(deal.name).alias("deal")))
        release_memory()
        if progress is not None:
            progress(count)
    tranches = pl.concat(parts).select("deal", pl.exclude("deal"))
    summary = pl.concat(
        summarise(
            tranches.filter(pl.col("deal") == deal.name).drop("deal"),
            {t.name: (deal.calendar.month_of(t.legal_maturity) + 1) / 12 for t in deal.tranches},
            measure,
        ).select(pl.lit(deal.name).alias("deal"), pl.all())
        for deal in deals
    )
    held = pl.DataFrame(
        [
            {"deal": d.name, "tranche": name, "share": h.share}
            for d, h in zip(deals, loaded.portfolio.holdings, strict=True)
            for name in h.tranches
        ],
        schema={"deal": pl.String, "tranche": pl.String, "share": pl.Float64},
    )
    holdings = (
        tranches.join(held, on=["deal", "tranche"])
        .group_by("path")
        .agg(
            loss=(pl.col("loss") * pl.col("share")).sum(),
            original_balance=(pl.col("original_balance") * pl.col("share")).sum(),
            principal_lent=(pl.col("principal_lent") * pl.col("share")).sum(),
            deals_losing=(pl.col("loss") > LOSS_TOLERANCE).sum(),
        )
        # principal loss of principal lent (PIK counted once, as lent), as for each tranche
        .with_columns(loss_pct=pl.col("loss") / pl.col("principal_lent"))
        .sort("path")
    )
    tail = max(1, -(-paths // 100))
    lender = holdings.select(
        pl.lit(loaded.portfolio.name).alias("deal"),
        pl.lit("holdings").alias("tranche"),
        pl.lit("portfolio").alias("kind"),
        pl.len().cast(pl.UInt32).alias("paths"),
        pl.lit(DEFAULT_MEASURE).alias("loss_measure"),
        pl.col("original_balance").mean(),
        pl.col("principal_lent").mean(),
        (pl.col("loss") > LOSS_TOLERANCE).mean().alias("pd"),
        pl.col("loss_pct").mean().alias("el_pct"),
        pl.col("loss_pct").filter(pl.col("loss") > LOSS_TOLERANCE).mean().alias("lgd"),
        pl.col("loss_pct").quantile(0.99, interpolation="higher").alias("var_99"),
        pl.col("loss_pct").top_k(tail).mean().alias("es_99"),
        (pl.col("deals_losing") > 1).mean().alias("joint_loss_share"),  # paths where several deals lose
    )
    summary = pl.concat([summary, lender], how="diagonal_relaxed")
    obligors = by_obligor(loaded, tranches, MEASURES[measure][0])
    return PortfolioRun(loaded, scenario, seed, paths, tranches, summary, holdings, obligors)


def _notebook() -> Any:
    """``waterfall.report.notebook``, imported when a notebook first asks: it sits above this
    module (it formats as the report does) and loads plotly, which a run never needs."""
    return importlib.import_module("waterfall.report.notebook")
