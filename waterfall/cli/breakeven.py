"""``waterfall breakeven`` and ``waterfall metrics``: what breaks a tranche, and what it earns.

A breakeven with no crossing in its range is an answer, not an error: it is
printed with the range tried and the command exits 0. Mistakes in the request
(an unknown tranche or factor, a malformed metric, an empty range, a bad deal
file, an unwritable ``--out``) exit 2.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from waterfall.analytics.bond import tranche_metrics
from waterfall.analytics.breakeven import (
    FACTORS,
    SCHEMA,
    Breakeven,
    factor_problems,
    metric_problems,
    parse_metric,
    range_problems,
    search_range,
    solve,
    tranche_problems,
)
from waterfall.analytics.quote import DAY_COUNTS, FREQUENCIES, own_quote, quote_problems
from waterfall.cli.app import PROGRESS_COLUMNS, app, err, fail, out, say
from waterfall.errors import InputError, Problem
from waterfall.results import simulate
from waterfall.spec.deal import Deal
from waterfall.spec.load import load_deal


def _problems(
    deal: Deal,
    tranche: str | None,
    factor: str | None,
    metric: str,
    low: float | None,
    high: float | None,
    every: bool,
    default_month: int | None,
) -> list[Problem]:
    problems = tranche_problems(deal, [tranche] if tranche is not None else [])
    problems += factor_problems([factor] if factor is not None else []) + metric_problems(metric)
    if not every:
        names = ", ".join(t.name for t in deal.tranches)
        if tranche is None:
            problems.append(Problem("--tranche", f"expected a tranche name (one of {names}) or --all, found none"))
        if factor is None:
            problems.append(Problem("--factor", f"expected a factor ({', '.join(FACTORS)}) or --all, found none"))
    if every and (low is not None or high is not None):
        problems.append(Problem("--low/--high", "expected no range with --all (each factor has its own), found one"))
    elif factor in FACTORS:
        problems += range_problems(factor, *search_range(factor, low, high))
    horizon = deal.calendar.horizon_months
    if default_month is not None and not 0 <= default_month < horizon:
        problems.append(Problem("--default-month", f"expected a deal month 0 .. {horizon - 1}, found {default_month}"))
    return problems


def _level(b: Breakeven) -> str:
    return "-" if b.level is None else f"{b.level:.6g}"


def _sentence(b: Breakeven) -> str:
    searched = f"{b.low:g} .. {b.high:g} {b.unit}"
    if b.status == "found":
        when = f"{b.first_loss_date:%Y-%m} (month {b.first_loss_period})" if b.first_loss_date else "-"
        what = "first loses money" if b.metric == "first_loss" else f"breaks {b.metric}"
        return f"{b.deal}: {b.tranche} {what} at {b.factor} = {_level(b)} {b.unit}; first loss {when}; range {searched}"
    if b.status == "lost_at_base":
        when = f", first loss {b.first_loss_date:%Y-%m} (month {b.first_loss_period})" if b.first_loss_date else ""
        start = f"{b.deal}: {b.tranche} already breaks {b.metric} at the benign end of {b.factor}"
        return f"{start}{when}; range {searched}"
    if b.status == "not_applicable":
        return f"{b.deal}: {b.factor} does not apply: {b.reason}"
    return f"{b.deal}: {b.tranche}: no crossing of {b.metric} for {b.factor} in the range tried, {searched}"


def _table(deal: Deal, rows: pl.DataFrame) -> Table:
    table = Table(title=f"{escape(deal.name)}: breakevens on the deterministic path")
    for column in ("tranche", "factor", "metric", "level", "unit", "first loss", "range", "status"):
        table.add_column(column, justify="right" if column == "level" else "left")
    for r in rows.iter_rows(named=True):
        first = r["first_loss_date"]
        table.add_row(
            escape(r["tranche"]),
            r["factor"],
            r["metric"],
            "-" if r["level"] is None else f"{r['level']:.6g}",
            r["unit"],
            "-" if first is None else f"{first:%Y-%m} ({r['first_loss_period']})",
            f"{r['low']:g} .. {r['high']:g}",
            r["status"],
        )
    return table


def write_parquet(target: Path, frame: pl.DataFrame) -> Path:
    """Write ``frame`` to ``target`` under a hidden partial name first, then rename it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    frame.write_parquet(partial)
    partial.replace(target)
    return target


