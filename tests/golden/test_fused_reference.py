"""The fused reference (benchmarks/fused_reference.py) agrees with the engine's tape path by path.

The yardstick the benchmark divides the engine's throughput by is only a yardstick
if it does the engine's work: on a few hundred paths of the base and bust presets
its tranche interest and principal per period, PIK, write-downs, balances and
equity distributions match the tape to the cent per cost item the engine floors
separately, on every month the reference models (before an event of default; the
horizon's terminal value aside).
"""

from __future__ import annotations

import sys
from pathlib import Path

import attrs
import numpy as np
import pytest

pytest.importorskip("numba")

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from bench_deal import bench_deal  # noqa: E402
from fused_reference import RECORDS, Terms, fused  # noqa: E402

from waterfall.engine import run  # noqa: E402
from waterfall.market.generate import generate  # noqa: E402
from waterfall.market.scenario import load_scenario  # noqa: E402
from waterfall.spec.tranche import FixedCoupon  # noqa: E402

PATHS = 256
# the engine floors each of the five cost and fee items it pays (opex, power, maintenance, two
# fees) to whole cents and carries the fractions; the reference takes costs and fees as two sums
# and floors two, so what is left for debt and equity may differ by a cent per item
CENT = 0.051


def _compare(deal, preset: str) -> tuple[int, int]:
    market = generate(load_scenario(preset), deal, 7, 0, PATHS)
    tape = run(deal, market)
    months = deal.calendar.horizon_months
    period = {k: np.ascontiguousarray(tape.period[k].T) for k in ("revenue", "opex", "fees", "terminal_value")}
    records, equity, stop = fused(
        Terms(deal), market.index["SOFR"], market.collateral, period["revenue"], period["opex"], period["fees"]
    )
    modelled = np.arange(months)[None, :] < stop[:, None]  # (paths, months)
    for name in RECORDS:
        engine = np.transpose(tape.tranche[name], (2, 1, 0))  # (paths, tranches, months)
        gap = np.where(modelled[:, None, :], np.abs(engine - records[name]), 0.0)
        worst = np.unravel_index(np.argmax(gap), gap.shape)
        assert gap.max() <= CENT, (
            f"{preset} {name}: path, tranche, month {worst}: engine {engine[worst]}, fused {records[name][worst]}"
        )
    engine_equity = np.ascontiguousarray(tape.period["equity_distribution"].T) - period["terminal_value"]
    gap = np.where(modelled, np.abs(engine_equity - equity), 0.0)
    worst = np.unravel_index(np.argmax(gap), gap.shape)
    assert gap.max() <= CENT, (
        f"{preset} equity: path, month {worst}: engine {engine_equity[worst]}, fused {equity[worst]}"
    )
    return int(modelled.sum()), int((stop == months).sum())


COVERAGE = {"base": 0.5, "bust": 0.25}


@pytest.mark.parametrize("preset", ["base", "bust"])
def test_fused_reference_matches_the_engine(preset: str) -> None:
    path_months, whole = _compare(bench_deal(), preset)
    # the comparison covers a large share of the paths' months (the reference stops a path at its
    # event of default, and in bust strategic default ends most paths early), and whole paths to the horizon
    assert path_months > PATHS * 120 * COVERAGE[preset]
    assert whole > 0


def test_a_wrong_coupon_fails_the_comparison() -> None:
    deal = bench_deal()
    mezz = deal.tranches[1]
    assert isinstance(mezz.coupon, FixedCoupon)
    wrong = attrs.evolve(deal, tranches=(deal.tranches[0], attrs.evolve(mezz, coupon=FixedCoupon(rate=0.1101))))
    market = generate(load_scenario("base"), deal, 7, 0, 32)
    tape = run(deal, market)
    period = {k: np.ascontiguousarray(tape.period[k].T) for k in ("revenue", "opex", "fees")}
    records, _, stop = fused(
        Terms(wrong), market.index["SOFR"], market.collateral, period["revenue"], period["opex"], period["fees"]
    )
    engine = np.transpose(tape.tranche["interest_due"], (2, 1, 0))
    modelled = np.arange(deal.calendar.horizon_months)[None, None, :] < stop[:, None, None]
    assert np.where(modelled, np.abs(engine - records["interest_due"]), 0.0).max() > CENT
