"""Rounding amounts to the cent by a named method, over arrays of paths."""

from __future__ import annotations

import numpy as np

# amounts within a thousandth of a cent below a whole cent are float noise (float64
# resolves about 1e-8 at $100m) and count as that cent: the ledger's tolerance
NOISE = 1e-3


def to_cents(amount: np.ndarray, method: str) -> np.ndarray:
    """``amount`` rounded to whole cents by ``method`` (``none`` returns it unchanged)."""
    if method == "none":
        return amount
    if method == "half_even":
        return np.round(amount, 2)  # numpy rounds half to even, as it always has here
    if method == "half_up":
        # half away from zero, on the cents with the noise tolerance, so 0.125 is 0.13
        cents = np.abs(amount) * 100.0
        return np.sign(amount) * np.floor(cents + 0.5 + NOISE * 1e-3) / 100.0
    if method == "floor":
        return np.floor(amount * 100.0 + NOISE) / 100.0
    raise ValueError(f"unknown rounding method {method!r}")
