"""Construction delay and overrun; BTC price paths."""

from __future__ import annotations

import numpy as np

from waterfall.market.factors import BtcModel, Construction, btc_paths, completion_months, demand_shocks, overruns

PATHS = 20_000
DT = 1 / 12


def test_completion_months_are_whole_months_after_schedule_with_the_mean_delay():
    model = Construction(expected_months=24, delay_mean_months=8.0, delay_sd_months=6.0)
    done = completion_months(model, np.random.default_rng(40), PATHS)
    assert done.shape == (PATHS,)
    assert done.dtype == np.int64
    assert done.min() >= 24
    delay = done - 24
    assert abs(delay.mean() - 8.0) < 5 * 6.5 / np.sqrt(PATHS)
    # stochastic rounding adds at most 1/4 month^2 of variance
    assert 6.0**2 * 0.95 < delay.var() < (6.0**2 + 0.25) * 1.05


def test_no_delay_is_exactly_on_schedule():
    done = completion_months(Construction(expected_months=18), np.random.default_rng(41), 100)
    assert np.all(done == 18)
    fixed = completion_months(Construction(18, delay_mean_months=3.0), np.random.default_rng(41), 100)
    assert np.all(fixed == 21)


def test_overruns_are_nonnegative_with_the_stated_mean_and_sd():
    model = Construction(expected_months=24, overrun_mean=0.10, overrun_sd=0.08)
    over = overruns(model, np.random.default_rng(42), PATHS)
    assert over.shape == (PATHS,)
    assert over.min() >= 0.0
    assert abs(over.mean() - 0.10) < 5 * 0.08 / np.sqrt(PATHS)
    assert abs(over.std() / 0.08 - 1.0) < 0.05
    assert np.all(overruns(Construction(24), np.random.default_rng(42), 10) == 0.0)


def test_btc_without_crashes_has_the_stated_drift_and_volatility():
    model = BtcModel(start=60_000.0, drift=0.05, volatility=0.55)
    price = btc_paths(model, 60, np.random.default_rng(43), paths=PATHS)
    assert price.shape == (PATHS, 60)
    assert np.all(price[:, 0] == 60_000.0)
    inc = np.diff(np.log(price), axis=1)
    sd = 0.55 * np.sqrt(DT)
    assert abs(inc.mean() - 0.05 * DT) < 5 * sd / np.sqrt(inc.size)
    assert abs(inc.std() / sd - 1.0) < 5 / np.sqrt(2 * inc.size)


def test_btc_crash_frequency_and_mean_log_drift():
    model = BtcModel(start=60_000.0, volatility=0.0, crash_intensity=0.5, crash_mean=-0.4, crash_sd=0.0)
    inc = np.diff(np.log(btc_paths(model, 60, np.random.default_rng(44), paths=PATHS)), axis=1)
    crashed = inc < -1e-12
    p = 1 - np.exp(-0.5 * DT)
    assert abs(crashed.mean() - p) < 5 * np.sqrt(p * (1 - p) / inc.size)
    expected = 0.5 * -0.4 * DT
    assert abs(inc.mean() - expected) < 5 * 0.4 * np.sqrt(0.5 * DT / inc.size)


def test_btc_demand_loading_gives_the_requested_correlation():
    rng = np.random.default_rng(45)
    common = demand_shocks(rng, PATHS, 24)
    for loading in (0.5, 0.0):
        model = BtcModel(start=1.0, volatility=0.5, demand_loading=loading)
        inc = np.diff(np.log(btc_paths(model, 24, rng, common)), axis=1)
        corr = np.corrcoef(inc.ravel(), common[:, 1:].ravel())[0, 1]
        assert abs(corr - loading) < 5 / np.sqrt(inc.size)


def test_same_seed_same_draws():
    model = BtcModel(start=1.0, crash_intensity=1.0)
    np.testing.assert_array_equal(
        btc_paths(model, 24, np.random.default_rng(46), paths=10),
        btc_paths(model, 24, np.random.default_rng(46), paths=10),
    )
    c = Construction(12, 2.0, 2.0, 0.1, 0.1)
    np.testing.assert_array_equal(
        completion_months(c, np.random.default_rng(47), 10), completion_months(c, np.random.default_rng(47), 10)
    )
    np.testing.assert_array_equal(
        overruns(c, np.random.default_rng(48), 10), overruns(c, np.random.default_rng(48), 10)
    )
