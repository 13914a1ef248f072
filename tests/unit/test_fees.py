"""Fees in closed form: one-off, dated schedules, recurring, bps of balance or collateral,
a yearly cap, arrears carried or forgiven; and the deal's own fee keys unchanged."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.builders import build, month, one_tranche_deal, run_deal, sequential_waterfall
from waterfall.engine.tape import Tape
from waterfall.spec.account import OPERATING
from waterfall.spec.checks import check_deal
from waterfall.spec.deal import Deal
from waterfall.spec.load import structure

HORIZON = 24
RENT = 1_000_000.0
FEE = "trustee"


def _raw(fee: dict[str, Any], *, frequency: str = "monthly", lease_start: int = 0) -> dict[str, Any]:
    """One bullet loan, ample rent (from ``lease_start``), and the fee paid first."""
    tranche = {"balance": 1_000_000.0, "legal_maturity": month(HORIZON - 1), "amortisation": {"type": "bullet"}}
    raw = one_tranche_deal(
        {**tranche, "coupon": {"type": "fixed", "rate": 0.06}}, horizon=HORIZON, monthly_rent=RENT, frequency=frequency
    )
    raw["leases"][0]["start"] = month(lease_start)
    raw["leases"][0]["term_months"] = HORIZON - lease_start
    raw["fees"] = [{"name": FEE, **fee}]
    raw["waterfall"] = sequential_waterfall(["loan"], fees=(FEE,))
    return raw


def _run(fee: dict[str, Any], **kwargs: Any) -> Tape:
    return run_deal(build(_raw(fee, **kwargs)))


def _paid(tape: Tape) -> np.ndarray:
    """What the fee was paid, month by month (path 0)."""
    flows = tape.ledger.flows.get((OPERATING, FEE))
    return np.zeros(tape.months) if flows is None else flows[:, 0]


def test_a_one_off_fee_is_paid_once() -> None:
    tape = _run({"basis": {"type": "one_off", "date": month(5), "amount": 75_000.0}})
    expected = np.zeros(HORIZON)
    expected[5] = 75_000.0
    np.testing.assert_array_equal(_paid(tape), expected)
    np.testing.assert_array_equal(tape.period["fees"][:, 0], expected)


def test_a_dated_schedule_is_paid_on_its_dates() -> None:
    schedule = [
        {"date": month(2), "amount": 10.0},
        {"date": month(7), "amount": 20.0},
        {"date": month(30), "amount": 1},
    ]
    raw = _raw({"basis": {"type": "schedule", "schedule": schedule}})
    problems = check_deal(structure(raw, Deal, "<test>"))
    assert [p.path for p in problems] == ["fees[0].basis.schedule[2].date"]  # beyond the horizon
    raw["fees"][0]["basis"]["schedule"] = schedule[:2]
    paid = _paid(run_deal(build(raw)))
    assert np.flatnonzero(paid).tolist() == [2, 7]
    assert paid[[2, 7]].tolist() == [10.0, 20.0]


@pytest.mark.parametrize(("frequency", "apart"), [("monthly", 1), ("quarterly", 3), ("semiannual", 6), ("annual", 12)])
def test_a_recurring_fee_falls_due_every_period_from_its_start(frequency: str, apart: int) -> None:
    basis = {"type": "recurring", "amount": 30_000.0, "frequency": frequency, "start": month(1), "end": month(19)}
    paid = _paid(_run({"basis": basis}))
    expected = np.zeros(HORIZON)
    expected[1:20:apart] = 30_000.0
    np.testing.assert_array_equal(paid, expected)


def test_a_quarterly_fee_on_a_quarterly_deal_is_paid_on_payment_dates() -> None:
    """Due in months 0, 3, 6, ...; paid on the payment dates at months 2, 5, 8, ...: each one
    quarter's fee, the last (month 21) paid at month 23."""
    basis = {"type": "recurring", "amount": 30_000.0, "frequency": "quarterly"}
    paid = _paid(_run({"basis": basis}, frequency="quarterly"))
    expected = np.zeros(HORIZON)
    expected[2::3] = 30_000.0
    np.testing.assert_array_equal(paid, expected)


