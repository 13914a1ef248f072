"""The debt's payment-date arithmetic as data for the compiled kernel, and its run on a block of paths.

Each tranche's terms are encoded once per deal: its coupon (a fixed rate, or an index
slot with floor and spread), PIK kind, interest on arrears and whether it is a bullet;
and for every month, what its amortisation kind schedules then (nothing, the whole base,
a fixed amount, straight line over the payments left, a level annuity with its period
rate and discount factor fixed at closing or re-solved at the period's coupon, or
sculpted against the cover target), as ``Debt._scheduled`` decides it. The kernel
(``debt_kernel``) does the per-path arithmetic of ``Debt.accrue`` and ``Debt.settle``
with these tables; a deal with refinancing terms keeps the numpy path (its rates and
schedules change path by path as tranches are refinanced).

A level annuity's discount factor ``(1 + r) ** -remaining`` is numpy's power here too
(computed by numpy, not in the kernel): numpy's vectorised power and the C library's
differ in the last bit.
"""

from __future__ import annotations

import numpy as np

from waterfall import compiled
from waterfall.spec.tranche import Bullet, CustomSchedule, FixedCoupon, LevelAnnuity, Sculpted, StraightLine

# columns of the tranche tables
PIK, ARREARS, SLOT, BULLET = range(4)
FIXED, FLOOR, SPREAD = range(3)
# PIK kinds capitalised at accrual (a toggle capitalises at settlement)
NOT_AT_ACCRUAL, ALWAYS, CONSTRUCTION = range(3)
# what a tranche schedules in a month
ZERO, BASE, CONST, STRAIGHT, ANNUITY, ANNUITY_PATH, SCULPT = range(7)
# accrual rounding methods (``rounding.to_cents``)
NONE, HALF_EVEN, HALF_UP, FLOOR_CENTS = range(4)
ROUNDING = {"none": NONE, "half_even": HALF_EVEN, "half_up": HALF_UP, "floor": FLOOR_CENTS}
KERNEL = "waterfall.engine.debt_kernel"


