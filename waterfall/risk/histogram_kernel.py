"""Counting a chunk's values (months, paths) into a period's fixed bins, one compiled loop.

The same bins as ``waterfall.risk.period_stats.Histogram._bins``: an arithmetic guess
from the evenly spaced edges, clipped, then settled against the edges themselves
(``searchsorted(edges, value, side="right")``); NaN is not counted. Counts are
integers, so the two paths agree exactly.
"""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _add(counts, edges, values):
    last = edges.size
    scale = (last - 1) / (edges[last - 1] - edges[0])
    for m in range(values.shape[0]):
        for p in range(values.shape[1]):
            value = values[m, p]
            if math.isnan(value):
                continue
            guess = math.floor((value - edges[0]) * scale + 1.0)
            if guess <= 0.0:
                b = 0
            elif guess >= last:
                b = last
            else:
                b = int(guess)
            while b > 0 and edges[b - 1] > value:
                b -= 1
            while b < last and edges[b] <= value:
                b += 1
            counts[m, b] += 1


def add_counts(counts: np.ndarray, edges: np.ndarray, values: np.ndarray) -> None:
    """Add to ``counts`` (months, bins) the bin of every non-NaN value of ``values`` (months, paths)."""
    _add(counts, np.ascontiguousarray(edges, dtype=np.float64), np.ascontiguousarray(values, dtype=np.float64))


def warm() -> None:
    """Compile (or load) the kernel."""
    add_counts(np.zeros((2, 4), dtype=np.int64), np.linspace(0.0, 1.0, 3), np.full((2, 2), 0.5))
