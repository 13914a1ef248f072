"""Tranche metrics over paths: IRR and WAL, vectorised (paths never looped)."""

from __future__ import annotations

import numpy as np


def monthly_irr(flows: np.ndarray, iterations: int = 60) -> np.ndarray:
    """Monthly IRR of each column of ``flows`` (months + 1, paths), flows[0] the outlay.

    Bisection on the NPV over a bracket of -50% .. +100% a month (beyond either
    no credit instrument lives); nothing returned at all is -100%; NaN where
    nothing was invested.
    """
    months = np.arange(flows.shape[0])[:, None]

    def npv(rate: np.ndarray) -> np.ndarray:
        return (flows * (1.0 + rate) ** -months).sum(axis=0)

    low = np.full(flows.shape[1], -0.5)
    high = np.full(flows.shape[1], 1.0)
    npv_low = npv(low)
    for _ in range(iterations):
        mid = 0.5 * (low + high)
        npv_mid = npv(mid)
        same = np.sign(npv_mid) == np.sign(npv_low)
        low = np.where(same, mid, low)
        npv_low = np.where(same, npv_mid, npv_low)
        high = np.where(same, high, mid)
    rate = 0.5 * (low + high)
    invested = flows[0] < 0
    returned = flows[1:].sum(axis=0)
    rate = np.where(invested & (returned <= 0), -1.0, rate)
    return np.where(invested, rate, np.nan)


def annual_irr(flows: np.ndarray) -> np.ndarray:
    monthly = monthly_irr(flows)
    return (1.0 + monthly) ** 12 - 1.0


def wal_years(principal: np.ndarray) -> np.ndarray:
    """Weighted average life in years of principal received (months, paths); paid at month end."""
    years = (np.arange(principal.shape[0]) + 1.0)[:, None] / 12.0
    total = principal.sum(axis=0)
    return np.divide(
        (principal * years).sum(axis=0), total, out=np.full(total.shape, np.nan), where=total > 0
    )
