"""Debt: tranche balances, interest accrual, principal falling due, arrears, PIK, write-downs.

All state is (tranches, paths). On each payment date every tranche accrues
interest for the accrual period and its amortisation kind sets the principal
due; the priority of payments then pays what it can, and ``settle`` carries
what it could not into arrears (or capitalises it, for PIK toggles).
"""

from __future__ import annotations

import numpy as np

from waterfall.compiled import use_kernels
from waterfall.engine.clock import Schedule
from waterfall.engine.columns import column_sums
from waterfall.engine.debt_program import DebtProgram
from waterfall.engine.refinancing import Refinancings
from waterfall.engine.rounding import to_cents
from waterfall.market.curves import index_curve
from waterfall.spec.deal import Deal
from waterfall.spec.hedge import hedging_swaps
from waterfall.spec.tranche import (
    Bullet,
    CustomSchedule,
    FixedCoupon,
    LevelAnnuity,
    Sculpted,
    StraightLine,
    Tranche,
)


def sizing_rate(deal: Deal, tranche: Tranche) -> float | None:
    """The annual rate a level annuity's principal is sized at, fixed at closing.

    None where the annuity is re-solved every payment date at the period's coupon
    (``reamortise``). A fixed coupon is its own sizing rate. A floating one is
    sized at the stated rate, or at the hedged rate (the swaps' notional-weighted
    fixed rate, floored, + spread) where swaps hedge it over its amortisation, or
    else at the closing rate (the deal's own index curve at month 0, floored, + spread).
    """
    kind, coupon = tranche.amortisation, tranche.coupon
    if not isinstance(kind, LevelAnnuity):
        return None
    if isinstance(coupon, FixedCoupon):
        return coupon.rate
    if kind.reamortise:
        return None
    if isinstance(kind.sizing_rate, float):
        return kind.sizing_rate
    swaps = hedging_swaps(deal.hedges, deal.tranches, tranche.name, deal.calendar)
    if kind.sizing_rate == "hedged" or (kind.sizing_rate is None and swaps):
        notional = sum(s.notional for s in swaps)
        fixed = sum(s.fixed_rate * s.notional for s in swaps) / notional if notional > 0 else swaps[0].fixed_rate
        return max(fixed, coupon.floor) + coupon.spread
    closing = float(index_curve(deal.market.index[coupon.index], 1)[0])
    return max(closing, coupon.floor) + coupon.spread


def interest_on_arrears(arrears: np.ndarray, period_rate: np.ndarray | float) -> np.ndarray:
    """Simple interest for one period on interest unpaid from earlier periods, at the
    tranche's own period rate (a ``interest_on_arrears`` tranche)."""
    return arrears * period_rate


MOVEMENTS = ("drawn", "interest_due", "interest_paid", "principal_scheduled", "principal_paid", "pik", "writedown")