def test_the_cap_bounds_what_falls_due_each_deal_year() -> None:
    """A fixed 120,000 a year is 10,000 a month; capped at 45,000 a year, months 0-3 charge
    10,000, 10,000, 10,000, 10,000 and month 4 the 5,000 left, then nothing until the
    anniversary, when the count starts again."""
    paid = _paid(_run({"basis": {"type": "fixed", "annual": 120_000.0}, "cap": 45_000.0}))
    year = np.array([10_000.0] * 4 + [5_000.0] + [0.0] * 7)
    np.testing.assert_allclose(paid, np.concatenate([year, year]), rtol=0, atol=1e-9)


def test_a_cap_above_the_fee_changes_nothing() -> None:
    free = _paid(_run({"basis": {"type": "bps", "bps": 25.0}}))
    capped = _paid(_run({"basis": {"type": "bps", "bps": 25.0}, "cap": 1e9}))
    np.testing.assert_array_equal(free, capped)
    np.testing.assert_allclose(free, 1_000_000.0 * 25 / 10_000 / 12, rtol=1e-12)  # a bullet: the balance stays


def test_an_unpaid_fee_is_carried_and_paid_next_period() -> None:
    """No rent until month 2: the month-0 fee waits, and is paid with nothing lost in month 2."""
    tape = _run({"basis": {"type": "one_off", "date": month(0), "amount": 40_000.0}}, lease_start=2)
    expected = np.zeros(HORIZON)
    expected[2] = 40_000.0
    np.testing.assert_array_equal(_paid(tape), expected)


def test_an_unpaid_fee_may_be_forgiven() -> None:
    tape = _run(
        {"basis": {"type": "one_off", "date": month(0), "amount": 40_000.0}, "arrears": "forgive"}, lease_start=2
    )
    assert not _paid(tape).any()
    assert tape.period["fees"][0, 0] == 40_000.0  # incurred all the same


def test_a_partly_paid_fee_forgives_only_the_rest() -> None:
    """Month 1's cash is the 30,000 of a small lease; a 50,000 fee takes it and forgives 20,000."""
    raw = _raw(
        {"basis": {"type": "one_off", "date": month(1), "amount": 50_000.0}, "arrears": "forgive"}, lease_start=2
    )
    raw["leases"].append({**raw["leases"][0], "name": "small", "tenant": "small_tenant", "start": month(1)})
    raw["leases"][-1]["term_months"] = 1
    raw["leases"][-1]["rent"] = {"type": "fixed", "monthly": 30_000.0}
    paid = _paid(run_deal(build(raw)))
    assert paid[1] == 30_000.0
    assert paid.sum() == 30_000.0


def test_bps_of_collateral_value() -> None:
    raw = _raw({"basis": {"type": "bps", "bps": 120.0, "of": "collateral_value"}})
    raw["fleets"] = [
        {"name": "fleet", "generation": "H100", "count": 1_000, "cost_per_gpu": 30_000.0, "delivery": month(0),
         "useful_life_months": 48, "salvage_pct": 0.1},
    ]  # fmt: skip
    tape = run_deal(build(raw))
    value = tape.period["collateral_value"][:, 0]
    assert value[0] > value[-1] > 0  # depreciating
    np.testing.assert_allclose(_paid(tape), value * 120 / 10_000 / 12, rtol=1e-12)


BAD_FEES = [
    ({"type": "one_off", "date": month(HORIZON), "amount": 1.0}, "fees[0].basis.date", "found 2028-01"),
    ({"type": "one_off", "date": "2025-12", "amount": 1.0}, "fees[0].basis.date", "expected a month from 2026-01"),
    (
        {"type": "schedule", "schedule": [{"date": month(3), "amount": 1.0}, {"date": month(3), "amount": 2.0}]},
        "fees[0].basis.schedule[1].date",
        "one amount a month",
    ),
    (
        {"type": "schedule", "schedule": [{"date": month(5), "amount": 1.0}, {"date": month(3), "amount": 2.0}]},
        "fees[0].basis.schedule[1].date",
        "expected a month after 2026-06",
    ),
    ({"type": "schedule", "schedule": []}, "fees[0].basis.schedule", "at least one"),
    (
        {"type": "recurring", "amount": 1.0, "frequency": "annual", "start": month(6), "end": month(2)},
        "fees[0].basis.end",
        "expected a month from start 2026-07, found 2026-03",
    ),
]


@pytest.mark.parametrize(("basis", "path", "fragment"), BAD_FEES)
def test_bad_fee_terms_are_named_at_their_path(basis: dict, path: str, fragment: str) -> None:
    problems = check_deal(structure(_raw({"basis": basis}), Deal, "<test>"))
    assert [p.path for p in problems] == [path]
    assert fragment in problems[0].message
