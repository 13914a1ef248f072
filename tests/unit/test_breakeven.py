"""Breakevens: closed forms on a hand-built deal, the bracket checked by direct runs on
shipped deals, each factor's direction, the statuses, and every shipped deal's table.

The hand-built deal lends a floating-rate bullet against a fixed rent and keeps every
dollar in the SPV until maturity (no equity step), so the loan loses exactly
what the rent over the horizon falls short of principal plus interest.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from tests.builders import build, month, one_tranche_deal
from waterfall.analytics.breakeven import (
    LOSS_DOLLARS,
    SCHEMA,
    TOLERANCE,
    Evaluator,
    breakeven,
    breakeven_table,
    parse_metric,
)
from waterfall.analytics.stress import FACTORS, default_month_at, hazard_boundaries, main_tenant
from waterfall.engine import run
from waterfall.market.curves import Market, base_case
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.spec.deal import Deal
from waterfall.spec.load import load_deal

DEALS = Path(__file__).resolve().parents[2] / "deals"
BALANCE = 1_000_000.0
MONTHS = 24
SOFR, SPREAD = 0.03, 0.02


def _hoarding_deal(monthly_rent: float) -> Deal:
    """A floating bullet; rent is kept in the SPV until it repays the loan at maturity."""
    raw = one_tranche_deal(
        {
            "balance": BALANCE,
            "coupon": {"type": "floating", "index": "SOFR", "spread": SPREAD},
            "amortisation": {"type": "bullet"},
            "legal_maturity": month(MONTHS - 1),
        },
        horizon=MONTHS,
        monthly_rent=monthly_rent,
    )
    steps = [
        {"type": "pay_expenses"},
        {"type": "pay_interest", "tranches": ["loan"]},
        {"type": "pay_principal", "tranches": ["loan"]},
    ]
    raw["waterfall"] = {"normal": steps, "lock_up": list(steps), "default": list(steps)}
    return build(raw)


def _loss(deal: Deal, market: Market, tranche: str) -> np.ndarray:
    table = tranche_outcomes(run(deal, market)).filter(pl.col("tranche") == tranche).sort("path")
    return table["loss"].to_numpy() + table["interest_loss"].to_numpy()


def test_rate_shock_breakeven_has_its_closed_form() -> None:
    """Loss = B (1 + N (SOFR + spread + x) / 12) - N R; the first dollar is lost at
    x = 12 (N R + 1 - B) / (B N) - SOFR - spread."""
    rent = 50_000.0
    deal = _hoarding_deal(rent)
    expected = (12 * (MONTHS * rent + LOSS_DOLLARS - BALANCE) / (BALANCE * MONTHS) - SOFR - SPREAD) * 1e4
    found = breakeven(deal, "loan", "rate_shock")
    assert found.status == "found"
    assert found.unit == "bp"
    assert (found.low, found.high) == (0.0, 2000.0)
    assert found.level == pytest.approx(expected, abs=2 * TOLERANCE * 2000.0)
    assert found.first_loss_period == MONTHS - 1
    assert found.first_loss_date == deal.calendar.date_of(MONTHS - 1)


def test_hazard_breakeven_is_the_hazard_whose_median_default_first_loses() -> None:
    """A tenant default in month M leaves M months of rent, R M, against B (1 + N r / 12) owed:
    the latest losing month is the largest M with R M < B (1 + N r / 12) - 1, and the
    hazard that first defaults in it is 12 ln 2 / (M + 1)."""
    rent = 50_000.0
    owed = BALANCE * (1 + MONTHS * (SOFR + SPREAD) / 12)
    latest = math.ceil((owed - LOSS_DOLLARS) / rent) - 1
    found = breakeven(_hoarding_deal(rent), "loan", "hazard")
    assert found.status == "found"
    assert latest == 21
    assert found.level == pytest.approx(12 * math.log(2) / (latest + 1), rel=1e-12)
    assert found.first_loss_period == MONTHS - 1  # written down at maturity


def test_hazard_boundaries_map_to_each_month() -> None:
    boundaries = hazard_boundaries(MONTHS)
    np.testing.assert_array_equal(default_month_at(boundaries, MONTHS), np.arange(MONTHS))
    # a hazard just below a month's boundary defaults a month later; below the last, never
    later = np.append(np.arange(1, MONTHS), -1)
    np.testing.assert_array_equal(default_month_at(boundaries * (1 - 1e-6), MONTHS), later)
    assert default_month_at(np.array([0.0, 1e-4]), MONTHS).tolist() == [-1, -1]  # median beyond the horizon


def test_lost_at_base_and_no_crossing() -> None:
    short = breakeven(_hoarding_deal(40_000.0), "loan", "rate_shock")
    assert short.status == "lost_at_base"
    assert short.level is None
    assert short.first_loss_period == MONTHS - 1
    ample = breakeven(_hoarding_deal(50_000.0), "loan", "rate_shock", low=0.0, high=400.0)
    assert ample.status == "no_crossing"
    assert (ample.level, ample.first_loss_period, ample.first_loss_date) == (None, None, None)
    assert (ample.low, ample.high) == (0.0, 400.0)


def test_factors_that_cannot_move_a_deal_say_so() -> None:
    deal = _hoarding_deal(50_000.0)
    for factor in ("rent_drift", "launch_jump", "delay"):
        found = breakeven(deal, "loan", factor)
        assert found.status == "not_applicable", factor
        assert found.reason
    fixed = load_deal(DEALS / "campus_15y.toml")
    assert breakeven(fixed, "senior", "rate_shock").status == "not_applicable"


def _shifted_rents(deal: Deal, levels: np.ndarray) -> Market:
    """Rent curves with their annual change shifted, built here from the deal's own terms."""
    months = np.arange(deal.calendar.horizon_months)
    rents = {
        g: c.start * (1 + c.annual_change + levels[:, None]) ** (months / 12) for g, c in deal.market.gpu_rent.items()
    }
    base = base_case(deal, len(levels))
    return Market.from_arrays(gpu_rent=rents, index=base.index)


