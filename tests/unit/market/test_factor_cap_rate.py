"""The exit cap-rate shift: closed forms without noise, jumps, demand loading and determinism."""

from __future__ import annotations

import numpy as np
import pytest

from waterfall.market.factors import CapRateModel, cap_rate_shift_paths

MONTHS = 120


def common(paths: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((paths, MONTHS))


def test_without_noise_the_shift_reverts_to_its_mean_from_zero() -> None:
    model = CapRateModel(mean=0.015, mean_reversion=0.5)
    shift = cap_rate_shift_paths(model, MONTHS, np.random.default_rng(1), common(3))
    expected = 0.015 * (1.0 - np.exp(-0.5 * np.arange(MONTHS) / 12.0))
    assert shift[:, 0] == pytest.approx(0.0)
    assert shift == pytest.approx(np.broadcast_to(expected, shift.shape), abs=1e-15)


def test_a_jump_adds_its_size_and_then_decays() -> None:
    model = CapRateModel(mean_reversion=0.5, jump_probability=1.0, jump_size=0.01)
    shift = cap_rate_shift_paths(model, MONTHS, np.random.default_rng(1), common(2))
    decay = np.exp(-0.5 / 12.0)
    # a jump every month: a geometric sum of decayed jumps
    expected = 0.01 * (1.0 - decay ** np.arange(MONTHS)) / (1.0 - decay)
    assert shift[0] == pytest.approx(expected, rel=1e-12)


def test_a_negative_loading_widens_cap_rates_when_demand_falls() -> None:
    model = CapRateModel(volatility=0.01, demand_loading=-0.9, mean_reversion=0.5)
    demand = common(4000)
    shift = cap_rate_shift_paths(model, MONTHS, np.random.default_rng(2), demand)
    walk = np.cumsum(demand[:, 1:], axis=1)[:, -1]
    assert np.corrcoef(walk, shift[:, -1])[0, 1] < -0.3
    # the volatility of a long-run OU is vol / sqrt(2 kappa)
    assert shift[:, -1].std() == pytest.approx(0.01 / np.sqrt(2 * 0.5), rel=0.1)


def test_same_generator_same_paths() -> None:
    model = CapRateModel(volatility=0.01, demand_loading=-0.5, jump_probability=0.05, jump_size=0.01)
    a = cap_rate_shift_paths(model, MONTHS, np.random.default_rng(7), common(5))
    b = cap_rate_shift_paths(model, MONTHS, np.random.default_rng(7), common(5))
    assert np.array_equal(a, b)
