"""Rates: shocked forward curves and Hull-White short rates."""

from __future__ import annotations

import numpy as np
import pytest

from waterfall.market.factors import (
    HullWhite,
    demand_shocks,
    forward_curve,
    hull_white_mean,
    hull_white_variance,
    short_rate_paths,
)
from waterfall.market.factors.ou import ou_coefficients
from waterfall.spec.market import RatePoint

PATHS, MONTHS = 20_000, 120
CURVE = (RatePoint(0, 0.043), RatePoint(24, 0.036), RatePoint(60, 0.038))


def test_forward_curve_interpolates_holds_flat_and_shifts():
    curve = forward_curve(((12, 0.05), (0, 0.04)), 24, shock_bp=100, paths=3)
    assert curve.shape == (3, 24)
    assert np.all(curve == curve[0])
    assert curve[0, 0] == pytest.approx(0.05)
    assert curve[0, 6] == pytest.approx(0.055)
    assert curve[0, 12] == pytest.approx(0.06)
    assert curve[0, 23] == pytest.approx(0.06)
    np.testing.assert_allclose(forward_curve(CURVE, 61)[0, [0, 24, 60]], [0.043, 0.036, 0.038])


def test_hull_white_mean_follows_the_forward_curve_and_variance_the_closed_form():
    model = HullWhite(curve=CURVE, mean_reversion=0.1, volatility=0.012)
    r = short_rate_paths(model, MONTHS, np.random.default_rng(20), paths=PATHS)
    assert r.shape == (PATHS, MONTHS)
    forward = forward_curve(CURVE, MONTHS)[0]
    variance = hull_white_variance(model, MONTHS)
    t = np.arange(MONTHS) / 12
    np.testing.assert_allclose(variance, 0.012**2 / 0.2 * (1 - np.exp(-0.2 * t)))
    assert r[:, 0] == pytest.approx(0.043)
    se = np.sqrt(variance[1:] / PATHS)
    assert np.all(np.abs(r[:, 1:].mean(axis=0) - forward[1:]) < 5 * se)
    for month in (1, 12, 60, 119):
        assert abs(r[:, month].var() / variance[month] - 1.0) < 5 * np.sqrt(2 / PATHS)


def test_ho_lee_variance_and_parallel_shock():
    model = HullWhite(curve=CURVE, mean_reversion=0.0, volatility=0.01, shock_bp=-50)
    r = short_rate_paths(model, 61, np.random.default_rng(21), paths=PATHS)
    assert abs(r[:, 60].var() / (0.01**2 * 5.0) - 1.0) < 5 * np.sqrt(2 / PATHS)
    assert abs(r[:, 60].mean() - (0.038 - 0.005)) < 5 * np.sqrt(0.01**2 * 5.0 / PATHS)


def test_convexity_adjusted_mean():
    a, sigma = 0.1, 0.015
    model = HullWhite(curve=CURVE, mean_reversion=a, volatility=sigma, convexity=True)
    t = np.arange(MONTHS) / 12
    adjustment = sigma**2 / (2 * a**2) * (1 - np.exp(-a * t)) ** 2
    np.testing.assert_allclose(hull_white_mean(model, MONTHS), forward_curve(CURVE, MONTHS)[0] + adjustment)
    r = short_rate_paths(model, MONTHS, np.random.default_rng(22), paths=PATHS)
    se = np.sqrt(hull_white_variance(model, MONTHS)[-1] / PATHS)
    assert abs(r[:, -1].mean() - hull_white_mean(model, MONTHS)[-1]) < 5 * se


@pytest.mark.parametrize("loading", [-0.5, 0.0])
def test_demand_loading_gives_the_requested_correlation(loading):
    rng = np.random.default_rng(23)
    common = demand_shocks(rng, PATHS, 24)
    model = HullWhite(curve=CURVE, demand_loading=loading)
    x = short_rate_paths(model, 24, rng, common) - hull_white_mean(model, 24)
    decay, step = ou_coefficients(model.mean_reversion, model.volatility)
    z = (x[:, 1:] - decay * x[:, :-1]) / step
    assert abs(z.std() - 1.0) < 5 / np.sqrt(2 * z.size)
    corr = np.corrcoef(z.ravel(), common[:, 1:].ravel())[0, 1]
    assert abs(corr - loading) < 5 / np.sqrt(z.size)


def test_same_seed_same_rates():
    model = HullWhite(curve=CURVE)
    a = short_rate_paths(model, 36, np.random.default_rng(24), paths=100)
    b = short_rate_paths(model, 36, np.random.default_rng(24), paths=100)
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float64
