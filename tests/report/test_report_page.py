"""The HTML page: every section, numbers that agree with the parquet inputs, offline by construction."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from plotly.offline import get_plotlyjs

from tests.report.page import read_page, rows_by_first_cell
from waterfall.analytics.bond import tranche_metrics
from waterfall.report import charts, sections
from waterfall.report.directory import read_results
from waterfall.report.html import build_report, write_report
from waterfall.report.sections import money, percent, ratio, years
from waterfall.spec.load import load_deal

SECTIONS = ["summary", "capital", "cash", "runoff", "mc-base", "breakevens", "sensitivity", "calibration", "terms"]


@pytest.fixture(scope="module")
def full_page(full_dir: Path) -> str:
    return build_report(read_results(full_dir))


def test_every_section_and_chart_is_present(full_page: str) -> None:
    page = read_page(full_page)
    assert page.sections == SECTIONS
    assert page.charts == [
        ("cash", "cash-uses"),
        ("runoff", "balances"),
        ("mc-base", "dscr-base"),
        ("mc-base", "modes-base"),
        ("mc-base", "losses-base"),
        ("sensitivity", "sensitivity-base-rent_drift-useful_life-senior-el_pct"),
        ("sensitivity", "sensitivity-base-rent_drift-useful_life-mezz-el_pct"),
        ("calibration", "calibration"),
    ]
    assert "not computed —" not in full_page


def test_plotly_is_inlined_once_and_nothing_is_fetched(full_page: str) -> None:
    page = read_page(full_page)
    assert all(script.get("src") is None for script in page.scripts)
    library = get_plotlyjs()
    assert full_page.count(library[:2000]) == 1
    assert full_page.count("<script") == 1 + len(page.charts)  # the library, then one call per chart
    assert "<link" not in full_page
    assert 'src="http' not in full_page


def test_capital_structure_is_the_deal(full_page: str) -> None:
    table = rows_by_first_cell(read_page(full_page).tables["capital"][0])
    assert table["senior"]["at closing $m"] == "320.00"
    assert table["senior"]["coupon"] == "SOFR + 4.50% (floor 0.00%)"
    assert table["senior"]["amortisation"] == "level annuity, 54 months"
    assert table["senior"]["legal maturity"] == "2030-12"
    assert table["mezz"]["PIK"] == "toggle"
    assert table["equity"]["at closing $m"] == "200.00"
    assert table["equity"]["of capital at closing"] == percent(200 / 610)
    assert "scheduled draws $m" not in table["senior"]  # no delayed draws in this deal


def test_delayed_draws_get_their_own_column(deals_dir: Path) -> None:
    deal = load_deal(deals_dir / "vantage_frontier.toml")
    table = rows_by_first_cell(read_page(sections.capital_structure(deal)).tables[""][0])
    loan = deal.tranches[0]
    assert table[loan.name]["scheduled draws $m"] == money(sum(d.amount for d in loan.draws))
    assert table[loan.name]["at closing $m"] == money(loan.balance)


def test_base_case_outcomes_are_the_run_and_its_metrics(full_dir: Path, full_page: str) -> None:
    results = read_results(full_dir)
    assert results.run is not None
    shown = rows_by_first_cell(read_page(full_page).tables["capital"][1])
    metrics = {
        row["tranche"]: row for row in tranche_metrics(results.deal, results.run.cashflows).iter_rows(named=True)
    }
    for row in results.run.tranches.iter_rows(named=True):
        cells = shown[row["tranche"]]
        assert cells["interest paid $m"] == money(row["interest_paid"])
        assert cells["principal paid (equity: distributions) $m"] == money(row["principal_paid"])
        assert cells["IRR"] == percent(row["irr"])
        assert cells["WAL (y)"] == years(row["wal_years"])
        if row["tranche"] in metrics:
            assert cells["yield"] == percent(metrics[row["tranche"]]["yield"])
            assert cells["MOIC"] == ratio(metrics[row["tranche"]]["moic"])
    assert shown["senior"]["principal paid (equity: distributions) $m"] == "320.00"


def test_risk_summary_is_summary_parquet(full_dir: Path, full_page: str) -> None:
    summary = pl.read_parquet(full_dir / "mc_base" / "summary.parquet")
    shown = rows_by_first_cell(read_page(full_page).tables["mc-base"][0])
    assert list(shown) == [str(t) for t in summary["tranche"]]
    for row in summary.iter_rows(named=True):
        cells = shown[str(row["tranche"])]
        assert cells["PD"] == percent(row["pd"])
        assert cells["EL"] == percent(row["el_pct"])
        assert cells["ES 99"] == percent(row["es_99"])
        assert cells["rating"] == (row["implied_rating"] or "-")
    assert "300 paths" in full_page


def test_breakeven_table_shows_every_row(full_page: str) -> None:
    table = read_page(full_page).tables["breakevens"][0]
    assert table[1] == [
        "senior",
        "rent_drift",
        "first_loss",
        "-0.4125 annual change shift",
        "2029-06 (month 41)",
        "-0.42 to -0.41",
        "found",
    ]
    assert table[2][3:5] == ["-", "-"]
    assert table[2][-1] == "no_crossing"


def test_missing_optional_tables_are_named_with_their_command(run_dir: Path) -> None:
    html = build_report(read_results(run_dir))
    page = read_page(html)
    assert page.sections == SECTIONS
    assert "not computed — run `waterfall breakeven DEAL.toml --all --out gpu_lease_spv/breakevens.parquet`" in html
    assert "not computed — run `waterfall sensitivity`" in html
    assert "not computed — run `waterfall calibrate --out gpu_lease_spv/calibration.parquet`" in html
    assert [name for _, name in page.charts] == ["cash-uses", "balances", "dscr-base", "modes-base", "losses-base"]


def test_monte_carlo_directory_on_its_own(run_dir: Path) -> None:
    html = build_report(read_results(run_dir / "mc_base"))
    page = read_page(html)
    assert "cash" not in page.sections and "mc-base" in page.sections
    assert "Base-case tables not in this directory" in html
    assert [name for _, name in page.charts] == ["dscr-base", "modes-base", "losses-base"]


def test_every_mc_subdirectory_gets_a_section(run_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "deal"
    shutil.copytree(run_dir, target)
    shutil.copytree(run_dir / "mc_base", target / "mc_stress")
    (target / "mc_stress" / "deal.toml").unlink()  # `waterfall library` writes no copy of the deal
    page = read_page(build_report(read_results(target)))
    assert [s for s in page.sections if s.startswith("mc-")] == ["mc-base", "mc-stress"]


def test_cash_uses_add_up_to_what_left_the_accounts(run_dir: Path) -> None:
    results = read_results(run_dir)
    assert results.run is not None
    uses = charts.cash_uses(results.deal, results.run)
    accounts = ["operating", *results.deal.account_names]
    ledger = results.run.ledger.filter(pl.col("source").is_in(accounts) & (pl.col("destination") != "operating"))
    paid = ledger.group_by("period").agg(pl.col("amount").sum()).sort("period")
    total = uses.select("period", pl.sum_horizontal(*charts.CASH_USES).alias("uses"))
    joined = paid.join(total, on="period", how="full", coalesce=True).fill_null(0.0)
    assert joined.height > 20
    np.testing.assert_allclose(joined["uses"], joined["amount"], rtol=1e-9, atol=0.01)
    assert uses["reserves"].sum() > 0  # the DSRA is topped up from operating in this deal
    # equity's cash: its distributions less the fleet's terminal value marked to it (no cash)
    marked = results.run.ledger.filter(pl.col("source") == "terminal_value")["amount"].sum()
    assert marked > 0
    assert uses["equity"].sum() == pytest.approx(results.run.periods["equity_distribution"].sum() - marked)


def test_dscr_fan_has_the_covenant_lines(run_dir: Path) -> None:
    results = read_results(run_dir)
    assert [level for _, level in charts.dscr_thresholds(results.deal)] == [1.25, 1.05]
    figure = charts.dscr_fan(results.deal, results.monte_carlo[0])
    assert sorted(shape.y0 for shape in figure.layout.shapes) == [1.05, 1.25]
    median = next(trace for trace in figure.data if trace.name == "median")
    expected = results.monte_carlo[0].period_stats.drop_nulls("dscr_p50")["dscr_p50"].to_list()
    assert list(median.y) == expected


def test_loss_histogram_counts_every_path(run_dir: Path) -> None:
    mc = read_results(run_dir).monte_carlo[0]
    histogram = charts.loss_histogram(mc)
    shares = histogram.group_by("tranche").agg(pl.col("share").sum())
    assert shares["share"].to_list() == pytest.approx([1.0] * shares.height)
    for name in ("senior", "mezz", "equity"):
        losses = mc.tranches.filter(pl.col("tranche") == name)["loss_pct"]
        first = histogram.filter((pl.col("tranche") == name) & (pl.col("bin") == 0))["share"]
        assert first[0] == pytest.approx(float((losses < charts.LOSS_BIN).mean()))


def test_heat_map_cells_are_the_grid(full_dir: Path) -> None:
    grid = read_results(full_dir).sensitivity
    assert grid is not None
    senior = grid.filter(pl.col("tranche") == "senior")
    figure = charts.heat_map(senior, "t", percent=True)
    z = np.array(figure.data[0].z)
    assert z.shape == (2, 3)  # useful life (rows) x rent drift (columns)
    expected = senior.filter((pl.col("x_value") == -0.3) & (pl.col("y_value") == 48))["value"][0] * 100
    assert z[0, 0] == pytest.approx(expected)


def test_terms_carry_their_sources(full_page: str) -> None:
    page = read_page(full_page)
    rows = [row for table in page.tables["terms"] for row in table]
    assert ["useful_life_months", "72", "6-year book life, CoreWeave's policy"] in rows
    assert any(row[0] == "normal" and row[1].startswith('[ { type = "pay_expenses" }') for row in rows)
    assert "all-in H100 cluster cost per GPU" in full_page


def test_page_is_written_whole(full_page: str, tmp_path: Path) -> None:
    target = write_report(full_page, tmp_path / "sub" / "report.html")
    assert target.read_text(encoding="utf-8") == full_page
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]


def test_mode_shares_are_period_stats(run_dir: Path) -> None:
    mc = read_results(run_dir).monte_carlo[0]
    figure = charts.mode_shares(mc)
    lock_up, default = figure.data
    assert list(lock_up.y) == pytest.approx((mc.period_stats["share_lock_up"] * 100).to_list())
    assert list(default.y) == pytest.approx((mc.period_stats["share_default"] * 100).to_list())
    assert max(default.y) > 0  # some of the 300 base paths default
