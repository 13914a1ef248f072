"""The Excel export read back with openpyxl: sheets, values, frozen headers, filters and number formats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from waterfall.report import excel
from waterfall.report.directory import read_results

SHEETS = [
    "contents",
    "tranches",
    "cashflows",
    "periods",
    "ledger",
    "mc_base summary",
    "mc_base period_stats",
    "mc_base tranches",
    "breakevens",
    "sensitivity",
    "calibration",
]


@pytest.fixture(scope="module")
def workbook(full_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    target = tmp_path_factory.mktemp("xlsx") / "deal.xlsx"
    written, _ = excel.write_workbook(read_results(full_dir), target)
    assert sorted(p.name for p in target.parent.iterdir()) == ["deal.xlsx"]  # no partial file left behind
    return openpyxl.load_workbook(written)


def sheet_frame(sheet) -> tuple[list[str], list[tuple]]:
    rows = list(sheet.iter_rows(values_only=True))
    return list(rows[0]), rows[1:]


def test_one_sheet_per_table(workbook: openpyxl.Workbook) -> None:
    assert workbook.sheetnames == SHEETS
    contents = list(workbook["contents"].iter_rows(values_only=True))
    assert contents[0] == ("sheet", "source file", "rows", "note")
    listed = {row[0]: row for row in contents[2:]}
    assert listed["mc_base tranches"][1:3] == ("mc_base/tranches.parquet", 900)
    assert listed["cashflows"][2] == 168


@pytest.mark.parametrize(
    ("sheet", "source"),
    [
        ("tranches", "tranches.parquet"),
        ("cashflows", "cashflows.parquet"),
        ("periods", "periods.parquet"),
        ("ledger", "ledger.parquet"),
        ("mc_base summary", "mc_base/summary.parquet"),
        ("mc_base period_stats", "mc_base/period_stats.parquet"),
        ("mc_base tranches", "mc_base/tranches.parquet"),
        ("breakevens", "breakevens.parquet"),
        ("sensitivity", "sensitivity.parquet"),
        ("calibration", "calibration.parquet"),
    ],
)
def test_sheets_hold_the_tables(workbook: openpyxl.Workbook, full_dir: Path, sheet: str, source: str) -> None:
    table = pl.read_parquet(full_dir / source)
    header, rows = sheet_frame(workbook[sheet])
    assert header == table.columns
    assert len(rows) == table.height
    for name in table.columns:
        column = [row[header.index(name)] for row in rows]
        expected = table[name]
        if expected.dtype in (pl.Enum, pl.Categorical):
            expected = expected.cast(pl.String)
        values = expected.to_list()
        if expected.dtype == pl.Date:
            values = [None if v is None else dt.datetime.combine(v, dt.time()) for v in values]
        if expected.dtype.is_float():
            assert [v is None for v in column] == [v is None for v in values], name  # nulls stay empty cells
            present = [(a, b) for a, b in zip(column, values, strict=True) if b is not None]
            assert [a for a, _ in present] == pytest.approx([b for _, b in present], rel=1e-15), name
        else:
            assert column == values, name


def test_frozen_header_filter_and_widths(workbook: openpyxl.Workbook) -> None:
    for name in SHEETS:
        assert workbook[name].freeze_panes == "A2", name
    periods = workbook["periods"]
    assert periods.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(periods.max_column)}85"
    assert periods.column_dimensions["E"].width >= 16  # revenue: room for a money amount


@pytest.mark.parametrize(
    ("sheet", "column", "number_format"),
    [
        ("cashflows", "balance_end", "#,##0.00"),
        ("cashflows", "date", "yyyy-mm-dd"),
        ("cashflows", "period", "0"),
        ("periods", "dscr", "0.00"),
        ("periods", "ltv", "0.00%"),
        ("tranches", "irr", "0.00%"),
        ("tranches", "wal_years", "0.00"),
        ("mc_base summary", "el_pct", "0.00%"),
        ("mc_base summary", "original_balance", "#,##0.00"),
        ("mc_base period_stats", "cfads_p50", "#,##0.00"),
        ("mc_base period_stats", "share_default", "0.00%"),
        ("breakevens", "first_loss_date", "yyyy-mm-dd"),
        ("breakevens", "level", "General"),
    ],
)
def test_number_formats(workbook: openpyxl.Workbook, sheet: str, column: str, number_format: str) -> None:
    worksheet = workbook[sheet]
    header = [cell.value for cell in worksheet[1]]
    cells = [row[header.index(column)] for row in worksheet.iter_rows(min_row=2)]
    written = [cell for cell in cells if cell.value is not None]
    assert written, f"{sheet}.{column} has no values"
    assert {cell.number_format for cell in written} == {number_format}


def test_a_table_longer_than_a_sheet_is_left_out_and_said(
    full_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(excel, "MAX_ROWS", 500)  # the Monte Carlo tranches (900 rows) no longer fit
    written, contents = excel.write_workbook(read_results(full_dir), tmp_path / "small.xlsx")
    book = openpyxl.load_workbook(written)
    assert "mc_base tranches" not in book.sheetnames
    assert ("-", "mc_base/tranches.parquet", 900, "left out: more than Excel's 500 rows a sheet") in contents
    notes = [row for row in book["contents"].iter_rows(values_only=True) if row[1] == "mc_base/tranches.parquet"]
    assert notes == [("-", "mc_base/tranches.parquet", 900, "left out: more than Excel's 500 rows a sheet")]


def test_sheet_names_follow_excel_rules() -> None:
    taken: set[str] = set()
    long = "a_very_long_scenario_name_indeed summary"
    first = excel._sheet_name(long, taken)
    second = excel._sheet_name(long, taken)
    assert len(first) == 31 and len(second) <= 31 and first != second
    assert excel._sheet_name("x/y:z[1]", taken) == "x_y_z_1_"
