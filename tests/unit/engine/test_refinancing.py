"""Refinancing at maturity, closed forms: one campus, one let lease, one bullet loan falling due.

The campus (cost 100m, 30-year life, 30% salvage) is worth 100m x (1 - 0.7 x 23/360)
= 95.53m at the loan's maturity (month 23). Rent of 6m a month covers anything the
refinanced loan asks (a 72m debt yield of 120%). At maturity the waterfall pays
what the month's rent can (6m less 0.25m of interest); the 54.25m left is what is
refinanced (or extended, or defaults), at an LTV of 56.8%: a maximum LTV of 60%
passes, 55% fails.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from polars.testing import assert_frame_equal

from tests.builders import build, month, one_tranche_deal
from waterfall.engine import run
from waterfall.market.curves import Market, base_case
from waterfall.market.generate import BLOCK
from waterfall.market.scenario import load_scenario
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.risk.montecarlo import run_monte_carlo
from waterfall.spec.deal import Deal
from waterfall.spec.load import load_deal

HORIZON = 48
MATURITY = 23  # deal month of the legal maturity, 2027-12
BALANCE = 60_000_000.0
SOFR, OLD_SPREAD, BBB = 0.03, 0.02, 0.025
LEFT = BALANCE - (6_000_000.0 - BALANCE * (SOFR + OLD_SPREAD) / 12)  # unpaid after the maturity waterfall


def refinanced_deal(**refinancing: Any) -> dict[str, Any]:
    raw = one_tranche_deal(
        {
            "balance": BALANCE,
            "coupon": {"type": "floating", "index": "SOFR", "spread": OLD_SPREAD},
            "amortisation": {"type": "bullet"},
            "legal_maturity": month(MATURITY),
        },
        horizon=HORIZON,
        monthly_rent=6_000_000.0,
    )
    raw["campuses"] = [
        {
            "name": "campus",
            "mw": 10.0,
            "cost": 100_000_000.0,
            "completion": month(0),
            "useful_life_months": 360,
            "salvage_pct": 0.3,
        }
    ]
    raw["covenants"] = [{"type": "payment", "tranches": ["loan"]}]
    raw["market"]["credit_spread"] = {"BBB": BBB}
    terms = {
        "rating": "BBB",
        "term_months": 12,
        "amortisation": {"type": "straight_line", "term_months": 12},
        "max_ltv": 0.60,
    }
    terms.update(refinancing)
    raw["tranches"][0]["refinancing"] = terms
    return raw


def market(deal: Deal, open_from: int = 0) -> Market:
    base = base_case(deal)
    window = np.arange(HORIZON)[None, :] >= open_from
    return Market(index=base.index, credit_spread=base.credit_spread, refinancing_open=window)


def test_a_balloon_that_passes_is_refinanced_and_one_that_fails_defaults() -> None:
    passing = build(refinanced_deal(max_ltv=0.60))
    tape = run(passing, market(passing))
    t = tape.tranche
    assert t["refinanced"][MATURITY, 0, 0] == pytest.approx(LEFT)
    assert t["refinanced"].sum() == pytest.approx(LEFT)
    assert tape.default_month[0] == -1
    # the period ending at maturity is the old lenders' coupon; after it, SOFR + the BBB spread
    assert t["interest_due"][MATURITY, 0, 0] == pytest.approx(BALANCE * (SOFR + OLD_SPREAD) / 12)
    assert t["interest_due"][MATURITY + 1, 0, 0] == pytest.approx(LEFT * (SOFR + BBB) / 12)
    # what was refinanced is not recorded as due and unpaid; then 12 equal instalments
    assert t["principal_scheduled"][MATURITY, 0, 0] == pytest.approx(BALANCE - LEFT)
    np.testing.assert_allclose(t["principal_paid"][MATURITY + 1 : MATURITY + 13, 0, 0], LEFT / 12)
    assert t["balance_end"][MATURITY + 12, 0, 0] == pytest.approx(0.0, abs=1e-6)
    assert t["writedown"].sum() == 0.0
    assert tape.maturity is not None and tape.maturity[0, 0] == MATURITY + 12

    failing = build(refinanced_deal(max_ltv=0.55))  # the one parameter changed
    tape = run(failing, market(failing))
    assert tape.tranche["refinanced"].sum() == 0.0
    assert tape.default_month[0] == MATURITY
    assert tape.tranche["principal_scheduled"][MATURITY, 0, 0] == pytest.approx(BALANCE)
    assert tape.tranche["principal_paid"][MATURITY, 0, 0] == pytest.approx(BALANCE - LEFT)


def test_a_closed_window_is_a_maturity_default() -> None:
    deal = build(refinanced_deal())
    tape = run(deal, market(deal, open_from=HORIZON))
    assert tape.tranche["refinanced"].sum() == 0.0
    assert tape.default_month[0] == MATURITY


@pytest.mark.parametrize(("test", "defaults"), [({"max_ltv": 0.6}, False), ({"max_ltv": 0.55}, True)])
def test_an_extension_carries_the_loan_to_an_open_window(test: dict[str, float], defaults: bool) -> None:
    """Window shut until month 29: a 6-month extension (fee 50bp) reaches it and the loan is
    refinanced there; where the extension's own test fails, the balloon defaults at maturity."""
    deal = build(refinanced_deal(extensions=[{"months": 6, "fee_bps": 50.0, **test}]))
    tape = run(deal, market(deal, open_from=MATURITY + 6))
    fees = tape.ledger.flows.get(("loan", "refinancing_fees"))
    if defaults:
        assert tape.default_month[0] == MATURITY
        assert fees is None
        assert tape.tranche["refinanced"].sum() == 0.0
        return
    assert tape.default_month[0] == -1
    assert tape.extensions is not None and tape.extensions[0, 0] == 1
    # the fee is lent by the tranche's lenders and paid out: a draw, through the ledger
    assert fees is not None and fees[MATURITY, 0] == pytest.approx(LEFT * 0.005)
    assert tape.tranche["drawn"][MATURITY, 0, 0] == pytest.approx(LEFT * 0.005)
    extended = LEFT * 1.005
    # extended at its own coupon, interest only: each month's rent beyond interest goes to equity
    assert tape.tranche["interest_due"][MATURITY + 3, 0, 0] == pytest.approx(extended * (SOFR + OLD_SPREAD) / 12)
    assert tape.tranche["principal_paid"][MATURITY + 1 : MATURITY + 6, 0, 0].sum() == 0.0
    # at the extended maturity the waterfall pays what it can, and the window is open for the rest
    paid = 6_000_000.0 - extended * (SOFR + OLD_SPREAD) / 12
    assert tape.tranche["refinanced"][MATURITY + 6, 0, 0] == pytest.approx(extended - paid)


