"""Amortisation schedules against closed forms and numpy-financial.

Each deal has one tranche, a fixed rent well above debt service and no costs,
so every scheduled amount is paid and the tape shows the schedule itself.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy_financial as npf
import pytest

from tests.builders import build, month, one_tranche_deal, run_deal
from waterfall.market.curves import Market
from waterfall.results import simulate

BALANCE = 10_000_000.0


def _annuity_deal(rate: float, term: int, frequency: str, io: int = 0, horizon: int | None = None):
    horizon = horizon or io + term
    return build(
        one_tranche_deal(
            {
                "balance": BALANCE,
                "coupon": {"type": "fixed", "rate": rate},
                "amortisation": {"type": "level_annuity", "term_months": term},
                "legal_maturity": month(horizon - 1),
                "interest_only_months": io,
            },
            horizon=horizon,
            monthly_rent=BALANCE,  # ample: every amount due is paid
            frequency=frequency,
        )
    )


@pytest.mark.parametrize(
    ("rate", "term", "frequency"),
    [(0.06, 36, "monthly"), (0.095, 60, "monthly"), (0.08, 24, "quarterly"), (0.12, 12, "monthly")],
)
def test_level_annuity_matches_closed_form(rate: float, term: int, frequency: str) -> None:
    step = 1 if frequency == "monthly" else 3
    n = term // step
    r = rate * step / 12  # 30/360 on month starts: exactly 30 days a month
    tape = run_deal(_annuity_deal(rate, term, frequency))
    paying = np.arange(step - 1, term, step)
    interest = tape.tranche["interest_paid"][paying, 0, 0]
    principal = tape.tranche["principal_paid"][paying, 0, 0]
    balance = tape.tranche["balance_end"][paying, 0, 0]

    payment = BALANCE * r / (1 - (1 + r) ** -n)
    np.testing.assert_allclose(interest + principal, payment, rtol=1e-9, atol=1e-6)
    k = np.arange(1, n + 1)
    closed = BALANCE * (1 + r) ** k - payment * ((1 + r) ** k - 1) / r
    np.testing.assert_allclose(balance, closed, rtol=1e-9, atol=1e-6)
    assert abs(balance[-1]) < 1e-6

    np.testing.assert_allclose(interest + principal, -npf.pmt(r, n, BALANCE), rtol=1e-9)
    np.testing.assert_allclose(interest, -npf.ipmt(r, k, n, BALANCE), rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(principal, -npf.ppmt(r, k, n, BALANCE), rtol=1e-9, atol=1e-6)
    # nothing moves between payment dates
    others = np.setdiff1d(np.arange(term), paying)
    assert not tape.tranche["principal_paid"][others].any()


def test_level_annuity_after_interest_only_months() -> None:
    """Six months of interest only, then the 30-month annuity on the untouched balance."""
    rate, io, term = 0.07, 6, 30
    r = rate / 12
    tape = run_deal(_annuity_deal(rate, term, "monthly", io=io))
    interest = tape.tranche["interest_paid"][:, 0, 0]
    principal = tape.tranche["principal_paid"][:, 0, 0]
    np.testing.assert_allclose(interest[:io], BALANCE * r, rtol=1e-12)
    assert not principal[:io].any()
    np.testing.assert_allclose(interest[io:] + principal[io:], -npf.pmt(r, term, BALANCE), rtol=1e-9)


def test_zero_rate_annuity_is_straight_line() -> None:
    tape = run_deal(_annuity_deal(0.0, 24, "monthly"))
    np.testing.assert_allclose(tape.tranche["principal_paid"][:, 0, 0], BALANCE / 24, rtol=1e-12)
    assert not tape.tranche["interest_paid"].any()


@pytest.mark.parametrize(("term", "frequency", "io"), [(24, "monthly", 0), (36, "quarterly", 0), (18, "monthly", 6)])
def test_straight_line_pays_equal_instalments(term: int, frequency: str, io: int) -> None:
    rate = 0.09
    step = 1 if frequency == "monthly" else 3
    n = term // step
    deal = build(
        one_tranche_deal(
            {
                "balance": BALANCE,
                "coupon": {"type": "fixed", "rate": rate},
                "amortisation": {"type": "straight_line", "term_months": term},
                "legal_maturity": month(io + term - 1),
                "interest_only_months": io,
            },
            horizon=io + term,
            monthly_rent=BALANCE,
            frequency=frequency,
        )
    )
    tape = run_deal(deal)
    paying = np.arange(io + step - 1, io + term, step)
    principal = tape.tranche["principal_paid"][paying, 0, 0]
    np.testing.assert_allclose(principal, BALANCE / n, rtol=1e-12)
    assert tape.tranche["principal_paid"][:, 0, 0].sum() == pytest.approx(BALANCE, rel=1e-12)
    # interest on the declining balance: B * (1 - (k-1)/n) * r
    r = rate * step / 12
    k = np.arange(n)
    np.testing.assert_allclose(tape.tranche["interest_paid"][paying, 0, 0], BALANCE * (1 - k / n) * r, rtol=1e-12)


def test_custom_schedule_pays_listed_amounts_on_payment_dates() -> None:
    """Quarterly: an amount dated mid-quarter falls due on that quarter's payment date."""
    schedule = [{"date": month(1), "amount": 1_000_000.0}, {"date": month(6), "amount": 2_500_000.0}]
    deal = build(
        one_tranche_deal(
            {
                "balance": BALANCE,
                "coupon": {"type": "fixed", "rate": 0.05},
                "amortisation": {"type": "custom", "schedule": schedule},
                "legal_maturity": month(11),
            },
            horizon=12,
            monthly_rent=BALANCE,
            frequency="quarterly",
        )
    )
    principal = run_deal(deal).tranche["principal_paid"][:, 0, 0]
    expected = np.zeros(12)
    expected[[2, 8, 11]] = [1_000_000.0, 2_500_000.0, BALANCE - 3_500_000.0]  # the rest at maturity
    np.testing.assert_allclose(principal, expected, rtol=1e-12)


