"""Rich tables summarising a deterministic run for the terminal."""

from __future__ import annotations

import math

import polars as pl
from rich.markup import escape
from rich.table import Table

from waterfall.results import Results
from waterfall.risk.montecarlo import MonteCarlo
from waterfall.risk.portfolio import PortfolioRun


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value / 1e6:,.2f}"


def _pct(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.2%}"


def _multiple(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.2f}x"


def _month(results: Results, period: int | None) -> str:
    return "-" if period is None else f"{results.dates[period]:%Y-%m}"


def covenant_summary(results: Results) -> dict[str, str]:
    """Minimum DSCR and the first lock-up and default months of path 0."""
    periods = results.periods.filter(pl.col("path") == 0)
    tested = periods.drop_nulls("dscr_trailing")
    measure = "dscr_trailing" if tested.height else "dscr"
    worst = periods.drop_nulls(measure).sort(measure).head(1)
    first = {mode: periods.filter(pl.col("mode") == mode)["period"].min() for mode in ("lock_up", "default")}
    return {
        "min_dscr": "-" if worst.height == 0 else f"{worst[measure][0]:.2f}x ({_month(results, worst['period'][0])})",
        "first_lock_up": _month(results, first["lock_up"]),
        "first_default": _month(results, first["default"]),
    }


def run_table(results: Results) -> Table:
    deal = results.deal
    summary = covenant_summary(results)
    breach = summary["first_default"] if summary["first_default"] != "-" else summary["first_lock_up"]
    equity = results.tranches.filter((pl.col("path") == 0) & (pl.col("kind") == "equity")).row(0, named=True)
    table = Table(
        title=f"{escape(deal.name)}: base case, {deal.calendar.horizon_months} months from {deal.calendar.start:%Y-%m}",
        caption=(
            f"$ millions. Min DSCR {summary['min_dscr']}; first lock-up {summary['first_lock_up']}; "
            f"first default {summary['first_default']}. Debt loss: principal written down. "
            f"Equity MOIC {_multiple(equity['moic'])}, "
            f"NPV at {deal.equity.hurdle_rate:.1%} hurdle {_money(equity['npv'])}"
        ),
    )
    for column in (
        "tranche",
        "original",
        "interest paid",
        "principal paid",
        "loss",
        "IRR",
        "WAL (y)",
        "min DSCR",
        "first breach",
    ):
        table.add_column(column, justify="left" if column == "tranche" else "right")
    for row in results.tranches.filter(pl.col("path") == 0).iter_rows(named=True):
        wal = row["wal_years"]
        table.add_row(
            escape(row["tranche"]),
            _money(row["original_balance"]),
            _money(row["interest_paid"]) if row["kind"] == "debt" else "-",
            _money(row["principal_paid"]) if row["kind"] == "debt" else f"dist. {_money(row['principal_paid'])}",
            _money(row["loss"]),
            _pct(row["irr"]),
            "-" if wal is None else f"{wal:.2f}",
            summary["min_dscr"].split(" ")[0],
            breach,
        )
    return table


def risk_table(result: MonteCarlo) -> Table:
    """The Monte Carlo risk summary: one row per tranche."""
    summary = result.summary
    measure = summary.filter(pl.col("kind") == "debt")["loss_measure"].first() or "principal"
    equity = summary.filter(pl.col("kind") == "equity").row(0, named=True)
    table = Table(
        title=(f"{result.deal.name} under {result.scenario.name}: {result.paths:,} paths, seed {result.seed}"),
        caption=(
            f"PD: share of paths with any loss; EL, LGD, VaR/ES 99%: debt's {measure} loss as a share of what it "
            "lent (equity: capital not returned). EL int.: interest never paid; EL econ.: 1 - PV of receipts "
            f"at the coupon. Equity mean MOIC {_multiple(equity['moic_mean'])}, mean NPV at "
            f"{result.deal.equity.hurdle_rate:.1%} {_money(equity['npv_mean'])} $m."
        ),
    )
    columns = ("tranche", "PD", "EL", "LGD", "VaR 99", "ES 99", "EL int.", "EL econ.", "IRR mean", "IRR p05")
    for column in (*columns, "WAL (y)", "rating"):
        table.add_column(column, justify="left" if column in ("tranche", "rating") else "right")
    for row in summary.iter_rows(named=True):
        wal = row["wal_mean"]
        table.add_row(
            escape(row["tranche"]),
            _pct(row["pd"]),
            _pct(row["el_pct"]),
            _pct(row["lgd"]),
            _pct(row["var_99"]),
            _pct(row["es_99"]),
            _pct(row["el_interest_pct"]),
            _pct(row["el_economic_pct"]),
            _pct(row["irr_mean"]),
            _pct(row["irr_p05"]),
            "-" if wal is None else f"{wal:.2f}",
            row["implied_rating"] or "-",
        )
    return table


def portfolio_table(result: PortfolioRun) -> Table:
    """Each deal's tranches, then the lender's holdings as one line."""
    name = result.loaded.portfolio.name
    table = Table(
        title=f"{escape(name)} under {escape(result.scenario.name)}: {result.paths:,} paths, seed {result.seed}",
        caption="Deals share every path: one tenant's default hits every deal it leases from.",
    )
    for column in ("deal", "tranche", "PD", "EL", "VaR 99", "ES 99", "rating", "joint loss"):
        table.add_column(column, justify="left" if column in ("deal", "tranche", "rating") else "right")
    for row in result.summary.iter_rows(named=True):
        if row["kind"] == "equity":
            continue
        table.add_row(
            escape(row["deal"]),
            escape(row["tranche"]),
            _pct(row["pd"]),
            _pct(row["el_pct"]),
            _pct(row["var_99"]),
            _pct(row["es_99"]),
            row.get("implied_rating") or "-",
            _pct(row.get("joint_loss_share")),
        )
    return table
