"""Running a deal and holding its results: the Python API for notebooks and the CLI."""

from __future__ import annotations

import importlib
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from waterfall.engine import run
from waterfall.engine.tape import Tape
from waterfall.market.curves import Market, base_case
from waterfall.outcomes import tables
from waterfall.outcomes.parquet import write_tables
from waterfall.spec.deal import Deal

if TYPE_CHECKING:
    from waterfall.report.notebook import RunPlots

TABLES = ("cashflows", "periods", "ledger", "tranches")


class Results:
    """The four result tables of one run, built on first use from the engine's tape."""

    def __init__(self, deal: Deal, tape: Tape) -> None:
        self.deal = deal
        self.tape = tape
        self.dates = [deal.calendar.date_of(m) for m in range(tape.months)]

    @cached_property
    def cashflows(self) -> pl.DataFrame:
        return tables.cashflows(self.tape, self.dates)

    @cached_property
    def periods(self) -> pl.DataFrame:
        return tables.periods(self.tape, self.dates)

    @cached_property
    def ledger(self) -> pl.DataFrame:
        return tables.ledger(self.tape)

    @cached_property
    def tranches(self) -> pl.DataFrame:
        return tables.tranche_outcomes(self.tape)

    def write(self, directory: str | Path) -> list[Path]:
        """Write the four tables as parquet; each file appears whole or not at all."""
        return write_tables(directory, {name: getattr(self, name) for name in TABLES})

    def _repr_html_(self) -> str:  # the notebook summary (waterfall.report.notebook)
        return _notebook().results_html(self)

    @property
    def plot(self) -> RunPlots:
        """The report's base-case charts as plotly figures: ``.cash_uses()``, ``.balances()``."""
        return _notebook().RunPlots(self)


def simulate(deal: Deal, market: Market | None = None, paths: int = 1) -> Results:
    """Run ``deal`` under ``market`` (default: the deal's own base case on ``paths`` paths)."""
    market = market if market is not None else base_case(deal, paths)
    return Results(deal, run(deal, market))


def _notebook() -> Any:
    """``waterfall.report.notebook``, imported when a notebook first asks: it sits above this
    module (it formats as the report does) and loads plotly, which a run never needs."""
    return importlib.import_module("waterfall.report.notebook")
