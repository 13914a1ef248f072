"""Loss and equity measures of whole runs against closed forms.

One tranche, one fixed-rent lease, no costs (``tests.builders.one_tranche_deal``);
a tape of dated amounts supplies a lump of cash where a closed form needs one.
"""

from __future__ import annotations

import polars as pl
import pytest

from tests.builders import build, month, one_tranche_deal, run_deal
from waterfall.engine import run
from waterfall.market.curves import base_case
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.spec.deal import Deal

B = 1_000_000.0
SLOPED_SOFR = {"points": [{"month": 0, "rate": 0.031}, {"month": 36, "rate": 0.042}, {"month": 60, "rate": 0.038}]}


def _deal(tranche: dict, horizon: int, rent: float, lump: float = 0.0, **calendar) -> Deal:
    raw = one_tranche_deal(
        {"balance": B, "legal_maturity": month(horizon - 1), **tranche}, horizon=horizon, monthly_rent=rent, **calendar
    )
    if lump:
        raw["tapes"] = [{"name": "lump", "path": "unused.csv", "amounts": [0.0] * (horizon - 1) + [lump]}]
    raw["market"] = {"index": {"SOFR": SLOPED_SOFR}}
    return build(raw)


def _loan(deal: Deal) -> dict:
    return tranche_outcomes(run(deal, base_case(deal))).filter(pl.col("tranche") == "loan").row(0, named=True)


@pytest.mark.parametrize(
    ("tranche", "calendar"),
    [
        ({"coupon": {"type": "fixed", "rate": 0.07}, "amortisation": {"type": "level_annuity", "term_months": 60}}, {}),
        (
            {"coupon": {"type": "fixed", "rate": 0.085}, "amortisation": {"type": "bullet"}},
            {"frequency": "quarterly", "day_count": "ACT/360"},
        ),
        (
            {"coupon": {"type": "floating", "index": "SOFR", "spread": 0.025}, "amortisation": {"type": "bullet"}},
            {"frequency": "quarterly", "day_count": "ACT/365F"},
        ),
        (
            {
                "coupon": {"type": "fixed", "rate": 0.12},
                "amortisation": {"type": "straight_line", "term_months": 36},
                "interest_only_months": 24,
                "pik": "always",
            },
            {},
        ),
    ],
    ids=["annuity", "bullet-act360", "floating", "pik"],
)
def test_a_bond_paid_in_full_at_its_own_coupon_has_no_economic_loss(tranche: dict, calendar: dict) -> None:
    loan = _loan(_deal(tranche, 60, rent=2 * B, **calendar))
    assert loan["loss"] == 0.0 and loan["interest_loss"] == 0.0
    assert loan["economic_loss_pct"] == pytest.approx(0.0, abs=1e-12)


def test_a_pik_bond_lends_its_capitalised_interest() -> None:
    tranche = {"coupon": {"type": "fixed", "rate": 0.12}, "amortisation": {"type": "bullet"}, "pik": "always"}
    loan = _loan(_deal(tranche, 24, rent=3 * B))
    assert loan["principal_lent"] == pytest.approx(B * 1.01**24, rel=1e-12)
    assert loan["original_balance"] == B


def test_a_bullet_losing_half_its_principal_at_maturity() -> None:
    """Interest paid monthly in full, half the principal at maturity: principal loss 0.5,
    economic loss 0.5 / (1 + r / 12)^N (the PV of the half never paid)."""
    r, n = 0.06, 24
    tranche = {"coupon": {"type": "fixed", "rate": r}, "amortisation": {"type": "bullet"}}
    loan = _loan(_deal(tranche, n, rent=B * r / 12, lump=B / 2))
    assert loan["loss_pct"] == pytest.approx(0.5, rel=1e-12)
    assert loan["interest_loss"] == 0.0
    assert loan["economic_loss_pct"] == pytest.approx(0.5 * (1 + r / 12) ** -n, rel=1e-12)


@pytest.mark.parametrize(("repaid", "principal_loss"), [(B, 1 - 1.01**-24), (0.0, 1.0)])
def test_a_pik_note_loses_at_most_what_it_lent(repaid: float, principal_loss: float) -> None:
    """A PIK note at 1% a month for 24 months owes B x 1.01^24; repaid B it loses its
    capitalised interest, 1 - 1.01^-24 of what it lent; repaid nothing, all of it (1.0,
    not the 1.27 of the balance over the original)."""
    tranche = {"coupon": {"type": "fixed", "rate": 0.12}, "amortisation": {"type": "bullet"}, "pik": "always"}
    loan = _loan(_deal(tranche, 24, rent=1e-6, lump=repaid))
    assert loan["loss_pct"] == pytest.approx(principal_loss, rel=1e-9)
    assert loan["interest_loss"] == 0.0  # PIK interest is principal, counted once
    assert loan["economic_loss_pct"] == pytest.approx(1 - repaid / B * 1.01**-24, rel=1e-9)


def test_interest_in_arrears_at_the_write_down_is_interest_loss() -> None:
    """Rent pays half of each month's interest and nothing repays the bullet: half the
    interest falls into arrears each month (arrears bear no interest), and at maturity the
    balance is written down and the N x B r / 24 of arrears forgiven. The receipts are a
    level B r / 24 a month."""
    r, n = 0.06, 12
    tranche = {"coupon": {"type": "fixed", "rate": r}, "amortisation": {"type": "bullet"}}
    loan = tranche_outcomes(run_deal(_deal(tranche, n, rent=B * r / 24))).filter(pl.col("tranche") == "loan")
    loan = loan.row(0, named=True)
    assert loan["loss_pct"] == 1.0
    assert loan["interest_loss_pct"] == pytest.approx(n * r / 24, rel=1e-12)
    v = 1 / (1 + r / 12)
    received = B * r / 24 * v * (1 - v**n) / (1 - v)
    assert loan["economic_loss_pct"] == pytest.approx(1 - received / B, rel=1e-12)


def test_equity_at_its_hurdle_has_zero_npv_and_its_moic() -> None:
    """No debt: equity buys a level rent of R a month for N months for the rent's value at
    the 10% hurdle, so its NPV at the hurdle is 0, its IRR the hurdle and its MOIC N R / E."""
    rent, n, hurdle = 100_000.0, 60, 0.10
    v = (1 + hurdle) ** (-1 / 12)
    price = rent * v * (1 - v**n) / (1 - v)
    raw = one_tranche_deal(
        {"balance": 0.0, "coupon": {"type": "fixed", "rate": 0.05}, "amortisation": {"type": "bullet"}},
        horizon=n,
        monthly_rent=rent,
    )
    raw["tranches"][0]["legal_maturity"] = month(n - 1)
    raw["equity"] = {"amount": price, "hurdle_rate": hurdle}
    equity = tranche_outcomes(run_deal(build(raw))).filter(pl.col("kind") == "equity").row(0, named=True)
    assert equity["npv"] == pytest.approx(0.0, abs=1e-6 * price)
    assert equity["irr"] == pytest.approx(hurdle, abs=1e-9)
    assert equity["moic"] == pytest.approx(n * rent / price, rel=1e-12)
    assert equity["loss"] == 0.0