@app.command()
def breakeven(
    deal_file: Annotated[Path, typer.Argument(help="deal TOML file")],
    tranche: Annotated[str | None, typer.Option("--tranche", help="debt tranche to solve for")] = None,
    factor: Annotated[str | None, typer.Option("--factor", help=f"stress to move: {', '.join(FACTORS)}")] = None,
    metric: Annotated[str, typer.Option("--metric", help="first_loss, or irr_below:X (X e.g. 0.05)")] = "first_loss",
    low: Annotated[float | None, typer.Option("--low", help="low end of the search range")] = None,
    high: Annotated[float | None, typer.Option("--high", help="high end of the search range")] = None,
    every: Annotated[bool, typer.Option("--all", help="every debt tranche x every factor, as a table")] = False,
    default_month: Annotated[
        int | None, typer.Option("--default-month", help="haircut: deal month the main tenant defaults")
    ] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="write the table as parquet to this file")] = None,
) -> None:
    """The level of one stress at which a tranche first loses a dollar (or its IRR falls below X)."""
    try:
        deal = load_deal(deal_file)
        problems = _problems(deal, tranche, factor, metric, low, high, every, default_month)
        if problems:
            raise InputError(str(deal_file), problems)
    except InputError as error:
        fail(error)
        return
    tranches = [tranche] if tranche is not None else [t.name for t in deal.tranches]
    factors = [factor] if factor is not None else list(FACTORS)
    found: list[Breakeven] = []
    with Progress(*PROGRESS_COLUMNS, console=err, transient=True) as progress:
        task = progress.add_task(f"{deal.name} breakevens", total=len(factors))
        for name in factors:
            lo, hi = search_range(name, low, high)
            found += solve(deal, name, tranches, parse_metric(metric), lo, hi, default_month)
            progress.advance(task)
    rows = pl.DataFrame([b.row() for b in found], schema=SCHEMA, orient="row")
    if every:
        out.print(_table(deal, rows))
    for b in found if not every else []:
        say(_sentence(b))
    if out_file is not None:
        try:
            write_parquet(out_file, rows)
        except OSError as exc:
            problem = Problem("--out", f"expected a writable file path, found {exc.strerror or exc}")
            fail(InputError(str(out_file), [problem]))
            return
        say(f"wrote {out_file}")


DAY_COUNT_OPTION = typer.Option(
    "--day-count", help=f"day count of yield and duration: {', '.join(DAY_COUNTS)} (default: the deal's)"
)
FREQUENCY_OPTION = typer.Option(
    "--frequency", help=f"compounding of the yield: {', '.join(FREQUENCIES)} (default: the payment frequency)"
)


@app.command()
def metrics(
    deal_file: Annotated[Path, typer.Argument(help="deal TOML file")],
    discount_rate: Annotated[
        float | None, typer.Option("--discount-rate", help="annual rate to price at (compounded as quoted)")
    ] = None,
    day_count: Annotated[str | None, DAY_COUNT_OPTION] = None,
    frequency: Annotated[str | None, FREQUENCY_OPTION] = None,
) -> None:
    """Yield, WAL, durations, MOIC, price and Z-spread of each debt tranche on the base case."""
    try:
        problems = []
        if discount_rate is not None and not (math.isfinite(discount_rate) and -0.99 < discount_rate < 10):
            expected = f"expected an annual rate above -0.99 and below 10, found {discount_rate}"
            problems.append(Problem("--discount-rate", expected))
        problems += quote_problems(day_count, frequency)
        deal = load_deal(deal_file)
        if problems:
            raise InputError(str(deal_file), problems)
    except InputError as error:
        fail(error)
        return
    quote = own_quote(deal, day_count, frequency)
    frame = tranche_metrics(deal, simulate(deal).cashflows, discount_rate, quote=quote)
    priced = f"at {discount_rate:.2%}" if discount_rate is not None else "on the benchmark curve"
    caption = f"yield and duration {quote}; price per 100 lent, {priced}"
    table = Table(title=f"{escape(deal.name)}: tranche metrics, base case", caption=caption)
    columns = ("tranche", "coupon", "yield", "IRR", "WAL (y)", "Macaulay (y)", "mod. dur.", "MOIC", "price")
    for column in (*columns, "Z-spread (bp)", "loss $m"):
        table.add_column(column, justify="left" if column in ("tranche", "coupon") else "right")

    def number(value: float | None, text: str) -> str:
        return "-" if value is None else text.format(value)

    for r in frame.iter_rows(named=True):
        table.add_row(
            escape(r["tranche"]),
            escape(r["coupon"]),
            number(r["yield"], "{:.3%}"),
            number(r["irr"], "{:.3%}"),
            number(r["wal_years"], "{:.2f}"),
            number(r["macaulay_years"], "{:.2f}"),
            number(r["modified_duration"], "{:.2f}"),
            number(r["moic"], "{:.3f}x"),
            number(r["price"], "{:.2f}"),
            number(r["spread_bp"], "{:,.1f}"),
            f"{r['loss'] / 1e6:,.2f}",
        )
    out.print(table)
