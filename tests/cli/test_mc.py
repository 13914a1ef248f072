"""``waterfall mc`` as a user runs it: presets and scenario files, outputs, and bad scenarios."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import pytest

PRESET = Path(__file__).resolve().parents[2] / "waterfall" / "market" / "presets" / "base.toml"

SUMMARY_COLUMNS = [
    "tranche",
    "kind",
    "paths",
    "loss_measure",
    "original_balance",
    "principal_lent",
    "pd",
    "el_pct",
    "lgd",
    "var_99",
    "es_99",
    "el_principal_pct",
    "el_interest_pct",
    "el_economic_pct",
    "irr_mean",
    "irr_p05",
    "moic_mean",
    "npv_mean",
    "terminal_value_mean",
    "wal_mean",
    "default_share",
    "refinanced_share",
    "implied_rating",
]


def test_mc_prints_the_risk_summary_and_writes_its_tables(cli, deals_dir, tmp_path) -> None:
    result = cli(
        "mc",
        deals_dir / "gpu_lease_spv.toml",
        "--scenario",
        "bust",
        "--paths",
        "3000",
        "--seed",
        "7",
        "--keep-paths",
        "3",
    )
    assert result.returncode == 0, result.stderr
    assert "gpu_lease_spv under bust: 3,000 paths, seed 7" in result.stdout
    for tranche in ("senior", "mezz", "equity"):
        assert tranche in result.stdout
    out = tmp_path / "out" / "gpu_lease_spv" / "mc_bust"
    summary = pl.read_parquet(out / "summary.parquet")
    assert summary.columns == SUMMARY_COLUMNS
    assert summary["paths"].to_list() == [3000, 3000, 3000]
    tranches = pl.read_parquet(out / "tranches.parquet")
    assert tranches.height == 3 * 3000
    stats = pl.read_parquet(out / "period_stats.parquet")
    assert stats.height == 84 and "dscr_p50" in stats.columns and "share_default" in stats.columns
    kept = pl.read_parquet(out / "kept_paths" / "tranches.parquet")
    assert kept["path"].max() == 2


def test_the_loss_measure_is_chosen_and_named(cli, deals_dir, tmp_path, user_error) -> None:
    args = ("mc", deals_dir / "gpu_lease_spv.toml", "--scenario", "bust", "--paths", "200", "--seed", "1")
    result = cli(*args, "--loss-measure", "economic", "--out", tmp_path / "economic")
    assert result.returncode == 0, result.stderr
    assert "debt's economic loss" in " ".join(result.stdout.split())
    summary = pl.read_parquet(tmp_path / "economic" / "summary.parquet")
    assert summary["loss_measure"].to_list() == ["economic", "economic", "capital"]
    debt = summary.filter(pl.col("kind") == "debt")
    np.testing.assert_allclose(debt["el_pct"].to_numpy(), debt["el_economic_pct"].to_numpy())
    bad = cli(*args, "--loss-measure", "total", "--out", tmp_path / "bad")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "--loss-measure" in bad.stderr and "'total' is not one of" in " ".join(bad.stderr.split())


def test_a_scenario_file_runs_like_its_preset(cli, deals_dir, tmp_path) -> None:
    args = ("--paths", "1024", "--seed", "3")
    by_file = cli("mc", deals_dir / "campus_15y.toml", "--scenario", PRESET, *args, "--out", tmp_path / "file")
    by_name = cli("mc", deals_dir / "campus_15y.toml", "--scenario", "base", *args, "--out", tmp_path / "name")
    assert by_file.returncode == by_name.returncode == 0, by_file.stderr + by_name.stderr
    a = pl.read_parquet(tmp_path / "file" / "summary.parquet")
    b = pl.read_parquet(tmp_path / "name" / "summary.parquet")
    assert a.equals(b)


BAD_SCENARIOS = [
    ("volatility = 0.10 ", "volatility = -0.10 ", "rent.volatility", "expected a number >= 0, found -0.1"),
    (
        "non_renewal_probability = 0.3",
        "non_renewal_probability = 1.3",
        "credit.any_tenant.non_renewal_probability",
        "expected a number in [0, 1], found 1.3",
    ),
    ('date = "2026-09"', 'date = "2025-09"', "rent.launches[0].date", "expected a launch on or after as_of 2026-01"),
    ('type = "hull_white"', 'type = "vasicek"', "rates.SOFR", "expected type one of 'forward', 'hull_white'"),
    ("H100 = 1.0,", "H100 = 1.1,", "rent.ratios.H100", "expected 1.0 for the reference generation"),
    ("persistence = 0.905", "persistance = 0.905", "demand.persistance", "unknown key"),
    ('name = "base"', 'name = "../escape"', "name", "expected letters, digits"),
    (
        "volatility = 0.10              # assumption: a tenth",
        "volatility = 2.5               # assumption: a tenth",
        "campus_rent.campus.volatility",
        "expected a number in [0, 2], found 2.5",
    ),
    # the obligor registry ([credit.obligors], docs/obligors.md)
    (
        "[credit.any_tenant]",
        "[credit.obligors.obligors.Oracle]\nhazard = 0.01\ndependencies = { Ghost = 0.5 }\n\n[credit.any_tenant]",
        "credit.obligors.obligors.Oracle.dependencies.Ghost",
        "expected an obligor of the registry, found 'Ghost'",
    ),
    (
        "[credit.any_tenant]",
        "[credit.obligors.obligors.OpenAI]\nhazard = 0.01\ndependencies = { Oracle = 0.5 }\n\n[credit.any_tenant]",
        "credit.obligors.obligors",
        "expected dependencies without a cycle, found OpenAI -> Oracle -> OpenAI",
    ),
    (
        "[credit.any_tenant]",
        "[credit.obligors.obligors.Oracle]\ncds = { spread_bp = 150.0 }\n\n[credit.any_tenant]",
        "credit.obligors.obligors.Oracle.cds.recovery",
        "expected a recovery rate in [0, 1) with the spread, found none",
    ),
    (
        "[credit.any_tenant]",
        '[credit.obligors.obligors.Oracle]\nrating = { agency = "S&P", grade = "ZZ" }\n\n[credit.any_tenant]',
        "credit.obligors.obligors.Oracle.rating.grade",
        "found 'ZZ'",
    ),
    (
        "rent_elasticity = 1.0 ",
        "rent_elasticity = -1.0 ",
        "credit.any_tenant.rent_elasticity",
        "expected a number in [0, 20], found -1.0",
    ),
    ("downturn_loading = 0.8", "downturn_loading = 1.5", "crypto.BTC.downturn_loading", "expected a number in [-1, 1]"),
]


@pytest.mark.parametrize(("old", "new", "path", "fragment"), BAD_SCENARIOS, ids=[b[2] for b in BAD_SCENARIOS])
def test_bad_scenario_files_are_named_errors(
    cli, deals_dir, tmp_path, user_error: Callable[..., list[str]], old: str, new: str, path: str, fragment: str
) -> None:
    text = PRESET.read_text(encoding="utf-8")
    assert old in text
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = cli("mc", deals_dir / "gpu_lease_spv.toml", "--scenario", scenario, "--paths", "10")
    user_error(result, str(scenario), path, fragment, wording=fragment != "unknown key")


def test_an_unknown_preset_is_a_named_error(cli, deals_dir, user_error) -> None:
    result = cli("mc", deals_dir / "gpu_lease_spv.toml", "--scenario", "boom", "--paths", "10")
    user_error(result, "boom", "", "expected a preset", wording=True)


def test_a_scenario_without_the_deals_generation_is_refused_before_running(
    cli, deals_dir, tmp_path, user_error
) -> None:
    text = PRESET.read_text(encoding="utf-8")
    text = text.replace('reference = "H100"', 'reference = "B200"').replace(
        "ratios = { A100 = 0.47, H100 = 1.0, H200 = 1.26, B200 = 2.0 }", "ratios = { B200 = 1.0 }"
    )
    scenario = tmp_path / "b200_only.toml"
    scenario.write_text(text, encoding="utf-8")
    result = cli("mc", deals_dir / "gpu_lease_spv.toml", "--scenario", scenario, "--paths", "10")
    user_error(result, str(scenario), "rent.ratios", "expected a ratio for 'H100'")


def test_a_scenario_that_does_not_price_a_re_let_rent_factor_is_refused_before_running(
    cli, deals_dir, tmp_path, user_error
) -> None:
    text = (deals_dir / "campus_15y.toml").read_text(encoding="utf-8")
    relet = 'relet = { downtime_months = 12, term_months = 120 }\nmarket_rent = "edge_market"'
    deal = tmp_path / "campus_relet.toml"
    deal.write_text(text.replace("take_or_pay = true", f"take_or_pay = true\n{relet}", 1), encoding="utf-8")
    result = cli("mc", deal, "--scenario", "base", "--paths", "10")
    user_error(result, "base", "campus_rent", "expected a campus rent factor 'edge_market'", "found ['campus']")


def test_library_compares_deals_and_regenerates_the_docs_results(cli, deals_dir, tmp_path) -> None:
    folder = tmp_path / "deals"
    folder.mkdir()
    for name in ("gpu_lease_spv", "campus_15y"):
        (folder / f"{name}.toml").write_text((deals_dir / f"{name}.toml").read_text(encoding="utf-8"))
    docs = tmp_path / "docs"
    (docs / "deals").mkdir(parents=True)
    (docs / "deals" / "gpu_lease_spv.md").write_text(
        "# GPU lease\n\nText.\n\n## Results\n\nRegenerated by make deals.\n"
    )
    (docs / "findings.md").write_text("# Findings\n\n<!-- results:start -->\nold\n<!-- results:end -->\n\nNarrative.\n")
    result = cli("library", folder, "--paths", "1024", "--out", tmp_path / "out", "--docs", docs)
    assert result.returncode == 0, result.stderr
    for cell in ("gpu_lease_spv", "campus_15y", "PD base", "EL bust", "rating bust"):
        assert cell in result.stdout
    page = (docs / "deals" / "gpu_lease_spv.md").read_text()
    assert (
        page.startswith("# GPU lease\n\nText.") and "| scenario | tranche | pd |" in page and "| bust | mezz |" in page
    )
    findings = (docs / "findings.md").read_text()
    assert "old" not in findings and "Narrative." in findings and "| campus_15y | senior |" in findings
    assert (tmp_path / "out" / "campus_15y" / "mc_bust" / "summary.parquet").exists()
