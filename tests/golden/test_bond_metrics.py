"""Tranche metrics against QuantLib, numpy-financial and closed forms.

Each deal has one tranche and a fixed rent far above its debt service, so every
amount due is paid and the tranche is an ordinary amortising bond. QuantLib
builds the same bond from its own notional schedule, coupon and day count; the
engine's cash flows must match it to the cent, and the tranche metrics must
match QuantLib's yield, durations, price and Z-spread to 1e-6. Yield, duration
and a flat-rate price are quoted on the tranche's own day count and payment
frequency unless another quote is stated, every stated one against QuantLib's
``BondFunctions`` on the same day count and compounding; the Z-spread counts
months / 12 (the engine's clock), QuantLib's 30/360 bond basis between first
days of months.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy_financial as npf
import polars as pl
import pytest
import QuantLib as ql  # noqa: N813  (the library's own convention)

from tests.builders import START, build, month, one_tranche_deal
from tests.properties.scenarios import example_under_stress
from waterfall.analytics import tranche_metrics
from waterfall.analytics.bond import curve_discount, investor_flows
from waterfall.analytics.quote import Quote
from waterfall.engine import run
from waterfall.market.curves import base_case
from waterfall.results import Results, simulate

BALANCE = 1_000_000.0
YEARS = ql.Thirty360(ql.Thirty360.BondBasis)  # months / 12 between first days of months
DAY_COUNTS = {"30/360": YEARS, "ACT/360": ql.Actual360(), "ACT/365F": ql.Actual365Fixed()}
FREQUENCY = {"monthly": ql.Monthly, "quarterly": ql.Quarterly}
QUOTE_DAY_COUNTS = {
    **DAY_COUNTS,
    "30E/360": ql.Thirty360(ql.Thirty360.European),
    "ACT/ACT": ql.ActualActual(ql.ActualActual.ISDA),
}
QUOTE_FREQUENCIES = {"annual": ql.Annual, "semiannual": ql.Semiannual, "quarterly": ql.Quarterly, "monthly": ql.Monthly}
STEP = {"monthly": 1, "quarterly": 3}
SLOPED_SOFR = {"points": [{"month": 0, "rate": 0.031}, {"month": 36, "rate": 0.042}, {"month": 60, "rate": 0.038}]}


@pytest.fixture(autouse=True)
def _after_every_fixing():
    """Floating coupons read fixings as history: evaluate after the last payment date."""
    settings = ql.Settings.instance()
    before = settings.evaluationDate
    settings.evaluationDate = ql.Date(1, 1, 2040)
    yield
    settings.evaluationDate = before


def _ql(date: dt.date) -> ql.Date:
    return ql.Date(date.day, date.month, date.year)


def _deal(tranche: dict, horizon: int, frequency: str, day_count: str, sofr: dict | None = None):
    raw = one_tranche_deal(
        {"balance": BALANCE, "legal_maturity": month(horizon - 1), **tranche},
        horizon=horizon,
        monthly_rent=2 * BALANCE,  # ample: every amount due is paid, a bullet included
        frequency=frequency,
        day_count=day_count,
    )
    if sofr is not None:
        raw["market"]["index"]["SOFR"] = sofr
    return build(raw)


def _payment_dates(horizon: int, frequency: str) -> list[dt.date]:
    """Closing, then the first day of the month after each payment month."""
    step = STEP[frequency]
    months = [0, *range(step, horizon + 1, step)]
    return [dt.date(2026 + m // 12, m % 12 + 1, 1) for m in months]


def _straight_line_notionals(periods: int) -> list[float]:
    return [BALANCE * (1 - k / periods) for k in range(periods)]


def _annuity_notionals(rate: float, periods: int) -> list[float]:
    """Balance before each payment of a level annuity at ``rate`` a period."""
    payment = BALANCE * rate / (1 - (1 + rate) ** -periods)
    return [BALANCE * (1 + rate) ** k - payment * ((1 + rate) ** k - 1) / rate for k in range(periods)]


def _schedule(dates: list[dt.date], frequency: str) -> ql.Schedule:
    schedule = ql.Schedule(
        _ql(dates[0]), _ql(dates[-1]), ql.Period(FREQUENCY[frequency]), ql.NullCalendar(),
        ql.Unadjusted, ql.Unadjusted, ql.DateGeneration.Forward, False,
    )  # fmt: skip
    assert list(schedule) == [_ql(d) for d in dates]
    return schedule


def _fixed_bond(dates, frequency, notionals, rate, day_count):
    schedule = _schedule(dates, frequency)
    return ql.AmortizingFixedRateBond(0, notionals, schedule, [rate], DAY_COUNTS[day_count], ql.Unadjusted, _ql(START))


def _floating_bond(dates, frequency, notionals, spread, day_count, deal):
    index = ql.IborIndex(
        "SOFR", ql.Period(1, ql.Months), 0, ql.USDCurrency(), ql.NullCalendar(), ql.Unadjusted, False, YEARS
    )
    sofr = base_case(deal).index["SOFR"][0]
    for m, rate in enumerate(sofr):
        index.addFixing(_ql(deal.calendar.date_of(m)), float(rate), True)  # the index fixes in each month's start
    schedule = _schedule(dates, frequency)
    bond = ql.AmortizingFloatingRateBond(
        0, notionals, schedule, index, DAY_COUNTS[day_count], ql.Unadjusted, 0, [1.0], [spread]
    )
    ql.setCouponPricer(bond.cashflows(), ql.BlackIborCouponPricer())
    return bond


def _ql_flows(bond) -> dict[dt.date, tuple[float, float]]:
    """(interest, principal) QuantLib pays on each date."""
    flows: dict[dt.date, list[float]] = {}
    for cf in bond.cashflows():
        d = cf.date()
        key = dt.date(d.year(), d.month(), d.dayOfMonth())
        part = flows.setdefault(key, [0.0, 0.0])
        part[0 if ql.as_coupon(cf) is not None else 1] += cf.amount()
    return {k: (v[0], v[1]) for k, v in flows.items()}


def _engine_flows(results) -> dict[dt.date, tuple[float, float]]:
    rows = results.cashflows.filter(pl.col("path") == 0)
    paid = rows.filter((pl.col("interest_paid") + pl.col("principal_paid")) > 0)
    return {
        results.deal.calendar.date_of(int(r["period"]) + 1): (r["interest_paid"], r["principal_paid"])
        for r in paid.iter_rows(named=True)
    }


CASES = [
    # (coupon, amortisation, horizon, frequency, day count)
    ("fixed", "level_annuity", 60, "monthly", "30/360"),
    ("fixed", "straight_line", 48, "quarterly", "30/360"),
    ("fixed", "straight_line", 36, "monthly", "ACT/360"),
    ("fixed", "straight_line", 60, "quarterly", "ACT/365F"),
    ("floating", "straight_line", 60, "monthly", "ACT/360"),
    ("floating", "straight_line", 48, "quarterly", "ACT/360"),
    ("floating", "straight_line", 36, "monthly", "30/360"),
]


def _case(coupon: str, amortisation: str, horizon: int, frequency: str, day_count: str):
    periods = horizon // STEP[frequency]
    rate, spread = 0.0725, 0.0275
    terms = {
        "coupon": {"type": "fixed", "rate": rate}
        if coupon == "fixed"
        else {"type": "floating", "index": "SOFR", "spread": spread},
        "amortisation": {"type": "bullet"}
        if amortisation == "bullet"
        else {"type": amortisation, "term_months": horizon},
    }
    deal = _deal(terms, horizon, frequency, day_count, sofr=SLOPED_SOFR)
    dates = _payment_dates(horizon, frequency)
    if amortisation == "level_annuity":
        notionals = _annuity_notionals(rate * STEP[frequency] / 12, periods)  # 30/360: a month is 1/12 year
    elif amortisation == "bullet":
        notionals = [BALANCE] * periods
    else:
        notionals = _straight_line_notionals(periods)
    if coupon == "fixed":
        bond = _fixed_bond(dates, frequency, notionals, rate, day_count)
    else:
        bond = _floating_bond(dates, frequency, notionals, spread, day_count, deal)
    return deal, bond


@pytest.mark.parametrize(("coupon", "amortisation", "horizon", "frequency", "day_count"), CASES)
def test_cash_flows_match_quantlib_to_the_cent(coupon, amortisation, horizon, frequency, day_count) -> None:
    deal, bond = _case(coupon, amortisation, horizon, frequency, day_count)
    engine = _engine_flows(simulate(deal))
    expected = _ql_flows(bond)
    assert sorted(engine) == sorted(expected)
    for date, (interest, principal) in expected.items():
        assert engine[date][0] == pytest.approx(interest, abs=0.005), (date, "interest")
        assert engine[date][1] == pytest.approx(principal, abs=0.005), (date, "principal")


@pytest.mark.parametrize(("coupon", "amortisation", "horizon", "frequency", "day_count"), CASES)
def test_yield_duration_price_and_spread_match_quantlib(coupon, amortisation, horizon, frequency, day_count) -> None:
    deal, bond = _case(coupon, amortisation, horizon, frequency, day_count)
    settle = _ql(START)
    row = tranche_metrics(deal, simulate(deal).cashflows, discount_rate=0.09).row(0, named=True)

    # by default quoted on the tranche's own day count and payment frequency
    assert (row["day_count"], row["compounding"]) == (day_count, frequency)
    _assert_quotes_match(row, bond, DAY_COUNTS[day_count], FREQUENCY[frequency], 0.09)

    # Z-spread over the deal's SOFR curve, its monthly forwards compounded into discount factors
    sofr = base_case(deal).index["SOFR"][0]
    dates = [_ql(deal.calendar.date_of(k)) for k in range(len(sofr) + 1)]
    curve = ql.DiscountCurve(dates, list(curve_discount(sofr)), YEARS)
    curve.enableExtrapolation()
    spread = ql.BondFunctions.zSpread(
        bond, ql.BondPrice(100.0, ql.BondPrice.Clean), ql.YieldTermStructureHandle(curve).currentLink(),
        YEARS, ql.Compounded, ql.Monthly, settle, 1e-12,
    )  # fmt: skip
    assert row["spread_bp"] == pytest.approx(spread * 1e4, abs=1e-6 * 1e4)


def _assert_quotes_match(row: dict, bond, day_count, frequency, discount_rate: float) -> None:
    """Yield, both durations and the price at ``discount_rate`` as QuantLib quotes them."""
    settle = _ql(START)
    expected_yield = ql.BondFunctions.bondYield(
        bond, ql.BondPrice(100.0, ql.BondPrice.Clean), day_count, ql.Compounded, frequency, settle, 1e-12
    )
    assert row["yield"] == pytest.approx(expected_yield, abs=1e-6)
    for kind, column in ((ql.Duration.Macaulay, "macaulay_years"), (ql.Duration.Modified, "modified_duration")):
        expected = ql.BondFunctions.duration(bond, row["yield"], day_count, ql.Compounded, frequency, kind, settle)
        assert row[column] == pytest.approx(expected, abs=1e-6), column
    price = ql.BondFunctions.cleanPrice(bond, discount_rate, day_count, ql.Compounded, frequency, settle)
    assert row["price"] == pytest.approx(price, abs=1e-6)


QUOTED_BONDS = [
    # (coupon, amortisation, horizon, payment frequency, accrual day count)
    ("fixed", "bullet", 60, "monthly", "ACT/360"),
    ("fixed", "bullet", 48, "quarterly", "30/360"),
    ("fixed", "level_annuity", 60, "monthly", "30/360"),
    ("fixed", "straight_line", 48, "quarterly", "ACT/365F"),
    ("floating", "straight_line", 48, "quarterly", "ACT/360"),
    ("floating", "bullet", 36, "monthly", "ACT/360"),
]


@pytest.fixture(scope="module")
def quoted_bonds() -> dict:
    """Each bond's deal, its base-case cash flows and QuantLib's bond, built once."""
    settings = ql.Settings.instance()
    before = settings.evaluationDate
    settings.evaluationDate = ql.Date(1, 1, 2040)  # floating coupons read fixings as history
    built = {}
    for case in QUOTED_BONDS:
        deal, bond = _case(*case)
        built[case] = (deal, simulate(deal).cashflows, bond)
    settings.evaluationDate = before
    return built


@pytest.mark.parametrize("frequency", list(QUOTE_FREQUENCIES))
@pytest.mark.parametrize("day_count", list(QUOTE_DAY_COUNTS))
@pytest.mark.parametrize("case", QUOTED_BONDS, ids=lambda c: "-".join(map(str, c)))
def test_a_stated_quote_matches_quantlib(case, day_count: str, frequency: str, quoted_bonds) -> None:
    deal, cashflows, bond = quoted_bonds[case]
    quote = Quote(day_count, frequency)
    row = tranche_metrics(deal, cashflows, discount_rate=0.08, quote=quote).row(0, named=True)
    assert (row["day_count"], row["compounding"]) == (day_count, frequency)
    _assert_quotes_match(row, bond, QUOTE_DAY_COUNTS[day_count], QUOTE_FREQUENCIES[frequency], 0.08)


def test_an_act_360_bond_at_its_coupon_is_quoted_on_act_360() -> None:
    """A 9.5% ACT/360 monthly bullet lent at par: about 9.499% on its own day count (as
    QuantLib quotes it), not the 9.635% its flows yield on a months / 12 clock."""
    deal = _bullet(0.095, 5, day_count="ACT/360")
    cashflows = simulate(deal).cashflows
    own = tranche_metrics(deal, cashflows).row(0, named=True)
    months = tranche_metrics(deal, cashflows, quote=Quote("30/360", "monthly")).row(0, named=True)
    assert own["yield"] == pytest.approx(0.094994, abs=1e-6)
    assert months["yield"] == pytest.approx(0.096354, abs=1e-6)


def test_a_semiannual_quote_is_the_monthly_yield_compounded_twice_a_year() -> None:
    """On 30/360 from the first of a month the quoting clock is months / 12, so quotes at two
    frequencies are one rate: (1 + y_2 / 2)^2 = (1 + y_12 / 12)^12."""
    deal = _bullet(0.07, 4)
    cashflows = simulate(deal).cashflows
    monthly = tranche_metrics(deal, cashflows, quote=Quote("30/360", "monthly")).row(0, named=True)["yield"]
    semiannual = tranche_metrics(deal, cashflows, quote=Quote("30/360", "semiannual")).row(0, named=True)["yield"]
    assert (1 + semiannual / 2) ** 2 == pytest.approx((1 + monthly / 12) ** 12, abs=1e-12)
    assert monthly == pytest.approx(0.07, abs=1e-12)


@pytest.mark.parametrize(("coupon", "amortisation", "horizon", "frequency", "day_count"), CASES)
def test_irr_matches_numpy_financial(coupon, amortisation, horizon, frequency, day_count) -> None:
    deal, _ = _case(coupon, amortisation, horizon, frequency, day_count)
    results = simulate(deal)
    flows = investor_flows(results.cashflows, "loan")
    expected = (1 + npf.irr(flows.net)) ** 12 - 1
    row = tranche_metrics(deal, results.cashflows).row(0, named=True)
    assert row["irr"] == pytest.approx(expected, abs=1e-8)
    # on the months / 12 clock (30/360 from the first of a month) the annual IRR and the
    # yield are one monthly rate under two compoundings
    row = tranche_metrics(deal, results.cashflows, quote=Quote("30/360", frequency)).row(0, named=True)
    monthly = (1 + row["irr"]) ** (1 / 12) - 1
    per_year = 12 // STEP[frequency]
    assert row["yield"] == pytest.approx(per_year * ((1 + monthly) ** STEP[frequency] - 1), abs=1e-12)


def _bullet(
    rate: float, years: int, frequency: str = "monthly", sofr: dict | None = None, spread=None, day_count="30/360"
):
    coupon = (
        {"type": "fixed", "rate": rate}
        if spread is None
        else {"type": "floating", "index": "SOFR", "spread": spread, "floor": 0.0}
    )
    return _deal({"coupon": coupon, "amortisation": {"type": "bullet"}}, 12 * years, frequency, day_count, sofr)


@pytest.mark.parametrize(("rate", "frequency"), [(0.06, "monthly"), (0.085, "quarterly")])
def test_bullet_priced_at_its_coupon_is_at_par(rate: float, frequency: str) -> None:
    deal = _bullet(rate, 5, frequency)
    row = tranche_metrics(deal, simulate(deal).cashflows, discount_rate=rate).row(0, named=True)
    assert row["price"] == pytest.approx(100.0, abs=1e-9)
    assert row["yield"] == pytest.approx(rate, abs=1e-9)
    assert row["wal_years"] == pytest.approx(5.0)
    assert row["moic"] == pytest.approx(1 + 5 * rate)
    assert row["coupon"] == f"{rate * 100:g}%"
    assert row["legal_maturity"] == dt.date(2030, 12, 1)
    assert row["loss"] == 0.0


def test_duration_of_a_zero_is_its_maturity() -> None:
    deal = _bullet(0.0, 7)
    row = tranche_metrics(deal, simulate(deal).cashflows, discount_rate=0.05).row(0, named=True)
    assert row["macaulay_years"] == pytest.approx(7.0, abs=1e-12)
    assert row["modified_duration"] == pytest.approx(7.0, abs=1e-12)  # at its own yield, 0
    assert row["price"] == pytest.approx(100 * (1 + 0.05 / 12) ** -84, abs=1e-9)


def test_floating_bullet_at_par_on_a_flat_curve_has_its_coupon_spread() -> None:
    flat = {"points": [{"month": 0, "rate": 0.04}]}
    deal = _bullet(0.0, 4, sofr=flat, spread=0.025)
    row = tranche_metrics(deal, simulate(deal).cashflows).row(0, named=True)
    assert row["coupon"] == "SOFR+250bp"
    assert row["benchmark"] == "SOFR"
    assert row["spread_bp"] == pytest.approx(250.0, abs=1e-6)
    assert row["yield"] == pytest.approx(0.065, abs=1e-9)
    # without a discount rate the price is on the benchmark curve: above par by the spread's value
    assert row["price"] > 100.0


def test_loss_and_irr_agree_with_the_tranches_table_on_stressed_paths(deals_dir) -> None:
    deal, market = example_under_stress(str(deals_dir / "gpu_lease_spv.toml"))
    results = Results(deal, run(deal, market))
    table = results.tranches.filter(pl.col("kind") == "debt")
    assert table["loss"].max() > 1.0  # the stress bites somewhere
    for path in range(market.paths):
        metrics = tranche_metrics(deal, results.cashflows, path=path)
        expected = table.filter(pl.col("path") == path)
        joined = metrics.join(expected, on="tranche", suffix="_table")
        # the bond's loss is all it was owed and never got: principal and interest
        np.testing.assert_allclose(joined["loss"], joined["loss_table"] + joined["interest_loss"], atol=1e-6)
        np.testing.assert_allclose(joined["irr"], joined["irr_table"], atol=1e-9)
        np.testing.assert_allclose(joined["wal_years"].fill_null(np.nan), joined["wal_years_table"].fill_null(np.nan))
