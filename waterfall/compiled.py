"""Which implementation runs the per-path kernels: compiled (numba) or numpy.

One switch for the whole package. The compiled kernels are used when numba is
importable, unless ``WATERFALL_KERNELS=numpy`` is set; both give the same
numbers (tests run both). A kernel module imports numba at its top and is itself
imported only by the first call that needs it; numba compiles each kernel on its
first call (``cache=True`` keeps the machine code on disk), so importing the
package, and a run too small to pay for compiling, stay as fast as before.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
from typing import Any

# below this many paths a kernel's first-call compile costs more than numpy spends
MIN_PATHS = 256


@functools.cache
def numba_available() -> bool:
    return importlib.util.find_spec("numba") is not None


def use_kernels(paths: int) -> bool:
    """Whether a block of ``paths`` paths goes to the compiled kernels."""
    choice = os.environ.get("WATERFALL_KERNELS", "numba").strip().lower()
    if choice == "numpy" or paths < MIN_PATHS:
        return False
    return numba_available()


def kernel(module: str, name: str) -> Any:
    """``name`` from the kernel module ``module``, imported (with numba) on first use."""
    return getattr(importlib.import_module(module), name)
