"""Every deal file in deals/ validates, runs its base case and runs under every shipped scenario."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from waterfall.market.scenario import PRESETS, load_scenario
from waterfall.results import simulate
from waterfall.risk.montecarlo import run_monte_carlo
from waterfall.spec.load import load_deal

DEALS = sorted((Path(__file__).resolve().parents[2] / "deals").glob("*.toml"))


@pytest.mark.parametrize("path", DEALS, ids=[p.stem for p in DEALS])
def test_the_deal_runs_its_base_case_to_the_end(path: Path) -> None:
    deal = load_deal(path)
    results = simulate(deal)
    tape = results.tape
    # every tranche repaid or written down, or refinanced to a maturity past the horizon
    assert tape.maturity is not None
    owed = np.where(tape.maturity > tape.months - 1, 0.0, tape.tranche["balance_end"][-1])
    assert np.abs(owed).max() < 0.01
    tranches = results.tranches
    assert set(tranches["tranche"]) == {*(t.name for t in deal.tranches), "equity"}


@pytest.mark.parametrize("scenario", PRESETS)
@pytest.mark.parametrize("path", DEALS, ids=[p.stem for p in DEALS])
def test_the_deal_runs_under_every_shipped_scenario(path: Path, scenario: str) -> None:
    deal = load_deal(path)
    result = run_monte_carlo(deal, load_scenario(scenario), 1024, seed=1)
    summary = result.summary
    assert summary.height == len(deal.tranches) + 1
    assert summary.select(pl.col("pd").is_between(0, 1).all()).item()
    assert summary.filter(pl.col("kind") == "debt")["implied_rating"].null_count() == 0
