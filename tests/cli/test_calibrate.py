"""``waterfall calibrate``: the fitted-vs-presets table, the parquet it writes, and bad data files (exit 2)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from waterfall.market.calibration_table import SCHEMA
from waterfall.market.rent_data import LAUNCHES_FILE, PRICES_FILE, shipped_directory

FAST = ("--replicates", "10")  # the s.e. need not be precise here


def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    target.mkdir()
    for name in (PRICES_FILE, LAUNCHES_FILE):
        shutil.copy(shipped_directory() / name, target / name)
    return target


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"expected one {old!r} in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_prints_fitted_vs_presets_and_writes_the_fit(cli: Callable, tmp_path: Path) -> None:
    result = cli("calibrate", "--out", "fit/calibration.parquet", *FAST)
    assert result.returncode == 0, result.stderr
    assert "GPU rent factor: fitted vs presets" in result.stdout
    lines = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if line.count("│") > 4}
    for name in ("drift", "short_run_volatility", "launch_step_mean", "ratios.A100", "ratios.B200"):
        assert name in lines, result.stdout
    assert "-0.060" in lines["drift"] and "-0.250" in lines["drift"]  # base and bust presets' drift
    table = pl.read_parquet(tmp_path / "fit" / "calibration.parquet")
    assert dict(table.schema) == SCHEMA
    assert set(table["section"]) == {"parameter", "launch", "observation", "curve"}
    observed = table.filter(pl.col("section") == "observation")
    assert observed.height == 129  # every on-demand price row of the shipped data
    assert observed.filter(pl.col("note") == "market")["fitted"].null_count() == 0
    assert "wrote fit/calibration.parquet" in result.stdout


def test_same_seed_same_fit(cli: Callable, tmp_path: Path) -> None:
    first = cli("calibrate", "--out", "a.parquet", *FAST, "--seed", "5")
    second = cli("calibrate", "--out", "b.parquet", *FAST, "--seed", "5")
    assert first.returncode == second.returncode == 0
    assert pl.read_parquet(tmp_path / "a.parquet").equals(pl.read_parquet(tmp_path / "b.parquet"))


def test_a_missing_data_file_is_named(cli: Callable, tmp_path: Path, user_error: Callable) -> None:
    data = data_copy(tmp_path)
    (data / LAUNCHES_FILE).unlink()
    result = cli("calibrate", "--data", "data", *FAST)
    user_error(result, f"data/{LAUNCHES_FILE}", "", "no such file")


def test_a_missing_column_is_named(cli: Callable, tmp_path: Path, user_error: Callable) -> None:
    data = data_copy(tmp_path)
    replace_once(data / PRICES_FILE, "Price date,Hardware model,Vendor,", "Price date,Hardware model,Seller,")
    result = cli("calibrate", "--data", "data", *FAST)
    user_error(result, f"data/{PRICES_FILE}", "Vendor", "expected a column 'Vendor'")


@pytest.mark.parametrize(
    ("file", "old", "new", "path", "fragment"),
    [
        (
            PRICES_FILE,
            "2024-09-01,NVIDIA H100 SXM5 80GB,Lambda Labs,,2.99",
            "2024-09-31,NVIDIA H100 SXM5 80GB,Lambda Labs,,2.99",
            "Price date (line 128)",
            "'2024-09-31'",
        ),
        (
            PRICES_FILE,
            "2024-09-01,NVIDIA H100 SXM5 80GB,Lambda Labs,,2.99",
            "2024-09-01,NVIDIA H100 SXM5 80GB,Lambda Labs,,-2.99",
            "Price per chip-hour (on-demand) (line 128)",
            "expected a price > 0",
        ),
        (LAUNCHES_FILE, "H200,2024-04,", "H200,April 2024,", "volume_month (line 3)", "'April 2024'"),
        (
            LAUNCHES_FILE,
            "B200,2024-12,A100 H100 H200,1,",
            "B200,2024-12,A100 H100 H200,0,",
            "spread_months (line 4)",
            "'0'",
        ),
    ],
)
def test_a_malformed_value_is_named_by_file_column_and_line(
    cli: Callable, tmp_path: Path, user_error: Callable, file: str, old: str, new: str, path: str, fragment: str
) -> None:
    data = data_copy(tmp_path)
    replace_once(data / file, old, new)
    result = cli("calibrate", "--data", "data", *FAST)
    user_error(result, f"data/{file}", path, fragment)


def test_bad_options(cli: Callable, tmp_path: Path, user_error: Callable) -> None:
    user_error(cli("calibrate", "--out", "fit.csv"), "waterfall calibrate", "--out", "'fit.csv'")
    user_error(cli("calibrate", "--data", "nowhere"), "nowhere", "--data", "nothing at this path")
