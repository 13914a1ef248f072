"""Rent escalation: how far a lease's rent has grown since its base month, fixed or by an index.

A fixed escalator is a closed form in the months elapsed (``fixed_growth``).

A lease with ``escalator_index`` steps its rent every ``escalator_frequency``
months from its base month b (its start, a renewal, a re-letting) by

    (1 + clamp(index[s] + margin, floor, cap)) ^ (step / 12)

with the index's annual rate read at the step month s on that path. The growth
at month m is the product of the steps s = b + k * step <= m (k >= 1), so it is
path-dependent: a stochastic index (a scenario's ``[rates.<index>]``) gives each
path its own rent. An annual step uses the clamped rate itself (no power).

Steps dated before closing (a lease signed before month 0) read the index at
month 0: the market has no history, and a deal's index curve is flat before its
first point (a stated assumption).
"""

from __future__ import annotations

import numpy as np

from waterfall.spec.lease import ESCALATION_MONTHS, IndexedEscalator, Lease


def step_months(lease: Lease) -> int:
    """Months between the lease's escalation steps."""
    return ESCALATION_MONTHS[lease.escalator_frequency]


def fixed_growth(lease: Lease, elapsed: np.ndarray) -> np.ndarray | float:
    """(1 + escalator) per year, stepped every ``escalator_frequency`` (per path).

    Annual steps are the original rule, (1 + e)^(whole years), computed as before so
    the numbers do not move; a shorter step grows by (1 + e)^(step / 12) each step,
    the same growth over a whole year.
    """
    step = step_months(lease)
    if step == 12:
        return (1.0 + lease.escalator) ** (elapsed // 12)
    return (1.0 + lease.escalator) ** ((elapsed // step) * (step / 12.0))


def step_factors(terms: IndexedEscalator, step: int, index: np.ndarray) -> np.ndarray:
    """The growth one step dated in each month would give, same shape as ``index``."""
    rate = index + terms.margin if terms.margin != 0.0 else index
    if terms.floor is not None:
        rate = np.maximum(rate, terms.floor)
    if terms.cap is not None:
        rate = np.minimum(rate, terms.cap)
    growth = 1.0 + rate
    return growth if step == 12 else growth ** (step / 12.0)


def cumulative_growth(factors: np.ndarray, base: np.ndarray, step: int) -> np.ndarray:
    """Growth since ``base`` (paths,) in every month, (paths, months), from ``step_factors`` (paths, months).

    1 up to the first step after ``base``; then the running product of the steps.
    """
    months = factors.shape[1]
    base = np.asarray(base, dtype=np.int64)[:, None]
    since = np.arange(months)[None, :] - base
    steps = (since > 0) & (since % step == 0)
    growth = np.cumprod(np.where(steps, factors, 1.0), axis=1)
    # steps between the base and closing, at the month-0 index (the market has no history)
    before = np.maximum((-base - 1) // step, 0)
    if before.any():
        growth = growth * factors[:, :1] ** before
    return growth


def indexed_growth(lease: Lease, index: np.ndarray, base: np.ndarray) -> np.ndarray:
    """The lease's indexed growth since ``base`` (paths,), (paths, months), on ``index`` (paths, months)."""
    terms = lease.escalator_index
    assert terms is not None
    step = step_months(lease)
    return cumulative_growth(step_factors(terms, step, index), base, step)
