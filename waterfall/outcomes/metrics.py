"""Tranche metrics over paths: IRR and WAL, vectorised (paths never looped)."""

from __future__ import annotations

import numpy as np

from waterfall.compiled import kernel, use_kernels
from waterfall.engine.columns import column_sums

FLOOR = -0.999  # a month


# Paths come in blocks of this many (``waterfall.market.generate.BLOCK``): solving a block
# at a time keeps the arrays (and so the memory) of one solve small.
LANES = 1024


def powers(base: np.ndarray, exponents: np.ndarray) -> np.ndarray:
    """``base ** e`` for each whole exponent e (rows) of each path (columns), by squaring.

    numpy's vectorised ``**`` can differ in the last bit between its SIMD lanes and its
    scalar tail, so a path's IRR would depend on where it sits in the array. Here
    ``base ** e`` is the product of the squares ``base ** 2**b`` for the bits b of e,
    always in the same order: correctly rounded products of the path's own numbers,
    the same for a path alone or among any others.
    """
    exponents = np.asarray(exponents, dtype=np.int64).ravel()
    result = np.ones((exponents.size, base.size))
    square = np.array(base, dtype=np.float64)
    bit = 0
    while (1 << bit) <= exponents.max(initial=0):
        uses = (exponents >> bit) & 1 == 1
        if uses.any():
            result[uses] *= square
        square = square * square
        bit += 1
    return result


def monthly_irr(flows: np.ndarray) -> np.ndarray:
    """Monthly IRR of each column of ``flows`` (months + 1, paths), solved a block of paths at a time."""
    if use_kernels(flows.shape[1]):
        # one compiled loop per path, the same method and the same numbers (``irr_kernel``)
        return kernel("waterfall.outcomes.irr_kernel", "block_monthly_irr")(flows)
    if flows.shape[1] <= LANES:
        return _monthly_irr(flows)
    return np.concatenate([_monthly_irr(flows[:, i : i + LANES]) for i in range(0, flows.shape[1], LANES)])


def _monthly_irr(flows: np.ndarray) -> np.ndarray:
    """Monthly IRR of each column of ``flows`` (months + 1, paths), flows[0] the outlay.

    Newton's method from 1% a month (kept within -50% .. +100%), then bisection
    over -99.9% .. +100% a month for any path Newton did not settle. An IRR
    below -99.9% a month is reported at that floor; nothing returned at all is
    -100%; NaN where nothing was invested.
    """
    horizon = flows.shape[0] - 1
    # a tranche pays on payment dates only: the months where no path has a flow add zeros
    # to every sum below, so they are left out of the powers that make most of the cost
    # (numpy sums a column pairwise, so leaving zeros out can move a sum's last bit)
    flowing = np.flatnonzero(flows.any(axis=1))
    flows = flows[flowing]
    months = flowing.astype(np.float64)[:, None]
    rate = np.full(flows.shape[1], 0.01)
    active = np.arange(flows.shape[1])  # Newton works only on the paths not yet settled
    # at -50% a month over hundreds of months the discount factor overflows: such a path's
    # NPV is not finite, so it does not settle and goes to bisection, which cannot overflow
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(30):
            # C order: ``flows[:, active]`` comes back in Fortran order, and numpy sums a Fortran
            # array's columns pairwise, so a path's sums (and IRR) would depend on its company
            r, f = rate[active], np.ascontiguousarray(flows[:, active])
            discount = powers(1.0 / (1.0 + r), flowing)
            value = column_sums(f * discount)
            slope = -column_sums(f * months * discount) / (1.0 + r)
            step = np.divide(value, slope, out=np.zeros_like(value), where=slope != 0)
            rate[active] = np.clip(r - step, -0.5, 1.0)
            active = active[np.abs(step) >= 1e-13]
            if active.size == 0:
                break
        discount = powers(1.0 / (1.0 + rate), flowing)
        settled = np.abs(column_sums(flows * discount)) <= 1e-9 * column_sums(np.abs(flows))
    if not settled.all():
        bisected = _bisect(np.ascontiguousarray(flows[:, ~settled]), horizon - flowing)
        rate = np.where(settled, rate, bisected[np.cumsum(~settled) - 1])
    # money lent at closing or drawn later; nothing ever received back is -100%
    invested = (flows < 0).any(axis=0)
    returned = column_sums(np.maximum(flows, 0.0))
    rate = np.where(invested & (returned <= 0), -1.0, rate)
    return np.where(invested, rate, np.nan)


def _bisect(flows: np.ndarray, exponents: np.ndarray) -> np.ndarray:
    """Bisection on NPV x (1 + r)^T, which has NPV's sign and cannot overflow for r near -1;
    ``exponents`` is T minus each row's month."""

    def scaled_npv(rate: np.ndarray) -> np.ndarray:
        # (1 + r)^T does overflow above ~80% a month over a century of months; an infinite or
        # undefined NPV there counts as a sign change, so the search stays below that rate
        with np.errstate(over="ignore", invalid="ignore"):
            return column_sums(flows * powers(1.0 + rate, exponents))

    low = np.full(flows.shape[1], FLOOR)
    high = np.full(flows.shape[1], 1.0)
    npv_low = scaled_npv(low)
    # NPV falls with the rate for an outlay followed by receipts: no root above
    # the bracket's floor means an IRR below it, reported at the floor
    below = npv_low < 0
    for _ in range(80):
        mid = 0.5 * (low + high)
        npv_mid = scaled_npv(mid)
        same = np.sign(npv_mid) == np.sign(npv_low)
        low = np.where(same, mid, low)
        npv_low = np.where(same, npv_mid, npv_low)
        high = np.where(same, high, mid)
    return np.where(below, FLOOR, 0.5 * (low + high))


def annual_irr(flows: np.ndarray) -> np.ndarray:
    growth = 1.0 + monthly_irr(flows)
    # (1 + m)^12 by squaring: products round the same in every lane, a vectorised power may not
    fourth = (growth * growth) * (growth * growth)
    return fourth * fourth * fourth - 1.0


def wal_years(principal: np.ndarray) -> np.ndarray:
    """Weighted average life in years of principal received (months, paths); paid at month end."""
    years = (np.arange(principal.shape[0]) + 1.0)[:, None] / 12.0
    total = column_sums(principal)
    return np.divide(column_sums(principal * years), total, out=np.full(total.shape, np.nan), where=total > 0)
