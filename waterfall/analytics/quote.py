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
from waterfall.spec.daycount import DAY_COUNTS, year_fraction
from waterfall.spec.deal import Deal

__all__ = ["DAY_COUNTS", "FREQUENCIES", "Quote", "flow_times", "own_quote", "quote_problems", "year_fraction"]

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
