"""Revenue's month per path as compiled loops: a lease's month and a merchant fleet's.

``lease_month`` does for one lease what ``Revenue._lease`` does in numpy on a month
without a renewal decision: the lease starting, the tenant gone by its default month,
the backstop's cover within its cap, the walk-away test against market rent, the rent,
and the ledger's movements of the walk-away fee, the rent and the backstop's payment
(each booked as ``Ledger.move`` books it: only when some path moves a non-zero amount,
floored to the cent under the cents policy). ``merchant_month`` does a merchant fleet's
idle capacity the same way. ``revenue_program`` encodes the terms and calls them.
"""

from __future__ import annotations

import numba
import numpy as np

from waterfall.engine.priority_kernel import _cent, _max, _min
from waterfall.engine.revenue_program import (
    ADD,
    BACKSTOP,
    CAP,
    CENTS,
    COLLECTED,
    CONTRACT,
    EARLIEST,
    END,
    ENDED,
    FEE,
    FEE_MONTHS,
    FIXED,
    GUARANTOR_DEFAULT,
    GUARANTOR_MOVED,
    KEEP,
    KIND,
    OWED,
    PER_MW,
    RENT,
    SCALE,
    SCALED,
    START,
    STOPPED,
    TENANT_DEFAULT,
    TENANT_MOVED,
    USED,
    WALKS,
)


@numba.njit(cache=True, nogil=True)
def _book(amount, moves, cents, balance, row, p):
    """``Ledger.move`` of one path's amount into the account: floored to the cent and booked
    only when some path moves a non-zero amount; returns what it moved."""
    if moves:
        amount = _cent(amount, cents)
        balance[p] += amount
        row[p] += amount
    return amount


@numba.njit(cache=True, nogil=True)
def lease_month(
    month,
    hours,
    live,  # (paths,) bool
    terms,  # int64: KIND, WALKS, ...
    values,  # float64: SCALE, USED, ...
    fixed,  # (4, paths) int64: start, end of the initial term, tenant's and guarantor's default month (-1 never)
    active,  # (paths,) bool: changed
    out,  # (2, paths) bool: written, the paths where the tenancy ended and stopped this month
    rate,  # (paths,): this month's (escalated) rate
    market,  # (paths,): this month's market rent (the walk-away test reads it)
    backstopped,  # (paths,): what the backstop has paid so far, changed
    balance,  # (paths,): the destination account's balance, changed
    tenant_row,  # (paths,): this month's record of the tenant's flow, added to
    guarantor_row,  # (paths,): the backstop guarantor's
    work,  # (4, paths): written; COLLECTED is the month's rent collected per path
    total,  # (paths,): the month's revenue, added to when terms[ADD]
) -> int:
    paths = live.shape[0]
    kind, walks, earliest, backstop = terms[KIND], terms[WALKS] != 0, terms[EARLIEST], terms[BACKSTOP] != 0
    scaled, cents, add = terms[SCALED] != 0, terms[CENTS] != 0, terms[ADD] != 0
    scale, used, fee_months, keep, contract, cap = (
        values[SCALE],
        values[USED],
        values[FEE_MONTHS],
        values[KEEP],
        values[CONTRACT],
        values[CAP],
    )
    # what ``Revenue._lease`` computes over all paths, path by path; which movements book
    any_walks = any_fee = any_rent = any_covered = any_owed = False
    for p in range(paths):
        was = active[p]
        start = fixed[START, p]
        starting = (start if start > 0 else 0) == month and fixed[END, p] > 0
        now = (was or starting) and live[p]
        default = fixed[TENANT_DEFAULT, p]
        gone = default >= 0 and default <= month
        covered = False
        if backstop:
            guarantor = fixed[GUARANTOR_DEFAULT, p]
            covered = now and gone and not (guarantor >= 0 and guarantor <= month) and backstopped[p] < cap
        now = now and (not gone or covered)
        r = rate[p]
        if kind == FIXED:
            rent = r
        elif kind == PER_MW:
            rent = r * scale
        else:
            rent = r * scale * hours * used
        fee = 0.0
        if walks and now and not covered:
            offered = contract * market[p] if scaled else market[p]
            if start + earliest <= month < fixed[END, p] and offered < r * keep:
                fee = rent * fee_months
                any_walks = True
                any_fee = any_fee or fee != 0.0  # NaN moves, as ``amount.any()`` says
                now = False
        active[p] = now
        work[FEE, p] = fee
        amount = rent if (now and not covered) else 0.0
        work[RENT, p] = amount
        any_rent = any_rent or amount != 0.0
        owed = 0.0
        if covered:
            owed = _min(rent, cap - backstopped[p])
            any_covered = True
            any_owed = any_owed or owed != 0.0
        work[OWED, p] = owed
        out[ENDED, p] = was and not now and live[p]
        out[STOPPED, p] = (was or starting) and not now and live[p]
    # the movements, in ``_lease``'s order: the walk-away fee, the rent, the backstop's payment
    for p in range(paths):
        collected = 0.0
        if any_walks:
            collected += _book(work[FEE, p], any_fee, cents, balance, tenant_row, p)
        collected += _book(work[RENT, p], any_rent, cents, balance, tenant_row, p)
        if any_covered:
            paid = _book(work[OWED, p], any_owed, cents, balance, guarantor_row, p)
            backstopped[p] += paid
            collected += paid
        work[COLLECTED, p] = collected
        if add:
            total[p] += collected
    return (TENANT_MOVED if (any_fee or any_rent) else 0) | (GUARANTOR_MOVED if any_owed else 0)


