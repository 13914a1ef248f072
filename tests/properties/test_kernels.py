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
from waterfall import compiled
from waterfall.engine import run
from waterfall.market.factors import RentModel, ou, rent_paths
from waterfall.market.generate import BLOCK, generate
from waterfall.market.scenario import load_scenario
from waterfall.outcomes import metrics
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.risk.period_stats import PeriodStats

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
