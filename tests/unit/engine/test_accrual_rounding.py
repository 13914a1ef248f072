"""Interest on unpaid interest and the rounding policy, against closed forms and decimals.

A 1,000,000 bullet at 12% on 30/360 monthly accrues 1% a period. With no rent
for the first k months nothing is paid, and with ``interest_on_arrears`` the
interest due after m + 1 periods unpaid is B((1 + r)^(m+1) - 1); without it,
B r (m + 1).
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

import attrs
import numpy as np
import pytest

from tests.builders import build, month, one_tranche_deal, run_deal
from waterfall.engine.rounding import to_cents
from waterfall.spec.load import load_deal

B, RATE, MISSED = 1_000_000.0, 0.12, 6
R = RATE / 12


def _arrears_deal(on_arrears: bool, **calendar) -> dict:
    raw = one_tranche_deal(
        {
            "balance": B,
            "coupon": {"type": "fixed", "rate": RATE},
            "amortisation": {"type": "bullet"},
            "legal_maturity": month(23),
            "interest_on_arrears": on_arrears,
        },
        horizon=24,
        monthly_rent=500_000.0,
    )
    raw["leases"][0]["start"] = month(MISSED)  # no rent, so nothing paid, for MISSED months
    raw["leases"][0]["term_months"] = 24 - MISSED
    raw["calendar"].update(calendar)
    return raw


def test_interest_on_unpaid_interest_compounds_as_the_closed_form_says() -> None:
    due = run_deal(build(_arrears_deal(True))).tranche["interest_due"][:, 0, 0]
    for m in range(MISSED):
        assert due[m] == pytest.approx(B * ((1 + R) ** (m + 1) - 1), rel=1e-12), m


def test_without_the_key_unpaid_interest_bears_none() -> None:
    due = run_deal(build(_arrears_deal(False))).tranche["interest_due"][:, 0, 0]
    for m in range(MISSED):
        assert due[m] == pytest.approx(B * R * (m + 1), rel=1e-12), m


def test_interest_on_arrears_is_paid_once_rent_comes() -> None:
    """The month rent arrives, the whole compounded arrears is paid: the tranche is then current."""
    tape = run_deal(build(_arrears_deal(True)))
    paid = tape.tranche["interest_paid"][:, 0, 0]
    assert paid[:MISSED].sum() == 0.0
    assert paid[MISSED] == pytest.approx(B * ((1 + R) ** (MISSED + 1) - 1), rel=1e-12)
    assert paid[MISSED + 1] == pytest.approx(B * R, rel=1e-12)


# --- rounding ---------------------------------------------------------------------------

LIFE = 60
BALANCE, COUPON = 1_234_567.89, 0.0731  # interest with fractions of a cent every month
DECIMAL = {"floor": ROUND_FLOOR, "half_even": ROUND_HALF_EVEN, "half_up": ROUND_HALF_UP}


def _amortiser(accrual_rounding: str | None) -> dict:
    raw = one_tranche_deal(
        {
            "balance": BALANCE,
            "coupon": {"type": "fixed", "rate": COUPON},
            "amortisation": {"type": "straight_line", "term_months": LIFE},
            "legal_maturity": month(LIFE - 1),
        },
        horizon=LIFE,
        monthly_rent=200_000.0,
        rounding="cents",
    )
    if accrual_rounding is not None:
        raw["calendar"]["accrual_rounding"] = accrual_rounding
    return raw


def _by_hand(method: str) -> tuple[list[float], list[float]]:
    """Interest and principal each month in exact decimals, rounded to the cent by ``method``."""
    cent, balance = Decimal("0.01"), Decimal(str(BALANCE))
    rate = Decimal(str(COUPON)) / 12  # 30/360: a twelfth each month (exact to 28 digits)
    interest, principal = [], []
    for m in range(LIFE):
        due = (balance * rate).quantize(cent, DECIMAL[method])
        remaining = LIFE - m
        scheduled = balance if remaining == 1 else min((balance / remaining).quantize(cent, DECIMAL[method]), balance)
        interest.append(float(due))
        principal.append(float(scheduled))
        balance -= scheduled
    return interest, principal


@pytest.mark.parametrize("method", ["floor", "half_even", "half_up"])
def test_each_accrual_is_rounded_to_the_exact_cent(method: str) -> None:
    tape = run_deal(build(_amortiser(method)))
    interest, principal = _by_hand(method)
    assert tape.tranche["interest_due"][:, 0, 0].tolist() == interest
    assert tape.tranche["principal_paid"][:, 0, 0].tolist() == principal


def test_floor_and_half_even_differ_by_at_most_a_cent_a_period_over_the_life() -> None:
    floor = run_deal(build(_amortiser("floor"))).tranche["interest_due"][:, 0, 0]
    even = run_deal(build(_amortiser("half_even"))).tranche["interest_due"][:, 0, 0]
    gap = even - floor
    assert (gap >= -1e-9).all() and (gap < 0.01 + 1e-9).all()
    assert 0.0 < gap.sum() <= LIFE * 0.01
    # the decimal computation says exactly how many cents floor leaves behind
    hand_floor, _ = _by_hand("floor")
    hand_even, _ = _by_hand("half_even")
    assert round(gap.sum(), 2) == round(sum(hand_even) - sum(hand_floor), 2)


def test_cents_alone_is_half_even_on_accrual_and_floor_on_payment() -> None:
    """The defaults bit for bit: stating today's behaviour explicitly changes no number."""
    implicit = run_deal(build(_amortiser(None)))
    explicit_raw = _amortiser("half_even")
    explicit_raw["calendar"]["payment_rounding"] = "floor"
    explicit = run_deal(build(explicit_raw))
    for name in implicit.tranche:
        assert np.array_equal(implicit.tranche[name], explicit.tranche[name]), name


def test_accrual_rounding_none_under_cents_leaves_fractions_of_a_cent() -> None:
    due = run_deal(build(_amortiser("none"))).tranche["interest_due"][:, 0, 0]
    assert due[0] == pytest.approx(BALANCE * COUPON / 12, rel=1e-15)
    assert due[0] != round(due[0], 2)


def test_to_cents_methods() -> None:
    x = np.array([1.005, 1.015, 0.125, -0.125, 2.999999999, 3.0049])
    assert to_cents(x, "none") is x
    assert to_cents(np.array([0.125, 0.135]), "half_even").tolist() == [0.12, 0.14]
    assert to_cents(np.array([0.125, -0.125, 0.135]), "half_up").tolist() == [0.13, -0.13, 0.14]
    assert to_cents(np.array([3.0099, 2.999999999]), "floor").tolist() == [3.0, 3.0]
    with pytest.raises(ValueError, match="unknown rounding method"):
        to_cents(x, "stochastic")


def test_library_deal_unchanged_by_stating_its_default_rounding() -> None:
    """A library deal (rounding = "cents") run as it is and with its default stated explicitly."""
    deal = load_deal(Path(__file__).resolve().parents[3] / "deals" / "campus_15y.toml")
    explicit = attrs.evolve(
        deal, calendar=attrs.evolve(deal.calendar, accrual_rounding="half_even", payment_rounding="floor")
    )
    a, b = run_deal(deal), run_deal(explicit)
    for name in a.tranche:
        assert np.array_equal(a.tranche[name], b.tranche[name]), name
