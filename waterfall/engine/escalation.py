"""Indexed rent escalation through a run: each path's growth since its lease's base month.

A fixed escalator is a closed form in the months elapsed
(``waterfall.market.escalation.fixed_growth``); an indexed escalator's growth
depends on the index path and on base months that move during the run (a
renewal, a re-letting), which ``IndexedGrowth`` follows.
"""

from __future__ import annotations

import numpy as np

from waterfall.market.escalation import indexed_growth
from waterfall.spec.lease import Lease


class IndexedGrowth:
    """An indexed lease's growth since a per-path base month, read month by month.

    The growth of every month is computed once for the base months in force, as a
    (paths, months) running product; when a path's base moves (a renewal, a new
    tenant signing) only that path's row is recomputed.
    """

    def __init__(self, lease: Lease, index: np.ndarray, base: np.ndarray) -> None:
        self.lease = lease
        self.index = index  # the escalator's index, (paths, months)
        self.base = np.array(base, dtype=np.int64)
        self.growth = indexed_growth(lease, index, self.base)

    def at(self, base: np.ndarray, month: int) -> np.ndarray:
        """Growth in ``month`` since ``base`` (paths,)."""
        moved = base != self.base
        if moved.any():
            self.growth[moved] = indexed_growth(self.lease, self.index[moved], base[moved])
            self.base = np.array(base, dtype=np.int64)
        return self.growth[:, month]
