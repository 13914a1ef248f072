"""Rent escalation: the factor a lease's rent has grown by, months after its base month."""

from __future__ import annotations

import numpy as np

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
