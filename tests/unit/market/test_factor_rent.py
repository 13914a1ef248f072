"""GPU rent: drift, volatility, cycle, launch jumps, floor, generation ratios, loading."""

from __future__ import annotations

import numpy as np
import pytest

from waterfall.market.factors import Launch, RentModel, demand_shocks, rent_paths, rent_trend

PATHS, MONTHS = 20_000, 60
DT = 1 / 12


def _log_increments(rent: np.ndarray) -> np.ndarray:
    return np.diff(np.log(rent), axis=1)


def test_mean_log_increment_matches_drift_and_sd_matches_volatility():
    model = RentModel(drift=-0.13, volatility=0.25, cycle_volatility=0.0)
    rents = rent_paths(model, MONTHS, np.random.default_rng(10), paths=PATHS)
    inc = _log_increments(rents["H100"])
    sd = 0.25 * np.sqrt(DT)
    assert abs(inc.mean() - (-0.13 * DT)) < 5 * sd / np.sqrt(inc.size)
    assert abs(inc.std() / sd - 1.0) < 5 / np.sqrt(2 * inc.size)
    # increments are independent month to month
    assert abs(np.corrcoef(inc[:, 10], inc[:, 11])[0, 1]) < 5 / np.sqrt(PATHS)


def test_cycle_has_the_exact_ou_variance_and_zero_mean():
    kappa, sigma = 1.2, 0.3
    model = RentModel(drift=-0.06, volatility=0.0, mean_reversion=kappa, cycle_volatility=sigma)
    log_rent = np.log(rent_paths(model, MONTHS, np.random.default_rng(11), paths=PATHS)["H100"] / model.start)
    for month in (1, 12, 59):
        t = month * DT
        variance = sigma**2 / (2 * kappa) * (1 - np.exp(-2 * kappa * t))
        sample = log_rent[:, month]
        assert abs(sample.mean() - (-0.06 * t)) < 5 * np.sqrt(variance / PATHS)
        assert abs(sample.var() / variance - 1.0) < 5 * np.sqrt(2 / PATHS)


def test_jump_frequency_at_a_launch_matches_its_probability():
    launch = Launch(month=12, jump_probability=0.3, jump_mean=-0.2, jump_sd=0.0, generations=("A100", "H100"))
    model = RentModel(drift=0.0, volatility=0.0, cycle_volatility=0.0, launches=(launch,))
    rents = rent_paths(model, MONTHS, np.random.default_rng(12), paths=PATHS)
    step = _log_increments(rents["H100"])[:, 11]  # month 11 -> 12
    jumped = np.isclose(step, -0.2)
    assert np.all(jumped | np.isclose(step, 0.0))
    assert abs(jumped.mean() - 0.3) < 5 * np.sqrt(0.3 * 0.7 / PATHS)
    # the same paths jump in every generation hit, and generations not hit do not move
    np.testing.assert_array_equal(np.isclose(_log_increments(rents["A100"])[:, 11], -0.2), jumped)
    np.testing.assert_allclose(rents["B200"], model.start * 2.0)
    # no other month moves
    others = np.delete(_log_increments(rents["H100"]), 11, axis=1)
    np.testing.assert_allclose(others, 0.0, atol=1e-12)


def test_jump_sizes_and_spreading():
    launch = Launch(month=6, jump_probability=1.0, jump_mean=-0.25, jump_sd=0.1, spread_months=3)
    model = RentModel(drift=0.0, volatility=0.0, cycle_volatility=0.0, launches=(launch,))
    log_rent = np.log(rent_paths(model, 24, np.random.default_rng(13), paths=PATHS)["H100"])
    inc = np.diff(log_rent, axis=1)
    np.testing.assert_allclose(inc[:, 5], inc[:, 6])
    np.testing.assert_allclose(inc[:, 6], inc[:, 7])
    total = log_rent[:, -1] - log_rent[:, 0]
    assert abs(total.mean() + 0.25) < 5 * 0.1 / np.sqrt(PATHS)
    assert abs(total.std() / 0.1 - 1.0) < 5 / np.sqrt(2 * PATHS)


