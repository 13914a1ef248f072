"""Facts the public record implies about the shipped deals, checked on the engine."""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import polars as pl
import pytest

from waterfall.engine import run
from waterfall.market import base_case
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.results import simulate
from waterfall.spec.load import load_deal


@pytest.fixture(scope="module")
def library(deals_dir):
    return lambda name: load_deal(deals_dir / f"{name}.toml")


def test_hyperion_pays_about_6_58_percent_on_27_3_billion_in_its_first_year(library) -> None:
    deal = library("meta_hyperion")
    results = simulate(deal)
    senior = results.cashflows.filter(pl.col("tranche") == "senior", pl.col("period") < 12)
    annual = senior["interest_due"].sum()
    assert annual == pytest.approx(0.0658 * 27.3e9, rel=0.01)


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
    bonds that payment date; the campus is vacant a year, then re-let at Meta's rent. The
    DSRA's six months run out first, so the bonds default and the campus is sold (where
    the RVG tops up the sale price)."""
    deal = library("meta_hyperion")
    declines_first = {"meta_lease": np.array([[False, True, True, True]])}
    tape = run(deal, attrs.evolve(base_case(deal, paths=1), option_renews=declines_first))
    end = deal.calendar.month_of(dt.date(2033, 6, 1))  # the initial term's end
    rvg = tape.ledger.flows[("Meta", "rvg_proceeds")][:, 0]
    threshold = next(p.amount for p in deal.guarantees[0].thresholds if p.date == dt.date(2033, 6, 1))
    assert rvg[end] == pytest.approx(threshold - tape.period["collateral_value"][end, 0], abs=0.01)
    sale = np.flatnonzero(tape.ledger.flows[("collateral_sale", "operating")][:, 0])
    assert set(np.flatnonzero(rvg)) == {end, *sale}
    assert tape.ledger.flows[("rvg_proceeds", "senior")][end, 0] == pytest.approx(rvg[end], abs=0.01)
    assert (tape.ledger.flows[("Meta", "operating")][end:, 0] == 0).all()
    relet = tape.ledger.flows[("meta_lease re-let", "operating")][:, 0]
    assert (relet[: end + 12] == 0).all()
    assert relet[end + 12] == pytest.approx(1_651.2 * 124_152.13, abs=0.01)
    vacancy = tape.period["opex"][end : end + 12, 0]
    np.testing.assert_allclose(vacancy, 18e6)
    assert end + 6 <= tape.default_month[0] < end + 12  # the DSRA's six months, then default
