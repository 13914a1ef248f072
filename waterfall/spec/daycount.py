"""Day counts: how the time between two dates is counted in years.

One module owns them so that accrual (the engine's schedule) and quotes (yield and
duration) count the same years. 30/360 is the US bond basis (QuantLib's
``Thirty360.BondBasis``), 30E/360 the Eurobond basis (``Thirty360.European``),
ACT/ACT is ISDA's (``ActualActual.ISDA``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

DayCount = Literal["30/360", "30E/360", "ACT/360", "ACT/365F", "ACT/ACT"]
DAY_COUNTS = ("30/360", "30E/360", "ACT/360", "ACT/365F", "ACT/ACT")


def _thirty(start: dt.date, end: dt.date, european: bool) -> int:
    d1, d2 = start.day, end.day
    if european:
        d1, d2 = min(d1, 30), min(d2, 30)
    else:
        d1 = min(d1, 30)
        if d2 == 31 and d1 == 30:
            d2 = 30
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


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
