"""The common demand driver: shocks, loadings, and the demand state."""

from __future__ import annotations

import numpy as np
import pytest

from waterfall.market.factors import demand_shocks, demand_state, demand_state_variance, load, named_streams

PATHS, MONTHS = 20_000, 60


def test_shocks_are_standard_normal_and_shaped():
    z = demand_shocks(np.random.default_rng(1), PATHS, MONTHS)
    assert z.shape == (PATHS, MONTHS)
    assert z.dtype == np.float64
    n = z.size
    assert abs(z.mean()) < 5 / np.sqrt(n)
    assert abs(z.std() - 1.0) < 5 / np.sqrt(2 * n)


@pytest.mark.parametrize("loading", [0.7, -0.4, 0.0, 1.0])
def test_load_gives_the_requested_correlation_and_unit_variance(loading):
    rng = np.random.default_rng(2)
    common = demand_shocks(rng, PATHS, 12)
    x = load(common, loading, rng)
    assert x.shape == common.shape
    corr = np.corrcoef(x.ravel(), common.ravel())[0, 1]
    assert abs(corr - loading) < 5 * (1 - loading**2) / np.sqrt(x.size) + 1e-12
    assert abs(x.std() - 1.0) < 5 / np.sqrt(2 * x.size)


def test_load_refuses_a_loading_outside_minus_one_one():
    with pytest.raises(ValueError, match=r"expected a number in \[-1, 1\]"):
        load(np.zeros((2, 3)), 1.2, np.random.default_rng(0))


def test_demand_state_starts_neutral_and_has_the_stated_variance_and_persistence():
    phi = 0.9
    common = demand_shocks(np.random.default_rng(3), PATHS, MONTHS)
    s = demand_state(common, phi)
    assert s.shape == (PATHS, MONTHS)
    assert np.all(s[:, 0] == 0.0)
    variance = demand_state_variance(phi, MONTHS)
    assert variance[0] == 0.0
    for t in (1, 6, 24, 59):
        assert abs(s[:, t].var() / variance[t] - 1.0) < 5 * np.sqrt(2 / PATHS)
    # one-month autocorrelation of the stationary state is phi
    corr = np.corrcoef(s[:, 58], s[:, 59])[0, 1]
    assert abs(corr - phi) < 0.01


def test_demand_state_with_zero_persistence_is_the_shock_itself():
    common = demand_shocks(np.random.default_rng(4), 10, 5)
    s = demand_state(common, 0.0)
    np.testing.assert_array_equal(s[:, 1:], common[:, 1:])


def test_demand_state_refuses_persistence_one():
    with pytest.raises(ValueError, match="persistence"):
        demand_state(np.zeros((2, 3)), 1.0)


def test_named_streams_do_not_depend_on_the_other_names():
    a = named_streams(np.random.default_rng(5), ["rent", "rates"])
    b = named_streams(np.random.default_rng(5), ["btc", "rates", "aardvark"])
    np.testing.assert_array_equal(a["rates"].random(8), b["rates"].random(8))
    c = named_streams(np.random.default_rng(5), ["rent", "rates"])
    assert not np.array_equal(c["rent"].random(8), c["rates"].random(8))
    assert list(b) == ["aardvark", "btc", "rates"]
