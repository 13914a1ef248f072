"""Quoting conventions: each day count against QuantLib's, on any pair of dates."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import QuantLib as ql  # noqa: N813  (the library's own convention)
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import build, month, one_tranche_deal
from waterfall.analytics.quote import DAY_COUNTS, FREQUENCIES, Quote, flow_times, own_quote, year_fraction

QUANTLIB = {
    "30/360": ql.Thirty360(ql.Thirty360.BondBasis),
    "30E/360": ql.Thirty360(ql.Thirty360.European),
    "ACT/360": ql.Actual360(),
    "ACT/365F": ql.Actual365Fixed(),
    "ACT/ACT": ql.ActualActual(ql.ActualActual.ISDA),
}
DATES = st.dates(dt.date(1990, 1, 1), dt.date(2090, 12, 31))
# month ends, the 30th and leap days are where 30/360 rules differ
EDGES = st.sampled_from([dt.date(2024, 2, 29), dt.date(2025, 1, 31), dt.date(2025, 3, 30), dt.date(2028, 12, 31)])


def _ql(date: dt.date) -> ql.Date:
    return ql.Date(date.day, date.month, date.year)


def test_every_day_count_is_checked() -> None:
    assert set(QUANTLIB) == set(DAY_COUNTS)


@pytest.mark.parametrize("day_count", DAY_COUNTS)
@given(start=st.one_of(DATES, EDGES), end=st.one_of(DATES, EDGES))
def test_year_fraction_matches_quantlib(day_count: str, start: dt.date, end: dt.date) -> None:
    expected = QUANTLIB[day_count].yearFraction(_ql(start), _ql(end))
    assert year_fraction(start, end, day_count) == pytest.approx(expected, abs=1e-12)


def test_times_accumulate_from_one_flow_date_to_the_next() -> None:
    """30/360 is not additive across the 31st: a date without a flow does not break a step."""
    dates = [dt.date(2026, 1, 15), dt.date(2026, 1, 31), dt.date(2026, 2, 15)]
    # by way of the 31st: 16 + 15 days; directly: 30 days
    assert year_fraction(dates[0], dates[1], "30/360") + year_fraction(dates[1], dates[2], "30/360") == 31 / 360
    assert flow_times(dates, np.array([1.0, 0.0, 1.0]), "30/360")[2] == 30 / 360
    assert flow_times(dates, np.array([1.0, 1.0, 1.0]), "30/360")[2] == 31 / 360


def test_the_tranche_s_own_quote_and_a_stated_one() -> None:
    raw = one_tranche_deal(
        {"balance": 1.0, "legal_maturity": month(11), "coupon": {"type": "fixed", "rate": 0.05},
         "amortisation": {"type": "bullet"}},
        horizon=12, monthly_rent=1.0, frequency="quarterly", day_count="ACT/360",
    )  # fmt: skip
    deal = build(raw)
    assert own_quote(deal) == Quote("ACT/360", "quarterly")
    assert own_quote(deal, frequency="semiannual") == Quote("ACT/360", "semiannual")
    assert own_quote(deal, day_count="ACT/ACT").per_year == FREQUENCIES["quarterly"] == 4


@pytest.mark.parametrize(("day_count", "frequency"), [("ACT/366", "monthly"), ("ACT/360", "weekly")])
def test_an_unknown_convention_is_refused(day_count: str, frequency: str) -> None:
    with pytest.raises(ValueError, match="expected a"):
        Quote(day_count, frequency)
