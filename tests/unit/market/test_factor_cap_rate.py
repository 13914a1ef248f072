"""The campus exit cap rate: an OU around its mean, loaded on demand, floored; only for campus deals."""

from __future__ import annotations

import attrs
import numpy as np
import pytest

from tests.builders import build
from tests.unit.engine.test_refinancing import refinanced_deal
from waterfall.market.factors import ExitCapRate, cap_rate_paths, demand_shocks
from waterfall.market.generate import generate
from waterfall.market.scenario import load_scenario

PATHS, MONTHS = 4_000, 60


def test_cap_rates_start_at_the_mean_revert_to_it_and_rise_when_demand_weakens() -> None:
    common = demand_shocks(np.random.default_rng(1), PATHS, MONTHS)
    model = ExitCapRate(mean=0.0732, volatility=0.005, mean_reversion=0.5, demand_loading=-0.5)
    cap = cap_rate_paths(model, MONTHS, np.random.default_rng(2), common)
    np.testing.assert_allclose(cap[:, 0], 0.0732)
    assert cap[:, -1].mean() == pytest.approx(0.0732, abs=0.0005)
    assert np.corrcoef(common[:, 1:].ravel(), np.diff(cap, axis=1).ravel())[0, 1] < -0.3
    wild = attrs.evolve(model, volatility=0.2, floor=0.04)
    assert cap_rate_paths(wild, MONTHS, np.random.default_rng(3), common).min() == pytest.approx(0.04)


def test_a_scenario_gives_campus_deals_an_exit_cap_rate_and_moves_no_other_factor() -> None:
    deal = build(refinanced_deal())  # one campus
    base = load_scenario("base")
    market = generate(base, deal, seed=4, first_path=0, paths=1024)
    assert market.exit_cap_rate is not None and market.exit_cap_rate.shape == (1024, deal.calendar.horizon_months)
    plain = generate(attrs.evolve(base, exit_cap_rate=None), deal, seed=4, first_path=0, paths=1024)
    assert plain.exit_cap_rate is None
    np.testing.assert_array_equal(plain.index["SOFR"], market.index["SOFR"])
    np.testing.assert_array_equal(plain.credit_spread["BBB"], market.credit_spread["BBB"])
    no_campus = attrs.evolve(deal, campuses=())
    assert generate(base, no_campus, seed=4, first_path=0, paths=10).exit_cap_rate is None