def test_rent_drift_bracket_checked_by_direct_runs() -> None:
    deal = load_deal(DEALS / "gpu_lease_spv.toml")
    found = breakeven(deal, "mezz", "rent_drift")
    assert found.status == "found"
    step = 2 * TOLERANCE * (found.high - found.low)
    losses = _loss(deal, _shifted_rents(deal, np.array([found.level + step, found.level])), "mezz")
    assert losses[0] <= LOSS_DOLLARS < losses[1]
    assert found.first_loss_period is not None


def test_the_grid_finds_the_first_crossing_from_the_benign_side() -> None:
    """The mezzanine loses between about -0.057 and -0.075 of rent drift and not at -0.08 to
    -0.10 (a harsher drift defaults the deal earlier, while the collateral is worth more):
    a range starting beyond the losing band finds no crossing."""
    deal = load_deal(DEALS / "gpu_lease_spv.toml")
    levels = np.array([-0.05, -0.06, -0.07, -0.08, -0.10])
    losses = _loss(deal, _shifted_rents(deal, levels), "mezz")
    assert losses[0] <= LOSS_DOLLARS < min(losses[1], losses[2])
    assert max(losses[3], losses[4]) <= LOSS_DOLLARS
    assert breakeven(deal, "mezz", "rent_drift").level > -0.06
    beyond = breakeven(deal, "mezz", "rent_drift", low=-0.10, high=-0.08)
    assert beyond.status == "no_crossing"


def test_delay_breakeven_is_the_first_whole_month_that_loses() -> None:
    deal = load_deal(DEALS / "terawulf_fluidstack.toml")
    found = breakeven(deal, "notes", "delay")
    assert found.status == "found"
    assert found.level == int(found.level)
    delays = np.arange(int(found.level) + 1)
    base = base_case(deal, len(delays))
    market = Market(
        gpu_rent=base.gpu_rent,
        index=base.index,
        credit_spread=base.credit_spread,
        paths=len(delays),
        construction_delay=delays,
    )
    losses = _loss(deal, market, "notes")
    assert (losses[:-1] <= LOSS_DOLLARS).all()
    assert losses[-1] > LOSS_DOLLARS


