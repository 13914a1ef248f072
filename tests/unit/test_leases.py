"""Leases that behave like leases: renewal options in sequence, re-letting, per-MW walk-away.

Every expected figure is worked out by hand from the terms (closed form).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.builders import build, campus_deal, month, run_deal
from waterfall.market.curves import Market

HORIZON = 48
RELET = "lease re-let"


def market(paths: int = 1, horizon: int = HORIZON, **fields: Any) -> Market:
    return Market(paths=paths, **fields)


def flow(tape, source: str, destination: str = "operating") -> np.ndarray:
    return tape.ledger.flows.get((source, destination), np.zeros((tape.ledger.months, tape.ledger.paths)))


def test_a_campus_is_re_let_after_its_tenant_defaults_and_bears_its_costs_while_vacant() -> None:
    relet = {"downtime_months": 6, "term_months": 24, "leasing_cost_months": 2.0, "vacancy_cost_monthly": 50_000.0}
    deal = build(campus_deal({"term_months": 48, "escalator": 0.03, "relet": relet}))
    factor = np.full((2, HORIZON), 0.8)
    factor[1] = 1.2
    tape = run_deal(deal, market(2, campus_rent={"campus": factor}, tenant_default={"tenant": np.array([12, 12])}))
    tenant, new = flow(tape, "tenant"), flow(tape, RELET)
    np.testing.assert_allclose(tenant[:12], 1e6)  # the first year, before any anniversary
    assert (tenant[12:] == 0).all()
    # vacant months 12..17; the new tenant signs in month 18 at contract rent x the factor then,
    # escalating 3% from its own signing; its 24 months end in 41, then vacant again
    assert (new[:18] == 0).all() and (new[42:] == 0).all()
    for path, level in enumerate((0.8, 1.2)):
        np.testing.assert_allclose(new[18:30, path], 1e6 * level)
        np.testing.assert_allclose(new[30:42, path], 1e6 * level * 1.03)
    opex = tape.period["opex"]
    vacant = np.r_[12:18, 42:48]
    np.testing.assert_allclose(opex[vacant], 50_000.0)
    np.testing.assert_allclose(opex[18], [2.0 * 0.8e6, 2.0 * 1.2e6])  # leasing costs at signing
    let = np.r_[0:12, 19:42]
    assert (opex[let] == 0).all()
    # the first vacancy's costs are paid (from the new tenant's first rent); the last one's stay
    # owed: everything went to equity month by month and no rent comes in after month 41
    np.testing.assert_allclose(flow(tape, "operating", "vacancy_costs").sum(axis=0), 6 * 50_000.0)
    np.testing.assert_allclose(flow(tape, "operating", "leasing_costs").sum(axis=0), [1.6e6, 2.4e6])


def test_without_re_letting_a_campus_whose_tenant_leaves_earns_nothing() -> None:
    deal = build(campus_deal({"term_months": 48}))
    tape = run_deal(deal, market(1, tenant_default={"tenant": np.array([12])}))
    assert (flow(tape, "tenant")[12:] == 0).all()
    assert not any(RELET in key for key in tape.ledger.flows)


def test_re_letting_follows_a_lease_that_ends_without_renewal_and_can_have_no_downtime() -> None:
    relet = {"downtime_months": 0, "term_months": 12}
    deal = build(
        campus_deal({"relet": relet, "renewals": [{"term_months": 12, "basis": "fixed", "exercise": "never"}]})
    )
    tape = run_deal(deal, market(1, campus_rent={"campus": np.full((1, HORIZON), 0.5)}))
    np.testing.assert_allclose(flow(tape, "tenant")[:12, 0], 1e6)
    np.testing.assert_allclose(flow(tape, RELET)[12:, 0], 0.5e6)  # re-let again at once, each year
    assert (tape.period["opex"] == 0).all()


@pytest.mark.parametrize("level", [0.69, 0.71])
def test_per_mw_walk_away_fires_at_the_stated_discount(level: float) -> None:
    walk = {"earliest_month": 6, "fee_months": 3.0, "walk_discount": 0.3}
    deal = build(campus_deal({"term_months": 36, "early_termination": walk}))
    factor = np.ones((1, HORIZON))
    factor[0, 10:] = level  # market falls to `level` x contract from month 10
    tape = run_deal(deal, market(1, campus_rent={"campus": factor}))
    tenant = flow(tape, "tenant")[:, 0]
    if level < 0.7:  # more than 30% below contract: the tenant walks in month 10, paying 3 months
        np.testing.assert_allclose(tenant[:10], 1e6)
        assert tenant[10] == pytest.approx(3e6)
        assert (tenant[11:] == 0).all()
    else:
        np.testing.assert_allclose(tenant[:36], 1e6)
        assert (tenant[36:] == 0).all()


def test_walk_away_waits_for_its_earliest_month() -> None:
    walk = {"earliest_month": 20, "fee_months": 1.0, "walk_discount": 0.3}
    deal = build(campus_deal({"term_months": 36, "early_termination": walk}))
    factor = np.full((1, HORIZON), 0.5)
    tape = run_deal(deal, market(1, campus_rent={"campus": factor}))
    tenant = flow(tape, "tenant")[:, 0]
    np.testing.assert_allclose(tenant[:20], 1e6)
    assert tenant[20] == pytest.approx(1e6) and (tenant[21:] == 0).all()


def test_options_come_up_in_order_each_with_its_own_basis() -> None:
    options = [
        {"term_months": 12, "basis": "escalated", "exercise": "always", "step": 0.10},
        {"term_months": 12, "basis": "market", "exercise": "always"},
        {"term_months": 6, "basis": "fixed", "exercise": "always"},
    ]
    deal = build(campus_deal({"renewals": options}))
    factor = np.full((1, HORIZON), 0.9)
    tape = run_deal(deal, market(1, campus_rent={"campus": factor}))
    tenant = flow(tape, "tenant")[:, 0]
    np.testing.assert_allclose(tenant[:12], 1e6)
    np.testing.assert_allclose(tenant[12:24], 1.1e6)  # the expiring rent x 1.10
    np.testing.assert_allclose(tenant[24:36], 0.9e6)  # market: contract x the factor
    np.testing.assert_allclose(tenant[36:42], 0.9e6)  # fixed: the expiring rent carries on
    assert (tenant[42:] == 0).all()


def test_scenario_options_are_decided_one_by_one_from_their_own_draws() -> None:
    options = [{"term_months": 12, "basis": "fixed", "exercise": "scenario"} for _ in range(3)]
    deal = build(campus_deal({"renewals": options}))
    # path 0 takes every option; path 1 declines the second; path 2 declines the first
    draws = np.array([[True, True, True], [True, False, True], [False, True, True]])
    tape = run_deal(deal, market(3, option_renews={"lease": draws}))
    months_paid = (flow(tape, "tenant") > 0).sum(axis=0)
    np.testing.assert_array_equal(months_paid, [48, 24, 12])


def test_always_options_ignore_the_draws_and_never_stops_the_lease() -> None:
    options = [
        {"term_months": 12, "basis": "fixed", "exercise": "always"},
        {"term_months": 12, "basis": "fixed", "exercise": "never"},
        {"term_months": 12, "basis": "fixed", "exercise": "always"},
    ]
    deal = build(campus_deal({"renewals": options}))
    tape = run_deal(deal, market(1, option_renews={"lease": np.array([[False, False, False]])}))
    assert (flow(tape, "tenant") > 0).sum() == 24


def test_the_single_renewal_key_keeps_its_one_tenant_draw() -> None:
    deal = build(campus_deal({"renewal": {"term_months": 24, "basis": "fixed", "exercise": "always"}}))
    tape = run_deal(deal, market(2, tenant_renews={"tenant": np.array([True, False])}))
    np.testing.assert_array_equal((flow(tape, "tenant") > 0).sum(axis=0), [36, 12])


def test_a_campus_is_re_let_when_its_backstop_runs_out() -> None:
    relet = {"downtime_months": 3, "term_months": 60}
    raw = campus_deal({"term_months": 48, "start": month(6), "relet": relet})
    raw["guarantees"] = [{"type": "lease_backstop", "name": "bs", "guarantor": "parent", "lease": "lease", "cap": 4e6}]
    deal = build(raw)
    # path 0: default in month 10, the backstop pays four months (10..13), vacant 14..16, re-let from 17;
    # path 1: the tenant fails in month 2, before the lease starts in month 6: the backstop pays
    # from the start (6..9), vacant 10..12, re-let from 13
    ones = {"campus": np.ones((2, HORIZON))}
    tape = run_deal(deal, market(2, campus_rent=ones, tenant_default={"tenant": np.array([10, 2])}))
    parent, new = flow(tape, "parent"), flow(tape, RELET)
    np.testing.assert_allclose(parent[10:14, 0], 1e6)
    np.testing.assert_allclose(parent[6:10, 1], 1e6)
    assert parent.sum(axis=0) == pytest.approx([4e6, 4e6])
    assert (new[:17, 0] == 0).all() and (new[17:, 0] == 1e6).all()
    assert (new[:13, 1] == 0).all() and (new[13:, 1] == 1e6).all()


def test_a_campus_whose_tenant_fails_before_its_lease_starts_is_re_let() -> None:
    raw = campus_deal({"term_months": 48, "start": month(6), "relet": {"downtime_months": 3, "term_months": 60}})
    ones = {"campus": np.ones((1, HORIZON))}
    tape = run_deal(build(raw), market(1, campus_rent=ones, tenant_default={"tenant": np.array([2])}))
    assert flow(tape, "tenant").sum() == 0
    new = flow(tape, RELET)[:, 0]
    assert (new[:9] == 0).all() and (new[9:] == 1e6).all()  # vacant from the lease's start, 6..8


def test_re_let_rent_waits_in_the_collection_account_like_the_first_tenants() -> None:
    # a deal whose collection periods end at month end, paying on the 15th of the next month:
    # every rent, the original tenant's and the new tenant's, is received into ``collections``
    raw = campus_deal({"term_months": 48, "relet": {"downtime_months": 3, "term_months": 24}})
    raw["calendar"].update(
        payment_day=15, first_payment_date=f"{month(1)}-15", collection_period_end={"type": "month_end"}
    )
    tape = run_deal(
        build(raw), market(1, campus_rent={"campus": np.ones((1, HORIZON))}, tenant_default={"tenant": np.array([12])})
    )
    assert not flow(tape, RELET).any()  # nothing straight to operating
    received = flow(tape, RELET, "collections")[:, 0]
    # signs in month 15 for 24 months, then after 3 months vacant again in month 42
    let = np.r_[15:39, 42:HORIZON]
    np.testing.assert_allclose(received[let], 1e6)
    assert (np.delete(received, let) == 0).all()
    # each month-end's balance is that month's rent, released on the next payment date (the
    # horizon's last releases its own month too)
    held = tape.accounts["collections"][:, 0]
    np.testing.assert_allclose(held[let[:-1]], 1e6)
    released = flow(tape, "collections")[:, 0]
    np.testing.assert_allclose(released[let[:-1] + 1], 1e6 + received[let[:-1] + 1] * (let[:-1] + 1 == HORIZON - 1))
