"""Generated deals with a pay-fixed swap: the invariants hold when defaults terminate it.

Each generated deal (``strategies.cases``) gets a swap on its index over the whole
horizon, ranked before the first tranche's interest in every mode; stressed paths
default, terminating it at its mark-to-market (paid in, or owed and paid by
``pay_hedge``). Every invariant of ``test_invariants`` must still hold, and a
terminated swap settles nothing after the default.
"""

from __future__ import annotations

import attrs
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tests.properties import strategies
from tests.properties.test_invariants import CHECKS
from waterfall.engine import run
from waterfall.spec.hedge import InterestRateSwap
from waterfall.spec.steps import PayHedge, PayInterest


def _hedged(deal, fixed: float, amortising: bool, subordinated: bool):
    calendar = deal.calendar
    first = deal.tranches[0]
    swap = InterestRateSwap(
        "swap",
        strategies.INDEX,
        first.balance,
        fixed,
        calendar.start,
        calendar.date_of(calendar.horizon_months),
        first.name if amortising else None,
    )

    def add(steps, mode: str):
        i = next(k for k, s in enumerate(steps) if isinstance(s, PayInterest))
        if mode == "default" and subordinated:  # the termination payment after all the debt
            return (*steps[:i], PayHedge("swap", "periodic"), *steps[i:-1], PayHedge("swap", "termination"), steps[-1])
        return (*steps[:i], PayHedge("swap"), *steps[i:])

    w = deal.waterfall
    waterfall = attrs.evolve(
        w, normal=add(w.normal, "normal"), lock_up=add(w.lock_up, "lock_up"), default=add(w.default, "default")
    )
    return attrs.evolve(deal, hedges=(swap,), waterfall=waterfall)


@given(strategies.cases(), strategies.rates(0.0, 0.1), st.booleans(), st.booleans())
def test_invariants_hold_with_a_swap_terminated_on_default(case, fixed: float, amortising: bool, sub: bool) -> None:
    deal, market = case
    deal = _hedged(deal, fixed, amortising, sub)
    tape = run(deal, market)
    for check in CHECKS:
        check(deal, market, tape)
    # no settlement after the payment date on which the default terminated the swap
    zero = np.zeros((tape.months, tape.paths))
    settled = tape.ledger.flows.get(("swap", "operating"), zero)
    for p in np.flatnonzero(tape.default_month >= 0):
        after = int(tape.default_month[p]) + 1
        assert not settled[after:, p].any(), f"path {p}: the swap paid in after its termination"