def test_floor_is_respected_per_generation():
    model = RentModel(drift=-0.3, volatility=0.3, floor=1.8)
    rents = rent_paths(model, MONTHS, np.random.default_rng(14), paths=PATHS)
    for name, ratio in model.generation_ratios().items():
        assert rents[name].min() >= 1.8 * ratio
        assert np.isclose(rents[name], 1.8 * ratio).mean() > 0.1  # the floor binds on many path-months


def test_generation_ratios_are_exact_at_closing_and_kept_without_launches():
    model = RentModel()
    rents = rent_paths(model, MONTHS, np.random.default_rng(15), paths=1000)
    assert list(rents) == ["H100", "A100", "B200", "H200"]
    for name, ratio in {"H100": 1.0, "A100": 0.47, "H200": 1.26, "B200": 2.0}.items():
        np.testing.assert_array_equal(rents[name][:, 0], 2.40 * ratio)
        np.testing.assert_allclose(rents[name] / rents["H100"], ratio, rtol=1e-12)


def test_demand_loading_gives_the_requested_correlation():
    rng = np.random.default_rng(16)
    common = demand_shocks(rng, PATHS, 24)
    for loading in (0.6, 0.0):
        model = RentModel(drift=0.0, volatility=0.2, cycle_volatility=0.0, demand_loading=loading)
        inc = _log_increments(rent_paths(model, 24, rng, common)["H100"])
        corr = np.corrcoef(inc.ravel(), common[:, 1:].ravel())[0, 1]
        assert abs(corr - loading) < 5 / np.sqrt(inc.size)


def test_same_seed_same_arrays_and_shapes():
    model = RentModel(launches=(Launch(month=12, generations=("H100",)),), floor=1.0, demand_loading=0.3)
    common = demand_shocks(np.random.default_rng(0), 50, 36)
    a = rent_paths(model, 36, np.random.default_rng(17), common)
    b = rent_paths(model, 36, np.random.default_rng(17), common)
    c = rent_paths(model, 36, np.random.default_rng(18), common)
    for name in a:
        assert a[name].shape == (50, 36)
        assert a[name].dtype == np.float64
        np.testing.assert_array_equal(a[name], b[name])
        assert not np.array_equal(a[name], c[name])


def test_trend_is_the_mean_log_rent():
    launch = Launch(month=12, jump_probability=0.8, jump_mean=-0.12, jump_sd=0.08, generations=("A100", "H100"))
    model = RentModel(drift=-0.06, volatility=0.1, launches=(launch,))
    rents = rent_paths(model, MONTHS, np.random.default_rng(19), paths=PATHS)
    trend = rent_trend(model, MONTHS)
    for name in ("H100", "B200"):
        gap = np.log(rents[name]).mean(axis=0) - np.log(trend[name])
        assert np.abs(gap).max() < 0.01
    assert np.log(trend["H100"][12] / trend["H100"][11]) == pytest.approx(-0.06 / 12 - 0.8 * 0.12)


def test_unknown_generations_and_bad_ratios_are_refused():
    with pytest.raises(ValueError, match="expected generations from"):
        rent_paths(RentModel(launches=(Launch(month=3, generations=("V100",)),)), 12, np.random.default_rng(0), paths=2)
    with pytest.raises(ValueError, match=r"ratios\.A100"):
        rent_paths(RentModel(ratios={"A100": 0.0}), 12, np.random.default_rng(0), paths=2)
    with pytest.raises(ValueError, match="expected paths"):
        rent_paths(RentModel(), 12, np.random.default_rng(0))
    with pytest.raises(ValueError, match="common"):
        rent_paths(RentModel(), 12, np.random.default_rng(0), np.zeros((3, 11)))
