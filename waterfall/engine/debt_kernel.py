"""A payment date's accrual and the settlement after the waterfall, as compiled loops over paths.

The same arithmetic, operation for operation, as ``Debt.accrue`` (with ``to_cents`` and
``_scheduled`` without refinancing) and ``Debt.settle``: every line there works path by
path, so a path here sees the same numbers in the same order and gets the same result
to the last bit. What a tranche does on a payment date (its coupon, PIK, amortisation
kind and where it stands in its schedule) comes from ``waterfall.engine.debt_program``
as small tables; nothing here is written for one deal. Imported (with numba) only by the
first block of paths that uses it.
"""

from __future__ import annotations

import numba
import numpy as np

from waterfall.engine.debt_program import (
    ALWAYS,
    ANNUITY,
    ANNUITY_PATH,
    ARREARS,
    BASE,
    BULLET,
    CONST,
    CONSTRUCTION,
    FIXED,
    FLOOR,
    HALF_EVEN,
    HALF_UP,
    NONE,
    PIK,
    SLOT,
    SPREAD,
    STRAIGHT,
    ZERO,
)
from waterfall.engine.priority_kernel import _clip, _max, _min
from waterfall.engine.rounding import NOISE

HALF_UP_NOISE = NOISE * 1e-3  # as ``to_cents`` adds it


@numba.njit(cache=True, nogil=True, inline="always")
def _sign(x: float) -> float:
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    return x if np.isnan(x) else 0.0  # np.sign: NaN stays NaN, either zero is +0


@numba.njit(cache=True, nogil=True, inline="always")
def _cents(x: float, method: int) -> float:
    """``rounding.to_cents`` on one amount."""
    if method == NONE:
        return x
    if method == HALF_EVEN:
        return np.rint(x * 100.0) / 100.0  # np.round(x, 2)
    if method == HALF_UP:
        return _sign(x) * np.floor(np.abs(x) * 100.0 + 0.5 + HALF_UP_NOISE) / 100.0
    return np.floor(x * 100.0 + NOISE) / 100.0


