"""The deal's calendar: closing month, horizon, payment frequency, day count, rounding."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from attrs import field, frozen

from waterfall.spec.bounds import between
from waterfall.spec.rounding import DEFAULT_ACCRUAL, DEFAULT_PAYMENT, Method, PaymentMethod

DayCount = Literal["30/360", "ACT/360", "ACT/365F"]
Frequency = Literal["monthly", "quarterly"]
Rounding = Literal["none", "cents"]

MONTHS_PER_PAYMENT = {"monthly": 1, "quarterly": 3}


@frozen
class Calendar:
    """When the deal closes and how its periods are counted.

    Month 0 is the closing month; payment dates fall at the end of every
    ``months_per_payment``-th month.
    """

    start: dt.date
    horizon_months: int = field(metadata=between(1, 1200))  # up to 100 years
    payment_frequency: Frequency
    day_count: DayCount
    rounding: Rounding
    # where amounts are rounded to the cent, by what method (unset: what ``rounding`` says)
    accrual_rounding: Method | None = None
    payment_rounding: PaymentMethod | None = None

    @property
    def accrual_method(self) -> str:
        """How each accrual (interest, scheduled principal) is rounded."""
        return self.accrual_rounding or DEFAULT_ACCRUAL[self.rounding]

    @property
    def payment_method(self) -> str:
        """How each payment (a ledger movement) is rounded."""
        return self.payment_rounding or DEFAULT_PAYMENT[self.rounding]

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
