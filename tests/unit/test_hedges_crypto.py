"""Interest-rate swaps and caps, and crypto holdings sold to cover shortfalls."""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import numpy_financial as npf
import pytest

from tests.builders import build, one_tranche_deal
from tests.builders import month as deal_month
from waterfall.engine import run
from waterfall.engine.clock import Schedule
from waterfall.engine.debt import Debt
from waterfall.engine.hedges import Hedges
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


# -- swap termination ------------------------------------------------------------------------

NOTIONAL = 100e6


def _swap_deal(*, fixed: float, frequency: str = "monthly", amortisation: dict | None = None, **swap: object):
    raw = one_tranche_deal(
        {
            "balance": NOTIONAL,
            "coupon": {"type": "floating", "index": "SOFR", "spread": 0.02},
            "amortisation": amortisation or {"type": "bullet"},
            "legal_maturity": deal_month(59),
        },
        horizon=60,
        monthly_rent=1e6,
        frequency=frequency,
    )
    raw["hedges"] = [
        {
            "type": "swap",
            "name": "swap",
            "index": "SOFR",
            "notional": NOTIONAL,
            "fixed_rate": fixed,
            "start": deal_month(0),
            "end": deal_month(60),
            **swap,
        }
    ]
    for steps in raw["waterfall"].values():
        steps.insert(1, {"type": "pay_hedge", "hedge": "swap"})
    raw["covenants"] = [{"type": "payment", "tranches": ["loan"]}]
    return raw


def _books(deal, sofr: float):
    schedule = Schedule(deal.calendar)
    index = {"SOFR": np.full((schedule.months, 1), sofr)}
    return schedule, Debt(deal, schedule, index, 1), Hedges(deal, schedule, index, 1)


@pytest.mark.parametrize(
    ("sofr", "fixed", "frequency", "month"),
    [
        (0.05, 0.03, "monthly", 11),
        (0.02, 0.045, "monthly", 0),
        (0.04, 0.04, "monthly", 30),
        (0.06, 0.035, "quarterly", 23),
    ],
)
def test_swap_termination_value_on_a_flat_curve_is_the_annuity_of_the_rate_difference(
    sofr: float, fixed: float, frequency: str, month: int
) -> None:
    """Flat index f, fixed rate K, 30/360: MTM = (f - K) N (1 - (1 + f/m)^-n) / f over the n
    payment periods left (m payments a year), positive when the SPV receives."""
    deal = build(_swap_deal(fixed=fixed, frequency=frequency))
    schedule, debt, hedges = _books(deal, sofr)
    swap = deal.hedges[0]
    n = sum(1 for p in schedule.payment_months if p > month)
    per_year = 12 if frequency == "monthly" else 4
    closed = (sofr - fixed) * NOTIONAL * (1 - (1 + sofr / per_year) ** -n) / sofr
    assert hedges.value(month, swap, debt)[0] == pytest.approx(closed, rel=1e-12, abs=1e-6)


def test_swap_termination_value_follows_the_notional_of_its_amortising_tranche() -> None:
    """A swap amortising with a level annuity: each remaining period's notional is the balance
    the annuity's schedule (numpy-financial, at the sizing rate) leaves at that period's start."""
    sofr, fixed, month = 0.05, 0.03, 11
    annuity = {"type": "level_annuity", "term_months": 60, "sizing_rate": 0.06}
    deal = build(_swap_deal(fixed=fixed, amortisation=annuity, amortise_with="loan"))
    _, debt, hedges = _books(deal, sofr)
    r, k = 0.06 / 12, np.arange(60)
    balance = NOTIONAL * (1 + r) ** k + npf.pmt(r, 60, NOTIONAL) * ((1 + r) ** k - 1) / r  # before payment k + 1
    debt.balance[0] = balance[month + 1]  # as if every instalment to this month's had been paid
    later = np.arange(month + 1, 60)
    discount = (1 + sofr / 12) ** -np.arange(1, len(later) + 1)
    # the period ending at payment p accrues on the balance after payment p - 1
    notional = np.append(balance[month:60], 0.0)[later - month]
    expected = float((discount * (sofr - fixed) * notional / 12).sum())
    assert hedges.value(month, deal.hedges[0], debt)[0] == pytest.approx(expected, rel=1e-9)


def test_a_default_terminates_the_swap_and_its_value_is_paid_in() -> None:
    """The tenant stops paying: at the payment default the counterparty pays the swap's value
    (rates are above the fixed rate) on top of the period's settlement; nothing settles later."""
    sofr, fixed = 0.06, 0.035
    deal = build(_swap_deal(fixed=fixed))
    months = deal.calendar.horizon_months
    market = Market.from_arrays(index={"SOFR": np.full((1, months), sofr)}, tenant_default={"tenant": np.array([20])})
    tape = run(deal, market)
    default = int(tape.default_month[0])
    assert default >= 20
    received = tape.ledger.flows[("swap", "operating")][:, 0]
    n = months - 1 - default
    value = (sofr - fixed) * NOTIONAL * (1 - (1 + sofr / 12) ** -n) / sofr
    assert received[default] == pytest.approx((sofr - fixed) * NOTIONAL / 12 + value, rel=1e-9)
    assert not received[default + 1 :].any()


def _owed_termination(part_after: bool):
    """Rates far below the fixed rate: the SPV owes the swap's value; a campus sale pays creditors."""
    raw = _swap_deal(fixed=0.07)
    raw["campuses"] = [
        {
            "name": "campus",
            "mw": 10.0,
            "cost": 40e6,
            "completion": deal_month(0),
            "useful_life_months": 360,
            "salvage_pct": 0.2,
        }
    ]
    if part_after:  # the termination payment ranks below the loan
        default = raw["waterfall"]["default"]
        default[1] = {"type": "pay_hedge", "hedge": "swap", "part": "periodic"}
        default.insert(-1, {"type": "pay_hedge", "hedge": "swap", "part": "termination"})
    deal = build(raw)
    months = deal.calendar.horizon_months
    market = Market.from_arrays(index={"SOFR": np.full((1, months), 0.01)}, tenant_default={"tenant": np.array([12])})
    tape = run(deal, market)
    paid = tape.ledger.flows[("operating", "swap")][:, 0]
    to_loan = sum(tape.ledger.flows[("operating", "loan")][:, 0])
    return tape, paid, to_loan


def test_an_owed_termination_payment_is_paid_where_the_waterfall_ranks_it() -> None:
    senior_tape, senior_paid, senior_loan = _owed_termination(part_after=False)
    junior_tape, junior_paid, junior_loan = _owed_termination(part_after=True)
    default = int(senior_tape.default_month[0])
    assert default == int(junior_tape.default_month[0]) >= 12
    n = 59 - default
    owed = (0.07 - 0.01) * NOTIONAL * (1 - (1 + 0.01 / 12) ** -n) / 0.01
    # both pay the period's unpaid settlement ahead of the loan; ranked with it, the
    # termination payment is paid in full from the sale; ranked below the loan, which the
    # sale does not repay, nothing reaches it and the loan recovers what it would have had
    assert senior_paid[default + 1 :].sum() - junior_paid[default + 1 :].sum() == pytest.approx(owed, rel=1e-9)
    assert junior_loan - senior_loan == pytest.approx(owed, rel=1e-9)
    assert junior_tape.tranche["writedown"].sum() > 0
