"""Facts the public record implies about the shipped deals, checked on the engine."""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import polars as pl
import pytest

from waterfall.engine import run
from waterfall.engine.clock import Schedule
from waterfall.market import base_case
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.results import simulate
from waterfall.spec.load import load_deal
from waterfall.spec.payment_dates import adjust


@pytest.fixture(scope="module")
def library(deals_dir):
    return lambda name: load_deal(deals_dir / f"{name}.toml")


def _coupons(results, tranche: str) -> pl.DataFrame:
    flows = results.cashflows.filter(pl.col("tranche") == tranche, pl.col("interest_due") > 0)
    return flows.sort("period")


def test_hyperion_pays_semiannual_30_360_coupons_from_a_long_first_coupon(library) -> None:
    """Closing 15 Oct 2025, coupons on 15 May / 15 Nov: the first, 15 Oct to 15 May, is
    210 days of 30/360; then 180-day halves; a year of coupons is 6.58% of $27.3bn."""
    deal = library("meta_hyperion")
    schedule = Schedule(deal.calendar)
    paying = schedule.payment_months
    assert [schedule.payment_date[m] for m in paying[:3]] == [
        dt.date(2026, 5, 15),
        dt.date(2026, 11, 16),  # the 15th is a Sunday: the next business day
        dt.date(2027, 5, 17),  # a Saturday, then Sunday
    ]
    assert schedule.payment_date[deal.calendar.month_of(dt.date(2049, 5, 1))] == dt.date(2049, 5, 17)
    coupons = _coupons(simulate(deal), "senior")
    assert coupons["period"].to_list()[:2] == list(paying[:2])
    due = coupons["interest_due"].to_list()
    assert due[0] == 27_300_000_000.00 * 0.0658 * 210 / 360 == 1_047_865_000.00
    assert due[1] == due[2] == 27_300_000_000.00 * 0.0658 / 2 == 898_170_000.00
    assert sum(due[1:3]) == pytest.approx(0.0658 * 27.3e9, abs=0.01)


def test_hyperion_amortises_in_40_level_semiannual_payments_the_rent_covers(library) -> None:
    """From 15 Nov 2029 to 15 May 2049: 40 payments of the annuity at 3.29% a half-year;
    six months of Beignet's rent fall 0.57% short of one, and the rent's interest while
    held to the coupon date (reinvestment) makes it up, so the DSRA is never drawn."""
    deal = library("meta_hyperion")
    results = simulate(deal)
    flows = results.cashflows.filter(pl.col("tranche") == "senior", pl.col("principal_scheduled") > 0).sort("period")
    assert flows.height == 40
    assert flows["date"][0] == dt.date(2029, 11, 1) and flows["date"][-1] == dt.date(2049, 5, 1)
    rate = 0.0658 / 2
    level = 27.3e9 * rate / (1 - (1 + rate) ** -40)
    service = (flows["interest_due"] + flows["principal_scheduled"]).to_numpy()
    np.testing.assert_allclose(service, level, atol=0.02)
    rent = 6 * 1_651.2 * 124_152.13
    assert rent / level == pytest.approx(0.99429, abs=1e-5)
    periods = results.periods.filter(pl.col("period") < flows["period"][-1])
    assert periods["account_dsra"].min() == pytest.approx(1_237_060_981.82, abs=0.01)
    assert (periods["mode"] == "normal").all()


def test_terawulf_pays_on_15_april_and_october_from_a_short_first_coupon(library) -> None:
    """Issued 23 Oct 2025, first coupon 15 Apr 2026 (S39): 172 days of 30/360."""
    deal = library("terawulf_fluidstack")
    schedule = Schedule(deal.calendar)
    assert {(d.month, d.day) for d in schedule.payment_date.values()} <= {(4, 15), (4, 16), (4, 17), (10, 15), (10, 16)}
    assert schedule.payment_date[schedule.payment_months[0]] == dt.date(2026, 4, 15)
    first = _coupons(simulate(deal), "notes")["interest_due"][0]
    assert first == pytest.approx(3_200_000_000.00 * 0.0775 * 172 / 360, abs=0.005)  # $118,488,888.89


def test_qts_distributes_monthly_on_the_15th_or_the_next_bond_market_day(library) -> None:
    deal = library("qts_cmbs")
    schedule = Schedule(deal.calendar)
    dates = [schedule.payment_date[m] for m in schedule.payment_months]
    assert len(dates) == deal.calendar.horizon_months - 1  # every month after the closing month
    for date in dates:
        assert adjust(date.replace(day=15), "following", "SIFMA") == date
    assert dates[1] == dt.date(2026, 2, 17)  # Sunday 15th, then Presidents' Day
    # the first period runs 15 Dec 2025 to 15 Jan 2026: 31 days of ACT/360 at SOFR + 125bp
    tape = simulate(deal).tape
    interest = tape.tranche["interest_due"][1, 0, 0]
    assert interest == pytest.approx(1_384_000_000.00 * (0.038 + 0.0125) * 31 / 360, rel=1e-3)


