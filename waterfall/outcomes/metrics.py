"""Tranche metrics over paths: IRR and WAL, vectorised (paths never looped)."""

from __future__ import annotations

import numpy as np

FLOOR = -0.999  # a month


# Paths come in blocks of this many (``waterfall.market.generate.BLOCK``), and a chunk
# starts on a block. numpy's vectorised power may differ in the last bit between SIMD
# lanes and the scalar tail, so a path's IRR would depend on its column in the array;
# solving block by block puts every path in the same column whatever the chunk size.
LANES = 1024


def monthly_irr(flows: np.ndarray) -> np.ndarray:
    """Monthly IRR of each column of ``flows`` (months + 1, paths), solved a block of paths at a time."""
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
    for _ in range(30):
        r, f = rate[active], flows[:, active]
        discount = (1.0 + r) ** -months
        value = (f * discount).sum(axis=0)
        slope = -(f * months * discount).sum(axis=0) / (1.0 + r)
        step = np.divide(value, slope, out=np.zeros_like(value), where=slope != 0)
        rate[active] = np.clip(r - step, -0.5, 1.0)
        active = active[np.abs(step) >= 1e-13]
        if active.size == 0:
            break
    settled = np.abs((flows * (1.0 + rate) ** -months).sum(axis=0)) <= 1e-9 * np.abs(flows).sum(axis=0)
    if not settled.all():
        bisected = _bisect(flows[:, ~settled], horizon - months)
        rate = np.where(settled, rate, bisected[np.cumsum(~settled) - 1])
    # money lent at closing or drawn later; nothing ever received back is -100%
    invested = (flows < 0).any(axis=0)
    returned = np.maximum(flows, 0.0).sum(axis=0)
    rate = np.where(invested & (returned <= 0), -1.0, rate)
    return np.where(invested, rate, np.nan)


def _bisect(flows: np.ndarray, powers: np.ndarray) -> np.ndarray:
    """Bisection on NPV x (1 + r)^T, which has NPV's sign and cannot overflow for r > -1."""

    def scaled_npv(rate: np.ndarray) -> np.ndarray:
        return (flows * (1.0 + rate) ** powers).sum(axis=0)

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
    monthly = monthly_irr(flows)
    return (1.0 + monthly) ** 12 - 1.0


def wal_years(principal: np.ndarray) -> np.ndarray:
    """Weighted average life in years of principal received (months, paths); paid at month end."""
    years = (np.arange(principal.shape[0]) + 1.0)[:, None] / 12.0
    total = principal.sum(axis=0)
    return np.divide((principal * years).sum(axis=0), total, out=np.full(total.shape, np.nan), where=total > 0)
