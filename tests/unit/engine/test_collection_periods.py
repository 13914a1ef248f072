"""Collection periods ending before payment dates, against hand computations.

A fixed-rent lease escalating 12% a year in monthly steps, so every month's rent
differs: rent(m) = 100,000 x 1.12^(m / 12). With ``collection_period_end =
month_end`` a monthly deal paying on the 15th distributes on the 15th of month
m + 1 the rent of month m; the month's rent waits in the ``collections`` account
until then, and the horizon's last payment date distributes everything left.
"""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import pytest

from tests.builders import build, month, one_tranche_deal, run_deal
from waterfall.spec.covenant import PaymentDefault
from waterfall.spec.deal import Deal
from waterfall.spec.lease import FixedRent, Tape

RENT, HORIZON = 100_000.0, 12
LOAN, RATE = 120_000.0, 0.06


def rent(m: int) -> float:
    return RENT * 1.12 ** (m / 12)


def _deal(balance: float = LOAN, frequency: str = "monthly", **calendar) -> Deal:
    raw = one_tranche_deal(
        {
            "balance": balance,
            "coupon": {"type": "fixed", "rate": RATE},
            "amortisation": {"type": "bullet"},
            "legal_maturity": month(HORIZON - 1),
        },
        horizon=HORIZON,
        monthly_rent=RENT,
        frequency=frequency,
    )
    raw["leases"][0].update(escalator=0.12, escalator_frequency="monthly")
    raw["calendar"].update(calendar)
    return build(raw)


DATED = {"payment_day": 15, "first_payment_date": dt.date(2026, 2, 15)}


def test_a_monthly_deal_pays_the_rent_of_month_m_on_the_15th_of_month_m_plus_1() -> None:
    tape = run_deal(_deal(**DATED, collection_period_end={"type": "month_end"}))
    equity = tape.period["equity_distribution"][:, 0]
    interest = tape.tranche["interest_paid"][:, 0, 0]
    # 30/360: 1 Jan (closing) to 15 Feb is 44 days, then 30 days a month
    assert interest[1] == pytest.approx(LOAN * RATE * 44 / 360, abs=1e-9)
    assert interest[2:] == pytest.approx([LOAN * RATE / 12] * (HORIZON - 2), abs=1e-9)
    assert equity[0] == 0.0  # no payment date in January: its rent waits
    for m in range(1, HORIZON - 1):
        assert equity[m] == pytest.approx(rent(m - 1) - interest[m], rel=1e-12), m
    # the final payment (15 Dec) distributes November's and December's rent and repays the bullet
    last = HORIZON - 1
    assert tape.tranche["principal_paid"][last, 0, 0] == pytest.approx(LOAN, rel=1e-12)
    assert equity[last] == pytest.approx(rent(last - 1) + rent(last) - interest[last] - LOAN, rel=1e-12)
    held = tape.accounts["collections"][:, 0]
    assert held[:last] == pytest.approx([rent(m) for m in range(last)], rel=1e-12)
    assert held[last] == 0.0 and tape.accounts["operating"][last, 0] == pytest.approx(0.0, abs=1e-6)
    # totals conserved through the wind-up: every dollar of rent reached the loan or equity
    paid = interest.sum() + tape.tranche["principal_paid"].sum()
    assert equity.sum() + paid == pytest.approx(sum(rent(m) for m in range(HORIZON)), rel=1e-12)
    assert tape.period["revenue"][:, 0] == pytest.approx([rent(m) for m in range(HORIZON)], rel=1e-12)


def test_coverage_reads_the_collection_period_it_distributes() -> None:
    tape = run_deal(_deal(**DATED, collection_period_end={"type": "month_end"}))
    dscr = tape.period["dscr"][:, 0]
    assert dscr[1] == pytest.approx(rent(0) / (LOAN * RATE * 44 / 360), rel=1e-12)
    assert dscr[5] == pytest.approx(rent(4) / (LOAN * RATE / 12), rel=1e-12)
    # the final payment's collection period runs to the horizon: November and December
    last = HORIZON - 1
    assert dscr[last] == pytest.approx((rent(last - 1) + rent(last)) / (LOAN * RATE / 12), rel=1e-12)


def test_quarterly_month_grid_with_month_end_periods() -> None:
    """Payments at the ends of months 2, 5, 8, 11: each distributes the months before its own,
    the last one everything left."""
    tape = run_deal(_deal(balance=0.0, frequency="quarterly", collection_period_end={"type": "month_end"}))
    equity = tape.period["equity_distribution"][:, 0]
    expected = np.zeros(HORIZON)
    expected[2] = rent(0) + rent(1)
    expected[5] = rent(2) + rent(3) + rent(4)
    expected[8] = rent(5) + rent(6) + rent(7)
    expected[11] = rent(8) + rent(9) + rent(10) + rent(11)
    assert equity == pytest.approx(expected, rel=1e-12)


def test_a_determination_day_before_the_payment_day_distributes_the_payment_month() -> None:
    """Collections are booked at the start of their month: a period ending on the 10th holds
    the payment month's rent (the default's numbers); one ending on the 20th does not."""
    default = run_deal(_deal(**DATED))
    tenth = run_deal(_deal(**DATED, collection_period_end={"type": "day", "day": 10}))
    twentieth = run_deal(_deal(**DATED, collection_period_end={"type": "day", "day": 20}))
    month_end = run_deal(_deal(**DATED, collection_period_end={"type": "month_end"}))
    assert "collections" not in default.accounts
    for field in ("equity_distribution", "dscr"):
        np.testing.assert_array_equal(tenth.period[field], default.period[field])
        np.testing.assert_array_equal(twentieth.period[field], month_end.period[field])
    assert not np.array_equal(default.period["equity_distribution"], month_end.period["equity_distribution"])


def _with_tape(deal: Deal, amounts: list[float]) -> Deal:
    """The deal with its rent replaced by a tape of ``amounts`` by month."""
    lease = attrs.evolve(deal.leases[0], rent=FixedRent(monthly=0.0))
    tape = Tape(name="receipts", path="unused.csv", amounts=tuple(amounts))
    return attrs.evolve(deal, leases=(lease,), tapes=(tape,))


def test_a_default_releases_everything_held_to_creditors() -> None:
    """Nothing collected in month 3: the payment of 15 May (month 4) misses interest and the
    loan defaults after it. The default releases May's 50,000 to operating at once, and the
    sale payment date (15 June) releases June's 100,000 too, instead of keeping it back: the
    loan receives all 150,000."""
    deal = _deal(balance=1e6, **DATED, collection_period_end={"type": "month_end"})
    deal = attrs.evolve(deal, covenants=(PaymentDefault(tranches=("loan",)),))
    deal = _with_tape(deal, [100_000.0, 100_000.0, 100_000.0, 0.0, 50_000.0] + [100_000.0] * 7)
    tape = run_deal(deal)
    assert tape.default_month[0] == 4
    received = tape.tranche["interest_paid"][5, 0, 0] + tape.tranche["principal_paid"][5, 0, 0]
    assert received == pytest.approx(150_000.0, rel=1e-12)
    assert tape.mode[5, 0] == 3  # wound up after the sale
    assert tape.accounts["collections"][5:, 0].max() == 0.0
    total_in = 300_000.0 + 50_000.0 + 100_000.0
    paid = tape.tranche["interest_paid"].sum() + tape.tranche["principal_paid"].sum()
    assert paid + tape.period["equity_distribution"].sum() == pytest.approx(total_in, rel=1e-12)
