"""Rent escalation: the factor a lease's rent has grown by, months after its base month.

Fixed escalators are a closed form in the months elapsed (``growth``); an indexed
escalator's growth depends on the index path (``IndexedGrowth``, the arithmetic
in ``waterfall.market.escalation``).
"""

from __future__ import annotations

import numpy as np

from waterfall.market.escalation import indexed_growth
from waterfall.spec.lease import ESCALATION_MONTHS, Lease


def growth(lease: Lease, elapsed: np.ndarray) -> np.ndarray | float:
    """(1 + escalator) per year, stepped every ``escalator_frequency`` (per path).

    Annual steps are the original rule, (1 + e)^(whole years), computed as before so
    the numbers do not move; a shorter step grows by (1 + e)^(step / 12) each step,
    the same growth over a whole year.
    """
    step = ESCALATION_MONTHS[lease.escalator_frequency]
    if step == 12:
        return (1.0 + lease.escalator) ** (elapsed // 12)
    return (1.0 + lease.escalator) ** ((elapsed // step) * (step / 12.0))


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
