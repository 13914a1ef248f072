"""Sums down the columns of (rows, paths) arrays, in one order whatever the number of paths.

numpy adds the rows of a many-column array one after the other, but sums a lone
column pairwise, in another order, so the last bits of a path's sum would depend
on whether it was simulated alone. Every sum over months, tranches or a trailing
window that decides or records a path's numbers goes through here, so a path's
results are the same, bit for bit, alone or among any other paths.
"""

from __future__ import annotations

import numpy as np


def column_sums(values: np.ndarray) -> np.ndarray:
    """``values.sum(axis=0)``, row by row for any number of columns."""
    if values.ndim == 2 and values.shape[1] == 1:
        # two identical columns make numpy add row by row, as it does for many paths
        return np.repeat(values, 2, axis=1).sum(axis=0)[:1]
    return values.sum(axis=0)
