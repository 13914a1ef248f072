"""Hand-built deals and markets on which every invariant is checked deterministically.

The generated cases explore; these pin down situations the invariants must
survive whatever the random draw: the shipped example on a stressed market, a
lock-up that traps cash until a bullet matures unpaid, a payment default with
no sale lag, and two bullets that default together at maturity.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import numpy as np

from tests.builders import build, month, one_tranche_deal, sequential_waterfall
from waterfall.market.curves import Market, base_case
from waterfall.spec.construction import Construction, DebtFunds
from waterfall.spec.crypto import CryptoHolding
from waterfall.spec.deal import Deal
from waterfall.spec.hedge import InterestRateCap, InterestRateSwap
from waterfall.spec.load import load_deal
from waterfall.spec.market import RentCurve
from waterfall.spec.steps import PayHedge, PayInterest, SellCrypto
from waterfall.spec.tranche import ScheduleEntry

Scenario = tuple[Deal, Market]


def _flat(deal: Deal, rent: float = 2.0, sofr: float = 0.04) -> Market:
    months = deal.calendar.horizon_months
    return Market.from_arrays(gpu_rent={"H100": np.full((1, months), rent)}, index={"SOFR": np.full((1, months), sofr)})


def _fleet(cost: float) -> list[dict[str, Any]]:
    return [
        {
            "name": "fleet",
            "generation": "H100",
            "count": 100,
            "cost_per_gpu": cost / 100,
            "delivery": month(0),
            "useful_life_months": 60,
            "salvage_pct": 0.1,
        }
    ]


def example_under_stress(path: str) -> Scenario:
    """The shipped GPU-lease deal: its base case, rent collapsing at several months, a rate spike."""
    deal = load_deal(path)
    base = base_case(deal, 1)
    rent, sofr = base.gpu_rent["H100"][0], base.index["SOFR"][0]
    t = np.arange(rent.size)
    rents = [rent]
    rents += [np.where(t >= at, rent * share, rent) for at in (0, 12, 30) for share in (0.3, 0.0)]
    rents.append(rent * 0.5 ** (t / 12))
    sofrs = [sofr] * (len(rents) - 1) + [np.where(t >= 6, 0.12, sofr)]
    return deal, Market.from_arrays({"H100": np.vstack(rents)}, {"SOFR": np.vstack(sofrs)})


def trapped_cash_at_maturity() -> Scenario:
    """Lock-up all along (DSCR never reaches 5x): cash is trapped while a bullet waits for the
    horizon's last month, where the rent cannot repay it."""
    raw = one_tranche_deal(
        {
            "balance": 1_000_000.0,
            "coupon": {"type": "fixed", "rate": 0.06},
            "amortisation": {"type": "bullet"},
            "legal_maturity": month(11),
        },
        horizon=12,
        monthly_rent=20_000.0,
    )
    raw["accounts"] = [
        {"name": "dsra", "type": "dsra", "tranches": ["loan"], "target_months": 6.0, "closing_balance": 300_000.0},
        {"name": "trap", "type": "lock_up"},
    ]
    steps = [
        {"type": "pay_expenses"},
        {"type": "pay_interest", "tranches": ["loan"], "reserve": "dsra"},
        {"type": "pay_principal", "tranches": ["loan"]},
        {"type": "fund_reserve", "account": "dsra"},
    ]
    raw["waterfall"] = {
        "normal": [*steps, {"type": "pay_equity"}],
        "lock_up": [*steps, {"type": "trap", "account": "trap"}],
        "default": [*steps, {"type": "pay_equity"}],
    }
    raw["covenants"] = [{"type": "dscr", "trailing_months": 1, "lock_up": 5.0}]
    deal = build(raw)
    return deal, _flat(deal)