class DebtProgram:
    """A deal's tranches encoded for ``debt_kernel``, built from the numpy ``Debt`` it runs for."""

    def __init__(self, debt) -> None:
        tranches, schedule = debt.tranches, debt.schedule
        n = len(tranches)
        self.rounding = ROUNDING[debt.accrual_rounding]
        self.order = np.array(
            sorted(range(n), key=lambda i: isinstance(tranches[i].amortisation, Sculpted)), dtype=np.int64
        )
        self.indices: list[str] = []  # the indices floating coupons fix on, in slot order
        self.ints = np.zeros((n, 4), dtype=np.int64)
        self.floats = np.zeros((n, 3))
        for i, tranche in enumerate(tranches):
            coupon = tranche.coupon
            self.ints[i, PIK] = {"always": ALWAYS, "construction": CONSTRUCTION}.get(tranche.pik, NOT_AT_ACCRUAL)
            self.ints[i, ARREARS] = bool(tranche.interest_on_arrears)
            self.ints[i, BULLET] = isinstance(tranche.amortisation, Bullet)
            if isinstance(coupon, FixedCoupon):
                self.ints[i, SLOT] = -1
                self.floats[i, FIXED] = coupon.rate
            else:
                if coupon.index not in self.indices:
                    self.indices.append(coupon.index)
                self.ints[i, SLOT] = self.indices.index(coupon.index)
                self.floats[i, FLOOR], self.floats[i, SPREAD] = coupon.floor, coupon.spread
        self.toggle = np.array([t.pik == "toggle" for t in tranches], dtype=np.bool_)
        months = schedule.months
        self.codes = np.zeros((months, n), dtype=np.int64)
        self.values = np.zeros((months, n, 3))
        for month in range(months):
            for i in range(n):
                self.codes[month, i] = self._encode(debt, i, month)
        # the re-amortising annuities (their factor is numpy's, per path, each payment date)
        self.per_path = [i for i in range(n) if (self.codes[:, i] == ANNUITY_PATH).any()]
        paths = debt.balance.shape[1]
        self.factor = np.zeros((n if self.per_path else 1, paths))
        self.no_fixings = np.zeros((0, paths))
        self.logged = [i for i, t in enumerate(tranches) if t.name in debt.sculpt_log and t.name not in debt.sculpted]

    def _encode(self, debt, i: int, month: int) -> int:
        """``Debt._scheduled``'s choice for tranche ``i`` in ``month`` (no refinancing), with its figures."""
        tranche, values = debt.tranches[i], self.values[month, i]
        kind = tranche.amortisation
        if month >= debt.final_payment[i]:
            return BASE
        if isinstance(kind, Bullet):
            return ZERO
        if isinstance(kind, CustomSchedule):
            values[0] = debt.custom[tranche.name][month]
            return CONST
        first = tranche.interest_only_months
        last = first + kind.term_months - 1
        if month < first:
            return ZERO
        if month >= last:
            return BASE
        payments = debt.schedule.payment_months
        remaining = sum(1 for p in payments if month <= p <= min(last, debt.final_payment[i]))
        if isinstance(kind, StraightLine):
            values[0] = remaining
            return STRAIGHT
        if isinstance(kind, LevelAnnuity):
            values[2] = remaining
            sizing = debt.sizing[i]
            if sizing is None:
                return ANNUITY_PATH
            r = np.full(1, sizing * debt.schedule.year_fraction[month])
            safe = np.where(np.abs(r) < 1e-12, 1.0, r)
            values[0], values[1] = r[0], ((1.0 + safe) ** -remaining)[0]
            return ANNUITY
        assert isinstance(kind, Sculpted)
        if tranche.name in debt.sculpted:
            values[0] = debt.sculpted[tranche.name][month]
            return CONST
        values[0] = kind.target_dscr
        return SCULPT

    def _fixings(self, debt, month: int) -> np.ndarray:
        fixing = debt.schedule.period_start[month]
        if not self.indices:
            return self.no_fixings
        if len(self.indices) == 1:
            return debt.index[self.indices[0]][fixing : fixing + 1]  # a view, no copy
        return np.stack([debt.index[name][fixing] for name in self.indices])

    def accrue(self, debt, month, cfads, accelerated, live, constructing) -> np.ndarray:
        """``Debt.accrue`` for a deal without refinancing terms, by the kernel."""
        yf = debt.schedule.year_fraction[month]
        fixings = self._fixings(debt, month)
        for i in self.per_path:
            if self.codes[month, i] == ANNUITY_PATH:
                # as ``Debt._original``: r at this period's coupon, numpy's power
                rate = debt.rate(i, month)
                r = np.broadcast_to(np.asarray(rate * yf, dtype=np.float64), live.shape)
                safe = np.where(np.abs(r) < 1e-12, 1.0, r)
                self.factor[i] = (1.0 + safe) ** -int(self.values[month, i, 2])
        service = np.empty(live.shape[0])
        records = debt.month
        compiled.kernel(KERNEL, "accrue")(
            month,
            float(yf),
            self.rounding,
            self.order,
            self.ints,
            self.floats,
            self.codes,
            self.values,
            fixings,
            self.factor,
            live,
            accelerated,
            constructing,
            cfads,
            debt.balance,
            debt.principal_arrears,
            debt.interest_arrears,
            debt.period_rate,
            debt.balance_after,
            debt.interest_scheduled,
            debt.principal_scheduled,
            debt.interest_due,
            debt.principal_due,
            records["pik"],
            records["interest_due"],
            records["principal_scheduled"],
            service,
        )
        for i in self.logged:
            debt.sculpt_log[debt.names[i]][month] = debt.principal_scheduled[i][0]
        return service

    def settle(self, debt, paying: np.ndarray) -> np.ndarray:
        """``Debt.settle`` by the kernel."""
        short = np.empty_like(debt.interest_due)
        compiled.kernel(KERNEL, "settle")(
            self.toggle,
            paying,
            debt.interest_due,
            debt.principal_due,
            debt.interest_arrears,
            debt.principal_arrears,
            debt.balance,
            debt.month["pik"],
            short,
        )
        return short
