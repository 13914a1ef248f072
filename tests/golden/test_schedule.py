"""Dated schedules against QuantLib: payment dates, stubs, business days, accrual.

Each deal has one tranche and ample fixed rent, so every amount due is paid and
the tranche is an ordinary bond. QuantLib builds the same bond from its own
``Schedule`` (first date, business-day convention, holiday calendar) and
``FixedRateBond`` / ``AmortizingFixedRateBond``; the engine must pay the same
interest and principal on the same dates to the cent, and quote the same yield,
durations and price (``BondFunctions``, settled at closing) to 1e-6.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import QuantLib as ql  # noqa: N813  (the library's own convention)

from tests.builders import build, month, one_tranche_deal
from waterfall.analytics import tranche_metrics
from waterfall.engine.clock import Schedule
from waterfall.results import simulate

BALANCE = 1_000_000.0
RATE = 0.0725
DAY_COUNTS = {
    "30/360": ql.Thirty360(ql.Thirty360.BondBasis),
    "ACT/360": ql.Actual360(),
    "ACT/365F": ql.Actual365Fixed(),
}
FREQUENCY = {"monthly": ql.Monthly, "quarterly": ql.Quarterly, "semiannual": ql.Semiannual}
CONVENTION = {"unadjusted": ql.Unadjusted, "modified_following": ql.ModifiedFollowing}
HOLIDAYS = {"none": ql.NullCalendar(), "US-settlement": ql.UnitedStates(ql.UnitedStates.Settlement)}

CASES = {
    # semiannual 30/360 bullet on the 15th, closing on a payment day
    "semiannual_bullet": {
        "calendar": {"closing_date": dt.date(2026, 1, 15), "payment_day": 15, "payment_frequency": "semiannual"},
        "day_count": "30/360",
        "amortisation": "bullet",
        "maturity": dt.date(2031, 1, 15),
        "first": None,
    },
    # quarterly ACT/360 straight-line amortiser, a short first stub to 20 April
    "quarterly_stub_amortiser": {
        "calendar": {
            "closing_date": dt.date(2026, 2, 10),
            "payment_day": 20,
            "payment_frequency": "quarterly",
            "first_payment_date": dt.date(2026, 4, 20),
        },
        "day_count": "ACT/360",
        "amortisation": "straight_line",
        "maturity": dt.date(2030, 1, 20),
        "first": dt.date(2026, 4, 20),
    },
    # monthly on the 20th, modified following on US settlement days, accrual unadjusted
    "monthly_20th_modified_following": {
        "calendar": {
            "closing_date": dt.date(2026, 1, 5),
            "payment_day": 20,
            "payment_frequency": "monthly",
            "business_day": "modified_following",
            "holidays": "US-settlement",
        },
        "day_count": "ACT/365F",
        "amortisation": "straight_line",
        "maturity": dt.date(2029, 1, 20),
        "first": dt.date(2026, 1, 20),
    },
}


def _ql(date: dt.date) -> ql.Date:
    return ql.Date(date.day, date.month, date.year)


def _py(date: ql.Date) -> dt.date:
    return dt.date(date.year(), date.month(), date.dayOfMonth())


def _horizon(case: dict) -> int:
    start, end = case["calendar"]["closing_date"], case["maturity"]
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _deal(case: dict):
    horizon = _horizon(case)
    amortisation = (
        {"type": "bullet"} if case["amortisation"] == "bullet" else {"type": "straight_line", "term_months": horizon}
    )
    raw = one_tranche_deal(
        {
            "balance": BALANCE,
            "legal_maturity": month(horizon - 1, case["calendar"]["closing_date"]),
            "coupon": {"type": "fixed", "rate": RATE},
            "amortisation": amortisation,
        },
        horizon=horizon,
        monthly_rent=2 * BALANCE,
        day_count=case["day_count"],
    )
    raw["calendar"].update(case["calendar"], start=month(0, case["calendar"]["closing_date"]))
    raw["leases"][0]["start"] = raw["calendar"]["start"]
    return build(raw)


def _bond(case: dict):
    cal = case["calendar"]
    holidays = HOLIDAYS[cal.get("holidays", "none")]
    pay = CONVENTION[cal.get("business_day", "unadjusted")]
    first = _ql(case["first"]) if case["first"] else ql.Date()
    schedule = ql.Schedule(
        _ql(cal["closing_date"]), _ql(case["maturity"]), ql.Period(FREQUENCY[cal["payment_frequency"]]), holidays,
        ql.Unadjusted, ql.Unadjusted, ql.DateGeneration.Forward, False, first,
    )  # fmt: skip
    periods = len(schedule) - 1
    if case["amortisation"] == "bullet":
        bond = ql.FixedRateBond(0, BALANCE, schedule, [RATE], DAY_COUNTS[case["day_count"]], pay)
    else:
        notionals = [BALANCE * (1 - k / periods) for k in range(periods)]
        bond = ql.AmortizingFixedRateBond(0, notionals, schedule, [RATE], DAY_COUNTS[case["day_count"]], pay)
    return bond, holidays


def _ql_flows(bond) -> dict[dt.date, list[float]]:
    flows: dict[dt.date, list[float]] = {}
    for cf in bond.cashflows():
        part = flows.setdefault(_py(cf.date()), [0.0, 0.0])
        part[0 if ql.as_coupon(cf) is not None else 1] += cf.amount()
    return flows


def _engine_flows(deal, cashflows) -> dict[dt.date, list[float]]:
    paid_on = Schedule(deal.calendar).payment_date
    rows = cashflows.filter((pl.col("path") == 0) & ((pl.col("interest_paid") + pl.col("principal_paid")) > 0))
    return {paid_on[int(r["period"])]: [r["interest_paid"], r["principal_paid"]] for r in rows.iter_rows(named=True)}


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    spec = CASES[request.param]
    deal = _deal(spec)
    bond, _ = _bond(spec)
    settings = ql.Settings.instance()
    before = settings.evaluationDate
    settings.evaluationDate = _ql(spec["calendar"]["closing_date"])
    yield spec, deal, simulate(deal).cashflows, bond
    settings.evaluationDate = before


def test_dates_interest_and_principal_match_quantlib_to_the_cent(case) -> None:
    spec, deal, cashflows, bond = case
    engine, expected = _engine_flows(deal, cashflows), _ql_flows(bond)
    assert sorted(engine) == sorted(expected)
    if "business_day" in spec["calendar"]:  # the case moves some dates off the payment day
        assert any(d.day != spec["calendar"]["payment_day"] for d in engine)
    worst = max(abs(engine[d][j] - expected[d][j]) for d in expected for j in (0, 1))
    assert worst < 0.005, worst


def test_yield_duration_and_price_match_quantlib(case) -> None:
    spec, deal, cashflows, bond = case
    frequency = FREQUENCY[spec["calendar"]["payment_frequency"]]
    day_count = DAY_COUNTS[spec["day_count"]]
    settle = _ql(spec["calendar"]["closing_date"])
    row = tranche_metrics(deal, cashflows, discount_rate=0.09).row(0, named=True)
    expected_yield = ql.BondFunctions.bondYield(
        bond, ql.BondPrice(100.0, ql.BondPrice.Clean), day_count, ql.Compounded, frequency, settle, 1e-12
    )
    assert row["yield"] == pytest.approx(expected_yield, abs=1e-6)
    for kind, column in ((ql.Duration.Macaulay, "macaulay_years"), (ql.Duration.Modified, "modified_duration")):
        expected = ql.BondFunctions.duration(bond, row["yield"], day_count, ql.Compounded, frequency, kind, settle)
        assert row[column] == pytest.approx(expected, abs=1e-6), column
    price = ql.BondFunctions.cleanPrice(bond, 0.09, day_count, ql.Compounded, frequency, settle)
    assert row["price"] == pytest.approx(price, abs=1e-6)