def payment_default_without_lag() -> Scenario:
    """Rent stops after six months; the protected loan misses a payment; no sale lag."""
    raw = one_tranche_deal(
        {
            "balance": 1_000_000.0,
            "coupon": {"type": "fixed", "rate": 0.06},
            "amortisation": {"type": "level_annuity", "term_months": 24},
            "legal_maturity": month(23),
        },
        horizon=24,
        monthly_rent=50_000.0,
    )
    raw["leases"][0]["term_months"] = 6
    raw["fleets"] = _fleet(1_000_000.0)
    raw["accounts"] = [
        {"name": "dsra", "type": "dsra", "tranches": ["loan"], "target_months": 3.0, "closing_balance": 50_000.0}
    ]
    raw["waterfall"] = sequential_waterfall(["loan"], reserve="dsra")
    raw["covenants"] = [{"type": "payment", "tranches": ["loan"]}]
    deal = build(raw)
    return deal, _flat(deal)


def bullets_defaulting_at_maturity() -> Scenario:
    """Two protected bullets due in month 2; the rent repays part of the senior only."""
    raw = one_tranche_deal(
        {
            "balance": 50_000.0,
            "coupon": {"type": "fixed", "rate": 0.05},
            "amortisation": {"type": "bullet"},
            "legal_maturity": month(2),
        },
        horizon=12,
        monthly_rent=36_500.0,
        rounding="cents",
    )
    raw["leases"][0]["term_months"] = 3
    raw["fleets"] = _fleet(1_000_000.0)
    raw["tranches"].append({**raw["tranches"][0], "name": "junior"})
    raw["waterfall"] = sequential_waterfall(["loan", "junior"])
    raw["covenants"] = [{"type": "payment", "tranches": ["loan", "junior"]}]
    deal = build(raw)
    return deal, _flat(deal)


def hedged_miner_under_stress(path: str) -> Scenario:
    """The example deal with a swap, a cap and a BTC treasury sold to cover, under the stressed paths:
    every new ledger party (hedge counterparties, the BTC holding) inside the invariants."""
    deal, market = example_under_stress(path)
    swap = InterestRateSwap("swap", "SOFR", 200e6, 0.04, dt.date(2026, 1, 1), dt.date(2029, 12, 1), "senior")
    cap = InterestRateCap("cap", "SOFR", 100e6, 0.05, dt.date(2026, 1, 1), dt.date(2030, 12, 1))

    def add(steps: tuple) -> tuple:
        i = next(k for k, s in enumerate(steps) if isinstance(s, PayInterest))
        return (*steps[:i], PayHedge("swap"), SellCrypto("btc", ("senior",)), *steps[i:])

    waterfall = attrs.evolve(
        deal.waterfall,
        normal=add(deal.waterfall.normal),
        lock_up=add(deal.waterfall.lock_up),
        default=add(deal.waterfall.default),
    )
    curves = attrs.evolve(deal.market, prices={"BTC": RentCurve(start=60_000.0, annual_change=-0.3)})
    deal = attrs.evolve(
        deal,
        hedges=(swap, cap),
        crypto=(CryptoHolding("btc", "BTC", 2_000.0),),
        waterfall=waterfall,
        market=curves,
    )
    months = deal.calendar.horizon_months
    btc = 60_000.0 * np.exp(np.linspace(0.0, -2.0, months))
    market = attrs.evolve(market, prices={"BTC": np.tile(btc, (market.paths, 1))})
    return deal, market


def campus_built_late(path: str) -> Scenario:
    """The campus deal still to be built: completion a year after closing, a delayed-draw senior
    capitalising interest until completion, overruns drawn on it; paths with 0, 6 and 18 months of
    delay and 0-40% overruns, one with its tenant failing."""
    deal = load_deal(path)
    campus = attrs.evolve(deal.campuses[0], completion=dt.date(2027, 1, 1))
    senior = attrs.evolve(
        deal.tranches[0],
        balance=deal.tranches[0].balance / 2,
        pik="construction",
        draws=(ScheduleEntry(dt.date(2026, 7, 1), deal.tranches[0].balance / 2),),
    )
    deal = attrs.evolve(
        deal,
        campuses=(campus,),
        tranches=(senior,),
        construction=Construction(budget=campus.cost, overrun_funding=DebtFunds("senior")),
        sources_and_uses=None,
    )
    base = base_case(deal, paths=4)
    market = attrs.evolve(
        base,
        construction_delay=np.array([0, 6, 18, 6]),
        construction_overrun=np.array([0.0, 0.1, 0.4, 0.0]),
        tenant_default={"Hyperscaler A": np.array([-1, -1, -1, 40])},
    )
    return deal, market
