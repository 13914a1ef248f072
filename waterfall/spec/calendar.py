"""The deal's calendar: closing, horizon, payment frequency and dates, day count, rounding.

Without a ``payment_day`` the deal pays at the end of every payment month and accrues
between first days of months (the month grid). With one, payments fall on that day
of the month, adjusted for business days on a named holiday calendar, and interest
accrues between actual dates, from the closing date on the first period
(``waterfall/spec/payment_dates.py`` builds the dates).
"""

from __future__ import annotations

import calendar as cal
import datetime as dt
from typing import Literal

from attrs import field, frozen

from waterfall.errors import Problem
from waterfall.spec.bounds import between
from waterfall.spec.collection import AtPaymentDate, CollectionPeriodEnd
from waterfall.spec.daycount import DayCount
from waterfall.spec.rounding import DEFAULT_ACCRUAL, DEFAULT_PAYMENT, Method, PaymentMethod

Frequency = Literal["monthly", "quarterly", "semiannual", "annual"]
BusinessDay = Literal["unadjusted", "following", "modified_following", "preceding"]
HolidayCalendar = Literal["none", "US-settlement", "SIFMA", "NYSE"]
AccrualDates = Literal["unadjusted", "adjusted"]
Stub = Literal["short", "long"]
Rounding = Literal["none", "cents"]

MONTHS_PER_PAYMENT = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}


class Day(dt.date):
    """A calendar day, for the keys that need one (a TOML date ``2026-01-15``); every
    other date in a deal file is a month."""


@frozen
class Calendar:
    """When the deal closes and how its periods are counted.

    Month 0 is the closing month; payment dates fall at the end of every
    ``months_per_payment``-th month, unless ``payment_day`` dates them: then
    they fall on that day (the month's last day when ``end_of_month``), from
    ``first_payment_date`` or, without one, the first such day after closing
    (``stub = "short"``) or the one a period later (``"long"``), moved to a
    business day by ``business_day`` on ``holidays``. The month containing a
    payment date pays, distributing the collections of the collection period
    ``collection_period_end`` ends (by default all collected up to it).
    """

    start: dt.date
    horizon_months: int = field(metadata=between(1, 1200))  # up to 100 years
    payment_frequency: Frequency
    day_count: DayCount
    rounding: Rounding
    # where amounts are rounded to the cent, by what method (unset: what ``rounding`` says)
    accrual_rounding: Method | None = None
    payment_rounding: PaymentMethod | None = None
    payment_day: int | None = field(default=None, metadata=between(1, 31))
    closing_date: Day | None = None  # within the start month; its first day when absent
    first_payment_date: Day | None = None
    business_day: BusinessDay = "unadjusted"
    holidays: HolidayCalendar = "none"
    accrual_dates: AccrualDates = "unadjusted"
    end_of_month: bool = False
    stub: Stub = "short"
    # which collections a payment date distributes (``waterfall/spec/collection.py``)
    collection_period_end: CollectionPeriodEnd = field(factory=AtPaymentDate)

    @property
    def holds_collections(self) -> bool:
        """Whether a collection period ends before its payment date (cash received after
        it waits in the collection account for the next payment date)."""
        return not isinstance(self.collection_period_end, AtPaymentDate)

    @property
    def accrual_method(self) -> str:
        """How each accrual (interest, scheduled principal) is rounded."""
        return self.accrual_rounding or DEFAULT_ACCRUAL[self.rounding]

    @property
    def payment_method(self) -> str:
        """How each payment (a ledger movement) is rounded."""
        return self.payment_rounding or DEFAULT_PAYMENT[self.rounding]

    @property
    def dated(self) -> bool:
        """Payments on stated days and accrual on actual dates (not the month grid)."""
        return self.payment_day is not None

    @property
    def closing(self) -> dt.date:
        """The closing date: interest accrues from it on the first period."""
        return self.closing_date or self.start

    @property
    def months_per_payment(self) -> int:
        return MONTHS_PER_PAYMENT[self.payment_frequency]

    def month_of(self, date: dt.date) -> int:
        """Months from closing to ``date`` (negative before closing)."""
        return (date.year - self.start.year) * 12 + (date.month - self.start.month)

    def date_of(self, month: int) -> dt.date:
        """First day of deal month ``month``."""
        years, month0 = divmod(self.start.month - 1 + month, 12)
        return dt.date(self.start.year + years, month0 + 1, 1)


def _months_between(start: dt.date, end: dt.date) -> float:
    return (end.year - start.year) * 12 + (end.month - start.month) + (end.day - start.day) / 31


def calendar_problems(calendar: Calendar) -> list[Problem]:
    """What a dated calendar cannot place: its keys without a payment day, a first payment
    on or before closing or off the payment day, a day 29-31 without the end-of-month rule
    (it does not exist in every month), a first period longer than two periods."""
    problems: list[Problem] = []
    if not calendar.dated:
        stated = [key for key, default in _DATED_DEFAULTS.items() if getattr(calendar, key) != default]
        message = "expected it only with calendar.payment_day, found no payment_day"
        problems += [Problem(f"calendar.{k}", message) for k in stated]
        return problems
    day = calendar.payment_day
    if day > 28 and not calendar.end_of_month:
        problems.append(
            Problem(
                "calendar.payment_day",
                f"expected 1-28, or end_of_month = true to pay on the last day of shorter months, found {day}",
            )
        )
    closing = calendar.closing
    if calendar.month_of(closing) != 0:
        problems.append(
            Problem(
                "calendar.closing_date", f"expected a day in the start month {calendar.start:%Y-%m}, found {closing}"
            )
        )
    first = calendar.first_payment_date
    if first is not None:
        if first <= closing:
            problems.append(
                Problem("calendar.first_payment_date", f"expected a date after closing {closing}, found {first}")
            )
        elif _months_between(closing, first) > 2 * calendar.months_per_payment:
            problems.append(
                Problem(
                    "calendar.first_payment_date",
                    f"expected a first period of at most two {calendar.payment_frequency} periods "
                    f"(a long stub), found {closing} to {first}",
                )
            )
        month_end = first.day == cal.monthrange(first.year, first.month)[1]
        if first.day != day and not (calendar.end_of_month and month_end and first.day < day):
            problems.append(
                Problem("calendar.first_payment_date", f"expected a date on payment day {day}, found {first}")
            )
        if calendar.month_of(first) >= calendar.horizon_months:
            problems.append(
                Problem("calendar.first_payment_date", f"expected a date within the horizon, found {first}")
            )
    return problems


_DATED_DEFAULTS = {
    "closing_date": None,
    "first_payment_date": None,
    "business_day": "unadjusted",
    "holidays": "none",
    "accrual_dates": "unadjusted",
    "end_of_month": False,
    "stub": "short",
}
