"""Recursions over months as compiled loops, one path at a time, over (paths, months) rows.

The same arithmetic, operation for operation, as the numpy code they stand in for
(``waterfall.market.factors.ou.ar1`` and the log-rent of
``waterfall.market.factors.rent.rent_paths``): products and sums in the same order,
no fused multiply-add, so both give the same numbers bit for bit. numpy has to walk
such a recursion month by month over a transposed copy of the shocks; here each
path's months are one contiguous row and nothing is copied.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _ar1(z, decay, step):
    paths, months = z.shape
    y = np.empty((paths, months))
    for p in range(paths):
        level = 0.0
        if months > 0:
            y[p, 0] = 0.0
        for t in range(1, months):
            level = level * decay + step * z[p, t]
            y[p, t] = level
    return y


@numba.njit(cache=True, nogil=True)
def _log_rent(z_walk, z_cycle, drift_step, walk_step, decay, cycle_step):
    paths, months = z_walk.shape
    out = np.empty((paths, months))
    for p in range(paths):
        walk = 0.0  # the running sum of the walk's increments; month 0's increment is 0
        cycle = 0.0
        if months > 0:
            out[p, 0] = 0.0
        for t in range(1, months):
            walk = walk + (drift_step + walk_step * z_walk[p, t])
            cycle = cycle * decay + cycle_step * z_cycle[p, t]
            out[p, t] = walk + cycle
    return out


def ar1(z: np.ndarray, decay: float, step: float) -> np.ndarray:
    """y[:, 0] = 0 and y[:, t] = decay * y[:, t-1] + step * z[:, t], (paths, months)."""
    return _ar1(np.ascontiguousarray(z, dtype=np.float64), float(decay), float(step))


def log_rent(
    z_walk: np.ndarray, z_cycle: np.ndarray, drift_step: float, walk_step: float, decay: float, cycle_step: float
) -> np.ndarray:
    """The random walk (cumulated ``drift_step + walk_step * z_walk``) plus the OU cycle, (paths, months)."""
    return _log_rent(
        np.ascontiguousarray(z_walk, dtype=np.float64),
        np.ascontiguousarray(z_cycle, dtype=np.float64),
        float(drift_step),
        float(walk_step),
        float(decay),
        float(cycle_step),
    )


def warm() -> None:
    """Compile (or load) both kernels for the types the factors pass them."""
    z = np.zeros((2, 3))
    ar1(z, 0.5, 0.1)
    log_rent(z, z, -0.01, 0.03, 0.9, 0.08)
