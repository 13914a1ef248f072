"""Results directories for the report and export tests, made once per session.

The run and a small Monte Carlo (300 paths) of ``gpu_lease_spv`` are written as
``waterfall run`` and ``waterfall mc`` write them. The breakeven and sensitivity
tables are written here in their documented schemas (they are inputs of the
report made by other commands; the tests check that the report shows them);
the calibration table is the shipped data's fit with 5 bootstrap replicates.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

from waterfall.market.calibration import fit_rent
from waterfall.market.calibration_table import calibration_table
from waterfall.market.rent_data import load_rent_data
from waterfall.market.scenario import load_scenario, scenario_source
from waterfall.outcomes.parquet import write_text
from waterfall.results import simulate
from waterfall.risk.montecarlo import run_monte_carlo
from waterfall.spec.load import load_deal

DEAL_FILE = Path(__file__).resolve().parents[2] / "deals" / "gpu_lease_spv.toml"
MC_PATHS = 300
PRESETS = {name: load_scenario(name) for name in ("base", "bust")}


def breakevens_table() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "deal": ["gpu_lease_spv", "gpu_lease_spv"],
            "tranche": ["senior", "mezz"],
            "factor": ["rent_drift", "rent_drift"],
            "metric": ["first_loss", "first_loss"],
            "level": [-0.4125, None],
            "unit": ["annual change shift", "annual change shift"],
            "first_loss_period": [41, None],
            "first_loss_date": [dt.date(2029, 6, 1), None],
            "low": [-0.42, -0.9],
            "high": [-0.41, 0.0],
            "status": ["found", "no_crossing"],
        },
        schema_overrides={"level": pl.Float64, "first_loss_period": pl.Int64, "first_loss_date": pl.Date},
    )


def sensitivity_table() -> pl.DataFrame:
    rows = []
    for x in (-0.3, -0.15, 0.0):
        for y in (48, 72):
            for tranche, scale in (("senior", 0.01), ("mezz", 0.05)):
                value = scale * (1 - x) * (72 / y)
                rows.append(("gpu_lease_spv", "base", tranche, "el_pct", "rent_drift", x, "useful_life", y, value))
    columns = ["deal", "scenario", "tranche", "metric", "x_factor", "x_value", "y_factor", "y_value", "value"]
    frame = pl.DataFrame(rows, schema=columns, orient="row")
    return frame.with_columns(
        pl.col("y_value").cast(pl.Float64), pl.lit(200, pl.Int64).alias("paths"), pl.lit(1, pl.Int64).alias("seed")
    )


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deal's base-case run and one Monte Carlo scenario, as the commands write them."""
    target = tmp_path_factory.mktemp("results") / "gpu_lease_spv"
    deal = load_deal(DEAL_FILE)
    simulate(deal).write(target)
    write_text(target / "deal.toml", DEAL_FILE.read_text(encoding="utf-8"))
    mc = run_monte_carlo(deal, load_scenario("base"), paths=MC_PATHS, seed=7)
    mc.write(target / "mc_base")
    write_text(target / "mc_base" / "deal.toml", DEAL_FILE.read_text(encoding="utf-8"))
    write_text(target / "mc_base" / "scenario.toml", scenario_source("base"))
    return target


@pytest.fixture(scope="session")
def full_dir(run_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run directory with the optional breakeven, sensitivity and calibration tables."""
    target = tmp_path_factory.mktemp("full") / "gpu_lease_spv"
    shutil.copytree(run_dir, target)
    breakevens_table().write_parquet(target / "breakevens.parquet")
    sensitivity_table().write_parquet(target / "sensitivity.parquet")
    calibration_table(fit_rent(load_rent_data(), replicates=5), PRESETS).write_parquet(target / "calibration.parquet")
    return target
