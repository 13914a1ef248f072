"""Factor parameter classes structure from TOML with the deal loader's strict converter and declare ranges."""

from __future__ import annotations

import tomllib

import attrs
from attrs import frozen

from waterfall.market.factors import (
    BtcModel,
    CampusRentModel,
    Construction,
    DemandModel,
    HullWhite,
    LiquidationModel,
    RentModel,
    ResidualCurve,
    TenantCredit,
)
from waterfall.spec.checks import walk_bounds
from waterfall.spec.load import CONVERTER

SCENARIO = """
[demand]
persistence = 0.9

[rent]
start = 2.4
ratios = { A100 = 0.5, B200 = 1.9 }
drift = -0.06
launches = [
  { month = 12, jump_probability = 1, jump_mean = -0.2, jump_sd = 0.1, generations = ["A100", "H100"] },
  { month = 24, spread_months = 3 },
]

[rates]
curve = [{ month = 0, rate = 0.043 }, { month = 60, rate = 0.038 }]
volatility = 0.012
convexity = true

[tenants.oracle]
annual_hazard = 0.004
demand_sensitivity = 0.5

[residual]
method = "straight_line"
salvage = 0.1

[liquidation]
lag_months = 6

[construction]
expected_months = 24
delay_mean_months = 8

[btc]
start = 61000
crash_intensity = 0.25
"""


@frozen
class Scenario:
    demand: DemandModel
    rent: RentModel
    rates: HullWhite
    tenants: dict[str, TenantCredit]
    residual: ResidualCurve
    liquidation: LiquidationModel
    construction: Construction
    btc: BtcModel


def test_a_scenario_file_structures_and_its_ranges_hold():
    scenario = CONVERTER.structure(tomllib.loads(SCENARIO), Scenario)
    assert scenario.rent.launches[0].generations == ("A100", "H100")
    assert scenario.rent.launches[1].jump_mean == -0.12
    assert scenario.rent.ratios == {"A100": 0.5, "B200": 1.9}
    assert scenario.rates.curve[1].rate == 0.038
    assert scenario.tenants["oracle"].non_renewal_probability == 0.0
    assert isinstance(scenario.btc.start, float)
    assert list(walk_bounds(scenario, "")) == []


def test_every_parameter_class_is_frozen_and_declares_bounds_on_its_numbers():
    for cls in (
        BtcModel,
        CampusRentModel,
        Construction,
        DemandModel,
        HullWhite,
        LiquidationModel,
        RentModel,
        ResidualCurve,
        TenantCredit,
    ):
        assert attrs.has(cls)
        assert cls.__setattr__ is not object.__setattr__
        for f in attrs.fields(cls):
            if f.type in ("float", "int"):
                assert "bounds" in f.metadata, f"{cls.__name__}.{f.name}"
            assert f.name in (cls.__doc__ or ""), f"{cls.__name__}.{f.name} is not documented"


def test_out_of_range_terms_are_reported_with_their_paths():
    bad = RentModel(volatility=-0.1, demand_loading=2.0)
    problems = [str(p) for p in walk_bounds(bad, "rent")]
    assert problems == [
        "rent.volatility: expected a number >= 0, found -0.1",
        "rent.demand_loading: expected a number in [-1, 1], found 2.0",
    ]
