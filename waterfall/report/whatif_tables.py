"""Rich tables of a what-if run: PD and EL unconditional vs conditional, by tranche and by obligor."""

from __future__ import annotations

import math

import polars as pl
from rich.markup import escape
from rich.table import Table

from waterfall.risk.whatif import WhatIf


def _pct(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.2%}"


def _change(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value * 100:+.2f} pp"


def _title(result: WhatIf) -> str:
    events = "; ".join(str(e) for e in result.given.events)
    head = f"{escape(result.name)} under {escape(result.scenario.name)}: {result.paths:,} paths, seed {result.seed}"
    return f"{head}\ngiven {escape(events)}"


def whatif_table(result: WhatIf) -> Table:
    table = Table(
        title=_title(result),
        caption=(
            f"PD: share of paths with any loss; EL: mean {result.measure} loss as a share of principal lent "
            "(equity: capital not returned). Both runs on the same paths: the change is the events' effect."
        ),
    )
    for column in ("deal", "tranche", "PD", "PD given", "change", "EL", "EL given", "change "):
        table.add_column(column, justify="left" if column in ("deal", "tranche") else "right")
    for row in result.tranches.iter_rows(named=True):
        table.add_row(
            escape(row["deal"]),
            escape(row["tranche"]),
            _pct(row["pd_unconditional"]),
            _pct(row["pd_conditional"]),
            _change(row["pd_change"]),
            _pct(row["el_pct_unconditional"]),
            _pct(row["el_pct_conditional"]),
            _change(row["el_change"]),
        )
    return table


def obligor_table(result: WhatIf) -> Table:
    table = Table(
        title=f"{escape(result.name)}: the lender's holdings by ultimate obligor",
        caption="Exposure: held principal lent ($m, mean over paths); a deal with several tenants is split equally.",
    )
    for column in ("obligor", "deals", "exposure", "EL $m", "EL given $m", "EL", "EL given"):
        table.add_column(column, justify="left" if column in ("obligor", "deals") else "right")
    assert result.obligors is not None
    for row in result.obligors.iter_rows(named=True):
        table.add_row(
            escape(row["obligor"]),
            escape(row["deals"]),
            f"{row['exposure'] / 1e6:,.1f}",
            f"{row['el_unconditional'] / 1e6:,.2f}",
            f"{row['el_conditional'] / 1e6:,.2f}",
            _pct(row["el_pct_unconditional"]),
            _pct(row["el_pct_conditional"]),
        )
    return table


def exposure_table(name: str, obligors: pl.DataFrame) -> Table:
    """A portfolio run's held exposure and EL by ultimate obligor (``waterfall mc PORTFOLIO``)."""
    table = Table(
        title=f"{escape(name)}: the lender's holdings by ultimate obligor",
        caption="Exposure: held principal lent ($m, mean over paths); a deal with several tenants is split equally.",
    )
    for column in ("obligor", "deals", "exposure", "EL $m", "EL"):
        table.add_column(column, justify="left" if column in ("obligor", "deals") else "right")
    for row in obligors.iter_rows(named=True):
        table.add_row(
            escape(row["obligor"]),
            escape(row["deals"]),
            f"{row['exposure'] / 1e6:,.1f}",
            f"{row['el'] / 1e6:,.2f}",
            _pct(row["el_pct"]),
        )
    return table
