"""Campus market rent factor and per-option renewal draws: moments, closed forms, streams."""

from __future__ import annotations

import numpy as np
import pytest

from waterfall.market.factors import (
    CampusRentModel,
    TenantCredit,
    campus_rent_paths,
    demand_shocks,
    option_renewals,
)

PATHS, MONTHS = 20_000, 61


def _common(seed: int = 5) -> np.ndarray:
    return demand_shocks(np.random.default_rng(seed), PATHS, MONTHS)


def test_without_volatility_the_factor_is_its_drift_exactly() -> None:
    model = CampusRentModel(start=0.9, drift=-0.05, volatility=0.0)
    factor = campus_rent_paths(model, MONTHS, np.random.default_rng(1), _common())
    expected = 0.9 * np.exp(-0.05 * np.arange(MONTHS) / 12.0)
    np.testing.assert_allclose(factor, np.broadcast_to(expected, factor.shape), rtol=1e-12)


def test_the_mean_grows_at_the_drift_and_the_log_spreads_at_the_volatility() -> None:
    model = CampusRentModel(start=1.0, drift=0.03, volatility=0.2, demand_loading=0.5)
    factor = campus_rent_paths(model, MONTHS, np.random.default_rng(2), _common())
    assert (factor[:, 0] == 1.0).all()  # known at closing
    years = (MONTHS - 1) / 12.0
    mean, sd = factor[:, -1].mean(), np.log(factor[:, -1]).std()
    assert mean == pytest.approx(np.exp(0.03 * years), rel=0.01)
    assert sd == pytest.approx(0.2 * np.sqrt(years), rel=0.03)


def test_the_factor_loads_on_demand() -> None:
    common = _common()
    model = CampusRentModel(volatility=0.2, demand_loading=0.6)
    factor = campus_rent_paths(model, MONTHS, np.random.default_rng(3), common)
    moves = np.diff(np.log(factor), axis=1)
    corr = np.corrcoef(moves.ravel(), common[:, 1:].ravel())[0, 1]
    assert corr == pytest.approx(0.6, abs=0.02)


def test_the_floor_binds() -> None:
    model = CampusRentModel(drift=-0.5, volatility=0.3, floor=0.4)
    factor = campus_rent_paths(model, MONTHS, np.random.default_rng(4), _common())
    assert factor.min() == pytest.approx(0.4) and (factor[:, -1] == 0.4).mean() > 0.5


def test_options_are_declined_at_the_non_renewal_probability_each_on_its_own() -> None:
    credit = TenantCredit(annual_hazard=0.0, non_renewal_probability=0.3)
    takes = option_renewals({"lease": (credit, 3)}, np.random.default_rng(6), PATHS)["lease"]
    assert takes.shape == (PATHS, 3)
    np.testing.assert_allclose((~takes).mean(axis=0), 0.3, atol=0.015)
    # independent options: declining the first says nothing about the second
    both = (~takes[:, 0] & ~takes[:, 1]).mean()
    assert both == pytest.approx(0.09, abs=0.01)


def test_a_lease_keeps_its_draws_whatever_other_leases_there_are() -> None:
    credit = TenantCredit(annual_hazard=0.0, non_renewal_probability=0.5)
    alone = option_renewals({"a": (credit, 2)}, np.random.default_rng(7), 100)["a"]
    company = option_renewals({"a": (credit, 2), "b": (credit, 4)}, np.random.default_rng(7), 100)["a"]
    np.testing.assert_array_equal(alone, company)