@numba.njit(cache=True, nogil=True)
def merchant_month(
    month,
    hours,
    live,  # (paths,) bool
    delivery,  # (paths,) int64: the month the fleet is delivered
    actives,  # (leases, paths) bool: each lease active
    gpus,  # (leases,): the GPUs each lease takes of this fleet (0: a lease on another)
    count,  # the fleet's GPUs
    utilisation,
    rent,  # (paths,): this month's GPU rent of the fleet's generation
    cents,
    balance,  # (paths,): changed
    row,  # (paths,): this month's record of the merchant flow, added to
    work,  # (paths,): written
    total,  # (paths,): added to
) -> int:
    """0: the fleet is delivered on no path (nothing happens); 1: nothing moved; 2: moved."""
    paths = live.shape[0]
    delivered = False
    for p in range(paths):
        delivered = delivered or delivery[p] <= month
    if not delivered:
        return 0
    moves = False
    for p in range(paths):
        on_lease = 0.0  # whole numbers of GPUs: the sum is exact in any order
        for lease in range(gpus.shape[0]):
            if actives[lease, p]:
                on_lease += gpus[lease]
        idle = _max(count - on_lease, 0.0) if delivery[p] <= month else 0.0
        earned = idle * rent[p] * hours * utilisation if live[p] else 0.0
        work[p] = earned
        moves = moves or earned != 0.0
    for p in range(paths):
        total[p] += _book(work[p], moves, cents, balance, row, p)
    return 2 if moves else 1


def warm() -> None:
    """Compile (or load) both kernels for the argument types ``revenue_program`` passes:
    a per-GPU-hour lease with a walk-away and a backstop on one path, and a merchant fleet."""
    one = np.ones(1, dtype=np.bool_)
    terms = np.array([2, 1, 0, 1, 0, 1, 1], dtype=np.int64)
    fixed = np.zeros((4, 1), dtype=np.int64)
    f = lambda: np.zeros(1)  # noqa: E731
    lease_month(
        0,
        720.0,
        one,
        terms,
        np.ones(6),
        fixed,
        one.copy(),
        np.zeros((2, 1), dtype=np.bool_),
        f(),
        f(),
        f(),
        f(),
        f(),
        f(),
        np.zeros((4, 1)),
        f(),
    )
    merchant_month(
        0,
        720.0,
        one,
        np.zeros(1, dtype=np.int64),
        np.zeros((1, 1), dtype=np.bool_),
        np.ones(1),
        1.0,
        1.0,
        f(),
        True,
        f(),
        f(),
        f(),
        f(),
    )
