"""Plain helpers shared by the test packages: deal dicts, checked structuring, runs.

Generated and hand-built deals are dicts in the shape of a deal file; they are
structured with the loader's own converter and checked with ``check_deal`` so
a test never runs a deal the loader would reject.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from waterfall.engine import run
from waterfall.engine.tape import Tape
from waterfall.market.curves import Market
from waterfall.spec.checks import check_deal
from waterfall.spec.deal import Deal
from waterfall.spec.load import structure

START = dt.date(2026, 1, 1)


def month(offset: int, start: dt.date = START) -> str:
    """The "YYYY-MM" of deal month ``offset`` counted from ``start``."""
    years, month0 = divmod(start.month - 1 + offset, 12)
    return f"{start.year + years:04d}-{month0 + 1:02d}"


def build(raw: dict[str, Any]) -> Deal:
    """Structure a deal dict and insist it passes the loader's checks."""
    deal = structure(raw, Deal, "<generated>")
    problems = check_deal(deal)
    assert not problems, "\n".join(str(p) for p in problems)
    return deal


def sequential_waterfall(
    tranches: list[str], *, fees: tuple[str, ...] = (), reserve: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Expenses, fees, then each tranche's interest and principal senior to junior, then equity."""
    steps: list[dict[str, Any]] = [{"type": "pay_expenses"}]
    steps += [{"type": "pay_fee", "fee": f} for f in fees]
    for name in tranches:
        steps.append({"type": "pay_interest", "tranches": [name]})
        steps.append({"type": "pay_principal", "tranches": [name]})
    if reserve is not None:
        steps.append({"type": "fund_reserve", "account": reserve})
    steps.append({"type": "pay_equity"})
    return {"normal": steps, "lock_up": list(steps), "default": list(steps)}


def one_tranche_deal(
    tranche: dict[str, Any],
    *,
    horizon: int,
    monthly_rent: float,
    frequency: str = "monthly",
    day_count: str = "30/360",
    rounding: str = "none",
) -> dict[str, Any]:
    """One fixed-rent lease, no costs, one tranche named "loan": a closed-form test bed."""
    return {
        "name": "golden",
        "calendar": {
            "start": month(0),
            "horizon_months": horizon,
            "payment_frequency": frequency,
            "day_count": day_count,
            "rounding": rounding,
        },
        "costs": {"fixed_opex_monthly": 0.0, "maintenance_capex_monthly": 0.0, "escalation": 0.0},
        "leases": [
            {
                "name": "lease",
                "tenant": "tenant",
                "start": month(0),
                "term_months": horizon,
                "escalator": 0.0,
                "take_or_pay": True,
                "rent": {"type": "fixed", "monthly": monthly_rent},
            }
        ],
        "tranches": [{"name": "loan", **tranche}],
        "equity": {"amount": 0.0},
        "waterfall": sequential_waterfall(["loan"]),
        "enforcement": {"sale_lag_months": 0, "haircut": 0.0},
        "market": {"index": {"SOFR": {"points": [{"month": 0, "rate": 0.03}]}}},
    }


def rent_only_deal(*, horizon: int, monthly_rent: float) -> dict[str, Any]:
    """``one_tranche_deal`` with nothing borrowed: every month's rent is revenue, the whole story."""
    loan = {
        "balance": 0.0,
        "coupon": {"type": "fixed", "rate": 0.05},
        "amortisation": {"type": "bullet"},
        "legal_maturity": month(horizon - 1),
    }
    return one_tranche_deal(loan, horizon=horizon, monthly_rent=monthly_rent)


CAMPUS_MW, CAMPUS_RATE = 10.0, 100_000.0  # $1m a month of contract rent


def campus_deal(lease: dict[str, Any], horizon: int = 48) -> dict[str, Any]:
    """One campus on a per-CAMPUS_MW lease, no costs, a small bullet loan: rent is the whole story."""
    return {
        "name": "campus",
        "calendar": {
            "start": month(0),
            "horizon_months": horizon,
            "payment_frequency": "monthly",
            "day_count": "30/360",
            "rounding": "none",
        },
        "campuses": [
            {
                "name": "campus",
                "mw": CAMPUS_MW,
                "cost": 100e6,
                "completion": month(0),
                "useful_life_months": 360,
                "salvage_pct": 0.2,
            }
        ],
        "leases": [
            {
                "name": "lease",
                "tenant": "tenant",
                "start": month(0),
                "term_months": 12,
                "escalator": 0.0,
                "take_or_pay": True,
                "rent": {"type": "per_mw", "campus": "campus", "mw": CAMPUS_MW, "rate_per_mw_month": CAMPUS_RATE},
                **lease,
            }
        ],
        "costs": {"fixed_opex_monthly": 0.0, "maintenance_capex_monthly": 0.0, "escalation": 0.0},
        "tranches": [
            {
                "name": "loan",
                "balance": 1e6,
                "coupon": {"type": "fixed", "rate": 0.05},
                "amortisation": {"type": "bullet"},
                "legal_maturity": month(horizon - 1),
            }
        ],
        "equity": {"amount": 0.0},
        "waterfall": {
            mode: [
                {"type": "pay_expenses"},
                {"type": "pay_interest", "tranches": ["loan"]},
                {"type": "pay_principal", "tranches": ["loan"]},
                {"type": "pay_equity"},
            ]
            for mode in ("normal", "lock_up", "default")
        },
        "enforcement": {"sale_lag_months": 0, "haircut": 0.0},
    }


def run_deal(deal: Deal, market: Market | None = None) -> Tape:
    """Run on ``market`` (default: one path, a flat 3% SOFR and no GPU rents)."""
    if market is None:
        months = deal.calendar.horizon_months
        market = Market.from_arrays(index={"SOFR": np.full((1, months), 0.03)})
    return run(deal, market)