def test_haircut_breakeven_brackets_the_loss_after_the_main_tenant_defaults() -> None:
    deal = load_deal(DEALS / "gpu_lease_spv.toml")
    found = breakeven(deal, "mezz", "haircut", default_month=12)
    assert found.status == "found"
    step = 2 * TOLERANCE
    haircuts = np.array([found.level - step, found.level])
    months = deal.calendar.horizon_months
    base = base_case(deal, 2)
    market = Market.from_arrays(
        gpu_rent=base.gpu_rent,
        index=base.index,
        tenant_default={main_tenant(deal): np.array([12, 12])},
        sale_haircut=np.repeat(haircuts[:, None], months, axis=1),
    )
    before, at = _loss(deal, market, "mezz")
    assert before <= LOSS_DOLLARS < at


def test_irr_below_breakeven_brackets_the_hurdle() -> None:
    deal = load_deal(DEALS / "gpu_lease_spv.toml")
    found = breakeven(deal, "mezz", "launch_jump", metric="irr_below:0.10")
    assert found.status == "found"
    assert found.metric == "irr_below:0.1"
    irr = Evaluator(deal, "launch_jump").outcomes(np.array([found.level - 4 * TOLERANCE, found.level]))["mezz"]["irr"]
    assert irr[0] >= 0.10 > irr[1]


@pytest.mark.parametrize(
    ("deal_name", "tranche", "factor"),
    [
        ("gpu_lease_spv", "mezz", "rent_drift"),
        ("gpu_lease_spv", "senior", "haircut"),
        ("campus_15y", "senior", "hazard"),
        ("fluidstack_macquarie", "facility", "rate_shock"),
        ("gpu_lease_spv", "mezz", "launch_jump"),
        ("vantage_frontier", "senior_loan", "delay"),
    ],
)
def test_each_factor_hurts_at_its_harsh_end(deal_name: str, tranche: str, factor: str) -> None:
    deal = load_deal(DEALS / f"{deal_name}.toml")
    f = FACTORS[factor]
    losses = Evaluator(deal, factor).outcomes(np.linspace(f.benign, f.harsh, 5))[tranche]["loss"]
    assert losses[0] <= LOSS_DOLLARS < losses[-1], losses
    if factor == "haircut":  # the default is the same at every level: a lower price only loses more
        assert (np.diff(losses) >= -1e-6).all(), losses


def test_bad_requests_are_refused() -> None:
    deal = _hoarding_deal(50_000.0)
    with pytest.raises(ValueError, match="--tranche: expected one of loan, found 'nope'"):
        breakeven(deal, "nope", "hazard")
    with pytest.raises(ValueError, match="--factor"):
        breakeven(deal, "loan", "weather")
    with pytest.raises(ValueError, match="--low/--high: expected low < high"):
        breakeven(deal, "loan", "rate_shock", low=100.0, high=50.0)
    with pytest.raises(ValueError, match=r"within 0 \.\. 1"):
        breakeven(deal, "loan", "haircut", high=1.5)
    for text in ("irr_below", "irr_below:abc", "loss", "irr_below:20"):
        with pytest.raises(ValueError):
            parse_metric(text)
    assert parse_metric("irr_below:0.05").hurdle == 0.05


FAST_FACTORS = ["rent_drift", "hazard", "rate_shock", "launch_jump", "delay"]


@pytest.mark.parametrize("path", sorted(DEALS.glob("*.toml")), ids=lambda p: p.stem)
def test_breakeven_table_runs_for_every_shipped_deal(path: Path) -> None:
    """Every tranche under the factors solved in one or two runs each (the haircut, whose
    campus deals need a run per level, has the slow test below)."""
    deal = load_deal(path)
    table = breakeven_table(deal, factors=FAST_FACTORS)
    assert table.schema == pl.Schema(SCHEMA)
    assert table.height == len(deal.tranches) * len(FAST_FACTORS)
    assert set(table["status"]) <= {"found", "no_crossing", "lost_at_base", "not_applicable"}
    found = table.filter(pl.col("status") == "found")
    assert found["level"].null_count() == 0
    assert ((found["level"] >= found["low"]) & (found["level"] <= found["high"])).all()


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(DEALS.glob("*.toml")), ids=lambda p: p.stem)
def test_full_breakeven_table_for_every_shipped_deal(path: Path) -> None:
    deal = load_deal(path)
    table = breakeven_table(deal)
    assert table.height == len(deal.tranches) * len(FACTORS)
