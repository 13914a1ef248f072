"""Payment dates: business-day conventions, stubs, the end-of-month rule, and the
month grid that every deal without a ``payment_day`` keeps bit for bit."""

from __future__ import annotations

import calendar as cal
import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pytest

from waterfall.engine.clock import Schedule
from waterfall.spec.calendar import Calendar
from waterfall.spec.load import load_deal
from waterfall.spec.payment_dates import adjust, first_payment, payment_date_problems, periods

ROOT = Path(__file__).resolve().parents[3]
LIBRARY = sorted(ROOT.glob("deals/*.toml"))
# the library deals whose research notes give (or whose market convention fixes) their
# payment dates: the rest keep the month grid
DATED = {"meta_hyperion", "qts_cmbs", "terawulf_fluidstack"}
UNDATED = [p for p in LIBRARY if p.stem not in DATED]


def _calendar(**dated) -> Calendar:
    base = {"start": dt.date(2026, 1, 1), "horizon_months": 36, "payment_frequency": "monthly"}
    base.update(dated)
    return Calendar(
        base.pop("start"), base.pop("horizon_months"), base.pop("payment_frequency"), "ACT/360", "none", **base
    )


def _legacy_grid(calendar: Calendar) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The month grid as it was before dated calendars: pay at the end of every step-th
    month and the last, accrue between first days of months (30/360 as whole months)."""
    months, step = calendar.horizon_months, calendar.months_per_payment
    paying = sorted({*range(step - 1, months, step), months - 1})
    is_payment, start, yf = np.zeros(months, dtype=bool), np.zeros(months, dtype=np.int64), np.zeros(months)
    is_payment[paying] = True
    previous = -1
    for m in paying:
        a, b = calendar.date_of(previous + 1), calendar.date_of(m + 1)
        if calendar.day_count == "30/360":
            yf[m] = ((b.year - a.year) * 360 + (b.month - a.month) * 30 + (b.day - a.day)) / 360
        else:
            yf[m] = (b - a).days / (360 if calendar.day_count == "ACT/360" else 365)
        start[m] = previous + 1
        previous = m
    return is_payment, start, yf


@pytest.mark.parametrize("path", UNDATED, ids=[p.stem for p in UNDATED])
def test_library_deals_keep_the_month_grid_bit_for_bit(path: Path) -> None:
    calendar = load_deal(path).calendar
    schedule = Schedule(calendar)
    is_payment, start, yf = _legacy_grid(calendar)
    assert not calendar.dated
    assert np.array_equal(schedule.is_payment, is_payment)
    assert np.array_equal(schedule.period_start, start)
    assert schedule.year_fraction.tobytes() == yf.tobytes()  # bit for bit, not approximately


def test_the_dated_library_deals_state_their_payment_day() -> None:
    dated = {p.stem for p in LIBRARY if load_deal(p).calendar.dated}
    assert dated == DATED


@pytest.mark.parametrize(
    ("date", "convention", "expected"),
    [
        (dt.date(2026, 6, 20), "following", dt.date(2026, 6, 22)),  # Saturday
        (dt.date(2026, 6, 20), "preceding", dt.date(2026, 6, 18)),  # Friday is Juneteenth
        (dt.date(2026, 1, 31), "following", dt.date(2026, 2, 2)),  # Saturday at month end
        (dt.date(2026, 1, 31), "modified_following", dt.date(2026, 1, 30)),  # ... stays in January
        (dt.date(2026, 1, 31), "unadjusted", dt.date(2026, 1, 31)),
        (dt.date(2026, 7, 3), "following", dt.date(2026, 7, 6)),  # Independence Day observed, then a weekend
        (dt.date(2026, 11, 26), "following", dt.date(2026, 11, 27)),  # Thanksgiving
    ],
)
def test_business_day_conventions_on_us_settlement_days(date, convention, expected) -> None:
    assert adjust(date, convention, "US-settlement") == expected


def test_good_friday_closes_nyse_but_not_us_settlement() -> None:
    good_friday = dt.date(2027, 3, 26)
    assert adjust(good_friday, "following", "US-settlement") == good_friday
    assert adjust(good_friday, "following", "NYSE") == dt.date(2027, 3, 29)


def test_short_and_long_first_stubs() -> None:
    short = _calendar(payment_day=20, closing_date=dt.date(2026, 1, 5))
    long = _calendar(payment_day=20, closing_date=dt.date(2026, 1, 5), stub="long")
    assert first_payment(short) == dt.date(2026, 1, 20)
    assert first_payment(long) == dt.date(2026, 2, 20)
    assert periods(long)[0].start == dt.date(2026, 1, 5)  # accrues from closing
    on_the_day = _calendar(payment_day=5, closing_date=dt.date(2026, 1, 5), stub="long")
    assert first_payment(on_the_day) == dt.date(2026, 2, 5)  # no stub to lengthen


def test_end_of_month_rule_pays_on_the_last_day_of_shorter_months() -> None:
    calendar = _calendar(payment_day=31, end_of_month=True, closing_date=dt.date(2026, 1, 15))
    dates = [p.pay for p in periods(calendar)]
    assert all(d.day == cal.monthrange(d.year, d.month)[1] for d in dates)
    assert dates[1] == dt.date(2026, 2, 28)


def test_each_payment_month_holds_its_adjusted_date_and_accrual_chains() -> None:
    calendar = _calendar(
        payment_day=20, payment_frequency="quarterly", business_day="modified_following", holidays="SIFMA",
        accrual_dates="adjusted", closing_date=dt.date(2026, 1, 12),
    )  # fmt: skip
    schedule = Schedule(calendar)
    dated = periods(calendar)
    assert [calendar.month_of(d) for d in schedule.payment_date.values()] == list(schedule.payment_months)
    assert all(a.end == b.start for a, b in itertools.pairwise(dated))
    assert all(p.end == p.pay for p in dated)  # adjusted accrual
    assert schedule.payment_months[-1] == calendar.horizon_months - 1


def test_two_payment_dates_in_one_month_are_refused():
    # 1 Aug 2026 is a Saturday: `preceding` pulls it to 31 Jul, the month of the 1 Jul payment
    bad = _calendar(start=dt.date(2026, 6, 1), payment_day=1, business_day="preceding")
    [problem] = payment_date_problems(bad)
    assert problem.path == "calendar.business_day"
    assert "2026-07-01 and 2026-07-31" in problem.message
    # the same dates unadjusted, or moved by modified following, are one per month
    assert payment_date_problems(_calendar(start=dt.date(2026, 6, 1), payment_day=1)) == []
    ok = _calendar(start=dt.date(2026, 6, 1), payment_day=1, business_day="modified_following")
    assert payment_date_problems(ok) == []