# -- sculpting -------------------------------------------------------------------------------


def _sculpted_deal(balance: float, *, target: float, term: int, rate: float, horizon: int, **calendar: str) -> dict:
    return one_tranche_deal(
        {
            "balance": balance,
            "coupon": {"type": "fixed", "rate": rate},
            "amortisation": {"type": "sculpted", "target_dscr": target, "term_months": term},
            "legal_maturity": month(horizon - 1),
        },
        horizon=horizon,
        monthly_rent=1_000_000.0,
        **calendar,
    )


def test_sculpted_dscr_equals_target_closed_form() -> None:
    """Level rent R, no costs, monthly 30/360: the sculpted balance is the annuity PV of R/target."""
    rent, target, term, rate = 1_000_000.0, 1.35, 36, 0.08
    r = rate / 12
    balance = rent / target * (1 - (1 + r) ** -term) / r
    raw = _sculpted_deal(balance, target=target, term=term, rate=rate, horizon=term + 12)
    results = simulate(build(raw))
    dscr = results.periods["dscr"].to_numpy()[:term]
    np.testing.assert_allclose(dscr, target, rtol=1e-6)
    principal = results.tape.tranche["principal_paid"][:, 0, 0]
    assert principal.sum() == pytest.approx(balance, rel=1e-9)
    assert not principal[term:].any()


def _act_360(start: dt.date, end: dt.date) -> float:
    return (end - start).days / 360


def test_sculpted_dscr_equals_target_on_engine_cfads() -> None:
    """Quarterly, ACT/360, escalating rent and costs with power: size the tranche at the PV of
    the engine's own base-case CFADS / target, then every payment's DSCR is the target."""
    target, term, rate, horizon = 1.30, 48, 0.075, 60

    def deal(balance: float):
        raw = _sculpted_deal(
            balance, target=target, term=term, rate=rate, horizon=horizon, frequency="quarterly", day_count="ACT/360"
        )
        raw["leases"][0]["escalator"] = 0.025
        raw["costs"] = {
            "fixed_opex_monthly": 150_000.0,
            "maintenance_capex_monthly": 20_000.0,
            "escalation": 0.03,
            "power": {"it_mw": 2.0, "pue": 1.3, "price_per_mwh": 70.0},
        }
        raw["fees"] = [{"name": "agent", "basis": {"type": "fixed", "annual": 60_000.0}}]
        raw["waterfall"]["normal"].insert(1, {"type": "pay_fee", "fee": "agent"})
        for mode in ("lock_up", "default"):
            raw["waterfall"][mode] = raw["waterfall"]["normal"]
        return build(raw)

    first = run_deal(deal(1.0))  # CFADS does not depend on the balance (no bps fees)
    cfads = first.period["cfads"][:, 0]
    paying = np.arange(2, term, 3)
    starts = paying - 2
    period_cfads = np.array([cfads[s : m + 1].sum() for s, m in zip(starts, paying, strict=True)])
    dates = [dt.date.fromisoformat(month(m) + "-01") for m in range(horizon + 1)]
    growth = np.cumprod([1 + rate * _act_360(dates[s], dates[m + 1]) for s, m in zip(starts, paying, strict=True)])
    balance = float((period_cfads / target / growth).sum())

    tape = run_deal(deal(balance))
    dscr = tape.period["dscr"][paying, 0]
    np.testing.assert_allclose(dscr, target, rtol=1e-6)
    assert tape.tranche["balance_end"][term - 1, 0, 0] == pytest.approx(0.0, abs=1e-6)