def test_the_xai_lease_covers_the_spvs_debt_service_in_the_base_case(library) -> None:
    deal = library("xai_colossus2")
    results = simulate(deal)
    ledger = results.ledger
    rent = ledger.filter(pl.col("source") == "xAI")["amount"].sum()
    service = (
        results.cashflows.filter(pl.col("tranche") == "senior")
        .select(pl.col("interest_paid").sum() + pl.col("principal_paid").sum())
        .item()
    )
    assert rent > service
    senior = results.tranches.filter(pl.col("tranche") == "senior").row(0, named=True)
    assert senior["loss"] < 0.01 and senior["default_period"] is None


def test_abilene_lenders_have_no_recourse_beyond_the_campus(library) -> None:
    deal = library("crusoe_abilene")
    assert deal.guarantees == ()  # no sponsor, parent or tenant support
    market = attrs.evolve(base_case(deal, paths=1), tenant_default={"Oracle": np.array([30])})
    tape = run(deal, market)
    # cash comes only from the tenant, the closing sources and the sale of the campus
    sources = {src for (src, dst), flow in tape.ledger.flows.items() if dst == "operating" and flow.sum() > 0}
    assert sources <= {"Oracle", "closing", "collateral_sale", *deal.account_names}
    outcomes = tranche_outcomes(tape)
    loss = dict(zip(outcomes["tranche"], outcomes["loss_pct"], strict=True))
    lenders = [t.name for t in deal.tranches]
    assert any(loss[name] > 0 for name in lenders)  # the lenders do lose once Oracle fails
    assert loss["equity"] >= max(loss[name] for name in lenders)  # equity takes the first loss


def test_terawulf_notes_are_protected_while_google_survives_a_fluidstack_default(library) -> None:
    deal = library("terawulf_fluidstack")
    fails = np.array([24, 24])
    google = np.array([-1, 30])  # survives on path 0, fails six months later on path 1
    market = attrs.evolve(base_case(deal, paths=2), tenant_default={"Fluidstack": fails, "Google": google})
    outcomes = tranche_outcomes(run(deal, market)).filter(pl.col("tranche") == "notes")
    loss = outcomes.sort("path")["loss"].to_list()
    assert loss[0] == pytest.approx(0.0, abs=0.01)
    assert loss[1] > loss[0]


def test_hyperion_after_meta_declines_its_first_option(library) -> None:
    """2033: the RVG pays the June 2033 threshold less the campus's value, which redeems
    bonds on the next coupon date (15 Nov 2033); the campus is vacant a year, then re-let
    at Meta's rent. The DSRA's one semiannual payment runs out first (that November), so
    the bonds default on the May 2034 coupon and the campus is sold (where the RVG tops up
    the sale price)."""
    deal = library("meta_hyperion")
    declines_first = {"meta_lease": np.array([[False, True, True, True]])}
    tape = run(deal, attrs.evolve(base_case(deal, paths=1), option_renews=declines_first))
    end = deal.calendar.month_of(dt.date(2033, 6, 1))  # the initial term's end
    rvg = tape.ledger.flows[("Meta", "rvg_proceeds")][:, 0]
    threshold = next(p.amount for p in deal.guarantees[0].thresholds if p.date == dt.date(2033, 6, 1))
    assert rvg[end] == pytest.approx(threshold - tape.period["collateral_value"][end, 0], abs=0.01)
    sale = np.flatnonzero(tape.ledger.flows[("collateral_sale", "operating")][:, 0])
    assert set(np.flatnonzero(rvg)) == {end, *sale}
    coupon = min(m for m in Schedule(deal.calendar).payment_months if m >= end)
    assert coupon == deal.calendar.month_of(dt.date(2033, 11, 1))
    assert tape.ledger.flows[("rvg_proceeds", "senior")][coupon, 0] == pytest.approx(rvg[end], abs=0.01)
    assert (tape.ledger.flows[("rvg_proceeds", "senior")][end:coupon, 0] == 0).all()
    assert (tape.ledger.flows[("Meta", "operating")][end:, 0] == 0).all()
    relet = tape.ledger.flows[("meta_lease re-let", "operating")][:, 0]
    assert (relet[: end + 12] == 0).all()
    assert relet[end + 12] == pytest.approx(1_651.2 * 124_152.13, abs=0.01)
    vacancy = tape.period["opex"][end : end + 12, 0]
    np.testing.assert_allclose(vacancy, 18e6)
    assert tape.default_month[0] == coupon + 6  # the DSRA's one coupon, then default on the next
