"""Strategic default: raising the rent elasticity never lowers any path's hazard, nor delays any default."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from waterfall.market.factors import TenantCredit, tenant_defaults
from waterfall.market.factors.strategic import strategic_tilt

GAPS = arrays(np.float64, (6, 18), elements=st.floats(0.0, 5.0))


@settings(max_examples=40, deadline=None)
@given(
    gap=GAPS,
    hazard=st.floats(0.0, 2.0),
    low=st.floats(0.0, 10.0),
    rise=st.floats(0.0, 10.0),
    seed=st.integers(0, 2**16),
)
def test_raising_the_elasticity_never_lowers_a_hazard_or_delays_a_default(gap, hazard, low, rise, seed) -> None:
    base = np.full(18, hazard / 12.0)
    assert np.all(strategic_tilt(base, gap, low + rise) >= strategic_tilt(base, gap, low))
    months = {}
    for elasticity in (low, low + rise):
        credit = {"T": TenantCredit(annual_hazard=hazard, rent_elasticity=elasticity)}
        drawn = tenant_defaults(credit, 18, np.random.default_rng(seed), paths=6, gaps={"T": gap})["T"]
        months[elasticity] = np.where(drawn < 0, 10**6, drawn)
    assert np.all(months[low + rise] <= months[low])
