"""Guarantees: residual value guarantees and lease backstops respond to credit events."""

from __future__ import annotations

import attrs
import numpy as np
import polars as pl
import pytest

from tests.builders import build, campus_deal, month, run_deal
from waterfall.engine import run
from waterfall.market import base_case
from waterfall.market.curves import Market
from waterfall.market.generate import generate
from waterfall.market.scenario import load_scenario
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.spec.guarantee import LeaseBackstop, ResidualValueGuarantee
from waterfall.spec.load import load_deal

GUARANTOR = "Parent Co"


@pytest.fixture(scope="module")
def campus(deals_dir):
    """The campus deal leased to an unrated tenant, so the presets' spec-grade credit stresses it."""
    deal = load_deal(deals_dir / "campus_15y.toml")
    return attrs.evolve(deal, leases=tuple(attrs.evolve(lease, tenant="Campus Tenant") for lease in deal.leases))


def _with(deal, guarantee):
    return attrs.evolve(deal, guarantees=(guarantee,))


def test_rvg_keeps_the_senior_whole_while_the_guarantor_survives(campus) -> None:
    cost = sum(c.cost for c in campus.campuses)
    rvg = ResidualValueGuarantee(
        name="rvg", guarantor=GUARANTOR, lease="hyperscaler_lease", floor=1.0, cap=cost, covers_months=180
    )
    guaranteed = _with(campus, rvg)
    market = generate(load_scenario("bust"), guaranteed, seed=4, first_path=0, paths=2048)
    with_rvg = tranche_outcomes(run(guaranteed, market)).filter(pl.col("tranche") == "senior")
    without = tranche_outcomes(run(campus, market)).filter(pl.col("tranche") == "senior")
    alive = market.tenant_default[GUARANTOR] < 0
    losses = with_rvg["loss"].to_numpy()
    assert alive.sum() > 500 and (~alive).sum() > 10
    assert (losses[alive] <= 0.01).all()
    # not vacuous: without the guarantee the same paths lose
    assert (without["loss"].to_numpy()[alive] > 0.01).sum() > 20


def test_rvg_pays_nothing_after_its_cover_ends_or_beyond_its_cap(campus) -> None:
    cost = sum(c.cost for c in campus.campuses)
    market = generate(load_scenario("bust"), campus, seed=4, first_path=0, paths=1024)
    short_cover = ResidualValueGuarantee("rvg", GUARANTOR, "hyperscaler_lease", floor=1.0, cap=cost, covers_months=1)
    tape = run(_with(campus, short_cover), market)
    assert (GUARANTOR, "operating") not in tape.ledger.flows
    capped = ResidualValueGuarantee("rvg", GUARANTOR, "hyperscaler_lease", floor=1.0, cap=5e6, covers_months=180)
    tape = run(_with(campus, capped), market)
    paid = tape.ledger.flows[(GUARANTOR, "operating")].sum(axis=0)
    assert paid.max() <= 5e6 + 0.01 and paid.max() > 0


def test_backstop_pays_the_defaulted_tenants_rent_until_the_guarantor_fails(example_deal) -> None:
    months = example_deal.calendar.horizon_months
    backstop = LeaseBackstop(name="backstop", guarantor="Google", lease="anchor_lease", cap=1e12)
    deal = _with(example_deal, backstop)
    base = base_case(deal, paths=3)
    # path 0: tenant never defaults; path 1: tenant fails at month 20; path 2: then the guarantor at 30
    market = attrs.evolve(
        base,
        tenant_default={"Nimbus AI": np.array([-1, 20, 20]), "Google": np.array([-1, -1, 30])},
    )
    tape = run(deal, market)
    tenant = tape.ledger.flows[("Nimbus AI", "operating")]
    google = tape.ledger.flows[("Google", "operating")]
    # the tenant's rent before its default is what the guarantor pays after it, month by month
    np.testing.assert_allclose(google[20:60, 1], tenant[20:60, 0])
    assert (tenant[20:, 1] == 0).all() and (google[:20, 1] == 0).all()
    assert (google[30:, 2] == 0).all() and (google[20:30, 2] > 0).all()
    assert months == tenant.shape[0]


def test_backstop_stops_at_its_cap(example_deal) -> None:
    backstop = LeaseBackstop(name="backstop", guarantor="Google", lease="anchor_lease", cap=50e6)
    deal = _with(example_deal, backstop)
    market = attrs.evolve(base_case(deal, paths=1), tenant_default={"Nimbus AI": np.array([10])})
    tape = run(deal, market)
    assert tape.ledger.flows[("Google", "operating")].sum() == pytest.approx(50e6, abs=0.01)


