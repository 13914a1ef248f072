"""Renewal options on generated deals: options taken in turn are one longer lease.

A lease whose N renewal options are all ``always`` on the ``fixed`` basis must
run exactly as the same lease with one term of the summed length, on any
generated deal and market (defaults, walk-aways of other leases, lock-ups and
all). With an escalator the two agree when every term is whole years (the
escalation then steps on the same anniversaries).
"""

from __future__ import annotations

import attrs
import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.properties import strategies
from tests.properties.test_invariants import _assert_tapes_equal
from waterfall.engine import run
from waterfall.spec.deal import Deal
from waterfall.spec.lease import Renewal


def _split(deal: Deal, index: int, terms: list[int], escalator: float) -> tuple[Deal, Deal]:
    """(the lease with options of ``terms[1:]``, the lease of their summed term), at ``index``."""
    lease = attrs.evolve(deal.leases[index], escalator=escalator, early_termination=None, renewal=None)
    options = tuple(Renewal(term_months=t, basis="fixed", exercise="always") for t in terms[1:])
    with_options = attrs.evolve(lease, term_months=terms[0], renewals=options)
    summed = attrs.evolve(lease, term_months=sum(terms), renewals=())

    def put(one) -> Deal:
        leases = list(deal.leases)
        leases[index] = one
        return attrs.evolve(deal, leases=tuple(leases))

    return put(with_options), put(summed)


@st.composite
def split_cases(draw: st.DrawFn, whole_years: bool):
    deal, market = draw(strategies.cases())
    assume(deal.leases)
    index = draw(st.integers(0, len(deal.leases) - 1))
    unit = 12 if whole_years else 1
    terms = [unit * draw(st.integers(1, 36 // unit + 1)) for _ in range(draw(st.integers(2, 5)))]
    escalator = draw(strategies.fraction(-0.05, 0.05)) if whole_years else 0.0
    return *_split(deal, index, terms, escalator), market


@given(split_cases(whole_years=False))
def test_always_options_equal_one_lease_of_the_summed_term(case) -> None:
    with_options, summed, market = case
    _assert_tapes_equal(run(with_options, market), run(summed, market))


@given(split_cases(whole_years=True))
def test_always_options_of_whole_years_escalate_as_one_lease(case) -> None:
    with_options, summed, market = case
    got, want = run(with_options, market), run(summed, market)
    # every tenant's rent: the escalator's powers, split at each option or not, agree to a cent
    zero = np.zeros((got.months, got.paths))
    for lease in with_options.leases:
        key = (lease.tenant, "operating")
        np.testing.assert_allclose(
            got.ledger.flows.get(key, zero), want.ledger.flows.get(key, zero), rtol=1e-9, atol=0.02
        )


def test_generated_cases_re_let_and_decline_options() -> None:
    """The generators reach the new lease paths, so the invariants see them: re-let rent,
    vacancy costs and options declined each happen in some of a fixed sample of cases."""
    seen: list[dict[str, bool]] = []

    @settings(max_examples=150, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategies.cases())
    def collect(case) -> None:
        deal, market = case
        tape = run(deal, market)
        flows = tape.ledger.flows
        seen.append(
            {
                "re-let": any(src.endswith(" re-let") and f.any() for (src, _), f in flows.items()),
                "vacancy": bool(flows.get(("operating", "vacancy_costs"), np.zeros(1)).any()),
                "declined": any((~a).any() for a in market.option_renews.values()),
            }
        )

    collect()
    count = {name: sum(case[name] for case in seen) for name in seen[0]}
    assert all(n >= 2 for n in count.values()), count
