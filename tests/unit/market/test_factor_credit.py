"""Credit market: spreads per rating class and the refinancing window, and how a scenario sets them."""

from __future__ import annotations

import attrs
import numpy as np
import pytest

from tests.builders import build
from tests.unit.engine.test_refinancing import refinanced_deal
from waterfall.errors import InputError
from waterfall.market.factors import (
    CreditSpreads,
    RatingSpread,
    RefinancingWindow,
    demand_shocks,
    demand_state,
    spread_paths,
    window_paths,
)
from waterfall.market.generate import generate
from waterfall.market.parameters import with_parameters
from waterfall.market.scenario import load_scenario

PATHS, MONTHS = 4_000, 60
CLASSES = {"AAA": RatingSpread(mean=0.0125, volatility=0.003), "BB": RatingSpread(mean=0.045, volatility=0.011)}


def _common(seed: int = 1) -> np.ndarray:
    return demand_shocks(np.random.default_rng(seed), PATHS, MONTHS)


def test_spreads_start_at_their_means_revert_to_them_and_widen_when_demand_weakens() -> None:
    model = CreditSpreads(classes=CLASSES, mean_reversion=1.0, demand_loading=-0.5)
    common = _common()
    spreads = spread_paths(model, ["AAA", "BB"], MONTHS, np.random.default_rng(2), common)
    assert spreads["BB"].shape == (PATHS, MONTHS)
    np.testing.assert_allclose(spreads["AAA"][:, 0], 0.0125)
    # unbiased OU around the mean (the floor at 0 is far below BB's mean)
    assert spreads["BB"][:, -1].mean() == pytest.approx(0.045, abs=0.001)
    # one factor: the classes move together, in proportion to their volatility
    moves = np.diff(spreads["BB"], axis=1).ravel()
    assert np.corrcoef(np.diff(spreads["AAA"], axis=1).ravel(), moves)[0, 1] > 0.9
    # negative loading: a weak-demand month (negative shock) widens spreads
    assert np.corrcoef(common[:, 1:].ravel(), moves)[0, 1] < -0.3


def test_which_classes_are_asked_for_never_moves_a_path() -> None:
    model = CreditSpreads(classes=CLASSES, demand_loading=-0.5, jump_probability=0.1, jump_size=1.0)
    common = _common()
    alone = spread_paths(model, ["AAA"], MONTHS, np.random.default_rng(3), common)["AAA"]
    both = spread_paths(model, ["AAA", "BB"], MONTHS, np.random.default_rng(3), common)["AAA"]
    np.testing.assert_array_equal(alone, both)


def test_jumps_widen_spreads_and_the_floor_holds() -> None:
    calm = CreditSpreads(classes=CLASSES)
    jumpy = attrs.evolve(calm, jump_probability=0.1, jump_size=1.0)
    common = _common()
    a = spread_paths(calm, ["BB"], MONTHS, np.random.default_rng(4), common)["BB"]
    b = spread_paths(jumpy, ["BB"], MONTHS, np.random.default_rng(4), common)["BB"]
    assert (b >= a - 1e-12).all()
    assert b[:, -1].mean() > 0.045 * 1.3
    wild = CreditSpreads(classes={"AAA": RatingSpread(mean=0.001, volatility=0.05)}, floor=0.0)
    assert spread_paths(wild, ["AAA"], MONTHS, np.random.default_rng(5), common)["AAA"].min() >= 0.0


def test_the_window_opens_at_closing_and_closes_likelier_in_a_downturn() -> None:
    rng = np.random.default_rng(6)
    never = window_paths(RefinancingWindow(0.0, 0.0), np.zeros((10, MONTHS)), rng)
    assert never.all()
    shut = window_paths(RefinancingWindow(1.0, 0.0), np.zeros((10, MONTHS)), rng)
    assert shut[:, 0].all() and not shut[:, 1:].any()
    model = RefinancingWindow(close_probability=0.05, reopen_probability=0.2, demand_sensitivity=1.0)
    weak = window_paths(model, np.full((PATHS, MONTHS), -1.5), np.random.default_rng(7))
    strong = window_paths(model, np.full((PATHS, MONTHS), 1.5), np.random.default_rng(7))
    assert weak.mean() < strong.mean() - 0.2
    # stationary share open = reopen / (reopen + close) for a constant state
    close = 0.05 * np.exp(0.0)
    flat = window_paths(model, np.zeros((PATHS, MONTHS)), np.random.default_rng(8))
    assert flat[:, -1].mean() == pytest.approx(0.2 / (0.2 + close), abs=0.02)


def test_the_demand_state_drives_the_window_in_a_scenario_run() -> None:
    common = _common(9)
    state = demand_state(common, 0.95)
    model = RefinancingWindow(close_probability=0.05, reopen_probability=0.1, demand_sensitivity=1.5)
    is_open = window_paths(model, state, np.random.default_rng(10))
    assert is_open[state < -1].mean() < is_open[state > 1].mean()


def test_a_scenario_prices_the_deals_rating_classes_and_chunks_do_not_matter() -> None:
    deal = build(refinanced_deal())
    bust = load_scenario("bust")
    market = generate(bust, deal, seed=11, first_path=0, paths=2048)
    assert set(market.credit_spread) == {"BBB"} and market.refinancing_open is not None
    assert market.refinancing_open.dtype == bool and not market.refinancing_open.all()
    later = generate(bust, deal, seed=11, first_path=1024, paths=1024)
    np.testing.assert_array_equal(later.credit_spread["BBB"], market.credit_spread["BBB"][1024:])
    np.testing.assert_array_equal(later.refinancing_open, market.refinancing_open[1024:])
    # the other factors' draws are untouched by the credit market's stream
    no_credit = attrs.evolve(bust, credit_market=None)
    plain = generate(no_credit, deal, seed=11, first_path=0, paths=1024)
    np.testing.assert_array_equal(plain.index["SOFR"], market.index["SOFR"][:1024])
    np.testing.assert_array_equal(plain.credit_spread["BBB"], 0.025)  # the deal's own spread
    assert plain.refinancing_open is None


def test_a_rating_class_the_scenario_does_not_price_is_refused() -> None:
    raw = refinanced_deal(rating="CCC")
    raw["market"]["credit_spread"] = {"CCC": 0.12}
    deal = build(raw)
    with pytest.raises(InputError) as caught:
        generate(load_scenario("base"), deal, seed=1, first_path=0, paths=10)
    assert "credit_market.spreads.classes" in str(caught.value) and "'CCC'" in str(caught.value)


def test_named_credit_market_parameters_set_the_scenario() -> None:
    scenario = with_parameters("bust", {"spread_multiple": 2.0, "window_close": 0.2})
    assert scenario.credit_market is not None and scenario.credit_market.window is not None
    assert scenario.credit_market.spreads.classes["BB"].mean == pytest.approx(0.09)
    assert scenario.credit_market.spreads.classes["BB"].volatility == pytest.approx(0.011)
    assert scenario.credit_market.window.close_probability == 0.2
    with pytest.raises(InputError, match="close_probability"):
        with_parameters("base", {"window_close": 1.5})
