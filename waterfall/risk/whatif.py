"""What-if: a deal or a portfolio run unconditionally and given events, on the same seed.

Both runs draw the same unconditional paths (``waterfall.market.conditioning`` applies
the events after the draws), so the difference between them is the events' effect,
not sampling noise between two sets of paths.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
from attrs import frozen

from waterfall.market.conditioning import Given
from waterfall.market.scenario import Scenario
from waterfall.outcomes.parquet import write_tables
from waterfall.risk.exposure import by_obligor
from waterfall.risk.montecarlo import DEFAULT_CHUNK, run_monte_carlo
from waterfall.risk.portfolio import run_portfolio
from waterfall.risk.summary import DEFAULT_MEASURE, MEASURES
from waterfall.spec.deal import Deal
from waterfall.spec.portfolio import LoadedPortfolio

KEYS = ["deal", "tranche", "kind"]


@frozen
class WhatIf:
    name: str
    scenario: Scenario
    given: Given
    seed: int
    paths: int
    measure: str
    tranches: pl.DataFrame  # per (deal, tranche): unconditional vs conditional PD and EL
    obligors: pl.DataFrame | None  # per ultimate obligor (portfolios only)

    def write(self, directory: str | Path) -> list[Path]:
        tables = {"whatif": self.tranches}
        if self.obligors is not None:
            tables["whatif_obligors"] = self.obligors
        return write_tables(directory, tables)


def compare(plain: pl.DataFrame, given: pl.DataFrame) -> pl.DataFrame:
    """Two summaries (with ``deal``) side by side: PD and EL, each unconditional, conditional, change."""
    cols = ["pd", "el_pct"]
    left = plain.select(*KEYS, "loss_measure", *cols).rename({c: f"{c}_unconditional" for c in cols})
    right = given.select(*KEYS, *cols).rename({c: f"{c}_conditional" for c in cols})
    table = left.join(right, on=KEYS, maintain_order="left")
    return table.with_columns(
        pd_change=pl.col("pd_conditional") - pl.col("pd_unconditional"),
        el_change=pl.col("el_pct_conditional") - pl.col("el_pct_unconditional"),
    ).select(
        *KEYS,
        "loss_measure",
        "pd_unconditional",
        "pd_conditional",
        "pd_change",
        "el_pct_unconditional",
        "el_pct_conditional",
        "el_change",
    )


def whatif_deal(
    deal: Deal,
    scenario: Scenario,
    given: Given,
    paths: int,
    seed: int,
    measure: str = DEFAULT_MEASURE,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
) -> WhatIf:
    runs = [
        run_monte_carlo(deal, scenario, paths, seed, chunk_size, progress=progress, measure=measure, given=g)
        for g in (Given(), given)
    ]
    plain, cond = (r.summary.select(pl.lit(deal.name).alias("deal"), pl.all()) for r in runs)
    return WhatIf(deal.name, scenario, given, seed, paths, measure, compare(plain, cond), None)


def whatif_portfolio(
    loaded: LoadedPortfolio,
    scenario: Scenario,
    given: Given,
    paths: int,
    seed: int,
    measure: str = DEFAULT_MEASURE,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
) -> WhatIf:
    runs = [run_portfolio(loaded, scenario, paths, seed, chunk_size, progress, g, measure) for g in (Given(), given)]
    table = compare(runs[0].summary, runs[1].summary)
    loss = MEASURES[measure][0]
    plain, cond = (by_obligor(loaded, r.tranches, loss) for r in runs)
    obligors = (
        plain.rename({"el": "el_unconditional", "el_pct": "el_pct_unconditional"})
        .join(cond.select("obligor", el_conditional="el", el_pct_conditional="el_pct"), on="obligor")
        .with_columns(el_change=pl.col("el_conditional") - pl.col("el_unconditional"))
        .select(
            "obligor",
            "deals",
            "exposure",
            "el_unconditional",
            "el_conditional",
            "el_change",
            "el_pct_unconditional",
            "el_pct_conditional",
        )
    )
    return WhatIf(loaded.portfolio.name, scenario, given, seed, paths, measure, table, obligors)
