"""Interest on known periods under each day count, computed by hand.

A 1,000,000 bullet at 6% from January 2026: the days in each accrual period are
counted on a calendar (31 in January, 28 in February 2026, 29 in February 2028;
90 / 91 / 92 / 92 in the quarters of 2026).
"""

from __future__ import annotations

import pytest

from tests.builders import build, month, one_tranche_deal, run_deal

BALANCE, RATE = 1_000_000.0, 0.06


def _interest_due(day_count: str, frequency: str, rounding: str = "none") -> list[float]:
    deal = build(
        one_tranche_deal(
            {
                "balance": BALANCE,
                "coupon": {"type": "fixed", "rate": RATE},
                "amortisation": {"type": "bullet"},
                "legal_maturity": month(35),
            },
            horizon=36,
            monthly_rent=100_000.0,
            frequency=frequency,
            day_count=day_count,
            rounding=rounding,
        )
    )
    return run_deal(deal).tranche["interest_due"][:, 0, 0].tolist()


# month index: days in that month (January 2026, February 2026, February 2028, December 2026)
MONTH_DAYS = {0: 31, 1: 28, 25: 29, 11: 31}


@pytest.mark.parametrize(("day_count", "basis"), [("ACT/360", 360), ("ACT/365F", 365)])
def test_actual_day_counts_monthly(day_count: str, basis: int) -> None:
    due = _interest_due(day_count, "monthly")
    for m, days in MONTH_DAYS.items():
        assert due[m] == pytest.approx(BALANCE * RATE * days / basis, rel=1e-12), m


def test_30_360_monthly_is_a_twelfth_every_month() -> None:
    due = _interest_due("30/360", "monthly")
    assert due == pytest.approx([BALANCE * RATE / 12] * 36, rel=1e-12)


def test_act_360_and_30_360_differ_by_the_days() -> None:
    """January: 31 actual days against 30; February 2026: 28 against 30."""
    act, thirty = _interest_due("ACT/360", "monthly"), _interest_due("30/360", "monthly")
    assert act[0] - thirty[0] == pytest.approx(BALANCE * RATE * 1 / 360, rel=1e-9)
    assert act[1] - thirty[1] == pytest.approx(-BALANCE * RATE * 2 / 360, rel=1e-9)


@pytest.mark.parametrize(
    ("day_count", "expected"),
    [
        ("ACT/360", [15_000.0, 15_166.666666666666, 15_333.333333333334, 15_333.333333333334]),
        ("30/360", [15_000.0] * 4),
        ("ACT/365F", [14_794.520547945205, 14_958.904109589041, 15_123.287671232876, 15_123.287671232876]),
    ],
)
def test_quarterly_periods_of_2026(day_count: str, expected: list[float]) -> None:
    due = _interest_due(day_count, "quarterly")
    assert [due[m] for m in (2, 5, 8, 11)] == pytest.approx(expected, rel=1e-12)
    assert not any(due[m] for m in (0, 1, 3, 4))  # nothing accrues between payment dates


def test_cents_rounding_rounds_interest_to_the_cent() -> None:
    due = _interest_due("ACT/360", "monthly", rounding="cents")
    assert due[0] == 5_166.67  # 1,000,000 x 6% x 31/360 = 5,166.666...
    assert due[1] == 4_666.67  # x 28/360 = 4,666.666...
    assert due[25] == 4_833.33  # February 2028, 29 days