class Debt:
    def __init__(
        self,
        deal: Deal,
        schedule: Schedule,
        index: dict[str, np.ndarray],
        paths: int,
        sculpted: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.schedule = schedule
        self.accrual_rounding = deal.calendar.accrual_method  # each accrual to the cent, or not
        self.tranches = deal.tranches
        self.names = tuple(t.name for t in deal.tranches)
        self.position = {name: i for i, name in enumerate(self.names)}
        self.index = index  # index name -> (months, paths)
        n = len(self.tranches)
        self.original = np.array([t.balance for t in deal.tranches])
        self.balance = np.repeat(self.original[:, None], paths, axis=1)
        self.interest_arrears = np.zeros((n, paths))
        self.principal_arrears = np.zeros((n, paths))
        self.interest_due = np.zeros((n, paths))
        self.principal_due = np.zeros((n, paths))
        self.interest_scheduled = np.zeros((n, paths))
        self.principal_scheduled = np.zeros((n, paths))
        self.final_payment = np.array(
            [schedule.last_payment_by(deal.calendar.month_of(t.legal_maturity)) for t in deal.tranches]
        )
        self.sizing = [sizing_rate(deal, t) for t in deal.tranches]
        # each path's final payment now: the legal one, until an extension or refinancing moves it
        self.maturity = np.repeat(self.final_payment[:, None], paths, axis=1)
        self.refinancing: Refinancings | None = None  # set by the simulation when a tranche declares one
        self.custom = {t.name: self._custom(t) for t in deal.tranches if isinstance(t.amortisation, CustomSchedule)}
        self.sculpted = dict(sculpted or {})
        # sculpting sized on the fly (the base-case pass) logs its schedule here
        self.sculpt_log = {
            t.name: np.zeros(schedule.months) for t in deal.tranches if isinstance(t.amortisation, Sculpted)
        }
        # this month's movements, for the tape
        self.month = {
            k: np.zeros((n, paths))
            for k in (
                "interest_due",
                "interest_paid",
                "principal_scheduled",
                "principal_paid",
                "pik",
                "writedown",
            )
        }
        self.interest_forgiven = np.zeros((n, paths))
        # the balance the schedule leaves after the last payment date's instalment (a swap's notional)
        self.balance_after = self.balance.copy()
        self.period_rate = np.zeros((n, paths))  # this payment date's coupon x year fraction
        # many paths: accrual and settlement by the compiled kernel (the numpy below is the reference)
        self.compiled = DebtProgram(self) if use_kernels(paths) else None

    def _custom(self, tranche: Tranche) -> np.ndarray:
        due = np.zeros(self.schedule.months)
        amortisation = tranche.amortisation
        assert isinstance(amortisation, CustomSchedule)
        for entry in amortisation.schedule:
            month = self.schedule.first_payment_from(self.schedule.calendar.month_of(entry.date))
            due[month] += entry.amount
        return due

    def rate(self, i: int, month: int) -> np.ndarray | float:
        coupon = self.tranches[i].coupon
        if isinstance(coupon, FixedCoupon):
            rate: np.ndarray | float = coupon.rate
        else:
            fixing = self.schedule.period_start[month]
            rate = np.maximum(self.index[coupon.index][fixing], coupon.floor) + coupon.spread
        if self.refinancing is not None and i in self.refinancing.terms:
            rate = self.refinancing.rate(i, month, rate)
        return rate

    def total_balance(self) -> np.ndarray:
        return column_sums(self.balance)

    def accrue(
        self,
        month: int,
        cfads_period: np.ndarray,
        accelerated: np.ndarray,
        live: np.ndarray,
        constructing: np.ndarray,
    ) -> np.ndarray:
        """Accrue interest and set principal due on a payment date.

        Returns the period's scheduled debt service per path (interest accrued
        in cash plus scheduled principal, arrears and bullet repayments
        excluded): the DSCR denominator.
        """
        if self.compiled is not None and self.refinancing is None:
            return self.compiled.accrue(self, month, cfads_period, accelerated, live, constructing)
        yf = self.schedule.year_fraction[month]
        order = sorted(
            range(len(self.tranches)),
            key=lambda i: isinstance(self.tranches[i].amortisation, Sculpted),
        )
        service = np.zeros(self.balance.shape[1])
        for i in order:
            tranche = self.tranches[i]
            period_rate = self.rate(i, month) * yf
            self.period_rate[i] = period_rate
            interest = np.where(live, self.balance[i] * period_rate, 0.0)
            if tranche.interest_on_arrears:
                interest = interest + np.where(live, interest_on_arrears(self.interest_arrears[i], period_rate), 0.0)
            interest = to_cents(interest, self.accrual_rounding)
            capitalised = tranche.pik == "always" or (tranche.pik == "construction" and constructing.any())
            if capitalised:
                capitalise = np.ones_like(constructing) if tranche.pik == "always" else constructing
                self.balance[i] += np.where(capitalise, interest, 0.0)
                self.month["pik"][i] += np.where(capitalise, interest, 0.0)
                interest = np.where(capitalise, 0.0, interest)
            base = self.balance[i] - self.principal_arrears[i]
            scheduled = np.where(
                live,
                self._scheduled(i, month, base, period_rate, cfads_period, interest, service),
                0.0,
            )
            scheduled = np.clip(scheduled, 0.0, base)
            if self.accrual_rounding != "none":
                scheduled = np.minimum(to_cents(scheduled, self.accrual_rounding), base)
            self.balance_after[i] = base - scheduled
            if tranche.name in self.sculpt_log and tranche.name not in self.sculpted:
                self.sculpt_log[tranche.name][month] = scheduled[0]
            self.interest_scheduled[i] = interest
            self.principal_scheduled[i] = scheduled
            self.interest_due[i] = interest + self.interest_arrears[i]
            self.interest_arrears[i] = 0.0
            due = np.minimum(scheduled + self.principal_arrears[i], self.balance[i])
            self.principal_due[i] = np.where(accelerated, self.balance[i], due)
            self.principal_arrears[i] = 0.0
            self.month["interest_due"][i] += self.interest_due[i]
            self.month["principal_scheduled"][i] += self.principal_due[i]
            # a bullet's repayment is refinanced or paid from a sale, not from operating
            # cash: it is not debt service a coverage ratio should set against CFADS; nor
            # is the balance due at maturity of a tranche that declares its refinancing
            if isinstance(tranche.amortisation, Bullet):
                service += interest
            elif tranche.refinancing is not None:
                service += interest + np.where(month >= self.maturity[i], 0.0, scheduled)
            else:
                service += interest + scheduled
        return service

    def _scheduled(
        self,
        i: int,
        month: int,
        base: np.ndarray,
        period_rate: np.ndarray | float,
        cfads_period: np.ndarray,
        interest: np.ndarray,
        other_service: np.ndarray,
    ) -> np.ndarray:
        if self.refinancing is None or i not in self.refinancing.terms:
            # (no refinancing: every path keeps the legal final payment)
            if month >= self.final_payment[i]:
                return base
            return self._original(i, month, base, period_rate, cfads_period, interest, other_service)
        maturity = self.maturity[i]
        if (month >= maturity).all():
            return base
        original = np.where(
            month >= maturity, base, self._original(i, month, base, period_rate, cfads_period, interest, other_service)
        )
        return self.refinancing.scheduled(i, month, base, period_rate, maturity, original)

    def _original(
        self,
        i: int,
        month: int,
        base: np.ndarray,
        period_rate: np.ndarray | float,
        cfads_period: np.ndarray,
        interest: np.ndarray,
        other_service: np.ndarray,
    ) -> np.ndarray:
        """Principal due on the tranche's own amortisation, before its legal final payment."""
        tranche = self.tranches[i]
        kind = tranche.amortisation
        if month >= self.final_payment[i]:
            return np.zeros_like(base)  # an extended path: interest only until it falls due
        if isinstance(kind, Bullet):
            return np.zeros_like(base)
        if isinstance(kind, CustomSchedule):
            return np.full_like(base, self.custom[tranche.name][month])
        first = tranche.interest_only_months
        last = first + kind.term_months - 1
        if month < first:
            return np.zeros_like(base)
        if month >= last:
            return base
        remaining = sum(1 for p in self.schedule.payment_months if month <= p <= min(last, self.final_payment[i]))
        if isinstance(kind, StraightLine):
            return base / remaining
        if isinstance(kind, LevelAnnuity):
            # sized at closing (the sizing rate) unless re-solved at this period's coupon
            sizing = self.sizing[i]
            if sizing is not None:
                period_rate = sizing * self.schedule.year_fraction[month]
            r = np.broadcast_to(np.asarray(period_rate, dtype=np.float64), base.shape)
            safe = np.where(np.abs(r) < 1e-12, 1.0, r)
            payment = np.where(
                np.abs(r) < 1e-12,
                base / remaining,
                base * safe / (1.0 - (1.0 + safe) ** -remaining),
            )
            return payment - np.where(np.abs(r) < 1e-12, 0.0, base * safe)
        assert isinstance(kind, Sculpted)
        if tranche.name in self.sculpted:
            return np.full_like(base, self.sculpted[tranche.name][month])
        return cfads_period / kind.target_dscr - interest - other_service

    def runoff(self, i: int, month: int, payments: list[int]) -> np.ndarray:
        """Tranche ``i``'s balance at the start of each payment period in ``payments`` (after
        ``month``), (len(payments), paths), as its schedule runs the balance off from this
        payment date's instalment on (arrears counted as paid, no draw, prepayment or
        capitalised interest): the notional a swap amortising with it has.

        A level annuity runs off at its sizing rate (at this period's coupon held flat when
        it re-amortises); a sculpted schedule not yet sized (the base-case pass) stays flat."""
        tranche = self.tranches[i]
        kind = tranche.amortisation
        balance = np.minimum(self.balance[i], self.balance_after[i])
        rows = []
        for p in payments:
            rows.append(balance.copy())
            if p >= self.final_payment[i]:
                due = balance
            elif isinstance(kind, Bullet):
                due = np.zeros_like(balance)
            elif isinstance(kind, CustomSchedule):
                due = np.full_like(balance, self.custom[tranche.name][p])
            elif isinstance(kind, Sculpted):
                sized = self.sculpted.get(tranche.name)
                due = np.full_like(balance, 0.0 if sized is None else sized[p])
            else:
                first = tranche.interest_only_months
                last = first + kind.term_months - 1
                remaining = sum(1 for q in payments if p <= q <= min(last, self.final_payment[i]))
                if p < first:
                    due = np.zeros_like(balance)
                elif p >= last:
                    due = balance
                elif isinstance(kind, StraightLine):
                    due = balance / remaining
                else:
                    rate = self.sizing[i] if self.sizing[i] is not None else self.rate(i, month)
                    r = (
                        np.broadcast_to(np.asarray(rate, dtype=np.float64), balance.shape)
                        * self.schedule.year_fraction[p]
                    )
                    safe = np.where(np.abs(r) < 1e-12, 1.0, r)
                    annuity = np.where(
                        np.abs(r) < 1e-12, balance / remaining, balance * safe / (1 - (1 + safe) ** -remaining)
                    )
                    due = annuity - np.where(np.abs(r) < 1e-12, 0.0, balance * safe)
            balance = balance - np.clip(due, 0.0, balance)
        return np.array(rows)

    def draw(self, i: int, amount: np.ndarray) -> None:
        """More lent on tranche ``i`` (a scheduled draw or an overrun draw)."""
        self.balance[i] += amount
        self.month["drawn"][i] += amount

    def accelerate(self, paths: np.ndarray) -> None:
        """All principal falls due on ``paths`` now (and the month's record says so)."""
        extra = np.where(paths, self.balance - self.principal_due, 0.0)
        self.principal_due += extra
        self.month["principal_scheduled"] += extra

    def reopen(self, paths: np.ndarray, tranches: list[int]) -> None:
        """After a settled payment date, make arrears and the whole balance due again on ``paths``
        (a last distribution of sale proceeds at the horizon's end)."""
        # the month's record keeps what was due once: its shortfall is re-measured after this
        rows = np.zeros((len(self.tranches), 1), dtype=bool)
        rows[tranches] = True
        reopen = rows & paths[None, :]
        self.interest_due = np.where(reopen, self.interest_arrears, self.interest_due)
        self.interest_arrears = np.where(reopen, 0.0, self.interest_arrears)
        self.principal_arrears = np.where(reopen, 0.0, self.principal_arrears)
        self.principal_due = np.where(reopen, self.balance, self.principal_due)
        due = self.month["principal_paid"] + self.balance
        self.month["principal_scheduled"][:] = np.where(reopen, due, self.month["principal_scheduled"])

    def pay_interest(self, i: int, amount: np.ndarray) -> None:
        self.interest_due[i] -= amount
        self.month["interest_paid"][i] += amount

    def pay_principal(self, i: int, amount: np.ndarray, paths: np.ndarray) -> None:
        """Scheduled principal paid on ``paths`` (the step's mode); float residue of a payment
        is not carried into arrears. Other paths are left exactly as they are."""
        self.balance[i] -= amount
        np.maximum(self.principal_due[i] - amount, 0.0, out=self.principal_due[i], where=paths)
        self.month["principal_paid"][i] += amount

    def prepay(self, i: int, amount: np.ndarray, paths: np.ndarray) -> None:
        """Unscheduled principal (a sweep) on ``paths``: reduces the balance, arrears capped by it."""
        self.balance[i] -= amount
        np.minimum(self.principal_due[i], self.balance[i], out=self.principal_due[i], where=paths)
        self.month["principal_paid"][i] += amount

    def settle(self, paying: np.ndarray) -> np.ndarray:
        """After the waterfall: carry what was not paid. Returns interest short per (tranche, path)."""
        if self.compiled is not None:
            return self.compiled.settle(self, paying)
        short = np.where(paying, self.interest_due, 0.0)
        for i, tranche in enumerate(self.tranches):
            if tranche.pik == "toggle":
                self.balance[i] += short[i]
                self.month["pik"][i] += short[i]
                short[i] = 0.0
            else:
                self.interest_arrears[i] += short[i]
        self.principal_arrears += np.where(paying, self.principal_due, 0.0)
        self.interest_due[:] = 0.0
        self.principal_due[:] = 0.0
        return short

    def write_down(self, i: int, paths: np.ndarray) -> None:
        """Write off what a tranche is still owed on ``paths``: principal and interest arrears."""
        if not paths.any():
            return  # (the common case: writing off nothing changes nothing)
        lost = np.where(paths, self.balance[i], 0.0)
        self.month["writedown"][i] += lost
        self.interest_forgiven[i] += np.where(paths, self.interest_arrears[i], 0.0)
        self.balance[i] -= lost
        self.interest_arrears[i] = np.where(paths, 0.0, self.interest_arrears[i])
        self.principal_arrears[i] = np.where(paths, 0.0, self.principal_arrears[i])
