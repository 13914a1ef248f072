"""Generated deals on random dated calendars (payment days, stubs, business days,
holiday calendars, every day count) and with collection periods ending before payment
dates keep the engine's invariants: cash is conserved, no balance goes negative, seniors
are paid before juniors, and collections held always reach a priority of payments."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from tests.properties import strategies
from tests.properties.test_invariants import check_conservation, check_no_negative_balances, check_seniority
from waterfall.engine import run


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(strategies.dated_cases(paths=4))
def test_dated_calendars_conserve_cash_and_keep_seniority(case) -> None:
    deal, market = case
    assert deal.calendar.dated
    _run_checked(deal, market)


def _run_checked(deal, market):
    """The deal's tape, after checking cash is conserved, never negative, and seniority kept."""
    tape = run(deal, market)
    check_conservation(deal, market, tape)
    check_no_negative_balances(deal, market, tape)
    check_seniority(deal, market, tape)
    return tape


def check_collections_released(tape) -> None:
    """Collections held always reach a priority of payments: released on a payment date (in
    full on the final one and on a path in default, so on the sale date too), none goes
    straight to equity at a wind-up, and nothing is left at the horizon (to the float residue
    of a sum of cents floored under the cents policy)."""
    held = tape.accounts.get("collections")
    if held is None:
        return
    left = np.abs(held[-1]) > 1e-6
    assert not left.any(), f"collections left at the horizon: {held[-1][left][:5]}"
    bypass = tape.ledger.flows.get(("collections", "equity"))
    if bypass is not None:
        bad = bypass > 1e-6
        assert not bad.any(), f"collections wound up to equity at (period, path) {np.argwhere(bad)[:5]}"


def _check_held(case) -> None:
    """A deal holding collections: cash conserved, never negative, seniority kept, all released."""
    deal, market = case
    assert deal.calendar.holds_collections
    check_collections_released(_run_checked(deal, market))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(strategies.held_cases(paths=4))
def test_collections_held_to_the_next_payment_date_conserve_cash_and_keep_seniority(case) -> None:
    _check_held(case)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(strategies.held_dated_cases(paths=4))
def test_dated_collection_periods_conserve_cash_and_keep_seniority(case) -> None:
    _check_held(case)
