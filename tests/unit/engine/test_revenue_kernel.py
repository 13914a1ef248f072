"""Revenue's compiled month (``engine/revenue_program.py``) books what the numpy month books.

The property suite (``tests/properties/test_kernels.py``) compares whole tapes on
generated deals; these cases make sure the rare terms it may not reach bind: a
backstop's cap, an indexed escalator stepping on each path's own index, a walk-away
against market rent, renewals and a merchant fleet beside a lease.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.builders import build, campus_deal, rent_only_deal, run_deal
from tests.properties.test_invariants import _assert_tapes_equal
from tests.properties.test_kernels import both, kernels
from waterfall import compiled
from waterfall.engine import run
from waterfall.market.curves import Market
from waterfall.market.generate import generate
from waterfall.market.scenario import load_scenario
from waterfall.spec.load import load_deal

pytestmark = pytest.mark.skipif(not compiled.numba_available(), reason="numba is not installed")

GUARANTOR = "Parent Co"


def _same_tapes(deal, market) -> None:
    expected, found = both(run, deal, market)
    _assert_tapes_equal(found, expected)
    assert list(found.ledger.flows) == list(expected.ledger.flows)  # created in the same order


def test_a_backstop_cap_shared_by_two_leases_binds_through_the_kernel() -> None:
    raw = campus_deal({"term_months": 48})
    raw["leases"].append({**raw["leases"][0], "name": "lease_b", "tenant": "tenant_b"})
    shared = {"type": "lease_backstop", "name": "bs", "guarantor": GUARANTOR, "leases": ["lease", "lease_b"]}
    deal = build({**raw, "guarantees": [{**shared, "cap": 4.5e6}]})
    # the tenants default in month 10 on one path, never on the other
    defaults = {"tenant": np.array([10, -1]), "tenant_b": np.array([10, -1])}
    market = Market(paths=2, tenant_default=defaults)
    with kernels("numba"):
        tape = run_deal(deal, market)
    paid = tape.ledger.flows[(GUARANTOR, "operating")][:, 0]
    # $1m a month each: two months of both, then the first lease's third month takes what is
    # left of the cap, half a month's rent, and the second lease's nothing
    np.testing.assert_allclose(paid[10:13], [2e6, 2e6, 0.5e6])
    assert paid.sum() == pytest.approx(4.5e6) and (paid[13:] == 0).all()
    assert (tape.ledger.flows[(GUARANTOR, "operating")][:, 1] == 0).all()
    _same_tapes(deal, market)


def test_an_indexed_escalator_steps_each_path_on_its_own_index_through_the_kernel() -> None:
    raw = rent_only_deal(horizon=40, monthly_rent=100_000.0)
    raw["market"]["index"]["CPI"] = {"points": [{"month": 0, "rate": 0.025}]}
    raw["leases"][0]["escalator_index"] = {"index": "CPI", "floor": 0.0, "cap": 0.06}
    raw["leases"][0]["escalator_frequency"] = "quarterly"
    deal = build(raw)
    cpi = np.stack([np.full(40, 0.01), np.full(40, 0.05), np.linspace(-0.02, 0.09, 40)])
    market = Market.from_arrays(index={"SOFR": np.full(cpi.shape, 0.03), "CPI": cpi})
    with kernels("numba"):
        rents = run_deal(deal, market).period["revenue"]
    assert rents[24, 0] == pytest.approx(100_000.0 * 1.01**2, rel=1e-14)
    assert rents[24, 1] == pytest.approx(100_000.0 * 1.05**2, rel=1e-14)
    _same_tapes(deal, market)


def test_walk_aways_renewals_and_merchant_capacity_book_as_numpy_does(deals_dir) -> None:
    """Library deals under a stressed preset: GPU leases with walk-aways and renewals beside
    merchant capacity, and a campus lease re-let when its tenant leaves."""
    for name in ("xai_colossus2", "gpu_lease_spv", "crusoe_abilene"):
        deal = load_deal(deals_dir / f"{name}.toml")
        market = generate(load_scenario("bust"), deal, 3, 0, 256)
        _same_tapes(deal, market)


def test_a_walk_away_falls_within_the_initial_term_through_the_kernel() -> None:
    """Market rent collapses after the initial term: the renewed tenant cannot walk then."""
    walk = {"earliest_month": 0, "fee_months": 1.0, "walk_discount": 0.3}
    renewal = {"term_months": 24, "basis": "fixed", "exercise": "always"}
    deal = build(campus_deal({"early_termination": walk, "renewal": renewal}))
    factor = np.ones((2, 48))
    factor[0, 14:] = 0.5  # path 0: after the initial 12 months; path 1: within them
    factor[1, 5:] = 0.5
    market = Market.from_arrays(
        campus_rent={"campus": factor},
        index={"SOFR": np.full((2, 48), 0.03)},
        tenant_renews={"tenant": np.ones(2, bool)},
    )
    with kernels("numba"):
        tenant = run_deal(deal, market).ledger.flows[("tenant", "operating")]
    np.testing.assert_allclose(tenant[:36, 0], 1e6)  # the initial term and the whole renewal
    np.testing.assert_allclose(tenant[:5, 1], 1e6)
    assert tenant[5, 1] == pytest.approx(1e6) and (tenant[6:, 1] == 0).all()  # walked, paying its fee
    _same_tapes(deal, market)


def test_a_tenancy_that_stops_at_its_start_leaves_the_space_to_re_let() -> None:
    """The tenant is gone before the lease starts: the space is re-let after the downtime."""
    relet = {"downtime_months": 3, "term_months": 24}
    deal = build(campus_deal({"term_months": 36, "relet": relet}))
    market = Market.from_arrays(
        campus_rent={"campus": np.ones((2, 48))},
        index={"SOFR": np.full((2, 48), 0.03)},
        tenant_default={"tenant": np.array([0, -1])},
    )
    with kernels("numba"):
        flows = run_deal(deal, market).ledger.flows
    relet_rent = flows[("lease re-let", "operating")]
    assert (relet_rent[:3, 0] == 0).all() and relet_rent[3, 0] == pytest.approx(1e6)
    assert (relet_rent[:36, 1] == 0).all()  # the tenant stays the whole term
    _same_tapes(deal, market)
