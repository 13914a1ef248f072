"""``waterfall breakeven`` and ``waterfall metrics`` as a user runs them: answers, tables,
the parquet file, and every kind of bad input (exit 2, the option named, no traceback)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from waterfall.analytics.bond import tranche_metrics
from waterfall.analytics.breakeven import SCHEMA, breakeven, breakeven_table
from waterfall.analytics.quote import Quote
from waterfall.results import simulate
from waterfall.spec.load import load_deal

DEALS = Path(__file__).resolve().parents[2] / "deals"
GPU = "gpu_lease_spv"


def test_found_prints_the_level_and_the_month(cli, deals_dir: Path) -> None:
    result = cli("breakeven", deals_dir / f"{GPU}.toml", "--tranche", "mezz", "--factor", "haircut")
    assert result.returncode == 0, result.stderr
    expected = breakeven(load_deal(DEALS / f"{GPU}.toml"), "mezz", "haircut")
    line = result.stdout.strip()
    assert f"mezz first loses money at haircut = {expected.level:.6g} share of value" in line
    assert f"first loss {expected.first_loss_date:%Y-%m} (month {expected.first_loss_period})" in line
    assert "range 0 .. 1 share of value" in line


def test_no_crossing_says_so_with_the_range_tried(cli, deals_dir: Path) -> None:
    args = ("--tranche", "senior", "--factor", "rate_shock", "--low", "0", "--high", "300")
    result = cli("breakeven", deals_dir / f"{GPU}.toml", *args)
    assert result.returncode == 0, result.stderr
    assert "senior: no crossing of first_loss for rate_shock in the range tried, 0 .. 300 bp" in result.stdout


def test_lost_at_base_and_not_applicable(cli, deals_dir: Path) -> None:
    result = cli("breakeven", deals_dir / f"{GPU}.toml", "--tranche", "senior", "--factor", "launch_jump", "--metric",
                 "irr_below:0.12")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "senior already breaks irr_below:0.12 at the benign end of launch_jump" in result.stdout
    result = cli("breakeven", deals_dir / f"{GPU}.toml", "--tranche", "senior", "--factor", "delay")
    assert result.returncode == 0, result.stderr
    assert "delay does not apply: the deal has nothing to build" in result.stdout


def test_all_prints_a_table_and_writes_parquet(cli, deals_dir: Path, tmp_path: Path) -> None:
    deal = "xai_colossus2"
    result = cli("breakeven", deals_dir / f"{deal}.toml", "--all", "--out", "out/xai/breakevens.parquet")
    assert result.returncode == 0, result.stderr
    written = pl.read_parquet(tmp_path / "out" / "xai" / "breakevens.parquet")
    assert written.schema == pl.Schema(SCHEMA)
    expected = breakeven_table(load_deal(DEALS / f"{deal}.toml"))
    assert written.equals(expected)
    for row in written.iter_rows(named=True):
        assert row["factor"] in result.stdout
    assert "breakevens on the deterministic path" in result.stdout
    assert "wrote out/xai/breakevens.parquet" in result.stdout
    assert not list((tmp_path / "out" / "xai").glob(".*partial"))


def test_metrics_prints_every_debt_tranche(cli, deals_dir: Path) -> None:
    result = cli("metrics", deals_dir / f"{GPU}.toml", "--discount-rate", "0.09")
    assert result.returncode == 0, result.stderr
    for text in ("senior", "mezz", "SOFR+450bp", "11%", "Z-spread", "price per 100 lent, at 9.00%"):
        assert text in result.stdout
    assert "yield and duration ACT/360, compounded quarterly" in result.stdout  # the deal's own


def test_metrics_quotes_on_a_stated_day_count_and_frequency(cli, deals_dir: Path) -> None:
    deal = load_deal(DEALS / f"{GPU}.toml")
    quote = Quote("ACT/365F", "semiannual")
    result = cli("metrics", deals_dir / f"{GPU}.toml", "--day-count", "ACT/365F", "--frequency", "semiannual")
    assert result.returncode == 0, result.stderr
    assert "yield and duration ACT/365F, compounded semiannual" in result.stdout
    for row in tranche_metrics(deal, simulate(deal).cashflows, quote=quote).iter_rows(named=True):
        assert f"{row['yield']:.3%}" in result.stdout


# --- bad input --------------------------------------------------------------


BAD_REQUESTS = [
    # (arguments after the deal file, the option named, fragments of the message)
    (("--tranche", "junior", "--factor", "hazard"), "--tranche", ("senior, mezz", "'junior'")),
    (("--tranche", "senior", "--factor", "weather"), "--factor", ("rent_drift", "'weather'")),
    (("--tranche", "senior", "--factor", "hazard", "--metric", "irr_below:x"), "--metric", ("irr_below:X",)),
    (("--tranche", "senior", "--factor", "hazard", "--metric", "loss"), "--metric", ("'loss'",)),
    (("--tranche", "senior", "--factor", "rate_shock", "--low", "50", "--high", "50"), "--low/--high", ("50",)),
    (("--tranche", "senior", "--factor", "haircut", "--high", "2"), "--low/--high", ("0 .. 1",)),
    (("--tranche", "senior", "--factor", "hazard", "--low", "-1"), "--low", ("at least 0",)),
    (("--factor", "hazard"), "--tranche", ("senior, mezz", "none")),
    (("--tranche", "senior"), "--factor", ("rent_drift", "none")),
    (("--all", "--low", "0"), "--low/--high", ("--all",)),
    (("--all", "--default-month", "500"), "--default-month", ("0 .. 83", "500")),
]


def test_bad_requests(run_waterfall_all, user_error, deal_source, tmp_path: Path) -> None:
    """Each mistake on its own command line (run side by side: each is mostly start-up)."""
    deal = tmp_path / "deal.toml"
    deal.write_text(deal_source(GPU), encoding="utf-8")
    commands = [(("breakeven", deal.name, *args), tmp_path) for args, _, _ in BAD_REQUESTS]
    for result, (_, option, fragments) in zip(run_waterfall_all(commands), BAD_REQUESTS, strict=True):
        user_error(result, deal.name, option, *fragments)


def test_missing_and_invalid_deal_files(cli, user_error, write_deal) -> None:
    user_error(cli("breakeven", "missing.toml", "--all"), "missing.toml", "", wording=False)
    bad = write_deal(GPU, (r"(?<=spread = )0\.045", '"abc"'), name="bad.toml")
    user_error(cli("breakeven", bad.name, "--all"), bad.name, "tranches[0].coupon.spread")
    user_error(cli("metrics", bad.name), bad.name, "tranches[0].coupon.spread")


def test_unwritable_out_file(cli, user_error, deal_source, tmp_path: Path) -> None:
    deal = tmp_path / "deal.toml"
    deal.write_text(deal_source("xai_colossus2"), encoding="utf-8")
    (tmp_path / "blocker").write_text("a regular file, not a directory\n")
    result = cli("breakeven", deal.name, "--tranche", "senior", "--factor", "hazard", "--out", "blocker/b.parquet")
    user_error(result, "blocker/b.parquet", "--out", "expected a writable file path")


def test_metrics_refuses_a_bad_discount_rate(run_waterfall_all, user_error, deal_source, tmp_path: Path) -> None:
    deal = tmp_path / "deal.toml"
    deal.write_text(deal_source(GPU), encoding="utf-8")
    commands = [(("metrics", deal.name, "--discount-rate", rate), tmp_path) for rate in ("-1", "nan", "12")]
    for result in run_waterfall_all(commands):
        user_error(result, deal.name, "--discount-rate", "expected an annual rate")


def test_metrics_refuses_an_unknown_day_count_or_frequency(run_waterfall_all, user_error, deal_source, tmp_path):
    deal = tmp_path / "deal.toml"
    deal.write_text(deal_source(GPU), encoding="utf-8")
    bad = [
        (("--day-count", "ACT/366"), "--day-count", ("30/360, 30E/360, ACT/360, ACT/365F, ACT/ACT", "'ACT/366'")),
        (("--frequency", "weekly"), "--frequency", ("annual, semiannual, quarterly, monthly", "'weekly'")),
    ]
    commands = [(("metrics", deal.name, *args), tmp_path) for args, _, _ in bad]
    for result, (_, option, fragments) in zip(run_waterfall_all(commands), bad, strict=True):
        user_error(result, deal.name, option, *fragments)
