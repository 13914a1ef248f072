"""Strategic default: the under-water gap by hand, elasticity 0 changes nothing, a higher
elasticity gives a GPU deal in ``bust`` a PD at least as high, BTC's correlation convergence."""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np

from waterfall.analytics.breakeven import breakeven
from waterfall.market.factors import BtcModel, TenantCredit, btc_paths, tenant_defaults
from waterfall.market.factors.strategic import lease_gap, median_default_months, strategic_tilt, tenant_gaps
from waterfall.market.generate import generate
from waterfall.market.scenario import load_scenario
from waterfall.risk.montecarlo import run_monte_carlo
from waterfall.spec.lease import IndexedEscalator
from waterfall.spec.load import load_deal

DEALS = Path(__file__).resolve().parents[3] / "deals"


def _xai():
    return load_deal(DEALS / "xai_colossus2.toml")


def _with_elasticity(scenario, elasticity: float):
    tenant = attrs.evolve(scenario.credit.any_tenant, rent_elasticity=elasticity)
    return attrs.evolve(scenario, credit=attrs.evolve(scenario.credit, any_tenant=tenant))


def test_the_gap_of_a_gpu_lease_by_hand() -> None:
    deal = _xai()  # rate 1.69 on B200 for months 0..59, horizon 66
    months = deal.calendar.horizon_months
    market = np.array([[1.69 / 2.0] * months, [3.38] * months])  # half the rate; twice the rate
    gap = lease_gap(deal, deal.leases[0], {"B200": market}, {}, 2)
    assert np.allclose(gap[0, :60], 1.0) and np.all(gap[0, 60:] == 0.0)  # 1.69 / 0.845 - 1, then off lease
    assert np.all(gap[1] == 0.0)  # a lease below market is not under water
    assert set(tenant_gaps(deal, {"B200": market}, {}, 2)) == {"xAI"}


def test_the_gap_escalates_the_contract_rent_as_the_engine_does() -> None:
    deal = _xai()
    months = deal.calendar.horizon_months
    market = np.full((1, months), 1.69)  # at the rate: only the escalation puts it under water
    for frequency, at in (("annual", lambda m: 1.04 ** (m // 12)), ("monthly", lambda m: 1.04 ** (m / 12))):
        lease = attrs.evolve(deal.leases[0], escalator=0.04, escalator_frequency=frequency)
        gap = lease_gap(deal, lease, {"B200": market}, {}, 1)
        np.testing.assert_allclose(gap[0, :60], [at(m) - 1.0 for m in range(60)], rtol=1e-12, atol=1e-15)
    # an indexed escalator reads each path's own index: 2% a year on one path, 6% on the other
    lease = attrs.evolve(deal.leases[0], escalator_index=IndexedEscalator("CPI"))
    cpi = np.array([[0.02] * months, [0.06] * months])
    gap = lease_gap(deal, lease, {"B200": np.vstack([market, market])}, {}, 2, {"CPI": cpi})
    np.testing.assert_allclose(gap[:, 24], [1.02**2 - 1.0, 1.06**2 - 1.0], rtol=1e-12)


def test_a_zero_elasticity_is_the_untilted_hazard_and_the_same_default_months() -> None:
    hazard = np.full(12, 0.01)
    gap = np.random.default_rng(1).uniform(0, 3, (5, 12))
    assert strategic_tilt(hazard, gap, 0.0) is hazard
    credit = {"T": TenantCredit(annual_hazard=0.5, demand_sensitivity=0.5)}
    state = np.random.default_rng(2).standard_normal((64, 24))
    plain = tenant_defaults(credit, 24, np.random.default_rng(3), state, paths=64)
    gaps = {"T": np.random.default_rng(4).uniform(0, 3, (64, 24))}
    assert np.array_equal(
        plain["T"], tenant_defaults(credit, 24, np.random.default_rng(3), state, paths=64, gaps=gaps)["T"]
    )


def test_a_zero_elasticity_market_equals_the_market_without_strategic_default() -> None:
    deal, bust = _xai(), load_scenario("bust")
    off = generate(_with_elasticity(bust, 0.0), deal, 7, 0, 256)
    on = generate(bust, deal, 7, 0, 256)
    assert np.array_equal(off.gpu_rent["B200"], on.gpu_rent["B200"])  # the gap does not touch other draws
    # strategic default only ever brings a default forward
    never = -1
    early = np.where(on.tenant_default["xAI"] == never, 10**6, on.tenant_default["xAI"])
    late = np.where(off.tenant_default["xAI"] == never, 10**6, off.tenant_default["xAI"])
    assert np.all(early <= late) and np.any(early < late)


def test_a_higher_elasticity_never_lowers_a_gpu_deals_pd_in_bust() -> None:
    deal, bust = _xai(), load_scenario("bust")
    pds = [
        run_monte_carlo(deal, _with_elasticity(bust, e), 1024, 0).summary.filter(tranche="senior")["pd"][0]
        for e in (0.0, 1.0, 3.0, 6.0)
    ]
    assert pds == sorted(pds) and pds[-1] > pds[0]


def test_the_median_default_month_is_where_the_cumulative_hazard_reaches_ln2() -> None:
    hazard = np.array([[0.1] * 10, [0.0] * 10, [1.0] * 10])
    assert median_default_months(hazard).tolist() == [6, -1, 0]  # 0.7 >= ln 2 = 0.693 at month 6


def test_rent_drift_finds_a_breakeven_for_a_fixed_rent_gpu_lease() -> None:
    found = breakeven(_xai(), "senior", "rent_drift")
    assert found.status == "found" and -0.8 < found.level < 0.0


def test_btc_without_a_downturn_loading_draws_as_before_and_converges_with_one() -> None:
    rng = np.random.default_rng(5)
    common = rng.standard_normal((4000, 24))
    state = np.where(np.arange(4000)[:, None] < 2000, -2.0, 0.0) * np.ones((1, 24))
    plain = BtcModel(start=1.0, demand_loading=0.3)
    a = btc_paths(plain, 24, np.random.default_rng(6), common)
    b = btc_paths(plain, 24, np.random.default_rng(6), common, state=state)
    assert np.array_equal(a, b)
    converging = btc_paths(attrs.evolve(plain, downturn_loading=0.9), 24, np.random.default_rng(6), common, state=state)
    steps = np.diff(np.log(converging), axis=1)
    weak = np.corrcoef(steps[:2000].ravel(), common[:2000, 1:].ravel())[0, 1]
    calm = np.corrcoef(steps[2000:].ravel(), common[2000:, 1:].ravel())[0, 1]
    assert abs(weak - 0.9) < 0.03 and abs(calm - 0.3) < 0.03
