"""Payment and accrual dates of a dated calendar (one with a ``payment_day``).

Regular dates fall on the payment day every ``months_per_payment`` months from the
first payment date; each is moved to a business day by the calendar's convention on
its holiday calendar. The first accrual period runs from the closing date; later
ones from the previous period's end, on adjusted or unadjusted dates as the
calendar says. The horizon's last month always pays (the final payment).
"""

from __future__ import annotations

import calendar as cal
import datetime as dt
from functools import cache

import holidays
from attrs import frozen

from waterfall.errors import Problem
from waterfall.spec.calendar import Calendar

# the ``holidays`` package's names for each calendar: US federal (settlement) days,
# the bond market's SIFMA-recommended closes, the New York Stock Exchange's closes
_MARKETS = {"US-settlement": ("country", "US"), "SIFMA": ("financial", "XSIF"), "NYSE": ("financial", "NYSE")}


@frozen
class Period:
    """One accrual period: interest accrues over [start, end) and is paid on ``pay``."""

    start: dt.date
    end: dt.date
    pay: dt.date


def on_day(year: int, month: int, day: int) -> dt.date:
    """``day`` of the month, or the month's last day when it is shorter (end-of-month rule)."""
    return dt.date(year, month, min(day, cal.monthrange(year, month)[1]))


def add_months(date: dt.date, months: int, day: int) -> dt.date:
    years, month0 = divmod(date.month - 1 + months, 12)
    return on_day(date.year + years, month0 + 1, day)


@cache
def _holiday_set(name: str, year: int) -> frozenset[dt.date]:
    if name == "none":
        return frozenset()
    kind, code = _MARKETS[name]
    days = (
        holidays.financial_holidays(code, years=year)
        if kind == "financial"
        else holidays.country_holidays(code, years=year)
    )
    return frozenset(days)


def is_business_day(date: dt.date, holiday_calendar: str) -> bool:
    return date.weekday() < 5 and date not in _holiday_set(holiday_calendar, date.year)


def adjust(date: dt.date, convention: str, holiday_calendar: str) -> dt.date:
    """``date`` moved to a business day by ``convention``."""
    if convention == "unadjusted":
        return date
    step = -1 if convention == "preceding" else 1
    moved = date
    while not is_business_day(moved, holiday_calendar):
        moved += dt.timedelta(days=step)
    if convention == "modified_following" and moved.month != date.month:
        moved = date
        while not is_business_day(moved, holiday_calendar):
            moved -= dt.timedelta(days=1)
    return moved


def first_payment(calendar: Calendar) -> dt.date:
    """The stated first payment date, or the first payment day after closing (a short
    first stub), or the one a period later when the stub is long and there is one."""
    if calendar.first_payment_date is not None:
        return calendar.first_payment_date
    closing, day, step = calendar.closing, calendar.payment_day, calendar.months_per_payment
    grid = on_day(closing.year, closing.month, day)
    first = grid if grid > closing else add_months(grid, step, day)
    if calendar.stub == "long" and grid != closing:  # a stub there is: merge it into the next period
        first = add_months(first, step, day)
    return first


def first_payment_month(calendar: Calendar) -> int:
    """The deal month of the first payment: the month holding the first (adjusted) payment date
    on a dated calendar, else the end of the first period (or the horizon's last month)."""
    if calendar.dated:
        return calendar.month_of(adjust(first_payment(calendar), calendar.business_day, calendar.holidays))
    return min(calendar.months_per_payment - 1, calendar.horizon_months - 1)


def unadjusted_dates(calendar: Calendar) -> list[dt.date]:
    """Regular payment days within the horizon, then the final one in its last month."""
    first, day, step = first_payment(calendar), calendar.payment_day, calendar.months_per_payment
    last_month = calendar.horizon_months - 1
    dates, k = [], 0
    while calendar.month_of(date := add_months(first, k * step, day)) <= last_month:
        dates.append(date)
        k += 1
    if not dates or calendar.month_of(dates[-1]) < last_month:
        end = calendar.date_of(last_month)
        dates.append(on_day(end.year, end.month, day))
    return dates


def periods(calendar: Calendar) -> list[Period]:
    """The accrual periods, the first from the closing date."""
    out, start = [], calendar.closing
    for date in unadjusted_dates(calendar):
        pay = adjust(date, calendar.business_day, calendar.holidays)
        end = pay if calendar.accrual_dates == "adjusted" else date
        out.append(Period(start, end, pay))
        start = end
    return out


def payment_date_problems(calendar: Calendar) -> list[Problem]:
    """What the engine cannot pay: two adjusted payment dates in one month (``preceding`` on
    day 1, or ``following`` at a month end, can pull or push one into its neighbour's month),
    or a payment moved past the horizon's last month."""
    if not calendar.dated:
        return []
    last = calendar.horizon_months - 1
    seen: dict[int, dt.date] = {}
    for period in periods(calendar):
        month = calendar.month_of(period.pay)
        if month in seen:
            found = f"found {seen[month]} and {period.pay} in {period.pay:%Y-%m}"
            return [Problem("calendar.business_day", f"expected one payment date per month, {found}")]
        if month > last:
            end = calendar.date_of(last)
            found = f"found {period.pay} after the horizon's last month {end:%Y-%m}"
            return [Problem("calendar.business_day", f"expected every payment date within the horizon, {found}")]
        seen[month] = period.pay
    return []
