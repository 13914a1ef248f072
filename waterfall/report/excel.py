"""The Excel export: every table of a results directory as a formatted sheet.

One sheet per table (a run's four tables; per Monte Carlo scenario its summary,
period statistics and per-path outcomes; breakevens, sensitivity and calibration when
present), each with a frozen header row, an autofilter, column widths and
number formats chosen by column: money with thousands separators, shares and
rates in percent, ratios and years with two decimals, dates as dates. A first
sheet, ``contents``, lists every sheet, the file it came from and its rows.

Excel holds at most 1,048,576 rows a sheet (one of them the header). A table
longer than that (per-path outcomes of a run of more than ~349,000 paths with
three tranches) is not cut: its sheet is left out and ``contents`` says so and
names the parquet file that holds it, since a truncated tape would read as a
smaller run.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import xlsxwriter

from waterfall.report.directory import ResultsDirectory

MAX_ROWS = 1_048_576 - 1  # data rows under the header
PERCENT_COLUMNS = {
    "loss_pct", "pd", "el_pct", "lgd", "var_99", "es_99", "irr", "irr_mean", "irr_p05", "default_share",
    "interest_loss_pct", "economic_loss_pct", "el_principal_pct", "el_interest_pct", "el_economic_pct",
    "share_lock_up", "share_default", "ltv", "ltv_p01", "ltv_p05", "ltv_p50", "ltv_p95",
}  # fmt: skip
RATIO_PREFIXES = ("dscr", "moic")
YEAR_COLUMNS = {"wal_years", "wal_mean", "first_loss_p10", "first_loss_p50", "first_loss_p90"}
PLAIN_COLUMNS = {"level", "low", "high", "x_value", "y_value", "value"}  # units vary by row

FORMATS = {
    "money": "#,##0.00",
    "percent": "0.00%",
    "ratio": "0.00",
    "years": "0.00",
    "plain": "General",
    "integer": "0",
    "date": "yyyy-mm-dd",
    "text": "@",
}


def column_format(name: str, dtype: pl.DataType) -> str:
    """The kind of number format for a column, by its name and dtype."""
    if dtype in (pl.Date, pl.Datetime):
        return "date"
    if dtype.is_integer():
        return "integer"
    if not dtype.is_float():
        return "text"
    if name in PERCENT_COLUMNS:
        return "percent"
    if name.startswith(RATIO_PREFIXES):
        return "ratio"
    if name in YEAR_COLUMNS:
        return "years"
    if name in PLAIN_COLUMNS:
        return "plain"
    return "money"  # every other float of the result tables is an amount of currency


def sheet_tables(results: ResultsDirectory) -> list[tuple[str, str, pl.DataFrame]]:
    """(sheet name, source file, table) in the order they are written."""
    tables = []
    if results.run is not None:
        for name in ("tranches", "cashflows", "periods", "ledger"):
            tables.append((name, f"{name}.parquet", getattr(results.run, name)))
    for mc in results.monte_carlo:
        where = mc.directory.name if mc.directory != results.directory else "."
        for name in ("summary", "period_stats", "tranches"):
            tables.append((f"mc_{mc.scenario} {name}", f"{where}/{name}.parquet", getattr(mc, name)))
    if results.breakevens is not None:
        tables.append(("breakevens", "breakevens.parquet", results.breakevens))
    if results.sensitivity is not None:
        tables.append(("sensitivity", "sensitivity.parquet", results.sensitivity))
    if results.calibration is not None:
        tables.append(("calibration", "calibration.parquet", results.calibration))
    return tables


def _sheet_name(name: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique ignoring case."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{base[: 31 - len(str(n)) - 1]}~{n}"
    taken.add(candidate.lower())
    return candidate


def _width(name: str, kind: str, frame: pl.DataFrame) -> float:
    sample = frame[name].head(200).drop_nulls()
    longest = max((len(str(v)) for v in sample.to_list()), default=0) if kind == "text" else 0
    typical = {"money": 16, "date": 11, "percent": 9, "integer": 8}.get(kind, 10)
    return min(max(len(name) + 2, typical, longest + 2), 60)


def _write_sheet(book: xlsxwriter.Workbook, sheet_name: str, frame: pl.DataFrame, formats: dict) -> None:
    sheet = book.add_worksheet(sheet_name)
    header = formats["header"]
    for column, name in enumerate(frame.columns):
        kind = column_format(name, frame.schema[name])
        series = frame[name]
        if series.dtype in (pl.Enum, pl.Categorical):
            series = series.cast(pl.String)
        sheet.write_string(0, column, name, header)
        sheet.set_column(column, column, _width(name, kind, frame), formats[kind])
        values = series.to_list()
        for row, value in enumerate(values, start=1):
            if value is None:
                continue  # a null stays an empty cell
            if isinstance(value, dt.date):
                sheet.write_datetime(row, column, value, formats["date"])
            elif isinstance(value, str):
                sheet.write_string(row, column, value)
            else:
                sheet.write_number(row, column, value, formats[kind])
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(frame.height, 1), max(frame.width - 1, 0))


def write_workbook(results: ResultsDirectory, target: str | Path) -> tuple[Path, list[tuple[str, str, int, str]]]:
    """Write the workbook under a temporary name and rename it; returns its path and the
    contents rows (sheet, source file, rows, note)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial.xlsx")
    book = xlsxwriter.Workbook(str(partial), {"strings_to_numbers": False, "strings_to_urls": False})
    formats = {kind: book.add_format({"num_format": code}) for kind, code in FORMATS.items()}
    formats["header"] = book.add_format({"bold": True, "bg_color": "#DCE6F1", "bottom": 1})
    contents_sheet = book.add_worksheet("contents")
    taken = {"contents"}
    contents: list[tuple[str, str, int, str]] = []
    for name, source, frame in sheet_tables(results):
        if frame.height > MAX_ROWS:
            contents.append(("-", source, frame.height, f"left out: more than Excel's {MAX_ROWS:,} rows a sheet"))
            continue
        sheet_name = _sheet_name(name, taken)
        _write_sheet(book, sheet_name, frame, formats)
        contents.append((sheet_name, source, frame.height, ""))
    bold = formats["header"]
    contents_sheet.write_row(0, 0, ["sheet", "source file", "rows", "note"], bold)
    contents_sheet.write_row(1, 0, [f"{results.deal.name}: tables of {results.directory.name}/"])
    for row, entry in enumerate(contents, start=2):
        contents_sheet.write_row(row, 0, entry)
    contents_sheet.set_column(0, 0, 24)
    contents_sheet.set_column(1, 1, 32)
    contents_sheet.set_column(3, 3, 50)
    contents_sheet.freeze_panes(1, 0)
    book.close()
    partial.replace(target)
    return target, contents
