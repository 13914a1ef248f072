"""Which implementation runs the per-path kernels: compiled (numba) or numpy.

One switch for the whole package. The compiled kernels are used when numba is
importable, unless ``WATERFALL_KERNELS=numpy`` is set; both give the same
numbers (tests run both). A kernel module imports numba at its top and is itself
imported only by the first call that needs it; numba compiles each kernel on its
first call (``cache=True`` keeps the machine code on disk), so importing the
package, and a run too small to pay for compiling, stay as fast as before.
``warm()`` (run by ``make run``) fills that cache
once, so even a user's first large run loads the kernels instead of compiling them.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import importlib
import importlib.util
import os
from collections.abc import Iterator
from typing import Any

# below this many paths a kernel's first-call compile costs more than numpy spends
MIN_PATHS = 256
# the kernel modules, each with a ``warm()`` that compiles (or loads from the cache) every
# kernel it has for the argument types the package passes it
KERNEL_MODULES = (
    "waterfall.engine.debt_kernel",
    "waterfall.engine.priority_kernel",
    "waterfall.engine.revenue_kernel",
    "waterfall.market.factors.ou_kernel",
    "waterfall.outcomes.irr_kernel",
    "waterfall.outcomes.tranche_kernel",
    "waterfall.risk.histogram_kernel",
)
# how many paths the run being served needs, where that is fewer than an array holds (a
# market is generated a whole block at a time, even for a run of a few paths)
_SERVING: contextvars.ContextVar[int | None] = contextvars.ContextVar("serving", default=None)


@contextlib.contextmanager
def serving(paths: int) -> Iterator[None]:
    """Inside, a block of paths goes to the kernels only if ``paths`` (the run's) would too:
    a small run does not import numba or compile for the sake of a block it mostly drops."""
    token = _SERVING.set(paths)
    try:
        yield
    finally:
        _SERVING.reset(token)


@functools.cache
def numba_available() -> bool:
    return importlib.util.find_spec("numba") is not None


def use_kernels(paths: int) -> bool:
    """Whether a block of ``paths`` paths goes to the compiled kernels."""
    choice = os.environ.get("WATERFALL_KERNELS", "numba").strip().lower()
    served = _SERVING.get()
    if choice == "numpy" or (paths if served is None else min(paths, served)) < MIN_PATHS:
        return False
    return numba_available()


def kernel(module: str, name: str) -> Any:
    """``name`` from the kernel module ``module``, imported (with numba) on first use."""
    return getattr(importlib.import_module(module), name)


def warm() -> list[str]:
    """Compile every kernel, or load it from numba's cache, so no later run waits for it.

    Returns the kernel modules warmed; none where numba is not installed."""
    if not numba_available():
        return []
    for module in KERNEL_MODULES:
        importlib.import_module(module).warm()
    return list(KERNEL_MODULES)