@numba.njit(cache=True, nogil=True)
def accrue(
    month,  # the payment month
    yf,  # its accrual period's year fraction
    rounding,  # the accrual rounding method (``debt_program.ROUNDING``)
    order,  # (tranches,) int64: sculpted tranches last, as ``Debt.accrue`` takes them
    ints,  # (tranches, 4) int64: PIK kind, interest on arrears, index slot (-1: fixed), bullet
    floats,  # (tranches, 3): fixed rate, floor, spread
    codes,  # (months, tranches) int64: the principal each tranche schedules that month
    values,  # (months, tranches, 3): that code's figures
    fixings,  # (indices, paths): each index's fixing for the period
    factor,  # (tranches, paths): (1 + r) ** -remaining of a re-amortising annuity (numpy's power)
    live,  # (paths,) bool
    accelerated,  # (paths,) bool
    constructing,  # (paths,) bool
    cfads,  # (paths,)
    balance,  # (tranches, paths), and the rest of the debt's state: changed
    principal_arrears,
    interest_arrears,
    period_rate,
    balance_after,
    interest_scheduled,
    principal_scheduled,
    interest_due,
    principal_due,
    month_pik,  # (tranches, paths) rows of this month's records: added to
    month_interest_due,
    month_principal_scheduled,
    service,  # (paths,): written, the scheduled debt service
):
    n, paths = order.shape[0], live.shape[0]
    building = False  # ``constructing.any()``: whether construction-period PIK capitalises
    for p in range(paths):
        if constructing[p]:
            building = True
            break
    for p in range(paths):
        service[p] = 0.0
    # tranche by tranche (each one's terms fixed over the loop over paths), in ``order``
    for k in range(n):
        i = order[k]
        slot = ints[i, SLOT]
        fixed, floor, spread = floats[i, FIXED], floats[i, FLOOR], floats[i, SPREAD]
        arrears = ints[i, ARREARS] != 0
        pik = ints[i, PIK]
        capitalising = pik == ALWAYS or (pik == CONSTRUCTION and building)
        always = pik == ALWAYS
        bullet = ints[i, BULLET] != 0
        code = codes[month, i]
        v0, v1, v2 = values[month, i, 0], values[month, i, 1], values[month, i, 2]
        for p in range(paths):
            alive = live[p]
            rate = fixed if slot < 0 else _max(fixings[slot, p], floor) + spread
            pr = rate * yf
            period_rate[i, p] = pr
            interest = balance[i, p] * pr if alive else 0.0
            if arrears:
                interest = interest + (interest_arrears[i, p] * pr if alive else 0.0)
            interest = _cents(interest, rounding)
            if capitalising:
                capitalise = always or constructing[p]
                added = interest if capitalise else 0.0
                balance[i, p] += added
                month_pik[i, p] += added
                if capitalise:
                    interest = 0.0
            owed = balance[i, p]
            base = owed - principal_arrears[i, p]
            if not alive or code == ZERO:
                scheduled = 0.0
            elif code == BASE:
                scheduled = base
            elif code == CONST:
                scheduled = v0
            elif code == STRAIGHT:
                scheduled = base / v0
            elif code in (ANNUITY, ANNUITY_PATH):
                if code == ANNUITY:
                    r, f = v0, v1
                else:
                    r, f = pr, factor[i, p]
                # as numpy: a zero rate repays in equal parts (the - 0.0 as there)
                scheduled = base / v2 - 0.0 if np.abs(r) < 1e-12 else base * r / (1.0 - f) - base * r
            else:  # SCULPT, sized on the fly against the debt service before it
                scheduled = cfads[p] / v0 - interest - service[p]
            scheduled = _clip(scheduled, 0.0, base)
            if rounding != NONE:
                scheduled = _min(_cents(scheduled, rounding), base)
            balance_after[i, p] = base - scheduled
            interest_scheduled[i, p] = interest
            principal_scheduled[i, p] = scheduled
            due_interest = interest + interest_arrears[i, p]
            interest_due[i, p] = due_interest
            interest_arrears[i, p] = 0.0
            due = _min(scheduled + principal_arrears[i, p], owed)
            if accelerated[p]:
                due = owed
            principal_due[i, p] = due
            principal_arrears[i, p] = 0.0
            month_interest_due[i, p] += due_interest
            month_principal_scheduled[i, p] += due
            if bullet:
                service[p] += interest
            else:
                service[p] += interest + scheduled


@numba.njit(cache=True, nogil=True)
def settle(
    toggle,  # (tranches,) bool: PIK toggle, unpaid interest capitalised
    paying,  # (paths,) bool
    interest_due,  # (tranches, paths), and the rest: changed
    principal_due,
    interest_arrears,
    principal_arrears,
    balance,
    month_pik,
    short,  # (tranches, paths): written, the interest short
):
    n, paths = interest_due.shape
    for i in range(n):
        for p in range(paths):
            unpaid = interest_due[i, p] if paying[p] else 0.0
            if toggle[i]:
                balance[i, p] += unpaid
                month_pik[i, p] += unpaid
                short[i, p] = 0.0
            else:
                interest_arrears[i, p] += unpaid
                short[i, p] = unpaid
            principal_arrears[i, p] += principal_due[i, p] if paying[p] else 0.0
            interest_due[i, p] = 0.0
            principal_due[i, p] = 0.0


def warm() -> None:
    """Compile (or load) both kernels for the argument types ``debt_program.DebtProgram``
    passes: one fixed-rate tranche on one path, no index fixings."""
    ints = np.zeros((1, 4), dtype=np.int64)
    ints[0, SLOT] = -1
    one = np.ones(1, dtype=np.bool_)
    state = [np.zeros((1, 1)) for _ in range(12)]
    accrue(
        0,
        1.0 / 12.0,
        NONE,
        np.zeros(1, dtype=np.int64),
        ints,
        np.zeros((1, 3)),
        np.zeros((1, 1), dtype=np.int64),
        np.zeros((1, 1, 3)),
        np.zeros((0, 1)),
        np.zeros((1, 1)),
        one,
        ~one,
        ~one,
        np.zeros(1),
        *state,
        np.zeros(1),
    )
    settle(~one, one, *(np.zeros((1, 1)) for _ in range(7)))
