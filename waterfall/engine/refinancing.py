"""Refinancing at maturity: the test, the credit-market window, extension options, refinanced terms.

On a tranche's maturity date, after the priority of payments has paid what it
could of the balance due and before the payment test, each path where the
tranche still owes principal (and is not in default) is refinanced when its
refinancing test passes there and the credit market is open; failing that, its
next extension option is exercised when that option's own test passes; failing
both, the balance stays due as it always did (unpaid, a maturity default).

A refinancing is not cash through the waterfall: the new lenders repay the old
at par, so the tranche keeps its name, seniority and balance, and only its terms
change: a new maturity, the refinancing's amortisation, and a coupon of index +
the path's credit spread for the rating class, locked in the month refinanced
(it applies from the next accrual period; the period ending at maturity is the
old lenders'). A fee (refinancing or extension) is financed: the tranche's
lenders lend it (a draw) and it is paid to ``refinancing_fees``, both through
the ledger.

A refinanced tranche meets its refinancing again at its new maturity (extension
options belong to the original loan and are not renewed). A new maturity beyond
the horizon is kept as it is: the balance is then still outstanding, performing,
when the horizon ends (``Tape.maturity`` says where).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from waterfall.engine.clock import Schedule
from waterfall.engine.columns import column_sums
from waterfall.engine.ledger import Ledger
from waterfall.spec.deal import Deal
from waterfall.spec.refinancing_checks import refinancing_index
from waterfall.spec.tranche import Extension, FixedCoupon, LevelAnnuity, Refinancing, StraightLine

if TYPE_CHECKING:
    from waterfall.engine.debt import Debt

FEES = "refinancing_fees"
UNPAID = 0.005  # dollars: float residue of a repaid balance is not a balance to refinance
BPS = 1e-4


class Refinancings:
    """Per (tranche, path): when refinanced and at what spread, and the extension options used."""

    def __init__(
        self,
        deal: Deal,
        schedule: Schedule,
        index: dict[str, np.ndarray],
        spreads: dict[str, np.ndarray],
        window: np.ndarray | None,
        paths: int,
    ) -> None:
        self.schedule = schedule
        self.tranches = deal.tranches
        self.terms: dict[int, Refinancing] = {
            i: t.refinancing for i, t in enumerate(deal.tranches) if t.refinancing is not None
        }
        self.index_of = {i: refinancing_index(deal.tranches[i]) for i in self.terms}
        self.index = index  # name -> (months, paths)
        self.spreads = spreads  # rating class -> (months, paths)
        self.window = window  # (months, paths) bool, None when always open
        n = len(deal.tranches)
        self.start = np.full((n, paths), -1, dtype=np.int64)
        self.spread = np.zeros((n, paths))
        self.amount = np.zeros((n, paths))
        self.extensions = np.zeros((n, paths), dtype=np.int64)
        # payment dates up to and including each month
        self.paid_by = np.cumsum(schedule.is_payment)

    def final_payment(self, now: int, due: int) -> int:
        """The final payment of debt that falls due in month ``due`` as seen from ``now``: the
        last payment date by then, but after ``now``; ``due`` itself beyond the horizon (a date
        the run never reaches)."""
        if due >= self.schedule.months:
            return due
        later = [m for m in self.schedule.payment_months if now < m <= due]
        return later[-1] if later else self.schedule.first_payment_from(now + 1)

    # -- the refinanced terms the debt reads ----------------------------------------------

    def rate(self, i: int, month: int, old: np.ndarray | float) -> np.ndarray | float:
        """The coupon of tranche ``i`` for the period ending ``month``: the refinanced one on
        paths refinanced before the period began."""
        start = self.start[i]
        fixing = self.schedule.period_start[month]
        # (a path refinanced again this month is decided after this period accrued)
        new = (start >= 0) & (fixing > start)
        if not new.any():
            return old
        index = np.maximum(self.index[self.index_of[i]][fixing], self.terms[i].floor)
        return np.where(new, index + self.spread[i], old)

    def scheduled(
        self,
        i: int,
        month: int,
        base: np.ndarray,
        period_rate: np.ndarray | float,
        maturity: np.ndarray,
        original: np.ndarray,
    ) -> np.ndarray:
        """Principal due on the refinanced paths; ``original`` on every other path."""
        start = self.start[i]
        if not (start >= 0).any():
            return original
        kind = self.terms[i].amortisation
        due = np.zeros_like(base)
        if isinstance(kind, LevelAnnuity | StraightLine):
            end = start + kind.term_months
            remaining = self._payments(month - 1, end)
            if isinstance(kind, StraightLine):
                total = np.maximum(self._payments(start, end), 1)
                due = np.minimum(self.amount[i] / total, base)
            else:
                # re-solved each date over the payments left, as a level annuity at closing is
                r = np.broadcast_to(np.asarray(period_rate, dtype=np.float64), base.shape)
                n = np.maximum(remaining, 1)
                tiny = np.abs(r) < 1e-12
                safe = np.where(tiny, 1.0, r)
                annuity = np.where(tiny, base / n, base * safe / (1.0 - (1.0 + safe) ** -n))
                due = annuity - np.where(tiny, 0.0, base * safe)
            due = np.where(remaining <= 1, base, due)
        due = np.where(month >= maturity, base, due)
        return np.where(start >= 0, due, original)

    def _payments(self, after: int | np.ndarray, until: np.ndarray) -> np.ndarray:
        """Payment dates in (``after``, ``until``]; past the horizon the calendar's frequency
        carries on (an amortisation may run beyond the months simulated)."""
        last = self.schedule.months - 1
        step = self.schedule.calendar.months_per_payment
        inside = self.paid_by[np.minimum(until, last)] - np.where(
            np.asarray(after) >= 0, self.paid_by[np.maximum(after, 0)], 0
        )
        return inside + np.maximum(until - last, 0) // step

    # -- the decision ------------------------------------------------------------------------

    def decide(
        self,
        month: int,
        debt: Debt,
        open_paths: np.ndarray,
        noi: np.ndarray,
        collateral: np.ndarray,
        ledger: Ledger,
        record: np.ndarray,
    ) -> None:
        """Refinance or extend each tranche left owing at its maturity this month, senior first.

        ``open_paths``: not in default; ``noi``: trailing 12-month CFADS, annual;
        ``record``: the tape's ``refinanced`` row this month (tranches, paths).
        """
        for i in sorted(self.terms):
            due = open_paths & (debt.maturity[i] == month) & (debt.balance[i] > UNPAID)
            if not due.any():
                continue
            terms = self.terms[i]
            stack = column_sums(debt.balance[: i + 1])
            with np.errstate(divide="ignore", invalid="ignore"):
                ltv = np.where(collateral > 0, stack / collateral, np.nan)
                debt_yield = np.where(stack > 0, noi / stack, np.nan)
            seniors = sum((debt.balance[j] * self._annual_rate(debt, j, month) for j in range(i)), np.zeros_like(noi))
            spread = self.spreads[terms.rating][month]
            rate = np.maximum(self.index[self.index_of[i]][month], terms.floor) + spread
            dscr = _cover(noi, seniors + annual_service(terms, debt.balance[i], rate))
            market_open = True if self.window is None else self.window[month]
            refinance = due & market_open & passes(terms, ltv, debt_yield, dscr)
            if refinance.any():
                self.start[i] = np.where(refinance, month, self.start[i])
                self.spread[i] = np.where(refinance, spread, self.spread[i])
                record[i] += np.where(refinance, debt.balance[i], 0.0)
                self._roll(i, month, debt, refinance, terms.term_months, terms.fee_bps, ledger)
                self.amount[i] = np.where(refinance, debt.balance[i], self.amount[i])
            # extension options are the original loan's
            left = due & ~refinance & (self.start[i] < 0)
            dscr = _cover(noi, seniors + debt.balance[i] * self._annual_rate(debt, i, month))
            for k, option in enumerate(terms.extensions):
                # the extended debt keeps its coupon and pays interest only until it falls due
                extend = left & (self.extensions[i] == k) & passes(option, ltv, debt_yield, dscr)
                if extend.any():
                    self.extensions[i] += extend
                    self._roll(i, month, debt, extend, option.months, option.fee_bps, ledger)
                    left &= ~extend

    def _roll(
        self, i: int, month: int, debt: Debt, paths: np.ndarray, months: int, fee_bps: float, ledger: Ledger
    ) -> None:
        """The balance on ``paths`` is no longer due: it falls due ``months`` on, the fee lent and paid."""
        unpaid = np.where(paths, debt.balance[i], 0.0)
        debt.maturity[i] = np.where(paths, self.final_payment(month, month + months), debt.maturity[i])
        # the balance unpaid at maturity is not in arrears: it was never due after all
        debt.principal_arrears[i] = np.where(paths, 0.0, debt.principal_arrears[i])
        debt.month["principal_scheduled"][i] -= unpaid
        fee = ledger.move(month, debt.names[i], FEES, unpaid * fee_bps * BPS)
        if fee.any():
            debt.draw(i, fee)

    def _annual_rate(self, debt: Debt, j: int, month: int) -> np.ndarray:
        """Tranche ``j``'s coupon at this month's index: the refinanced one where refinanced."""
        coupon = self.tranches[j].coupon
        paths = debt.balance.shape[1]
        if isinstance(coupon, FixedCoupon):
            rate = np.full(paths, coupon.rate)
        else:
            rate = np.maximum(self.index[coupon.index][month], coupon.floor) + coupon.spread
        if j in self.terms and (self.start[j] >= 0).any():
            terms = self.terms[j]
            new = np.maximum(self.index[self.index_of[j]][month], terms.floor) + self.spread[j]
            rate = np.where(self.start[j] >= 0, new, rate)
        return rate


def annual_service(terms: Refinancing, balance: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """A first year's debt service of ``balance`` refinanced at annual ``rate`` on the
    refinancing's amortisation (monthly compounding for the level annuity)."""
    kind = terms.amortisation
    interest = balance * rate
    if isinstance(kind, StraightLine):
        return interest + balance * min(12, kind.term_months) / kind.term_months
    if isinstance(kind, LevelAnnuity):
        monthly = rate / 12.0
        tiny = np.abs(monthly) < 1e-12
        safe = np.where(tiny, 1.0, monthly)
        payment = np.where(tiny, balance / kind.term_months, balance * safe / (1.0 - (1.0 + safe) ** -kind.term_months))
        return 12.0 * payment if kind.term_months >= 12 else payment * kind.term_months
    return interest


def passes(test: Refinancing | Extension, ltv: np.ndarray, debt_yield: np.ndarray, dscr: np.ndarray) -> np.ndarray:
    """Every threshold the test states holds; a measure that cannot be taken (NaN) fails."""
    ok = np.ones(ltv.shape, dtype=bool)
    if test.max_ltv is not None:
        ok &= ltv <= test.max_ltv
    if test.min_debt_yield is not None:
        ok &= debt_yield >= test.min_debt_yield
    if test.min_dscr is not None:
        ok &= dscr >= test.min_dscr
    return ok


def _cover(noi: np.ndarray, service: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):  # no debt service is infinite cover
        return np.where(service > 0, noi / np.where(service > 0, service, 1.0), np.inf)
