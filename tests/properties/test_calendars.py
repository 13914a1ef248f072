"""Generated deals on random dated calendars (payment days, stubs, business days,
holiday calendars, every day count) keep the engine's invariants: cash is conserved,
no balance goes negative, seniors are paid before juniors."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.properties import strategies
from tests.properties.test_invariants import check_conservation, check_no_negative_balances, check_seniority
from waterfall.engine import run


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(strategies.dated_cases(paths=4))
def test_dated_calendars_conserve_cash_and_keep_seniority(case) -> None:
    deal, market = case
    assert deal.calendar.dated
    tape = run(deal, market)
    check_conservation(deal, market, tape)
    check_no_negative_balances(deal, market, tape)
    check_seniority(deal, market, tape)