# -- floating-rate annuities sized once at closing -------------------------------------------


def _floating_annuity(term: int, amortisation: dict, *, spread: float, floor: float, hedge_rate: float | None = None):
    raw = one_tranche_deal(
        {
            "balance": BALANCE,
            "coupon": {"type": "floating", "index": "SOFR", "spread": spread, "floor": floor},
            "amortisation": {"type": "level_annuity", "term_months": term, **amortisation},
            "legal_maturity": month(term - 1),
        },
        horizon=term,
        monthly_rent=BALANCE,
    )
    if hedge_rate is not None:
        raw["hedges"] = [
            {
                "type": "swap",
                "name": "swap",
                "index": "SOFR",
                "notional": BALANCE,
                "fixed_rate": hedge_rate,
                "start": month(0),
                "end": month(term),
                "amortise_with": "loan",
            }
        ]
        for steps in raw["waterfall"].values():
            steps.insert(1, {"type": "pay_hedge", "hedge": "swap"})
    return build(raw)


def _moving_sofr(months: int) -> Market:
    """SOFR far from the deal's 3% closing rate and moving every month."""
    path = 0.045 + 0.02 * np.sin(np.arange(months) / 5.0)
    return Market.from_arrays(index={"SOFR": path[None, :]})


@pytest.mark.parametrize(
    ("amortisation", "hedge_rate", "sizing"),
    [
        ({"sizing_rate": 0.07}, None, 0.07),  # a stated rate
        ({}, None, 0.03 + 0.025),  # unhedged: the deal's closing SOFR (3%) + spread
        ({"sizing_rate": "closing"}, 0.04, 0.03 + 0.025),
        ({}, 0.04, 0.04 + 0.025),  # hedged over its life: the swap's fixed rate + spread
        ({"sizing_rate": "hedged"}, 0.001, 0.005 + 0.025),  # the floor applies to the swap's rate too
    ],
)
def test_floating_annuity_principal_is_the_annuity_at_the_sizing_rate(
    amortisation: dict, hedge_rate: float | None, sizing: float
) -> None:
    """Principal is numpy-financial's ppmt at the sizing rate whatever SOFR does; interest is
    the floating coupon on the balance that schedule leaves."""
    term, spread, floor = 48, 0.025, 0.005
    deal = _floating_annuity(term, amortisation, spread=spread, floor=floor, hedge_rate=hedge_rate)
    market = _moving_sofr(term)
    tape = run_deal(deal, market)
    k = np.arange(1, term + 1)
    principal = tape.tranche["principal_paid"][:, 0, 0]
    np.testing.assert_allclose(principal, -npf.ppmt(sizing / 12, k, term, BALANCE), rtol=1e-9, atol=1e-6)
    balance_start = tape.tranche["balance_start"][:, 0, 0]
    coupon = np.maximum(market.index["SOFR"][0], floor) + spread
    np.testing.assert_allclose(tape.tranche["interest_paid"][:, 0, 0], balance_start * coupon / 12, rtol=1e-12)
    assert tape.tranche["balance_end"][-1, 0, 0] == pytest.approx(0.0, abs=1e-6)


def test_reamortised_floating_annuity_is_resolved_at_each_coupon() -> None:
    """``reamortise = true``: each payment is the annuity over the payments left at that
    period's coupon (today's re-solve), so principal follows SOFR."""
    term, spread = 36, 0.02
    deal = _floating_annuity(term, {"reamortise": True}, spread=spread, floor=0.0)
    market = _moving_sofr(term)
    tape = run_deal(deal, market)
    base = tape.tranche["balance_start"][:, 0, 0]
    r = (market.index["SOFR"][0] + spread) / 12
    left = term - np.arange(term)
    expected = base * r / (1 - (1 + r) ** -left) - base * r
    np.testing.assert_allclose(tape.tranche["principal_paid"][:, 0, 0], expected, rtol=1e-9, atol=1e-6)
    fixed = -npf.ppmt(0.05 / 12, np.arange(1, term + 1), term, BALANCE)  # sized at closing instead
    assert np.abs(tape.tranche["principal_paid"][:, 0, 0] - fixed).max() > 1_000.0
