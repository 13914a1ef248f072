"""The quoting convention of a yield: its day count and compounding frequency.

A bond's yield, duration and price are quoted on a stated day count (how the
time between two dates is counted in years) and a compounding frequency (how
often a year the yield compounds). Times are accumulated from settlement one
cash-flow date to the next, as QuantLib's ``BondFunctions`` do, so each quote
reproduces ``bondYield`` and ``duration`` on the same dates.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from attrs import frozen

from waterfall.errors import Problem
from waterfall.spec.deal import Deal

# 30/360 is the US bond basis (QuantLib's Thirty360.BondBasis); 30E/360 the Eurobond
# basis (Thirty360.European); ACT/ACT is ISDA's (ActualActual.ISDA)
DAY_COUNTS = ("30/360", "30E/360", "ACT/360", "ACT/365F", "ACT/ACT")
FREQUENCIES = {"annual": 1, "semiannual": 2, "quarterly": 4, "monthly": 12}


@frozen
class Quote:
    """How yields are quoted: ``day_count`` one of ``DAY_COUNTS``, ``frequency`` a key of ``FREQUENCIES``."""

    day_count: str
    frequency: str

    def __attrs_post_init__(self) -> None:
        if self.day_count not in DAY_COUNTS:
            raise ValueError(f"expected a day count one of {', '.join(DAY_COUNTS)}, found {self.day_count!r}")
        if self.frequency not in FREQUENCIES:
            raise ValueError(f"expected a frequency one of {', '.join(FREQUENCIES)}, found {self.frequency!r}")

    @property
    def per_year(self) -> int:
        return FREQUENCIES[self.frequency]

    def __str__(self) -> str:
        return f"{self.day_count}, compounded {self.frequency}"


def own_quote(deal: Deal, day_count: str | None = None, frequency: str | None = None) -> Quote:
    """The tranche's own convention (the deal's accrual day count and payment frequency),
    with either part replaced when stated."""
    calendar = deal.calendar
    return Quote(day_count or calendar.day_count, frequency or calendar.payment_frequency)


def quote_problems(day_count: str | None, frequency: str | None) -> list[Problem]:
    """What is wrong with a quote stated on a command line (``--day-count``, ``--frequency``)."""
    problems = []
    if day_count is not None and day_count not in DAY_COUNTS:
        problems.append(Problem("--day-count", f"expected one of {', '.join(DAY_COUNTS)}, found {day_count!r}"))
    if frequency is not None and frequency not in FREQUENCIES:
        problems.append(Problem("--frequency", f"expected one of {', '.join(FREQUENCIES)}, found {frequency!r}"))
    return problems


def _thirty(start: dt.date, end: dt.date, european: bool) -> int:
    d1, d2 = start.day, end.day
    if european:
        d1, d2 = min(d1, 30), min(d2, 30)
    else:
        d1 = min(d1, 30)
        if d2 == 31 and d1 == 30:
            d2 = 30
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)


def _actual_actual(start: dt.date, end: dt.date) -> float:
    """ISDA: the days in each calendar year over that year's length."""
    if end < start:
        return -_actual_actual(end, start)
    total, cursor = 0.0, start
    while cursor.year < end.year:
        next_year = dt.date(cursor.year + 1, 1, 1)
        total += (next_year - cursor).days / (366 if _leap(cursor.year) else 365)
        cursor = next_year
    return total + (end - cursor).days / (366 if _leap(end.year) else 365)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def year_fraction(start: dt.date, end: dt.date, day_count: str) -> float:
    """Years from ``start`` to ``end`` under ``day_count``."""
    if day_count == "30/360":
        return _thirty(start, end, european=False) / 360
    if day_count == "30E/360":
        return _thirty(start, end, european=True) / 360
    if day_count == "ACT/360":
        return (end - start).days / 360
    if day_count == "ACT/365F":
        return (end - start).days / 365
    if day_count == "ACT/ACT":
        return _actual_actual(start, end)
    raise ValueError(f"expected a day count one of {', '.join(DAY_COUNTS)}, found {day_count!r}")


def flow_times(dates: list[dt.date], flows: np.ndarray, day_count: str) -> np.ndarray:
    """Years from ``dates[0]`` (settlement) to each date, accumulated from one date with a
    flow (``flows[k] != 0``) to the next, as QuantLib does; dates without a flow are timed
    from the last date that had one (their time weighs nothing)."""
    times = np.zeros(len(dates))
    last_time, last_date = 0.0, dates[0]
    for k, date in enumerate(dates):
        times[k] = last_time + year_fraction(last_date, date, day_count)
        if flows[k] != 0:
            last_time, last_date = times[k], date
    return times
