"""Extreme but valid deals (``strategies.extreme_deals``) run cleanly, the same every time.

One month to 1,200, no GPUs to a million, zero to $100bn balances, rates from -5% to
100% (the deal language's bounds), every tranche kind, PIK mode, account, covenant,
construction, guarantee, hedge and crypto holding: under the deal's base case and a
few paths of each preset, every run keeps the invariants of ``test_invariants`` and
has no NaN, infinity or negative amount (``tests.fuzz.harness.check_tape``); runs are
deterministic, a path's results do not depend on the paths run beside it, and a Monte
Carlo gives the same tranche table whatever its chunk size.
"""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from tests.fuzz.harness import check_tables, check_tape
from tests.properties import strategies
from tests.properties.test_invariants import (
    _assert_tapes_equal,
    _path,
    check_absolute_priority,
    check_enforcement,
    check_losses,
    check_principal_due_within_balance,
    check_seniority,
)
from waterfall.engine import run
from waterfall.market.curves import base_case
from waterfall.market.generate import generate
from waterfall.market.scenario import PRESETS, load_scenario
from waterfall.risk.montecarlo import run_monte_carlo
from waterfall.spec.deal import Deal

EXAMPLES = 25
# the invariants whose tolerances scale with the deal (or are a cent of a payment); the others
# (no negative balance, nothing held after wind-up) allow a millionth of a dollar, below the
# float rounding of $100bn balances: check_tape applies them with a tolerance scaled to the deal
SCALE_FREE = (
    check_seniority,
    check_principal_due_within_balance,
    check_losses,
    check_absolute_priority,
    check_enforcement,
)
SHORT = 24  # months: the Monte Carlo chunk test runs two whole blocks of paths


def _market(deal: Deal, scenario: str | None):
    return base_case(deal, paths=2) if scenario is None else generate(load_scenario(scenario), deal, 7, 0, 3)


@settings(max_examples=EXAMPLES)
@given(strategies.extreme_deals(), st.sampled_from([None, *PRESETS]))
def test_extreme_deals_run_clean(deal: Deal, scenario: str | None) -> None:
    market = _market(deal, scenario)
    tape = run(deal, market)
    check_tape(deal, market, tape)
    check_tables(deal, tape)
    for check in SCALE_FREE:
        check(deal, market, tape)


@settings(max_examples=EXAMPLES)
@given(strategies.extreme_deals(), st.sampled_from([None, *PRESETS]))
def test_extreme_deals_are_deterministic_and_path_independent(deal: Deal, scenario: str | None) -> None:
    market = _market(deal, scenario)
    together = run(deal, market)
    _assert_tapes_equal(run(deal, market), together)
    for p in range(market.paths):
        alone = run(deal, market.take(slice(p, p + 1)))
        _assert_tapes_equal(_path(together, p), alone, rtol=1e-9, what=f"path {p}: ")


@settings(max_examples=6)
@given(strategies.extreme_deals().filter(lambda d: d.calendar.horizon_months <= SHORT), st.sampled_from(PRESETS))
def test_extreme_monte_carlo_does_not_depend_on_the_chunk_size(deal: Deal, scenario: str) -> None:
    loaded = load_scenario(scenario)
    one = run_monte_carlo(deal, loaded, paths=2048, seed=11, chunk_size=1024)
    two = run_monte_carlo(deal, loaded, paths=2048, seed=11, chunk_size=2048)
    sort = ["path", "tranche"]
    assert_frame_equal(
        one.tranches.with_columns(pl.col("tranche").cast(pl.String)).sort(sort),
        two.tranches.with_columns(pl.col("tranche").cast(pl.String)).sort(sort),
    )
    assert_frame_equal(one.summary, two.summary)
