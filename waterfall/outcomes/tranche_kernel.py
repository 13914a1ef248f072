"""A debt tranche's per-path passes over months as compiled loops.

The same arithmetic, in the same order, as the numpy code of
``waterfall.outcomes.losses.debt_losses`` (the running product of the coupon's
discount factors, the discounted advances and receipts summed month after month)
and ``waterfall.outcomes.tables`` (the first month a condition holds), so both give
the same numbers bit for bit. numpy runs these along the months axis of
(months, paths) arrays, where its accumulate and argmax are slow; here each path
runs its months in one loop and no (months, paths) temporary is made.
"""

from __future__ import annotations

import numba
import numpy as np

# Loops run month by month over the paths of a row, as the tape lays them out
# (months, paths): a path's months are a row apart, so a loop down one path's months
# would miss the cache at every step.


@numba.njit(cache=True, nogil=True)
def _discounted(rate, drawn, received):
    months, paths = rate.shape
    discount = np.empty(paths)
    advances = np.empty(paths)
    value = np.empty(paths)
    for p in range(paths):  # month 0: the running product and numpy's column sums start here
        discount[p] = 1.0 / (1.0 + rate[0, p])
        advances[p] = drawn[0, p] * discount[p]
        value[p] = received[0, p] * discount[p]
    for m in range(1, months):
        for p in range(paths):
            discount[p] = discount[p] * (1.0 / (1.0 + rate[m, p]))
            advances[p] += drawn[m, p] * discount[p]
            value[p] += received[m, p] * discount[p]
    return advances, value, discount


@numba.njit(cache=True, nogil=True)
def _first_shortfall(shortfall, scheduled, paid, tolerance):
    months, paths = shortfall.shape
    first = np.full(paths, -1, dtype=np.int64)
    for m in range(months):
        for p in range(paths):
            if first[p] < 0 and (shortfall[m, p] > tolerance or scheduled[m, p] - paid[m, p] > tolerance):
                first[p] = m
    return first


@numba.njit(cache=True, nogil=True)
def _first_positive(values):
    months, paths = values.shape
    first = np.full(paths, -1, dtype=np.int64)
    for m in range(months):
        for p in range(paths):
            if first[p] < 0 and values[m, p] > 0.0:
                first[p] = m
    return first


def discounted(rate: np.ndarray, drawn: np.ndarray, received: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per path, at the running product of 1 / (1 + rate) down the months: the sums of the
    discounted ``drawn`` and ``received``, and the last month's factor; each (paths,)."""
    if rate.shape[0] == 0:
        paths = rate.shape[1]
        return np.zeros(paths), np.zeros(paths), np.ones(paths)
    return _discounted(rate, drawn, received)


def first_shortfall(shortfall: np.ndarray, scheduled: np.ndarray, paid: np.ndarray, tolerance: float) -> np.ndarray:
    """The first month where ``shortfall`` or ``scheduled - paid`` exceeds ``tolerance``, or -1; (paths,)."""
    return _first_shortfall(shortfall, scheduled, paid, float(tolerance))


def first_positive(values: np.ndarray) -> np.ndarray:
    """The first month where ``values`` is above 0, or -1; (paths,)."""
    return _first_positive(values)


def warm() -> None:
    """Compile (or load) the kernels for both layouts the tape gives them: a tranche's slice
    of (months, tranches, paths) is strided with several tranches, contiguous with one."""
    for tranches in (1, 2):
        tape = np.zeros((3, tranches, 2))
        view = tape[:, 0, :]
        discounted(view, view, np.zeros((3, 2)))
        first_shortfall(view, view, view, 0.005)
        first_positive(view)
