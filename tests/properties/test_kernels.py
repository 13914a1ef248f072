"""The compiled kernels and the numpy path give the same numbers.

On generated deals and markets (every step kind, PIK, reserves, sweeps,
enforcement: ``strategies.cases``) the tranche outcomes (IRR, WAL, losses) and
the period histograms are computed twice, once by the numpy path and once by the
compiled kernels, and must agree: the histograms' counts exactly and every outcome,
IRR included, bit for bit (a path's IRR is the same alone, in a block of numpy lanes
or in the kernel). Hand-made flows cover the IRR's edge cases (no root, nothing
returned, nothing invested, rates at the bracket). The market's recursions (AR(1)
processes, the log-rent walk and cycle) are checked the same way on random shocks
and on whole generated markets.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from unittest import mock

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from tests.properties import strategies
from tests.properties.strategies import STEP_ACCOUNTS, step_states
from tests.properties.test_invariants import _assert_tapes_equal
from tests.properties.test_steps import HEDGE, HOLDING, KINDS, StepBooks, _step
from waterfall import compiled
from waterfall.engine import run
from waterfall.engine.priority import execute
from waterfall.engine.program import CompiledWaterfall
from waterfall.engine.tape import NORMAL, WOUND_UP
from waterfall.market.curves import base_case
from waterfall.market.factors import RentModel, ou, rent_paths
from waterfall.market.generate import BLOCK, generate
from waterfall.market.scenario import PRESETS, load_scenario
from waterfall.outcomes import metrics, tables
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.risk.period_stats import PeriodStats
from waterfall.spec.steps import PayHedge

pytestmark = pytest.mark.skipif(not compiled.numba_available(), reason="numba is not installed")


@contextlib.contextmanager
def kernels(mode: str) -> Iterator[None]:
    """Every block through the compiled kernels (``numba``, however few its paths) or through numpy."""
    with mock.patch.dict(os.environ, {"WATERFALL_KERNELS": mode}), mock.patch.object(compiled, "MIN_PATHS", 1):
        yield


def both(function, *args):
    with kernels("numpy"):
        expected = function(*args)
    with kernels("numba"):
        found = function(*args)
    return expected, found


def _same(expected: np.ndarray, found: np.ndarray) -> None:
    np.testing.assert_array_equal(found, expected)  # NaN where NaN, every other number to the bit


@settings(max_examples=12, deadline=None)
@given(strategies.cases())
def test_kernels_and_numpy_give_the_same_outcomes_on_generated_deals(case) -> None:
    deal, market = case
    tape = run(deal, market)
    expected, found = both(tranche_outcomes, tape)
    assert_frame_equal(found, expected, check_exact=True)

    def stats() -> PeriodStats:
        result = PeriodStats(tape.months, 1e6)
        result.add(tape)
        return result

    numpy_stats, kernel_stats = both(stats)
    for name, histogram in numpy_stats.measures.items():
        np.testing.assert_array_equal(kernel_stats.measures[name].counts, histogram.counts, err_msg=name)


def _extreme_case(deal, scenario: str | None):
    return deal, base_case(deal, paths=2) if scenario is None else generate(load_scenario(scenario), deal, 7, 0, 3)


ENGINE_CASES = st.one_of(
    strategies.cases(),
    strategies.dated_cases(),
    strategies.held_cases(),
    st.builds(_extreme_case, strategies.extreme_deals(), st.sampled_from([None, *PRESETS])),
)


@settings(max_examples=40, deadline=None)
@given(ENGINE_CASES)
def test_the_compiled_priority_of_payments_gives_the_numpy_tape(case) -> None:
    """Every step kind (expenses, fees, interest and principal from reserves, reserve funding,
    sweeps, traps, redemptions, hedge settlements and terminations, crypto sales, equity), PIK,
    enforcement and the rare modes, with the debt's accrual and settlement compiled too (every
    amortisation kind, accrual rounding, interest on arrears; numpy's where a tranche can be
    refinanced): the whole tape to the last bit, and the ledger's flows
    created in the same order (they name the output's columns)."""
    deal, market = case
    expected, found = both(run, deal, market)
    _assert_tapes_equal(found, expected)
    assert list(found.ledger.flows) == list(expected.ledger.flows)
    assert found.ledger.balance.keys() == expected.ledger.balance.keys()


@settings(max_examples=25, deadline=None)
@given(ENGINE_CASES)
def test_a_run_that_keeps_no_flows_records_the_same(case) -> None:
    """A Monte Carlo chunk's run (no ledger flows kept) records every tranche, period and
    account figure as a full run does, to the bit, through the kernels and through numpy."""
    deal, market = case
    for mode in ("numpy", "numba"):
        with kernels(mode):
            full, lean = run(deal, market), run(deal, market, keeps_flows=False)
        _assert_tapes_equal(lean, full, flows=False)
        assert not lean.ledger.flows
    with pytest.raises(ValueError, match="kept no ledger flows"):
        tables.ledger(lean)


HEDGE_PARTS = ("all", "periodic", "termination")


def _books_state(books: StepBooks) -> dict[str, np.ndarray]:
    """Everything a step changes, by name."""
    found = {f"balance.{k}": v for k, v in books.ledger.balance.items()}
    found |= {f"flow.{k}": v for k, v in books.ledger.flows.items()}
    found |= {f"debt.{k}": getattr(books.debt, k) for k in ("balance", "interest_due", "principal_due")}
    found |= {f"debt.month.{k}": books.debt.month[k] for k in ("interest_paid", "principal_paid")}
    found |= {f"due.{k}": v for k, v in books.expenses.due.items()}
    found |= {f"fee.{k}": v for k, v in books.expenses.fee_due.items()}
    found |= {"hedge": books.hedges.due[HEDGE], "termination": books.hedges.termination_due[HEDGE]}
    return found | {"units": books.crypto.units[HOLDING]}


@settings(max_examples=150, deadline=None)
@given(
    state=step_states(),
    order=st.lists(st.tuples(st.sampled_from(KINDS), st.sampled_from(HEDGE_PARTS)), min_size=1, max_size=12),
)
def test_the_compiled_priority_of_payments_runs_every_step_as_numpy_does(state, order) -> None:
    """Any steps in any order on any state a step may meet (overdrawn operating cash, dues and
    balances anything, paths outside the mode left alone): the same movements to the bit."""
    _compare_steps(
        state, tuple(PayHedge(HEDGE, part=part) if kind is PayHedge else _step(kind, state) for kind, part in order)
    )


def _realistic_state(cents: bool) -> dict:
    """Four paths of a deal in the millions: cash enough, short, overdrawn and nothing, every
    account and due partly funded, the last path outside the mode."""
    paths = 4
    rng = np.random.default_rng(7)

    def amounts(high: float) -> np.ndarray:
        return np.round(rng.uniform(0.0, high, paths), 2)

    return {
        "paths": paths,
        "cents": cents,
        "operating": np.array([4.2e6, 3.1e5, -100.0, 0.0]),
        "accounts": {name: amounts(2e6) for name in STEP_ACCOUNTS},
        "targets": {name: amounts(2e6) for name in STEP_ACCOUNTS},
        "balance": np.array([amounts(5e6), amounts(5e6)]),
        "interest_due": np.array([amounts(4e5), amounts(4e5)]),
        "principal_share": np.array([rng.uniform(0.0, 0.3, paths), rng.uniform(0.0, 0.3, paths)]),
        "expenses_due": [amounts(3e5) for _ in range(3)],
        "fee_due": amounts(5e4),
        "hedge_due": amounts(2e5),
        "crypto_units": amounts(50.0),
        "crypto_price": amounts(1e5),
        "breach": np.array([True, False, True, False]),
        "mask": np.array([True, True, True, False]),
        "percent": 0.5,
        "percent_on_breach": 1.0,
    }


def _compare_steps(state: dict, steps: tuple) -> None:
    expected, found = StepBooks(state), StepBooks(state)
    execute(expected, steps, state["mask"])
    found.mode = np.where(state["mask"], NORMAL, WOUND_UP).astype(np.int8)
    with kernels("numba"):
        CompiledWaterfall((steps, (), ())).run(found)
    want, got = _books_state(expected), _books_state(found)
    assert list(got) == list(want)
    for name, array in want.items():
        np.testing.assert_array_equal(got[name], array, err_msg=f"{steps}: {name}")


@pytest.mark.parametrize("cents", [False, True])
@pytest.mark.parametrize("part", HEDGE_PARTS)
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_the_compiled_priority_of_payments_runs_each_step_kind_as_numpy_does(kind, part, cents) -> None:
    """Each step kind alone, then before and after all the others, on cash in the millions."""
    state = _realistic_state(cents)

    def step(k: type):
        return PayHedge(HEDGE, part=part) if k is PayHedge else _step(k, state)

    others = tuple(step(k) for k in KINDS if k is not kind)
    for steps in ((step(kind),), (step(kind), *others), (*others, step(kind))):
        _compare_steps(state, steps)


def test_the_irr_kernel_handles_the_edge_cases_as_numpy_does() -> None:
    months = 24
    columns = []
    par = np.zeros(months + 1)
    par[0], par[1:] = -100.0, 1.0
    par[-1] += 100.0
    columns.append(par)  # 1% a month
    columns.append(np.zeros(months + 1))  # nothing invested: NaN
    lost = np.zeros(months + 1)
    lost[0] = -100.0
    columns.append(lost)  # nothing returned: -100%
    crumbs = lost.copy()
    crumbs[-1] = 1e-80
    columns.append(crumbs)  # an IRR below the floor: the floor
    windfall = lost.copy()
    windfall[1] = 1e6
    columns.append(windfall)  # above Newton's +100% clip: bisection
    drawn = par.copy()
    drawn[5] -= 50.0
    columns.append(drawn)  # a later draw
    gift = -lost
    columns.append(gift)  # nothing invested but money received: NaN
    flows = np.column_stack(columns)
    expected, found = both(metrics.monthly_irr, flows)
    _same(expected, found)
    assert found[0] == pytest.approx(0.01, abs=1e-12)
    assert np.isnan(found[1]) and found[2] == -1.0 and found[3] == metrics.FLOOR and np.isnan(found[6])


def test_the_irr_kernel_matches_numpy_on_random_blocks_and_on_each_path_alone() -> None:
    rng = np.random.default_rng(5)
    months, paths = 120, 2500  # more than one block of numpy lanes
    flows = np.where(rng.random((months + 1, paths)) < 0.4, rng.normal(2.0, 3.0, (months + 1, paths)), 0.0)
    flows[0] = -rng.uniform(10.0, 200.0, paths)
    expected, found = both(metrics.monthly_irr, flows)
    _same(expected, found)
    with kernels("numba"):
        alone = np.array([metrics.monthly_irr(flows[:, [p]])[0] for p in range(0, paths, 97)])
    _same(alone, found[::97])
    with kernels("numpy"):
        alone = np.array([metrics.monthly_irr(flows[:, [p]])[0] for p in range(0, paths, 97)])
    _same(alone, found[::97])


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 9),
    st.integers(1, 40),
    st.floats(0.0, 1.0),
    st.floats(0.0, 0.5),
    st.floats(-0.05, 0.05),
    st.integers(0, 2**32 - 1),
)
def test_the_market_recursions_agree_with_numpy(paths, months, decay, step, drift, seed) -> None:
    cycle = np.random.default_rng(seed).standard_normal((paths, months))
    expected, found = both(ou.ar1, cycle, decay, step)
    _same(expected, found)
    model = RentModel(drift=drift * 12.0, volatility=step, mean_reversion=decay, cycle_volatility=step)

    def rents():
        return rent_paths(model, months, np.random.default_rng(seed), paths=paths)

    expected, found = both(rents)
    for name, rent in expected.items():
        _same(rent, found[name])


@pytest.mark.parametrize("scenario", ["base", "bust"])
def test_generated_markets_are_the_same_through_kernels_or_numpy(example_deal, scenario) -> None:
    expected, found = both(generate, load_scenario(scenario), example_deal, 4, BLOCK, BLOCK + 37)
    for field in attrs.fields(type(expected)):
        value = getattr(expected, field.name)
        if isinstance(value, dict):
            assert value.keys() == getattr(found, field.name).keys(), field.name
            for key, array in value.items():
                _same(array, getattr(found, field.name)[key])
        elif isinstance(value, np.ndarray):
            _same(value, getattr(found, field.name))
