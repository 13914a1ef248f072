"""Exact monthly sampling of Ornstein-Uhlenbeck processes started at 0 (vectorised over paths)."""

from __future__ import annotations

import numpy as np

from waterfall.compiled import kernel, use_kernels

MONTH = 1.0 / 12.0


def ou_coefficients(mean_reversion: float, volatility: float, dt: float = MONTH) -> tuple[float, float]:
    """The exact transition of dY = -k Y dt + vol dW over ``dt`` years: Y' = decay * Y + step * z.

    decay = e^{-k dt} and step = vol * sqrt((1 - e^{-2k dt}) / (2k)). With k = 0
    it is a random walk: decay = 1 and step = vol * sqrt(dt).
    """
    if mean_reversion == 0.0:
        return 1.0, volatility * float(np.sqrt(dt))
    decay = float(np.exp(-mean_reversion * dt))
    return decay, volatility * float(np.sqrt(-np.expm1(-2.0 * mean_reversion * dt) / (2.0 * mean_reversion)))


def ar1(z: np.ndarray, decay: float, step: float) -> np.ndarray:
    """y[:, 0] = 0 and y[:, t] = decay * y[:, t-1] + step * z[:, t]. Column 0 of ``z`` is not used."""
    if np.ndim(z) == 2 and use_kernels(np.shape(z)[0]):
        # one compiled loop along each path's row, the same numbers (``ou_kernel``)
        return kernel("waterfall.market.factors.ou_kernel", "ar1")(z, decay, step)
    zt = np.ascontiguousarray(np.asarray(z, dtype=np.float64).T)  # months x paths: each month a contiguous row
    yt = np.zeros_like(zt)
    for t in range(1, zt.shape[0]):
        np.multiply(yt[t - 1], decay, out=yt[t])
        yt[t] += step * zt[t]
    return np.ascontiguousarray(yt.T)
