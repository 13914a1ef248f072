"""Indexed escalators (``escalator_index``) against a hand computation.

A fixed-rent lease of 100,000 a month whose rent steps by a CPI-like index: on
each escalation date s the rent is multiplied by (1 + clamp(CPI[s] + margin,
floor, cap)) ^ (months per step / 12), the index read on that path in that month.
"""

from __future__ import annotations

import math

import attrs
import numpy as np
import pytest
from polars.testing import assert_frame_equal

from tests.builders import build, campus_deal, rent_only_deal, run_deal
from waterfall.market.curves import Market
from waterfall.market.escalation import cumulative_growth
from waterfall.market.generate import BLOCK, generate
from waterfall.market.scenario import HullWhiteRates, load_scenario
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.risk.montecarlo import run_monte_carlo

RENT, HORIZON = 100_000.0, 40


def _raw(escalator_index: dict | None, frequency: str | None = None, escalator: float = 0.0) -> dict:
    raw = rent_only_deal(horizon=HORIZON, monthly_rent=RENT)
    raw["market"]["index"]["CPI"] = {"points": [{"month": 0, "rate": 0.025}]}
    lease = raw["leases"][0]
    lease["escalator"] = escalator
    if escalator_index is not None:
        lease["escalator_index"] = escalator_index
    if frequency is not None:
        lease["escalator_frequency"] = frequency
    return raw


def _market(cpi: np.ndarray) -> Market:
    cpi = np.atleast_2d(np.asarray(cpi, dtype=float))
    return Market.from_arrays(index={"SOFR": np.full(cpi.shape, 0.03), "CPI": cpi})


def _rents(cpi: np.ndarray, frequency: str | None = None, **terms: float) -> np.ndarray:
    """Revenue (months, paths) of the lease escalating by ``cpi`` (paths, months)."""
    deal = build(_raw({"index": "CPI", **terms}, frequency))
    return run_deal(deal, _market(cpi)).period["revenue"]


def _flat(rate: float) -> np.ndarray:
    return np.full(HORIZON, rate)


