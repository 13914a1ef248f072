"""Interest-rate swaps and caps, and crypto holdings sold to cover shortfalls."""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import pytest

from waterfall.engine import run
from waterfall.engine.clock import Schedule
from waterfall.market import Market, base_case
from waterfall.spec.crypto import CryptoHolding
from waterfall.spec.hedge import InterestRateCap, InterestRateSwap
from waterfall.spec.market import RentCurve
from waterfall.spec.steps import PayHedge, PayInterest, SellCrypto

START, END = dt.date(2026, 1, 1), dt.date(2030, 12, 1)


def _sofr_paths(months: int) -> np.ndarray:
    """Three index paths: low, rising through the strike, high."""
    ramp = np.linspace(0.01, 0.09, months)
    return np.vstack([np.full(months, 0.02), ramp, np.full(months, 0.08)])


def _market(deal, sofr: np.ndarray) -> Market:
    base = base_case(deal, paths=sofr.shape[0])
    return attrs.evolve(base, index={"SOFR": sofr})


def _with_hedge(deal, hedge):
    def add(steps):
        # the swap ranks with senior interest: paid just before it
        i = next(k for k, s in enumerate(steps) if isinstance(s, PayInterest))
        return (*steps[:i], PayHedge(hedge.name), *steps[i:])

    waterfall = deal.waterfall
    if isinstance(hedge, InterestRateSwap):
        waterfall = attrs.evolve(
            waterfall, normal=add(waterfall.normal), lock_up=add(waterfall.lock_up), default=add(waterfall.default)
        )
    return attrs.evolve(deal, hedges=(hedge,), waterfall=waterfall)


def test_a_swap_on_the_senior_balance_fixes_its_interest_cost(example_deal) -> None:
    swap = InterestRateSwap("swap", "SOFR", 320e6, 0.035, START, END, amortise_with="senior")
    deal = _with_hedge(example_deal, swap)
    months = deal.calendar.horizon_months
    tape = run(deal, _market(deal, _sofr_paths(months)))
    schedule = Schedule(deal.calendar)
    received = tape.ledger.flows.get(("swap", "operating"), np.zeros((months, 3)))
    paid = tape.ledger.flows.get(("operating", "swap"), np.zeros((months, 3)))
    senior = 0
    checked = 0
    for month in schedule.payment_months:
        if month >= 59 or tape.mode[month].max() > 0:
            continue
        balance = tape.tranche["balance_start"][month, senior]
        cost = tape.tranche["interest_due"][month, senior] - received[month] + paid[month]
        expected = balance * (0.035 + 0.045) * schedule.year_fraction[month]
        np.testing.assert_allclose(cost, expected, rtol=1e-6, atol=0.05)
        checked += 1
    assert checked >= 10
    assert received.sum() > 0 and paid.sum() > 0  # both legs were exercised


def test_a_cap_pays_only_above_its_strike(example_deal) -> None:
    cap = InterestRateCap("cap", "SOFR", 100e6, 0.05, START, END)
    deal = _with_hedge(example_deal, cap)
    months = deal.calendar.horizon_months
    sofr = _sofr_paths(months)
    tape = run(deal, _market(deal, sofr))
    schedule = Schedule(deal.calendar)
    received = tape.ledger.flows[("cap", "operating")]
    for month in schedule.payment_months:
        first = schedule.period_start[month]
        if first >= deal.calendar.month_of(END):
            assert (received[month] == 0).all()
            continue
        expected = np.maximum(sofr[:, first] - 0.05, 0.0) * 100e6 * schedule.year_fraction[month]
        np.testing.assert_allclose(received[month], expected, atol=0.01)
    assert received[:, 0].sum() == 0 and received[:, 2].sum() > 0
    assert ("operating", "cap") not in tape.ledger.flows  # a cap never costs the SPV after closing


def _miner(deal, units: float):
    holding = CryptoHolding(name="treasury_btc", asset="BTC", units=units)

    def add(steps):
        i = next(k for k, s in enumerate(steps) if isinstance(s, PayInterest))
        return (*steps[:i], SellCrypto("treasury_btc", ("senior", "mezz")), *steps[i:])

    waterfall = attrs.evolve(
        deal.waterfall,
        normal=add(deal.waterfall.normal),
        lock_up=add(deal.waterfall.lock_up),
        default=add(deal.waterfall.default),
    )
    market = attrs.evolve(deal.market, prices={"BTC": RentCurve(start=60_000.0, annual_change=0.0)})
    return attrs.evolve(deal, crypto=(holding,), waterfall=waterfall, market=market)


def _collapse(deal) -> Market:
    months = deal.calendar.horizon_months
    base = base_case(deal, paths=2)
    rent = np.where(np.arange(months) < 12, 2.1, 0.05)
    btc = np.vstack([np.full(months, 60_000.0), np.full(months, 20_000.0)])
    return attrs.evolve(base, gpu_rent={"H100": np.tile(rent, (2, 1))}, prices={"BTC": btc})


def test_selling_btc_covers_what_the_tenant_no_longer_pays(example_deal) -> None:
    # merchant capacity only, and only the payment covenant: a DSCR test would call
    # a default on the collapsed rent however much BTC the SPV sells
    payment = tuple(c for c in example_deal.covenants if type(c).__name__ == "PaymentDefault")
    plain = attrs.evolve(example_deal, leases=(), covenants=payment)
    rich = _miner(plain, units=10_000.0)  # $600m of BTC at $60k
    market = _collapse(rich)
    without = run(_miner(plain, units=0.0), market)
    with_btc = run(rich, market)
    senior = 0
    assert without.tranche["interest_shortfall"][:, senior, 0].sum() > 0
    # path 0: BTC at $60k covers every senior interest payment
    assert with_btc.tranche["interest_shortfall"][:, senior, 0].sum() == pytest.approx(0.0, abs=0.01)
    sold = with_btc.ledger.flows[("treasury_btc", "operating")]
    assert sold[:, 0].sum() > 0
    # never more sold than held: path 1's $200m is the most it can raise
    assert sold[:, 1].sum() <= 10_000.0 * 20_000.0 + 0.01


def test_btc_counts_as_collateral(example_deal) -> None:
    rich = _miner(example_deal, units=1_000.0)
    tape = run(rich, base_case(rich))
    plain = run(example_deal, base_case(example_deal))
    extra = tape.period["collateral_value"][:, 0] - plain.period["collateral_value"][:, 0]
    np.testing.assert_allclose(extra[:12], 1_000.0 * 60_000.0)
