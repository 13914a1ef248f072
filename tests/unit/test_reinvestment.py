"""Cash earns interest: closed forms for the operating account, a reserve left to grow,
an index less a spread with its floor, and the checks on the terms."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.builders import build, month, one_tranche_deal, run_deal
from waterfall.engine.reinvestment import INCOME
from waterfall.spec.account import OPERATING
from waterfall.spec.checks import check_deal
from waterfall.spec.deal import Deal
from waterfall.spec.load import structure

HORIZON = 12
RENT = 100_000.0
RESERVE = 1_000_000.0


def _raw(reinvestment: dict[str, Any] | None, *, frequency: str = "monthly") -> dict[str, Any]:
    """A bullet loan, rent of 100,000 a month, a DSRA funded at closing that no step touches."""
    tranche = {"balance": 500_000.0, "legal_maturity": month(HORIZON - 1), "amortisation": {"type": "bullet"}}
    raw = one_tranche_deal(
        {**tranche, "coupon": {"type": "fixed", "rate": 0.06}}, horizon=HORIZON, monthly_rent=RENT, frequency=frequency
    )
    raw["accounts"] = [
        {"name": "dsra", "type": "dsra", "tranches": ["loan"], "target_months": 3.0, "closing_balance": RESERVE}
    ]
    if reinvestment is not None:
        raw["reinvestment"] = reinvestment
    return raw


def _income(tape, account: str) -> np.ndarray:
    flows = tape.ledger.flows.get((INCOME, account))
    return np.zeros(tape.months) if flows is None else flows[:, 0]


def test_no_reinvestment_earns_nothing() -> None:
    tape = run_deal(build(_raw(None)))
    assert not any(source == INCOME for source, _ in tape.ledger.flows)


def test_a_reserve_left_alone_compounds_monthly() -> None:
    """Month k credits the opening balance x 4% / 12, so the DSRA closes month k at
    1,000,000 x (1 + 0.04 / 12)^(k + 1) until the wind-up pays it out."""
    tape = run_deal(build(_raw({"rate": {"type": "fixed", "rate": 0.04}, "accounts": ["dsra"]})))
    k = np.arange(HORIZON - 1)
    np.testing.assert_allclose(tape.accounts["dsra"][:-1, 0], RESERVE * (1 + 0.04 / 12) ** (k + 1), rtol=1e-12)
    assert not _income(tape, OPERATING).any()  # not an earning account here


def test_operating_cash_earns_between_quarterly_payment_dates() -> None:
    """Rent waits in operating for the quarter's payment date (months 2, 5, ...): month 0
    opens empty, month 1 earns on one month's rent, month 2 on two plus month 1's interest."""
    raw = _raw({"rate": {"type": "fixed", "rate": 0.05}, "accounts": ["operating"]}, frequency="quarterly")
    tape = run_deal(build(raw))
    earned = _income(tape, OPERATING)
    r = 0.05 / 12
    assert earned[0] == 0.0
    assert earned[1] == pytest.approx(RENT * r, rel=1e-12)
    assert earned[2] == pytest.approx((2 * RENT + RENT * r) * r, rel=1e-12)
    assert earned[3] == 0.0  # the payment date paid everything out to the loan and equity


@pytest.mark.parametrize(("spread", "floor", "rate"), [(-0.0025, 0.0, 0.0275), (-0.05, 0.0, 0.0), (-0.05, 0.01, 0.01)])
def test_an_index_less_a_spread_never_below_its_floor(spread: float, floor: float, rate: float) -> None:
    """The market's SOFR is 3% flat; the reserve earns max(3% + spread, floor)."""
    basis = {"type": "index", "index": "SOFR", "spread": spread, "floor": floor}
    tape = run_deal(build(_raw({"rate": basis, "accounts": ["dsra"]})))
    assert _income(tape, "dsra")[0] == pytest.approx(RESERVE * rate / 12, rel=1e-12, abs=0.0)


def test_every_account_earns_by_default_and_cash_is_conserved() -> None:
    tape = run_deal(build(_raw({"rate": {"type": "fixed", "rate": 0.04}}, frequency="quarterly")))
    assert _income(tape, "dsra").sum() > 0
    assert _income(tape, OPERATING).sum() > 0
    inflow = sum(f for (s, d), f in tape.ledger.flows.items() if s not in tape.accounts and d in tape.accounts)
    outflow = sum(f for (s, d), f in tape.ledger.flows.items() if s in tape.accounts and d not in tape.accounts)
    held = sum(tape.accounts.values())
    np.testing.assert_allclose((inflow - outflow).cumsum(axis=0), held, rtol=0, atol=1e-6)


BAD = [
    ({"rate": {"type": "fixed", "rate": 0.04}, "accounts": ["trap"]}, "reinvestment.accounts[0]", "found 'trap'"),
    ({"rate": {"type": "fixed", "rate": 0.04}, "accounts": ["dsra", "dsra"]}, "reinvestment.accounts[1]", "again"),
    ({"rate": {"type": "index", "index": "EURIBOR"}}, "reinvestment.rate.index", "found 'EURIBOR'"),
    ({"rate": {"type": "fixed", "rate": -0.01}}, "reinvestment.rate.rate", "found -0.01"),
    ({"rate": {"type": "index", "index": "SOFR", "floor": -0.01}}, "reinvestment.rate.floor", "found -0.01"),
]


@pytest.mark.parametrize(("reinvestment", "path", "fragment"), BAD)
def test_bad_reinvestment_terms_are_named_at_their_path(reinvestment: dict, path: str, fragment: str) -> None:
    problems = check_deal(structure(_raw(reinvestment), Deal, "<test>"))
    assert [p.path for p in problems] == [path]
    assert fragment in problems[0].message