def test_a_flat_index_steps_like_the_same_fixed_escalator() -> None:
    rents = _rents(_flat(0.06))[:, 0]
    assert rents.tolist() == pytest.approx([RENT * 1.06 ** (m // 12) for m in range(HORIZON)], rel=1e-14)
    fixed = run_deal(build(_raw(None, escalator=0.06)), _market(_flat(0.06))).period["revenue"][:, 0]
    np.testing.assert_allclose(rents, fixed, rtol=1e-14)


def test_a_zero_index_gives_the_tape_of_a_zero_escalator_bit_for_bit() -> None:
    market = _market(np.zeros(HORIZON))
    indexed = run_deal(build(_raw({"index": "CPI"})), market)
    fixed = run_deal(build(_raw(None)), market)
    for name, record in fixed.period.items():
        np.testing.assert_array_equal(indexed.period[name], record, err_msg=name)
    for name, record in fixed.tranche.items():
        np.testing.assert_array_equal(indexed.tranche[name], record, err_msg=name)
    assert_frame_equal(tranche_outcomes(indexed), tranche_outcomes(fixed), check_exact=True)


def test_each_step_reads_the_index_in_its_own_month() -> None:
    cpi = 0.01 + 0.001 * np.arange(HORIZON)  # a rising index: every month's reading differs
    rents = _rents(cpi)[:, 0]
    assert rents[:12].tolist() == [RENT] * 12
    assert rents[12] == pytest.approx(RENT * (1 + cpi[12]), rel=1e-15)
    assert rents[23] == rents[12]
    assert rents[24] == pytest.approx(RENT * (1 + cpi[12]) * (1 + cpi[24]), rel=1e-15)
    assert rents[39] == pytest.approx(RENT * (1 + cpi[12]) * (1 + cpi[24]) * (1 + cpi[36]), rel=1e-15)


def test_the_cap_binds_above_it_and_the_floor_below_it() -> None:
    capped = _rents(_flat(0.08), cap=0.04)[:, 0]
    assert capped[36] == pytest.approx(RENT * 1.04**3, rel=1e-14)
    floored = _rents(_flat(-0.02), floor=0.0)[:, 0]
    assert floored.tolist() == [RENT] * HORIZON  # deflation never cuts the rent
    deflating = _rents(_flat(-0.02))[:, 0]  # no floor: it does
    assert deflating[24] == pytest.approx(RENT * 0.98**2, rel=1e-14)
    inside = _rents(_flat(0.03), floor=0.01, cap=0.05)[:, 0]
    assert inside[24] == pytest.approx(RENT * 1.03**2, rel=1e-14)


def test_the_margin_is_added_before_the_clamp() -> None:
    assert _rents(_flat(0.02), margin=0.01)[24, 0] == pytest.approx(RENT * 1.03**2, rel=1e-14)
    # 3.5% + 1% is above the 4% cap: the cap binds on the sum
    assert _rents(_flat(0.035), margin=0.01, cap=0.04)[24, 0] == pytest.approx(RENT * 1.04**2, rel=1e-14)


def test_monthly_steps_compound_a_twelfth_of_each_month_s_reading() -> None:
    cpi = 0.02 + 0.0005 * np.arange(HORIZON)
    rents = _rents(cpi, frequency="monthly")[:, 0]
    expected = [RENT * math.prod((1 + cpi[s]) ** (1 / 12) for s in range(1, m + 1)) for m in range(HORIZON)]
    assert rents.tolist() == pytest.approx(expected, rel=1e-13)
    quarterly = _rents(cpi, frequency="quarterly")[:, 0]
    assert quarterly[5] == pytest.approx(RENT * (1 + cpi[3]) ** 0.25, rel=1e-14)
    assert quarterly[6] == pytest.approx(RENT * (1 + cpi[3]) ** 0.25 * (1 + cpi[6]) ** 0.25, rel=1e-14)


def test_each_path_escalates_on_its_own_index() -> None:
    cpi = np.stack([_flat(0.01), _flat(0.05)])
    rents = _rents(cpi)
    assert rents[24, 0] == pytest.approx(RENT * 1.01**2, rel=1e-14)
    assert rents[24, 1] == pytest.approx(RENT * 1.05**2, rel=1e-14)


def test_steps_before_closing_read_the_index_at_closing() -> None:
    # a lease signed 14 months before closing stepped once (month -2) before it: at the
    # month-0 reading, the market having no history
    factors = np.stack([np.full(30, 1.04), np.full(30, 1.04)])
    factors[:, 0] = 1.10
    growth = cumulative_growth(factors, np.array([-14, 0]), 12)
    assert growth[0, :10].tolist() == pytest.approx([1.10] * 10, rel=1e-15)
    assert growth[0, 10] == pytest.approx(1.10 * 1.04, rel=1e-15)  # the anniversary at month 10
    assert growth[1, :12].tolist() == [1.0] * 12 and growth[1, 12] == 1.04


def test_a_scenario_s_stochastic_index_escalates_each_path_and_chunks_do_not_matter() -> None:
    raw = _raw({"index": "CPI", "floor": 0.0, "cap": 0.06})
    raw["tranches"][0]["balance"] = 3e6
    raw["tranches"][0]["amortisation"] = {"type": "straight_line", "term_months": 36}
    deal = build(raw)
    base = load_scenario("base")
    scenario = attrs.evolve(base, rates={**base.rates, "CPI": HullWhiteRates(0.2, 0.01, 0.0, 0.0)})
    market = generate(scenario, deal, 4, 0, 16)
    assert np.ptp(market.index["CPI"][:, 12]) > 0.0  # the index differs by path
    rents = run_deal(deal, market).period["revenue"]
    clamped = np.clip(market.index["CPI"], 0.0, 0.06)
    np.testing.assert_allclose(rents[24], RENT * (1 + clamped[:, 12]) * (1 + clamped[:, 24]), rtol=1e-14)
    paths = BLOCK + 37
    one = run_monte_carlo(deal, scenario, paths, seed=4, chunk_size=BLOCK)
    other = run_monte_carlo(deal, scenario, paths, seed=4, chunk_size=3 * BLOCK)
    assert_frame_equal(one.tranches, other.tranches, check_exact=True)
    assert_frame_equal(one.period_stats, other.period_stats, check_exact=True)


def test_a_re_let_tenant_s_rent_steps_on_the_index_from_its_own_signing() -> None:
    relet = {"downtime_months": 6, "term_months": 24}
    raw = campus_deal({"term_months": 48, "relet": relet, "escalator_index": {"index": "CPI"}})
    raw["market"] = {"index": {"CPI": {"points": [{"month": 0, "rate": 0.02}]}}}
    cpi = np.stack([0.01 + 0.001 * np.arange(48), 0.02 + 0.002 * np.arange(48)])
    market = Market.from_arrays(
        index={"CPI": cpi}, campus_rent={"campus": np.ones((2, 48))}, tenant_default={"tenant": np.array([12, 12])}
    )
    tape = run_deal(build(raw), market)
    new = tape.ledger.flows[("lease re-let", "operating")]
    # vacant 12..17; signed in month 18 at the contract rent; its first anniversary is month 30
    assert (new[:18] == 0).all()
    np.testing.assert_array_equal(new[18:30], 1e6)
    np.testing.assert_allclose(new[30:42], np.broadcast_to(1e6 * (1 + cpi[:, 30]), (12, 2)), rtol=1e-15)