def test_debt_yield_and_dscr_thresholds_decide_on_the_path() -> None:
    """Two paths: rent halves on the second from closing, so its debt yield (36m / 60m = 60%)
    misses a 100% minimum the first (120%) meets."""
    deal = build(refinanced_deal(max_ltv=None, min_debt_yield=1.0, min_dscr=1.1))
    base = base_case(deal, paths=2)
    tape = run(deal, Market(index=base.index, credit_spread=base.credit_spread, paths=2))
    assert tape.tranche["refinanced"][MATURITY, 0, 0] == pytest.approx(LEFT)
    halved = copy.deepcopy(refinanced_deal(max_ltv=None, min_debt_yield=1.0))
    halved["leases"][0]["rent"]["monthly"] = 3_000_000.0
    deal = build(halved)
    tape = run(deal, market(deal))
    assert tape.tranche["refinanced"].sum() == 0.0
    assert tape.default_month[0] == MATURITY


def test_a_refinanced_annuity_runs_past_the_horizon_and_is_outstanding_there_at_par() -> None:
    """A 60-month term amortising over 120 months: the annuity is sized on all 120 payments,
    not on the months left in the run, and what is left at the horizon is still owed."""
    deal = build(refinanced_deal(term_months=60, amortisation={"type": "level_annuity", "term_months": 120}))
    tape = run(deal, market(deal))
    r = (SOFR + BBB) / 12
    first = LEFT * r / (1 - (1 + r) ** -120) - LEFT * r
    assert tape.tranche["principal_paid"][MATURITY + 1, 0, 0] == pytest.approx(first)
    assert tape.maturity is not None and tape.maturity[0, 0] == MATURITY + 60 > HORIZON
    left = tape.tranche["balance_end"][-1, 0, 0]
    assert left > 0.5 * LEFT
    outcome = tranche_outcomes(tape).filter(tranche="loan")
    assert outcome["outstanding"][0] == pytest.approx(left)
    assert outcome["loss"][0] == 0.0 and outcome["refinanced"][0] and outcome["refinanced_period"][0] == MATURITY
    assert tape.default_month[0] == -1


def test_a_refinancing_deal_gives_the_same_answer_whatever_the_chunk_size() -> None:
    """The QTS classes refinance under the bust: some paths refinance, some extend nothing and
    default; chunks of one block or of three give the same tables."""
    deal = load_deal(Path(__file__).resolve().parents[3] / "deals" / "qts_cmbs.toml")
    scenario = load_scenario("bust")
    paths = 2 * BLOCK + 100
    one = run_monte_carlo(deal, scenario, paths, seed=3, chunk_size=BLOCK)
    three = run_monte_carlo(deal, scenario, paths, seed=3, chunk_size=3 * BLOCK)
    assert_frame_equal(one.tranches, three.tranches)
    assert_frame_equal(one.summary, three.summary)
    shares = one.summary.filter(kind="debt")["refinanced_share"]
    assert shares.min() > 0.0 and shares.max() < 1.0
