"""The rent calibration recovers known parameters from rents simulated with them.

The data are one market history drawn by the rent factor itself
(``waterfall.market.factors.rent.rent_paths``) with stated parameters, quoted
by several vendors at irregular dates with their own markups and price noise,
exactly as ``waterfall.market.rent_simulated`` prices the bootstrap's
histories. The fit must find each identified parameter within three of its
own (bootstrap) standard errors, and those errors must be small enough for the
check to mean something. The random-walk / cycle split is not checked: prices
months apart identify their sum (the short-run volatility), not the split
(docs/scenarios.md, "Calibration").
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from waterfall.market.calibration import fit_rent
from waterfall.market.factors.rent import RentModel
from waterfall.market.rent_data import LaunchEvent, RentData, years_since_epoch
from waterfall.market.rent_simulated import model_launches, simulate_observations

FIRST = dt.date(2001, 1, 1)
YEARS = 24
VENDORS = 6
GAPS = (1, 2, 3, 6)  # months between a vendor's quotes
RATIO = 0.5  # A100 / H100
NOISE = 0.03


def template(seed: int) -> pl.DataFrame:
    """Quote dates: each vendor prices H100 and A100 from a random month, every 1-6 months."""
    rng = np.random.default_rng(seed)
    rows = []
    for vendor in range(VENDORS):
        for generation in ("H100", "A100"):
            month = int(rng.integers(0, 6))
            while month < YEARS * 12:
                date = dt.date(FIRST.year + month // 12, month % 12 + 1, 15)
                rows.append((date, years_since_epoch(date), generation, "SXM", f"NVIDIA {generation}", f"v{vendor}"))
                month += int(rng.choice(GAPS))
    schema = ["date", "t", "generation", "form", "product", "vendor"]
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    return frame.with_columns(pl.lit(1.0).alias("price"), pl.lit(True).alias("market")).sort("date", "vendor")


def launches() -> tuple[LaunchEvent, ...]:
    """A launch every two years, in July, stepping down both generations' rent."""
    return tuple(LaunchEvent(f"G{k}", dt.date(FIRST.year + k, 7, 1), ("A100", "H100")) for k in range(2, YEARS, 2))


def simulated(drift: float, probability: float, jump_mean: float, jump_sd: float, seed: int) -> RentData:
    events = launches()
    model = RentModel(
        start=3.0,
        ratios={"A100": RATIO},
        drift=drift,
        volatility=0.10,
        mean_reversion=1.2,
        cycle_volatility=0.20,
        launches=tuple(
            launch.__class__(launch.month, probability, jump_mean, jump_sd, launch.generations)
            for launch in model_launches(events, FIRST, dict.fromkeys(range(len(events)), 0.0))
        ),
    )
    observations = simulate_observations(template(seed), model, NOISE, np.random.default_rng(seed + 100))
    return RentData(observations, events, "simulated.csv", "launches.csv")


SEEDS = {"base-like": 7, "bust-like": 11}  # one market history each
TRUTHS = {
    "base-like": {"drift": -0.06, "probability": 0.8, "jump_mean": -0.12, "jump_sd": 0.08},
    "bust-like": {"drift": -0.25, "probability": 1.0, "jump_mean": -0.25, "jump_sd": 0.10},
}


@pytest.mark.parametrize("case", sorted(TRUTHS))
def test_fit_recovers_the_parameters_it_was_simulated_with(case: str) -> None:
    truth = TRUTHS[case]
    fit = fit_rent(simulated(**truth, seed=SEEDS[case]), replicates=40, seed=3)
    estimates = {e.name: e for e in fit.estimates}
    expected = {
        "drift": (truth["drift"], 0.05),
        "short_run_volatility": (math.hypot(0.10, 0.20), 0.05),
        "price_noise": (NOISE, 0.02),
        "launch_step_mean": (truth["probability"] * truth["jump_mean"], 0.05),
        "ratios.A100": (RATIO, 0.01),
    }
    for name, (value, largest_se) in expected.items():
        estimate = estimates[name]
        assert estimate.se is not None and estimate.se < largest_se, f"{name}: s.e. {estimate.se} too wide to test"
        assert abs(estimate.value - value) <= 3 * estimate.se, (
            f"{name}: fitted {estimate.value:.4f} +- {estimate.se:.4f}, simulated with {value:.4f}"
        )
