"""The priority of payments: executes a mode's steps, in order, on that mode's paths.

Each step draws on the operating account of the paths in its mode (a mask), so
paths in normal, lock-up and default run their own waterfalls side by side.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from waterfall.engine.columns import column_sums
from waterfall.engine.crypto import CryptoBook
from waterfall.engine.debt import Debt
from waterfall.engine.expenses import MAINTENANCE, Expenses
from waterfall.engine.hedges import Hedges
from waterfall.engine.ledger import Ledger
from waterfall.spec.account import OPERATING, DebtServiceReserve, MaintenanceReserve
from waterfall.spec.steps import (
    FundReserve,
    PayEquity,
    PayExpenses,
    PayFee,
    PayHedge,
    PayInterest,
    PayPrincipal,
    Redeem,
    SellCrypto,
    Step,
    Sweep,
    Trap,
)

EQUITY = "equity"


class Books(Protocol):
    """What the waterfall reads and changes: the ledger, the debt, what is owed."""

    ledger: Ledger
    debt: Debt
    expenses: Expenses
    month: int
    sweep_breach: np.ndarray
    maintenance_reserves: list[str]
    hedges: Hedges
    crypto: CryptoBook

    def reserve_target(self, account: str) -> np.ndarray: ...


def _cash(books: Books, mask: np.ndarray) -> np.ndarray:
    """Operating cash a step may spend on the paths in ``mask``: never below zero, so no
    step moves a negative amount even if the account were ever overdrawn."""
    return np.where(mask, np.maximum(books.ledger.balance[OPERATING], 0.0), 0.0)


def _pro_rata(owed: np.ndarray, paid: np.ndarray) -> np.ndarray:
    """Split ``paid`` (paths,) over the rows of ``owed`` (rows, paths) in proportion."""
    total = column_sums(owed)
    share = np.divide(owed, total, out=np.zeros_like(owed), where=total > 0)
    return share * paid


def _pay_group(
    books: Books,
    names: tuple[str, ...],
    owed: np.ndarray,
    mask: np.ndarray,
    reserve: str | None,
) -> list[np.ndarray]:
    """Pay a pro-rata group from operating cash, then from ``reserve``; per-tranche amounts."""
    ledger = books.ledger
    owed = np.where(mask, owed, 0.0)
    paid = np.zeros_like(owed)
    for source in (OPERATING, reserve):
        if source is None:
            continue
        # what is still owed after the previous source, measured on what actually moved
        remaining = np.maximum(owed - paid, 0.0)
        amount = np.minimum(np.maximum(ledger.balance[source], 0.0), column_sums(remaining))
        if not amount.any():
            continue
        for j, part in enumerate(_pro_rata(remaining, amount)):
            paid[j] += ledger.move(books.month, source, names[j], part)
    return list(paid)


def pay_expenses(books: Books, mask: np.ndarray) -> None:
    """Operating costs pro rata from operating cash; maintenance capex still unpaid
    is then drawn from the maintenance reserves, the reason they are kept."""
    ledger, due = books.ledger, books.expenses.due
    owed = np.array([np.where(mask, np.maximum(amount, 0.0), 0.0) for amount in due.values()])
    cash = np.minimum(_cash(books, mask), column_sums(owed))
    for name, part in zip(due, _pro_rata(owed, cash), strict=True):
        due[name] -= ledger.move(books.month, OPERATING, name, part)
    for reserve in books.maintenance_reserves:
        draw = np.minimum(np.maximum(ledger.balance[reserve], 0.0), np.where(mask, due[MAINTENANCE], 0.0))
        due[MAINTENANCE] -= ledger.move(books.month, reserve, MAINTENANCE, draw)


def pay_fee(books: Books, step: PayFee, mask: np.ndarray) -> None:
    due = books.expenses.fee_due[step.fee]
    amount = np.minimum(_cash(books, mask), np.maximum(due, 0.0))
    due -= books.ledger.move(books.month, OPERATING, step.fee, amount)


def pay_tranches(books: Books, step: PayInterest | PayPrincipal, mask: np.ndarray) -> None:
    """Interest or principal due on a pro-rata group of tranches."""
    debt = books.debt
    rows = [debt.position[n] for n in step.tranches]
    interest = isinstance(step, PayInterest)
    owed = (debt.interest_due if interest else debt.principal_due)[rows]
    paid = _pay_group(books, step.tranches, owed, mask, step.reserve)
    for i, amount in zip(rows, paid, strict=True):
        if interest:
            debt.pay_interest(i, amount)
        else:
            debt.pay_principal(i, amount, mask)


def fund_reserve(books: Books, step: FundReserve, mask: np.ndarray) -> None:
    """Top up to target; release any excess over target back to operating cash."""
    ledger = books.ledger
    target = books.reserve_target(step.account)
    balance = ledger.balance[step.account]
    excess = np.where(mask, np.maximum(balance - target, 0.0), 0.0)
    if excess.any():
        ledger.move(books.month, step.account, OPERATING, excess)
    need = np.where(mask, np.maximum(target - ledger.balance[step.account], 0.0), 0.0)
    ledger.move(books.month, OPERATING, step.account, np.minimum(_cash(books, mask), need))


def sweep(books: Books, step: Sweep, mask: np.ndarray) -> None:
    ledger, debt = books.ledger, books.debt
    share = np.where(books.sweep_breach, step.percent_on_breach, step.percent)
    available = _cash(books, mask) * share
    for name in step.tranches:
        i = debt.position[name]
        amount = ledger.move(books.month, OPERATING, name, np.clip(debt.balance[i], 0.0, available))
        debt.prepay(i, amount, mask)
        available = available - amount


def trap(books: Books, step: Trap, mask: np.ndarray) -> None:
    books.ledger.move(books.month, OPERATING, step.account, _cash(books, mask))


def redeem(books: Books, step: Redeem, mask: np.ndarray) -> None:
    """Mandatory redemption: the redemption account's whole balance prepays the tranches in order."""
    ledger, debt = books.ledger, books.debt
    available = np.where(mask, np.maximum(ledger.balance[step.account], 0.0), 0.0)
    for name in step.tranches:
        i = debt.position[name]
        amount = ledger.move(books.month, step.account, name, np.minimum(available, debt.balance[i]))
        debt.prepay(i, amount, mask)
        available = available - amount


