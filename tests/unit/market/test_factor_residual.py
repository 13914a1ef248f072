"""Residual values of GPU fleets and forced-sale haircuts."""

from __future__ import annotations

import numpy as np
import pytest

from waterfall.market.factors import (
    STRESS_CURVE,
    LiquidationModel,
    ResidualCurve,
    age_factor,
    haircut,
    residual_values,
    sale_price,
)

# shared/research/gpu_rent.md §6, years 1-6 (years 1-4 from SpotWire's H100 PCIe vintage curve)
BASE_TABLE = [0.78, 0.60, 0.46, 0.35, 0.27, 0.21]
STRESS_TABLE = [0.60, 0.40, 0.25, 0.15, 0.10, 0.07]


def test_default_curve_reproduces_the_calibration_tables():
    years = np.arange(1, 7) * 12
    np.testing.assert_allclose(age_factor(ResidualCurve(), years), BASE_TABLE, atol=0.01)
    stress = age_factor(STRESS_CURVE, years)
    np.testing.assert_allclose(stress[1:], STRESS_TABLE[1:], atol=0.02)
    assert abs(stress[0] - STRESS_TABLE[0]) < 0.045  # the V100 history falls faster in year 1


def test_age_factor_shape_before_delivery_and_after_life():
    curve = ResidualCurve(useful_life_months=60, salvage=0.1, method="straight_line")
    ages = np.array([-3, 0, 30, 60, 90])
    np.testing.assert_allclose(age_factor(curve, ages), [0.0, 1.0, 0.55, 0.1, 0.1])
    declining = age_factor(ResidualCurve(), np.arange(0, 100))
    assert np.all(np.diff(declining) <= 0)


def test_residual_value_scales_with_rent_by_the_elasticity():
    months = 24
    rent = np.tile(np.linspace(3.0, 1.5, months), (2, 1))
    rent[1] *= 1.2  # a richer path: same value, as the ratio is to its own delivery rent
    curve = ResidualCurve(rent_elasticity=0.5)
    value = residual_values(curve, 4, rent)
    assert value.shape == (2, months)
    assert np.all(value[:, :4] == 0.0)
    assert value[0, 4] == pytest.approx(1.0)
    expected = age_factor(curve, np.arange(months) - 4) * (rent[0] / rent[0, 4]) ** 0.5
    np.testing.assert_allclose(value[0], expected)
    np.testing.assert_allclose(value[1], value[0])
    # against a benchmark path, a rent above trend lifts the value
    lifted = residual_values(ResidualCurve(), 0, rent, benchmark=rent[0])
    np.testing.assert_allclose(lifted[1] / lifted[0], 1.2)


def test_haircut_is_monotone_in_volume_and_bust_and_capped():
    model = LiquidationModel()
    shares = np.linspace(0, 1, 11)
    calm = haircut(shares, 1.0, model)
    bust = haircut(shares, 0.5, model)
    assert np.all(np.diff(calm) > 0)
    assert np.all(bust > calm)
    assert calm[0] == pytest.approx(0.35)
    assert bust[-1] == pytest.approx(0.55)  # SpotWire distressed_7d 0.45
    assert haircut(1.0, 0.7, model) == pytest.approx(0.45)  # at the threshold the market is not bust
    harsh = LiquidationModel(base_haircut=0.8, volume_haircut=0.5, bust_haircut=0.3)
    assert haircut(1.0, 0.1, harsh) == 1.0
    assert sale_price(100.0, 1.0, 0.1, harsh) == 0.0


def test_sale_price_broadcasts():
    book = np.array([[100.0, 200.0], [50.0, 0.0]])
    price = sale_price(book, np.array([0.0, 1.0]), np.array([[1.0], [0.5]]), LiquidationModel())
    np.testing.assert_allclose(price, [[65.0, 110.0], [27.5, 0.0]])
