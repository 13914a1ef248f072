"""Which lag a forced sale waits for: the scenario's GPU-market lag delays fleets, never a campus."""

from __future__ import annotations

import numpy as np
import pytest

from tests.builders import build, month, one_tranche_deal
from waterfall.engine import run
from waterfall.market.curves import Market

DEAL_LAG, MARKET_LAG, TENANT_FAILS = 2, 6, 12


def _deal(*, campus: bool, fleet: bool):
    raw = one_tranche_deal(
        {
            "balance": 50e6,
            "coupon": {"type": "fixed", "rate": 0.08},
            "amortisation": {"type": "bullet"},
            "legal_maturity": month(59),
        },
        horizon=60,
        monthly_rent=1e6,
    )
    if campus:
        raw["campuses"] = [
            {
                "name": "campus",
                "mw": 10.0,
                "cost": 30e6,
                "completion": month(0),
                "useful_life_months": 360,
                "salvage_pct": 0.2,
            }
        ]
    if fleet:
        raw["fleets"] = [
            {
                "name": "gpus",
                "generation": "H100",
                "count": 1000,
                "cost_per_gpu": 20_000.0,
                "delivery": month(0),
                "useful_life_months": 72,
                "salvage_pct": 0.1,
            }
        ]
    raw["covenants"] = [{"type": "payment", "tranches": ["loan"]}]
    raw["enforcement"] = {"sale_lag_months": DEAL_LAG, "haircut": 0.2}
    return build(raw)


def _sale_month(deal, market_lag: int) -> tuple[int, int]:
    """(default month, the month sale proceeds arrive) when the tenant stops paying."""
    months = deal.calendar.horizon_months
    market = Market.from_arrays(
        index={"SOFR": np.full((1, months), 0.03)},
        tenant_default={"tenant": np.array([TENANT_FAILS])},
        sale_lag_months=market_lag,
    )
    tape = run(deal, market)
    proceeds = tape.ledger.flows[("collateral_sale", "operating")][:, 0]
    (sold,) = np.flatnonzero(proceeds)
    return int(tape.default_month[0]), int(sold)


def test_a_campus_only_deal_sells_on_its_own_lag_under_a_gpu_market_lag() -> None:
    deal = _deal(campus=True, fleet=False)
    default, sold = _sale_month(deal, MARKET_LAG)
    assert default >= TENANT_FAILS
    assert sold == default + DEAL_LAG  # monthly payment dates: the lag's own month
    assert _sale_month(deal, 0) == (default, sold)  # the scenario's lag changes nothing


@pytest.mark.parametrize("campus", [False, True], ids=["fleet_only", "fleet_and_campus"])
def test_a_deal_with_fleets_waits_for_the_gpu_market_lag_too(campus: bool) -> None:
    """Fleets (with a campus, the whole collateral as one sale) sell when the later lag ends."""
    default, sold = _sale_month(_deal(campus=campus, fleet=True), MARKET_LAG)
    assert sold == default + DEAL_LAG + MARKET_LAG