def pay_hedge(books: Books, step: PayHedge, mask: np.ndarray) -> None:
    """Periodic settlements owed first, then a termination payment, as the step's part says."""
    hedges = books.hedges
    owed = []
    if step.part != "termination":
        owed.append(hedges.due[step.hedge])
    if step.part != "periodic":
        owed.append(hedges.termination_due[step.hedge])
    for due in owed:
        amount = np.minimum(_cash(books, mask), np.maximum(np.where(mask, due, 0.0), 0.0))
        np.subtract(due, books.ledger.move(books.month, OPERATING, step.hedge, amount), out=due)


def sell_crypto(books: Books, step: SellCrypto, mask: np.ndarray) -> None:
    """Raise just what operating cash lacks for these tranches' interest and principal due."""
    rows = [books.debt.position[n] for n in step.tranches]
    owed = column_sums(books.debt.interest_due[rows] + books.debt.principal_due[rows])
    lacking = np.where(mask, np.maximum(owed - _cash(books, mask), 0.0), 0.0)
    if lacking.any():
        books.crypto.sell(books.month, step.holding, lacking, books.ledger)


def pay_equity(books: Books, mask: np.ndarray) -> None:
    books.ledger.move(books.month, OPERATING, EQUITY, _cash(books, mask))


def execute(books: Books, steps: tuple[Step, ...], mask: np.ndarray) -> None:
    """Run one mode's priority of payments on the paths in ``mask``."""
    for step in steps:
        if isinstance(step, PayExpenses):
            pay_expenses(books, mask)
        elif isinstance(step, PayFee):
            pay_fee(books, step, mask)
        elif isinstance(step, PayInterest | PayPrincipal):
            pay_tranches(books, step, mask)
        elif isinstance(step, FundReserve):
            fund_reserve(books, step, mask)
        elif isinstance(step, Sweep):
            sweep(books, step, mask)
        elif isinstance(step, Trap):
            trap(books, step, mask)
        elif isinstance(step, Redeem):
            redeem(books, step, mask)
        elif isinstance(step, PayHedge):
            pay_hedge(books, step, mask)
        elif isinstance(step, SellCrypto):
            sell_crypto(books, step, mask)
        elif isinstance(step, PayEquity):
            pay_equity(books, mask)


def reserve_target(account: DebtServiceReserve | MaintenanceReserve, debt: Debt, months_per_payment: int) -> np.ndarray:
    """DSRA: N months of its tranches' scheduled debt service this period; maintenance: a fixed amount."""
    if isinstance(account, DebtServiceReserve):
        rows = [debt.position[name] for name in account.tranches]
        service = column_sums(debt.interest_scheduled[rows] + debt.principal_scheduled[rows])
        return service / months_per_payment * account.target_months
    return np.full(debt.balance.shape[1], account.target)
