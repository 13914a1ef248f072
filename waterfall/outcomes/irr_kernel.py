"""The monthly IRR of a block of paths as one compiled loop per path.

The same method, step for step, as ``waterfall.outcomes.metrics._monthly_irr``:
Newton's method from 1% a month (kept within -50% .. +100%, at most 30 steps, settled
when a step is under 1e-13), the NPV check at 1e-9 of the gross flows, then 80 halvings
of -99.9% .. +100% a month on NPV x (1 + r)^T. Powers are taken by squaring in the same
bit order and sums run month after month, as the numpy path does, so both agree bit for
bit: a month with no flow adds exact zeros there and is skipped here.
"""

from __future__ import annotations

import math

import numba
import numpy as np

FLOOR = -0.999


@numba.njit(cache=True, nogil=True, inline="always")
def _power(base: float, exponent: int) -> float:
    result = 1.0
    square = base
    while exponent > 0:
        if exponent & 1:
            result *= square
        square = square * square
        exponent >>= 1
    return result


@numba.njit(cache=True, nogil=True, inline="always")
def _squares(base: float, exponent: int, out: np.ndarray) -> None:
    """``out[b] = base ** 2**b`` by repeated squaring, as ``_power`` forms them, for every bit of ``exponent``."""
    square = base
    b = 0
    while exponent > 0:
        out[b] = square
        square = square * square
        exponent >>= 1
        b += 1


@numba.njit(cache=True, nogil=True, inline="always")
def _power_of(squares: np.ndarray, exponent: int) -> float:
    """``_power(base, exponent)`` from the squares of ``base``: the same products in the same order."""
    result = 1.0
    b = 0
    while exponent > 0:
        if exponent & 1:
            result *= squares[b]
        exponent >>= 1
        b += 1
    return result


@numba.njit(cache=True, nogil=True, inline="always")
def _sign(value: float) -> float:
    if value > 0.0:
        return 1.0
    if value < 0.0:
        return -1.0
    return value  # 0 (either sign) or NaN, as np.sign


@numba.njit(cache=True, nogil=True, inline="always")
def _scaled_npv(flows, months, count, horizon, rate, squares):
    _squares(1.0 + rate, horizon - months[0] if count > 0 else 0, squares)  # the largest exponent
    total = 0.0
    for k in range(count):
        total += flows[k] * _power_of(squares, horizon - months[k])
    return total


@numba.njit(cache=True, nogil=True)
def _path_irr(flows, months, count, horizon, squares):
    rate = 0.01
    longest = months[count - 1] if count > 0 else 0  # months ascend: the largest exponent
    for _ in range(30):
        discount_base = 1.0 / (1.0 + rate)
        # the squares of the base once per step, not once per month (the same products)
        _squares(discount_base, longest, squares)
        value = 0.0
        moment = 0.0
        for k in range(count):
            discount = _power_of(squares, months[k])
            value += flows[k] * discount
            moment += flows[k] * float(months[k]) * discount
        slope = -moment / (1.0 + rate)
        step = value / slope if slope != 0.0 else 0.0
        rate = rate - step
        if rate < -0.5:
            rate = -0.5
        elif rate > 1.0:
            rate = 1.0
        if not abs(step) >= 1e-13:
            break
    discount_base = 1.0 / (1.0 + rate)
    value = 0.0
    gross = 0.0
    for k in range(count):
        value += flows[k] * _power(discount_base, months[k])
        gross += abs(flows[k])
    if abs(value) <= 1e-9 * gross:
        return rate
    low, high = FLOOR, 1.0
    npv_low = _scaled_npv(flows, months, count, horizon, low, squares)
    below = npv_low < 0.0
    for _ in range(80):
        mid = 0.5 * (low + high)
        npv_mid = _scaled_npv(flows, months, count, horizon, mid, squares)
        if _sign(npv_mid) == _sign(npv_low):
            low = mid
            npv_low = npv_mid
        else:
            high = mid
    return FLOOR if below else 0.5 * (low + high)


@numba.njit(cache=True, nogil=True)
def _block_irr(by_path: np.ndarray) -> np.ndarray:
    """``by_path``: the flows (paths, months + 1), each path's months one contiguous row."""
    paths, rows = by_path.shape
    horizon = rows - 1
    out = np.empty(paths)
    own = np.empty(rows)
    months = np.empty(rows, dtype=np.int64)
    squares = np.empty(64)  # one per bit of the largest month
    for p in range(paths):
        count = 0
        invested = False
        returned = 0.0
        for m in range(rows):
            f = by_path[p, m]
            if f != 0.0:
                own[count] = f
                months[count] = m
                count += 1
            if f < 0.0:
                invested = True
            returned += max(f, 0.0)
        if not invested:
            out[p] = math.nan
        elif returned <= 0.0:
            out[p] = -1.0
        else:
            out[p] = _path_irr(own, months, count, horizon, squares)
    return out


def block_monthly_irr(flows: np.ndarray) -> np.ndarray:
    """Monthly IRR of each column of ``flows`` (months + 1, paths), flows[0] the outlay."""
    # one copy with each path's months in a row: the loop then reads memory in order
    return _block_irr(np.ascontiguousarray(np.asarray(flows, dtype=np.float64).T))


def warm() -> None:
    """Compile (or load) the kernel: Newton's method and the bisection both run."""
    flows = np.zeros((4, 2))
    flows[0], flows[1:, 0], flows[-1, 1] = -1.0, 0.4, 1e-80
    block_monthly_irr(flows)
