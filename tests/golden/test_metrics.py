"""Tranche IRR against numpy-financial, WAL against closed forms."""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import build, month, one_tranche_deal, run_deal
from tests.properties import strategies
from tests.properties.scenarios import example_under_stress
from waterfall.engine import run
from waterfall.outcomes.metrics import annual_irr, wal_years
from waterfall.results import Results


def _npf_annual(flows: np.ndarray) -> float:
    return (1.0 + npf.irr(flows)) ** 12 - 1.0


def test_tranche_irr_matches_numpy_financial(deals_dir) -> None:
    """The example deal's tranches on its base case and stressed paths (losses included)."""
    deal, market = example_under_stress(str(deals_dir / "gpu_lease_spv.toml"))
    results = Results(deal, run_deal(deal, market))
    tape = results.tape
    received = tape.tranche["interest_paid"] + tape.tranche["principal_paid"]
    table = results.tranches
    compared = 0
    for i, name in enumerate(tape.tranche_names):
        irr = table.filter(tranche=name).sort("path")["irr"].to_numpy()
        for p in range(tape.paths):
            flows = np.concatenate([[-tape.original_balance[i]], received[:, i, p]])
            expected = _npf_annual(flows)
            if np.isnan(expected):  # numpy-financial finds no root; nothing to compare
                continue
            assert irr[p] == pytest.approx(expected, abs=1e-8), (name, p)
            compared += 1
    assert compared >= tape.paths  # at least the senior on every path


@given(strategies.cases())
def test_tranche_irr_matches_numpy_financial_on_generated_deals(case) -> None:
    deal, market = case
    results = Results(deal, run(deal, market))
    tape = results.tape
    received = tape.tranche["interest_paid"] + tape.tranche["principal_paid"]
    for i, name in enumerate(tape.tranche_names):
        rows = results.tranches.filter(tranche=name).sort("path")
        irr, outstanding = rows["irr"].to_numpy(), rows["outstanding"].to_numpy()
        for p in range(tape.paths):
            # later draws (a financed refinancing fee) are money lent; a balance refinanced past
            # the horizon performs there at par
            flows = np.concatenate([[-tape.original_balance[i]], received[:, i, p] - tape.tranche["drawn"][:, i, p]])
            flows[-1] += outstanding[p]
            if tape.original_balance[i] <= 0 or flows[1:].sum() <= 0:
                continue
            expected = _npf_annual(flows)
            if np.isnan(expected):
                # numpy-financial finds no root (it can miss one at exactly 0%, as a zero-rate
                # refinancing financed by a draw gives): the engine's rate must still price the flows
                monthly = (1.0 + irr[p]) ** (1.0 / 12.0) - 1.0
                npv = np.sum(flows / (1.0 + monthly) ** np.arange(flows.size))
                assert abs(npv) <= 1e-9 * np.abs(flows).sum(), (name, p, flows, irr[p])
                continue
            assert irr[p] == pytest.approx(expected, abs=1e-8), (name, p, flows)


@given(
    outlay=st.floats(1e3, 1e9),
    coupon=st.floats(0.0, 0.02),
    months=st.integers(2, 96),
    recovery=st.floats(0.2, 1.2),
)
def test_annual_irr_matches_numpy_financial_on_loan_flows(
    outlay: float, coupon: float, months: int, recovery: float
) -> None:
    """A loan paying a monthly coupon and a final repayment of ``recovery`` x principal."""
    flows = np.full(months + 1, outlay * coupon)
    flows[0] = -outlay
    flows[-1] += outlay * recovery
    expected = _npf_annual(flows)
    got = annual_irr(flows[:, None])[0]
    assert got == pytest.approx(expected, abs=1e-8)


def test_irr_of_a_par_loan_is_its_coupon() -> None:
    """Monthly coupon c on par, principal back at the end: the monthly IRR is c."""
    flows = np.full(61, 1_000.0 * 0.0075)
    flows[0] = -1_000.0
    flows[-1] += 1_000.0
    assert annual_irr(flows[:, None])[0] == pytest.approx(1.0075**12 - 1, abs=1e-12)


@pytest.mark.parametrize("years", [1, 3, 5])
def test_wal_of_a_bullet_is_its_term(years: int) -> None:
    months = 12 * years
    deal = build(
        one_tranche_deal(
            {
                "balance": 5_000_000.0,
                "coupon": {"type": "fixed", "rate": 0.07},
                "amortisation": {"type": "bullet"},
                "legal_maturity": month(months - 1),
            },
            horizon=months,
            monthly_rent=1_000_000.0,
            frequency="quarterly",
        )
    )
    results = Results(deal, run_deal(deal))
    (wal,) = results.tranches.filter(tranche="loan")["wal_years"].to_list()
    assert wal == pytest.approx(years, abs=1e-12)


def test_wal_of_straight_line_is_mean_payment_time() -> None:
    """Equal principal at the end of months 1..n: WAL = (n + 1) / 2 months."""
    n = 48
    deal = build(
        one_tranche_deal(
            {
                "balance": 4_800_000.0,
                "coupon": {"type": "fixed", "rate": 0.05},
                "amortisation": {"type": "straight_line", "term_months": n},
                "legal_maturity": month(n - 1),
            },
            horizon=n,
            monthly_rent=1_000_000.0,
        )
    )
    tape = run_deal(deal)
    assert wal_years(tape.tranche["principal_paid"][:, 0, :])[0] == pytest.approx((n + 1) / 24, abs=1e-12)
