"""Tenant credit: default months from hazards, demand tilt, name-keyed streams, renewals."""

from __future__ import annotations

import numpy as np
import pytest

from waterfall.market.factors import (
    NO_DEFAULT,
    TenantCredit,
    default_months,
    demand_shocks,
    demand_state,
    demand_state_variance,
    monthly_hazard,
    non_renewals,
    renewal_draws,
    tenant_defaults,
    tenant_renewals,
)

PATHS, MONTHS = 20_000, 60
PHI = 0.9


def _state(seed: int) -> tuple[np.ndarray, np.ndarray]:
    common = demand_shocks(np.random.default_rng(seed), PATHS, MONTHS)
    return demand_state(common, PHI), demand_state_variance(PHI, MONTHS)


def test_default_rate_matches_the_base_hazard_without_sensitivity():
    credit = TenantCredit(annual_hazard=0.05)
    months = default_months(credit, MONTHS, np.random.default_rng(30), paths=PATHS)
    assert months.shape == (PATHS,)
    assert months.dtype == np.int64
    assert months.min() >= NO_DEFAULT
    assert months.max() < MONTHS
    for horizon in (12, 36, 60):
        expected = 1 - np.exp(-0.05 * horizon / 12)
        share = np.mean((months >= 0) & (months < horizon))
        assert abs(share - expected) < 5 * np.sqrt(expected * (1 - expected) / PATHS)


def test_a_state_with_zero_sensitivity_changes_nothing():
    state, variance = _state(31)
    credit = TenantCredit(annual_hazard=0.05)
    with_state = default_months(credit, MONTHS, np.random.default_rng(32), state, state_variance=variance)
    without = default_months(credit, MONTHS, np.random.default_rng(32), paths=PATHS)
    np.testing.assert_array_equal(with_state, without)


def test_demand_tilt_keeps_the_mean_hazard_and_moves_defaults_to_weak_demand():
    state, variance = _state(33)
    credit = TenantCredit(annual_hazard=0.05, demand_sensitivity=0.8)
    hazard = monthly_hazard(credit, MONTHS, state, variance)
    assert hazard.shape == (PATHS, MONTHS)
    assert hazard[:, 0] == pytest.approx(0.05 / 12)
    # exact normalisation: the expected hazard is the base hazard in every month
    ratio = hazard.mean(axis=0) / (0.05 / 12)
    assert np.abs(ratio - 1).max() < 0.05
    months = default_months(credit, MONTHS, np.random.default_rng(34), state, state_variance=variance)
    defaulted = months >= 0
    base = 1 - np.exp(-0.05 * MONTHS / 12)
    assert defaulted.mean() <= base + 5 * np.sqrt(base * (1 - base) / PATHS)  # Jensen: at most the base rate
    assert defaulted.mean() > 0.8 * base
    assert state[defaulted].mean() < state[~defaulted].mean() - 0.1


def test_tenant_streams_are_keyed_by_name():
    state, variance = _state(35)
    tenants = {"oracle": TenantCredit(0.02, demand_sensitivity=0.5), "meta": TenantCredit(0.005)}
    a = tenant_defaults(tenants, MONTHS, np.random.default_rng(36), state, state_variance=variance)
    more = {**tenants, "aardvark": TenantCredit(0.1), "xai": TenantCredit(0.08)}
    b = tenant_defaults(more, MONTHS, np.random.default_rng(36), state, state_variance=variance)
    assert list(a) == ["meta", "oracle"]
    assert list(b) == ["aardvark", "meta", "oracle", "xai"]
    for name in tenants:
        np.testing.assert_array_equal(a[name], b[name])
    same = tenant_defaults(
        {"x": TenantCredit(0.5), "y": TenantCredit(0.5)}, MONTHS, np.random.default_rng(36), paths=100
    )
    assert not np.array_equal(same["x"], same["y"])


def test_renewal_draws_and_non_renewals():
    draws = renewal_draws(np.random.default_rng(37), PATHS)
    assert draws.shape == (PATHS,)
    assert draws.min() >= 0.0
    assert draws.max() < 1.0
    walks = non_renewals(TenantCredit(0.01, non_renewal_probability=0.25), draws)
    assert abs(walks.mean() - 0.25) < 5 * np.sqrt(0.25 * 0.75 / PATHS)
    per_tenant = tenant_renewals({"b": TenantCredit(0.0), "a": TenantCredit(0.0)}, np.random.default_rng(38), 10)
    assert list(per_tenant) == ["a", "b"]
    assert per_tenant["a"].shape == (10,)


def test_zero_hazard_never_defaults():
    months = default_months(TenantCredit(0.0), MONTHS, np.random.default_rng(39), paths=1000)
    assert np.all(months == NO_DEFAULT)
