"""The compiled kernels' switch and warm-up.

``compiled.warm()`` (run by ``make run``) must compile every kernel for every argument
layout the package passes it: after it, Monte Carlo runs of library deals that take the
kernels compile nothing more (a layout it missed would be compiled in a user's first run).
A run of fewer paths than the kernels' threshold never takes them.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from waterfall import compiled
from waterfall.market.scenario import load_scenario
from waterfall.risk.montecarlo import run_monte_carlo
from waterfall.spec.load import load_deal

pytestmark = pytest.mark.skipif(not compiled.numba_available(), reason="numba is not installed")

DEALS = Path(__file__).resolve().parents[2] / "deals"
# a GPU lease with a fleet and a DSRA, a CMBS with seven classes, a campus with a backstop, a miner with BTC
LIBRARY = ("gpu_lease_spv", "qts_cmbs", "terawulf_fluidstack", "miner_double_leverage")


def _signatures() -> dict[str, int]:
    """How many compiled signatures each kernel of each kernel module has."""
    import numba

    found = {}
    for module in compiled.KERNEL_MODULES:
        for name, value in vars(importlib.import_module(module)).items():
            if isinstance(value, numba.core.registry.CPUDispatcher):
                found[f"{module}.{name}"] = len(value.signatures)
    return found


def test_after_warming_library_runs_compile_nothing_new() -> None:
    assert compiled.warm() == list(compiled.KERNEL_MODULES)
    warmed = _signatures()
    for module in compiled.KERNEL_MODULES:  # (helpers inlined into a kernel have no signature of their own)
        assert any(count for name, count in warmed.items() if name.startswith(module + ".")), module
    for name in LIBRARY:
        deal = load_deal(DEALS / f"{name}.toml")
        run_monte_carlo(deal, load_scenario("bust"), compiled.MIN_PATHS + 3, seed=1)
    assert _signatures() == warmed


def test_a_block_below_the_threshold_stays_with_numpy() -> None:
    assert not compiled.use_kernels(compiled.MIN_PATHS - 1)
    with compiled.serving(3):
        assert not compiled.use_kernels(compiled.MIN_PATHS * 4)
    assert compiled.use_kernels(compiled.MIN_PATHS)


def test_every_kernel_module_is_warmed() -> None:
    package = Path(compiled.__file__).parent
    found = {
        ".".join(("waterfall", *path.relative_to(package).with_suffix("").parts))
        for path in package.rglob("*_kernel.py")
    }
    assert found == set(compiled.KERNEL_MODULES)
