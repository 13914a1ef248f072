"""Covenant tests: DSCR, LTV and liquidity set each path's mode; missed payments default.

Default is absorbing: once accelerated a path stays in the default waterfall
until its collateral is sold. Lock-up cures when every lock-up test passes
again, and the trapped cash is released to the operating account.
"""

from __future__ import annotations

import numpy as np

from waterfall.engine.clock import Schedule
from waterfall.engine.columns import column_sums
from waterfall.engine.ledger import Ledger
from waterfall.engine.tape import DEFAULT, LOCK_UP, NORMAL, WOUND_UP, Tape
from waterfall.spec.account import OPERATING, LockUp, Redemption
from waterfall.spec.covenant import Covenant, DscrTest, LtvTest, MinLiquidity, PaymentDefault
from waterfall.spec.deal import Deal


class Covenants:
    def __init__(self, deal: Deal, paths: int, schedule: Schedule, engine_accounts: tuple[str, ...] = ()) -> None:
        self.period_start = schedule.period_start  # each payment month's first accrual month
        # each payment month's last month of collections: coverage reads the CFADS it distributes
        self.collection_end = schedule.collection_end
        self.tests: tuple[Covenant, ...] = deal.covenants
        self.lock_up_accounts = [a.name for a in deal.accounts if isinstance(a, LockUp)]
        self.liquidity_accounts = [
            OPERATING,
            *(a.name for a in deal.accounts if not isinstance(a, LockUp | Redemption)),
            *engine_accounts,  # the collection account: cash on hand, due at the next payment date
        ]
        self.names = [t.name for t in deal.tranches]
        self.missed = {
            i: np.zeros(paths, dtype=np.int64) for i, c in enumerate(self.tests) if isinstance(c, PaymentDefault)
        }

    def test(
        self,
        month: int,
        tape: Tape,
        ledger: Ledger,
        debt_balance: np.ndarray,
        collateral: np.ndarray,
        mode: np.ndarray,
        completion: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Test every covenant on a payment date; returns (new default mask, LTV sweep mask).

        ``completion`` is each path's month of completion: coverage tests start there.
        """
        lock_up = np.zeros(mode.shape, dtype=bool)
        default = np.zeros(mode.shape, dtype=bool)
        sweep = np.zeros(mode.shape, dtype=bool)
        ltv = loan_to_value(debt_balance, collateral, mode)
        tape.period["ltv"][month] = ltv
        for covenant in self.tests:
            if isinstance(covenant, DscrTest):
                # coverage is tested from completion on: a trailing window never reaches
                # back into construction, when there is no rent to cover anything
                # (a payment's debt service counts only when its whole accrual period is
                # after completion, so a quarter straddling completion is not set against
                # the single month of rent it had)
                # (the CFADS window ends with the collection period, ``lag`` months before
                # the payment month when collection periods end before payment dates)
                first = max(0, month - covenant.trailing_months + 1)
                lag = month - int(self.collection_end[month])
                collected = max(0, first - lag)
                cfads = tape.period["cfads"][collected : month - lag + 1]
                service = tape.period["debt_service_scheduled"][first : month + 1]
                if completion.max() > 0:
                    # something was still being built at closing: mask what came before completion
                    window = np.arange(first, month + 1)[:, None]
                    operating = (window >= completion[None, :]) & (month >= completion)
                    accrued_after = (self.period_start[first : month + 1][:, None] >= completion[None, :]) & operating
                    cfads_window = np.arange(collected, month - lag + 1)[:, None]
                    cfads = np.where((cfads_window >= completion[None, :]) & (month >= completion), cfads, 0.0)
                    service = np.where(accrued_after, service, 0.0)
                cfads = column_sums(cfads)
                service = column_sums(service)
                with np.errstate(over="ignore"):  # a vanishing debt service is infinite cover
                    dscr = np.divide(cfads, service, out=np.full(mode.shape, np.nan), where=service > 0)
                tape.period["dscr_trailing"][month] = np.where(mode == WOUND_UP, np.nan, dscr)
                lock_up |= _below(dscr, covenant.lock_up)
                default |= _below(dscr, covenant.default)
            elif isinstance(covenant, LtvTest):
                sweep |= _above(ltv, covenant.sweep)
                default |= _above(ltv, covenant.default)
            elif isinstance(covenant, MinLiquidity):
                cash = sum(ledger.balance[a] for a in self.liquidity_accounts)
                lock_up |= _below(cash, covenant.lock_up)
                default |= _below(cash, covenant.default)
        open_paths = mode < DEFAULT
        curing = open_paths & (mode == LOCK_UP) & ~lock_up & ~default
        for account in self.lock_up_accounts:
            ledger.move(month, account, OPERATING, np.where(curing, ledger.balance[account], 0.0))
        mode[open_paths] = np.where(lock_up[open_paths], LOCK_UP, NORMAL)
        return open_paths & default, sweep

    def payment_test(self, month: int, short: np.ndarray, final: np.ndarray, balance: np.ndarray) -> np.ndarray:
        """Missed interest (beyond grace) or principal unpaid at final maturity on protected tranches
        (``final``: each tranche's final payment month on each path)."""
        defaulted = np.zeros(short.shape[1], dtype=bool)
        for i, missed in self.missed.items():
            covenant = self.tests[i]
            assert isinstance(covenant, PaymentDefault)
            rows = [self.names.index(n) for n in covenant.tranches]
            late = (short[rows] > 0.005).any(axis=0)
            missed[:] = np.where(late, missed + 1, 0)
            defaulted |= missed > covenant.grace_periods
            for r in rows:
                due = final[r] == month
                if due.any():
                    defaulted |= due & (balance[r] > 0.005)
        return defaulted


def loan_to_value(debt_balance: np.ndarray, collateral: np.ndarray, mode: np.ndarray) -> np.ndarray:
    """Debt / collateral value; NaN where there is no collateral yet or the deal is wound up.
    A vanishing collateral value gives an infinite LTV (documented), not a warning."""
    with np.errstate(over="ignore"):
        ltv = np.divide(debt_balance, collateral, out=np.full(mode.shape, np.nan), where=collateral > 0)
    return np.where(mode == WOUND_UP, np.nan, ltv)


def _below(value: np.ndarray, level: float | None) -> np.ndarray:
    """Where ``value`` is below ``level``; NaN (not measured) never is."""
    if level is None:
        return np.zeros(value.shape, dtype=bool)
    return value < level  # a comparison with NaN is false


def _above(value: np.ndarray, level: float | None) -> np.ndarray:
    """Where ``value`` is above ``level``; NaN (not measured) never is."""
    if level is None:
        return np.zeros(value.shape, dtype=bool)
    return value > level
