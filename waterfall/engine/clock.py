"""The deal's clock: months, payment months, accrual fractions, and the order of business.

SimPy's clock counts deal months. Within a month, each concern wakes at its own
phase, so the order of business is written down once, here, in ``Phase``.
"""

from __future__ import annotations

import calendar as cal
from enum import IntEnum

import numpy as np

from waterfall.spec.calendar import Calendar
from waterfall.spec.collection import collection_end
from waterfall.spec.daycount import year_fraction
from waterfall.spec.payment_dates import periods

PHASES_PER_MONTH = 16  # a power of two, so month + phase / 16 is exact in floating point


class Phase(IntEnum):
    """What happens within each month, in this order.

    1. Revenue: tenants pay rent, idle GPUs earn merchant rent, tapes pay in.
    2. Expenses: operating costs, power, maintenance capex and fees fall due.
    3. Accrual (payment dates): tranches accrue interest; principal falls due.
    4. Covenant tests (payment dates): DSCR, LTV, liquidity set each path's mode.
    5. Enforcement: collateral of defaulted paths is sold when its lag has run.
    6. Priority of payments (payment dates): the mode's waterfall pays out cash.
    7. Payment test (payment dates): missed interest or maturity payments default.
    8. Draws (payment dates): delayed-draw tranches and construction overruns
       are funded, accruing interest from the next period.
    9. Maturity and wind-up: unpaid balances at legal maturity or after a sale
       are written down; a sold deal's residual cash goes to equity.
    10. Record: balances and the period's figures go to the tape.
    """

    REVENUE = 1
    EXPENSES = 2
    ACCRUAL = 3
    COVENANTS = 4
    ENFORCEMENT = 5
    WATERFALL = 6
    PAYMENT_TEST = 7
    DRAWS = 8
    MATURITY = 9
    RECORD = 10


def at(month: int, phase: Phase) -> float:
    """The SimPy time of ``phase`` in ``month``."""
    return month + phase / PHASES_PER_MONTH


class Schedule:
    """Dates derived once from the calendar: payment months, accrual periods, hours."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        months = calendar.horizon_months
        if calendar.dated:
            self._dated(calendar)
        else:
            self._month_grid(calendar)
        self._collection_periods(calendar)
        self.dates = [calendar.date_of(m) for m in range(months)]
        self.hours = np.array([cal.monthrange(d.year, d.month)[1] * 24.0 for d in self.dates])

    def _month_grid(self, calendar: Calendar) -> None:
        """Today's grid: pay at month ends, accrue between first days of months."""
        months = calendar.horizon_months
        step = calendar.months_per_payment
        # payment at the end of every step-th month, and always at the horizon's last month
        paying = sorted({*range(step - 1, months, step), months - 1})
        self.payment_months: tuple[int, ...] = tuple(paying)
        self.is_payment = np.zeros(months, dtype=bool)
        self.is_payment[paying] = True
        # accrual period of each payment: months (previous payment, this payment]
        self.period_start = np.zeros(months, dtype=np.int64)
        self.year_fraction = np.zeros(months)
        previous = -1
        for month in paying:
            self.period_start[month] = previous + 1
            self.year_fraction[month] = year_fraction(
                calendar.date_of(previous + 1), calendar.date_of(month + 1), calendar.day_count
            )
            previous = month
        self.payment_date = {m: calendar.date_of(m + 1) for m in paying}

    def _dated(self, calendar: Calendar) -> None:
        """Stated payment days: the month containing each adjusted payment date pays,
        accruing over the period's actual dates (``payment_dates.periods``)."""
        months = calendar.horizon_months
        dated = periods(calendar)
        paying = [calendar.month_of(p.pay) for p in dated]
        self.payment_months = tuple(paying)
        self.is_payment = np.zeros(months, dtype=bool)
        self.is_payment[paying] = True
        self.period_start = np.zeros(months, dtype=np.int64)
        self.year_fraction = np.zeros(months)
        previous = -1
        for month, period in zip(paying, dated, strict=True):
            self.period_start[month] = previous + 1
            self.year_fraction[month] = year_fraction(period.start, period.end, calendar.day_count)
            previous = month
        self.payment_date = {m: p.pay for m, p in zip(paying, dated, strict=True)}
        self.periods = dated

    def _collection_periods(self, calendar: Calendar) -> None:
        """Each payment month's collection period, months ``collection_start ..
        collection_end``: by default the months of its accrual period; when periods end
        before their payment dates, up to the end the calendar names, and on the
        horizon's last payment date everything still held (the final distribution)."""
        self.collection_start = self.period_start
        self.collection_end = np.arange(self.months, dtype=np.int64)
        if not calendar.holds_collections:
            return
        self.collection_start = np.zeros(self.months, dtype=np.int64)
        previous = -1
        for month in self.payment_months:
            date = self.payment_date[month] if calendar.dated else None
            end = collection_end(calendar.collection_period_end, month, date)
            end = self.months - 1 if month == self.months - 1 else max(end, previous)
            self.collection_start[month], self.collection_end[month] = previous + 1, end
            previous = end

    @property
    def months(self) -> int:
        return self.calendar.horizon_months

    def last_payment_by(self, month: int) -> int:
        """The last payment month at or before ``month`` (the final payment of a maturity)."""
        return max(m for m in self.payment_months if m <= month)

    def first_payment_from(self, month: int) -> int:
        """The first payment month at or after ``month`` (or the horizon's last month)."""
        return next((m for m in self.payment_months if m >= month), self.payment_months[-1])
