"""``waterfall validate`` and ``waterfall run`` on good deals, run as a user would.

The console script runs in a subprocess in a temporary directory; its parquet
output is read back and checked against the documented schemas and against
itself (a tranche's ledger receipts are what tranches.parquet says it was paid).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import polars as pl
import pytest

DEALS = Path(__file__).resolve().parents[2] / "deals"
DEAL_NAMES = ("gpu_lease_spv", "campus_15y")
TABLES = ("cashflows", "periods", "ledger", "tranches")

CASHFLOWS_COLUMNS = [
    "path",
    "period",
    "date",
    "tranche",
    "balance_start",
    "interest_due",
    "interest_paid",
    "interest_shortfall",
    "principal_scheduled",
    "principal_paid",
    "pik",
    "writedown",
    "refinanced",
    "balance_end",
]
PERIODS_COLUMNS = [
    "path",
    "period",
    "date",
    "mode",
    "revenue",
    "opex",
    "cfads",
    "debt_service_scheduled",
    "dscr",
    "ltv",
    "equity_distribution",
]
LEDGER_COLUMNS = ["path", "period", "source", "destination", "amount"]
TRANCHES_COLUMNS = [
    "path",
    "tranche",
    "original_balance",
    "principal_lent",
    "interest_paid",
    "principal_paid",
    "loss",
    "loss_pct",
    "interest_loss",
    "interest_loss_pct",
    "economic_loss",
    "economic_loss_pct",
    "irr",
    "moic",
    "npv",
    "terminal_value",
    "wal_years",
    "default_period",
    "first_shortfall_period",
    "refinanced",
    "refinanced_period",
    "extensions",
    "outstanding",
]
DOCUMENTED = {
    "cashflows": CASHFLOWS_COLUMNS,
    "periods": PERIODS_COLUMNS,
    "ledger": LEDGER_COLUMNS,
    "tranches": TRANCHES_COLUMNS,
}


def source(name: str) -> str:
    return (DEALS / f"{name}.toml").read_text(encoding="utf-8")


def show(result) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


def terms(name: str) -> dict:
    return tomllib.loads(source(name))


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


RUN_FILES = sorted([*(f"{t}.parquet" for t in TABLES), "deal.toml"])


def in_order(actual: list[str], documented: list[str]) -> list[str]:
    """The documented columns in the order they appear in ``actual``."""
    return [c for c in actual if c in documented]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, run_waterfall_all) -> dict:
    """Each shipped deal run once with ``--out`` into a nested, not yet existing directory.

    name -> (completed process, output directory)
    """
    cwds = [tmp_path_factory.mktemp(name) for name in DEAL_NAMES]
    commands = [
        (("run", DEALS / f"{name}.toml", "--out", f"results/nested/{name}"), cwd)
        for name, cwd in zip(DEAL_NAMES, cwds, strict=True)
    ]
    done = {}
    for name, cwd, result in zip(DEAL_NAMES, cwds, run_waterfall_all(commands), strict=True):
        assert result.returncode == 0, show(result)
        done[name] = (result, cwd / "results" / "nested" / name)
    return done


def tables_of(runs: dict, name: str) -> dict[str, pl.DataFrame]:
    _, target = runs[name]
    return {table: pl.read_parquet(target / f"{table}.parquet") for table in TABLES}


# --- validate ---------------------------------------------------------------


@pytest.mark.parametrize("name", DEAL_NAMES)
def test_validate_ok_prints_a_one_line_summary(cli, tmp_path: Path, name: str) -> None:
    deal = tmp_path / f"{name}.toml"
    deal.write_text(source(name), encoding="utf-8")

    result = cli("validate", deal.name)

    assert result.returncode == 0, show(result)
    assert result.stderr == ""
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, show(result)
    summary = lines[0]
    assert summary.startswith(f"{deal.name}: ok"), summary
    assert name in summary
    tranches = terms(name)["tranches"]
    assert f"{len(tranches)} tranche(s)" in summary
    calendar = terms(name)["calendar"]
    assert f"{calendar['horizon_months']} months from {calendar['start']}" in summary
    # validating writes nothing
    assert files_in(tmp_path) == [deal.name]


def test_validate_reads_the_shipped_deal_by_absolute_path(cli, deals_dir: Path) -> None:
    deal = deals_dir / "gpu_lease_spv.toml"

    result = cli("validate", deal)

    assert result.returncode == 0, show(result)
    assert result.stdout.startswith(f"{deal}: ok"), show(result)
    debt = sum(t["balance"] for t in terms("gpu_lease_spv")["tranches"])
    assert f"${debt / 1e6:,.1f}m debt" in result.stdout


# --- run --------------------------------------------------------------------


@pytest.mark.parametrize("name", DEAL_NAMES)
def test_run_writes_the_four_tables_to_out(runs, name: str) -> None:
    result, target = runs[name]

    assert files_in(target) == RUN_FILES
    assert (target / "deal.toml").read_text() == (DEALS / f"{name}.toml").read_text()
    assert result.stderr == ""
    assert f"to results/nested/{name}/" in result.stdout
    for table in TABLES:
        assert f"{table}.parquet" in result.stdout


@pytest.mark.parametrize("name", DEAL_NAMES)
def test_run_defaults_to_out_deal_name_under_the_working_directory(cli, tmp_path: Path, name: str) -> None:
    # the deal file lives elsewhere: the default is relative to cwd, not to the deal
    elsewhere = tmp_path / "deals"
    elsewhere.mkdir()
    deal = elsewhere / f"{name}.toml"
    deal.write_text(source(name), encoding="utf-8")
    cwd = tmp_path / "work"
    cwd.mkdir()

    result = cli("run", deal, cwd=cwd)

    assert result.returncode == 0, show(result)
    target = cwd / "out" / name
    assert files_in(target) == RUN_FILES
    assert files_in(cwd) == ["out"]
    assert not (elsewhere / "out").exists()
    assert f"to out/{name}/" in result.stdout


def test_run_overwrites_a_previous_run_without_leaving_partial_files(cli, tmp_path: Path) -> None:
    deal = tmp_path / "campus_15y.toml"
    deal.write_text(source("campus_15y"), encoding="utf-8")
    target = tmp_path / "results"
    target.mkdir()
    (target / "tranches.parquet").write_text("stale, not parquet")

    result = cli("run", deal.name, "--out", "results")

    assert result.returncode == 0, show(result)
    assert files_in(target) == RUN_FILES
    assert pl.read_parquet(target / "tranches.parquet").height > 0


def table_rows(stdout: str) -> dict[str, list[str]]:
    """Rows of the rich tranche table, by tranche name (box drawn in unicode or ASCII)."""
    rows = {}
    for line in stdout.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃|]", line)]
        if len(cells) > 3 and cells[1]:
            rows[cells[1]] = cells[1:-1]
    return rows


@pytest.mark.parametrize("name", DEAL_NAMES)
def test_run_prints_the_tranche_table(runs, name: str) -> None:
    result, _ = runs[name]
    outcomes = tables_of(runs, name)["tranches"]
    rows = table_rows(result.stdout)

    header = rows.get("tranche")
    assert header is not None, show(result)
    assert "IRR" in header
    irr_column = header.index("IRR")
    assert f"{name}: base case" in result.stdout
    names = [t["name"] for t in terms(name)["tranches"]]
    assert outcomes["tranche"].to_list() == [*names, "equity"]
    for row in outcomes.iter_rows(named=True):
        printed = rows.get(row["tranche"])
        assert printed is not None, f"no table row for {row['tranche']}\n{show(result)}"
        assert printed[irr_column] == f"{row['irr']:.2%}", printed
        assert printed[header.index("original")] == f"{row['original_balance'] / 1e6:,.2f}"


# --- the tables -------------------------------------------------------------


@pytest.mark.parametrize("name", DEAL_NAMES)
@pytest.mark.parametrize("table", TABLES)
def test_table_has_the_documented_columns(runs, name: str, table: str) -> None:
    frame = tables_of(runs, name)[table]
    documented = DOCUMENTED[table]

    missing = [c for c in documented if c not in frame.columns]
    assert not missing, f"{table}.parquet lacks documented columns {missing}: {frame.columns}"
    assert in_order(frame.columns, documented) == documented
    assert frame.height > 0


@pytest.mark.parametrize("name", DEAL_NAMES)
def test_column_types(runs, name: str) -> None:
    tables = tables_of(runs, name)

    for table, frame in tables.items():
        schema = frame.schema
        assert schema["path"] == pl.Int64, table
        if "period" in schema:
            assert schema["period"] == pl.Int64, table
        if "date" in schema:
            assert schema["date"] == pl.Date, table
    for column in CASHFLOWS_COLUMNS[4:]:
        assert tables["cashflows"].schema[column] == pl.Float64, column
    assert tables["cashflows"].schema["tranche"] == pl.String
    assert tables["periods"].schema["mode"] == pl.String
    assert tables["ledger"].schema == pl.Schema(
        {
            "path": pl.Int64,
            "period": pl.Int64,
            "source": pl.String,
            "destination": pl.String,
            "amount": pl.Float64,
        }
    )
    for column in ("default_period", "first_shortfall_period"):
        assert tables["tranches"].schema[column] == pl.Int64, column


@pytest.mark.parametrize("name", DEAL_NAMES)
def test_periods_have_an_account_column_per_account(runs, name: str) -> None:
    periods = tables_of(runs, name)["periods"]
    accounts = ["operating", *(a["name"] for a in terms(name).get("accounts", []))]

    account_columns = [c for c in periods.columns if c.startswith("account_")]
    assert sorted(account_columns) == sorted(f"account_{a}" for a in accounts)


@pytest.mark.parametrize("name", DEAL_NAMES)
def test_row_counts_and_dates_follow_the_calendar(runs, name: str) -> None:
    tables = tables_of(runs, name)
    months = terms(name)["calendar"]["horizon_months"]
    debt = len(terms(name)["tranches"])

    periods = tables["periods"]
    assert periods.height == months
    assert periods["period"].to_list() == list(range(months))
    assert str(periods["date"][0]) == f"{terms(name)['calendar']['start']}-01"
    assert tables["cashflows"].height == months * debt
    assert set(tables["periods"]["mode"].unique()) <= {"normal", "lock_up", "default", "wound_up"}


@pytest.mark.parametrize("name", DEAL_NAMES)
def test_ledger_receipts_equal_what_each_tranche_was_paid(runs, name: str) -> None:
    tables = tables_of(runs, name)
    ledger, outcomes = tables["ledger"], tables["tranches"]

    for row in outcomes.iter_rows(named=True):
        receipts = ledger.filter((pl.col("path") == row["path"]) & (pl.col("destination") == row["tranche"]))[
            "amount"
        ].sum()
        paid = row["interest_paid"] + row["principal_paid"]
        assert receipts == pytest.approx(paid, rel=1e-9, abs=0.01), row["tranche"]
        assert paid > 0, row["tranche"]


@pytest.mark.parametrize("name", DEAL_NAMES)
def test_cashflows_sum_to_the_tranche_outcomes(runs, name: str) -> None:
    tables = tables_of(runs, name)
    sums = tables["cashflows"].group_by("path", "tranche").agg(pl.col("interest_paid", "principal_paid").sum())
    outcomes = tables["tranches"].join(sums, on=["path", "tranche"], suffix="_cashflows")

    assert outcomes.height == len(terms(name)["tranches"])
    for row in outcomes.iter_rows(named=True):
        assert row["interest_paid_cashflows"] == pytest.approx(row["interest_paid"], abs=0.01)
        assert row["principal_paid_cashflows"] == pytest.approx(row["principal_paid"], abs=0.01)


@pytest.mark.parametrize("name", DEAL_NAMES)
def test_ledger_equity_rows_equal_equity_distributions(runs, name: str) -> None:
    tables = tables_of(runs, name)
    to_equity = (
        tables["ledger"]
        .filter(pl.col("destination") == "equity")
        .group_by("path", "period")
        .agg(pl.col("amount").sum())
    )
    periods = (
        tables["periods"]
        .join(to_equity, on=["path", "period"], how="left")
        .with_columns(pl.col("amount").fill_null(0.0))
    )

    for row in periods.iter_rows(named=True):
        assert row["amount"] == pytest.approx(row["equity_distribution"], abs=0.01), row["period"]


@pytest.mark.parametrize("name", DEAL_NAMES)
def test_tables_hold_no_nan_and_the_ledger_no_negative_or_null_amounts(runs, name: str) -> None:
    tables = tables_of(runs, name)

    for table, frame in tables.items():
        for column, dtype in frame.schema.items():
            if dtype == pl.Float64:
                assert frame[column].is_nan().sum() == 0, f"{table}.{column} has NaN"
    for table in ("cashflows", "ledger"):
        assert tables[table].null_count().sum_horizontal().item() == 0, table
    assert tables["ledger"]["amount"].min() >= 0
    ledger = tables["ledger"]
    assert ledger.equals(ledger.sort("path", "period", "source", "destination"))


# --- tapes ------------------------------------------------------------------

TAPE = {"2026-01-01": 1_000_000.0, "2026-02-01": 2_500_000.0, "2026-04-01": 750_000.0}


def test_a_csv_tape_beside_the_deal_loads_and_its_revenue_reaches_the_ledger(
    cli, runs, edit_text, tmp_path: Path
) -> None:
    deals = tmp_path / "deals"
    deals.mkdir()
    lines = ["date,amount", *(f"{date},{amount}" for date, amount in TAPE.items())]
    (deals / "tape.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = edit_text(
        source("campus_15y"),
        r"^\[\[fees\]\]",
        '[[tapes]]\nname = "colo_tape"\npath = "tape.csv"\n\n[[fees]]',
        0,
    )
    deal = deals / "with_tape.toml"
    deal.write_text(text, encoding="utf-8")
    # run from another directory: the tape path is relative to the deal file
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()

    validated = cli("validate", deal, cwd=cwd)
    assert validated.returncode == 0, show(validated)
    result = cli("run", deal, "--out", "res", cwd=cwd)
    assert result.returncode == 0, show(result)

    ledger = pl.read_parquet(cwd / "res" / "ledger.parquet")
    from_tape = ledger.filter(pl.col("source") == "colo_tape").sort("period")
    assert from_tape["period"].to_list() == [0, 1, 3]
    assert from_tape["amount"].to_list() == pytest.approx(list(TAPE.values()))
    assert set(from_tape["destination"]) == {"operating"}
    # the tape adds to the revenue the deal earns without it, month by month
    with_tape = pl.read_parquet(cwd / "res" / "periods.parquet")["revenue"]
    without = tables_of(runs, "campus_15y")["periods"]["revenue"]
    extra = (with_tape - without).to_list()
    assert extra[:5] == pytest.approx([1_000_000.0, 2_500_000.0, 0.0, 750_000.0, 0.0], abs=0.01)
    assert extra[5:] == pytest.approx([0.0] * (len(extra) - 5), abs=0.01)
