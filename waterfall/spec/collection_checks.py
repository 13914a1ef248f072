"""Checks of collection periods: a determination day needs a dated calendar, and the first
payment date must come after the first collection period ends.

Apart from ``waterfall.spec.collection`` (which the calendar imports) because it reads the
payment dates, which read the calendar.
"""

from __future__ import annotations

import datetime as dt

from waterfall.errors import Problem
from waterfall.spec.calendar import Calendar
from waterfall.spec.collection import OnDay, collection_end
from waterfall.spec.payment_dates import periods


def collection_problems(calendar: Calendar) -> list[Problem]:
    """A determination day on the month grid (its payments fall at month ends, so a day
    would always end the period in the payment month), or a first payment date whose
    collection period ends before closing (it would distribute nothing; a real deal
    pays first after its first collection period)."""
    end = calendar.collection_period_end
    where = "calendar.collection_period_end"
    if isinstance(end, OnDay) and not calendar.dated:
        return [
            Problem(
                f"{where}.type",
                "expected 'payment_date' or 'month_end' without calendar.payment_day (payments at month ends), "
                "found 'day'",
            )
        ]
    month, date = _first_payment(calendar)
    if month == calendar.horizon_months - 1:  # the final payment distributes everything
        return []
    if collection_end(end, month, date) < 0:
        paid = f"{date}" if date is not None else f"the end of {calendar.date_of(month):%Y-%m}"
        fix = (
            "a later calendar.first_payment_date or stub = 'long'"
            if calendar.dated
            else "calendar.payment_day with a first_payment_date after the first collection period"
        )
        return [
            Problem(
                where,
                f"expected the first collection period to end on or after closing {calendar.closing} "
                f"(state {fix}), found it ending before closing, for the first payment on {paid}",
            )
        ]
    return []


def _first_payment(calendar: Calendar) -> tuple[int, dt.date | None]:
    """The first payment's month and adjusted date (None on the month grid)."""
    if not calendar.dated:
        return min(calendar.months_per_payment, calendar.horizon_months) - 1, None
    pay = periods(calendar)[0].pay
    return calendar.month_of(pay), pay