# -- guarantees as written: dated thresholds, redemption, shared caps -----------------------

SCHEDULE = [
    {"date": month(0), "amount": 150e6},
    {"date": month(10), "amount": 130e6},  # above the campus's $100m cost
    {"date": month(20), "amount": 110e6},
]


def _rvg(**terms) -> dict:
    return {
        "type": "residual_value",
        "name": "rvg",
        "guarantor": GUARANTOR,
        "lease": "lease",
        "cap": 1e9,
        "covers_months": 48,
        "thresholds": SCHEDULE,
        **terms,
    }


def test_rvg_schedule_pays_the_threshold_in_force_when_the_lease_stops() -> None:
    deal = build({**campus_deal({"term_months": 48}), "guarantees": [_rvg()]})
    tape = run_deal(deal, Market(paths=2, tenant_default={"tenant": np.array([12, 25])}))
    paid = tape.ledger.flows[(GUARANTOR, "operating")]
    value = tape.period["collateral_value"]
    assert paid[12, 0] == pytest.approx(130e6 - value[12, 0])
    assert paid[25, 1] == pytest.approx(110e6 - value[25, 1])
    assert paid.sum(axis=0) == pytest.approx([paid[12, 0], paid[25, 1]])


def test_rvg_owes_nothing_before_its_first_scheduled_threshold() -> None:
    late = [{"date": month(20), "amount": 150e6}]
    deal = build({**campus_deal({"term_months": 48}), "guarantees": [_rvg(thresholds=late)]})
    tape = run_deal(deal, Market(paths=1, tenant_default={"tenant": np.array([12])}))
    assert (GUARANTOR, "operating") not in tape.ledger.flows


def test_rvg_paid_into_a_redemption_account_redeems_the_bonds() -> None:
    raw = campus_deal({"term_months": 48})
    raw["tranches"][0]["balance"] = 50e6
    raw["accounts"] = [{"type": "redemption", "name": "rvg_cash"}]
    for mode in ("normal", "lock_up", "default"):
        raw["waterfall"][mode].insert(-1, {"type": "redeem", "account": "rvg_cash", "tranches": ["loan"]})
    deal = build({**raw, "guarantees": [_rvg(account="rvg_cash")]})
    tape = run_deal(deal, Market(paths=1, tenant_default={"tenant": np.array([12])}))
    paid = 130e6 - tape.period["collateral_value"][12, 0]
    assert tape.ledger.flows[(GUARANTOR, "rvg_cash")][12, 0] == pytest.approx(paid)
    assert tape.ledger.flows[("rvg_cash", "loan")][12, 0] == pytest.approx(paid)
    assert tape.tranche["balance_end"][12][0, 0] == pytest.approx(50e6 - paid)
    assert tape.ledger.balance["rvg_cash"][0] == pytest.approx(0.0, abs=0.01)
    # without the account the same payment is operating cash, and goes to equity
    plain = build({**campus_deal({"term_months": 48}), "guarantees": [_rvg()]})
    tape = run_deal(plain, Market(paths=1, tenant_default={"tenant": np.array([12])}))
    assert tape.tranche["balance_end"][12][0, 0] == pytest.approx(1e6)


def _two_leases() -> dict:
    raw = campus_deal({"term_months": 48})
    second = {**raw["leases"][0], "name": "lease_b", "tenant": "tenant_b"}
    raw["leases"].append(second)
    return raw


def test_a_backstop_cap_shared_by_two_leases_binds_on_both() -> None:
    shared = {"type": "lease_backstop", "name": "bs", "guarantor": GUARANTOR, "leases": ["lease", "lease_b"]}
    deal = build({**_two_leases(), "guarantees": [{**shared, "cap": 5e6}]})
    defaults = {"tenant": np.array([10]), "tenant_b": np.array([10])}
    tape = run_deal(deal, Market(paths=1, tenant_default=defaults))
    paid = tape.ledger.flows[(GUARANTOR, "operating")][:, 0]
    # $1m a month each: two months of both, then the first lease's third month reaches the cap
    np.testing.assert_allclose(paid[10:13], [2e6, 2e6, 1e6])
    assert paid.sum() == pytest.approx(5e6) and (paid[13:] == 0).all()
    # each lease with a cap of its own: twice as much
    apart = [
        {"type": "lease_backstop", "name": f"bs_{name}", "guarantor": GUARANTOR, "lease": name, "cap": 5e6}
        for name in ("lease", "lease_b")
    ]
    tape = run_deal(build({**_two_leases(), "guarantees": apart}), Market(paths=1, tenant_default=defaults))
    assert tape.ledger.flows[(GUARANTOR, "operating")].sum() == pytest.approx(10e6)
