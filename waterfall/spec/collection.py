"""Collection periods: which months' collections each payment date distributes.

By default a payment date distributes everything collected up to it (the month
containing it included). A structured deal usually distributes on a payment date
the collections of a collection period that ended before it: ``month_end`` (the
calendar month(s) before the payment date's month, the ABS convention) or
``day`` (a determination day of the month). Cash received after the period's end
waits in the collection account for the next payment date.

The engine steps months and books a month's collections as received at its start
(rent in advance, as the default has always read a month paying on the 15th), so
a period ending on day D of month k holds month k's collections, and one ending at
a month end holds that month's.
"""

from __future__ import annotations

import datetime as dt

from attrs import field, frozen

from waterfall.spec.bounds import between


@frozen
class AtPaymentDate:
    """The collection period ends on the payment date: everything collected by a payment
    date is distributed on it (the default)."""


@frozen
class AtMonthEnd:
    """The collection period ends at the last month end before the payment date: the
    calendar month(s) before the payment date's month."""


@frozen
class OnDay:
    """The collection period ends on ``day`` of the month (a determination date): the last
    such day before the payment date."""

    day: int = field(metadata=between(1, 28))


CollectionPeriodEnd = AtPaymentDate | AtMonthEnd | OnDay
COLLECTION_TAGS = {AtPaymentDate: "payment_date", AtMonthEnd: "month_end", OnDay: "day"}


def collection_end(end: CollectionPeriodEnd, pay_month: int, pay_date: dt.date | None) -> int:
    """The last deal month whose collections the payment date in ``pay_month`` distributes
    (``pay_date``: its adjusted date on a dated calendar; None on the month grid, where a
    payment falls at the end of its month)."""
    if isinstance(end, AtPaymentDate):
        return pay_month
    if isinstance(end, AtMonthEnd):
        return pay_month - 1
    assert pay_date is not None  # a day needs a dated calendar (``collection_problems``)
    return pay_month if pay_date.day > end.day else pay_month - 1
