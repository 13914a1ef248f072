"""A mode's priority of payments on the few paths in it, rather than as a mask over all paths.

Lock-up and default are rare, early on especially: a mask over every path makes
each of their steps cost as much as the normal waterfall's. Here the state a
waterfall reads and changes is gathered for the paths in the mode, the same
steps run on those arrays, and the result is put back. Every step works path
by path, so each path sees the same numbers in the same order as under a mask:
the results are the same to the last bit.
"""

from __future__ import annotations

import numpy as np

from waterfall.engine.debt import MOVEMENTS, Debt
from waterfall.engine.expenses import Expenses
from waterfall.engine.ledger import Ledger
from waterfall.engine.priority import execute, reserve_target
from waterfall.spec.account import DebtServiceReserve, MaintenanceReserve
from waterfall.spec.steps import Step

# run a mode on its own paths when it holds at most this share of them
FEW = 0.25


class FewLedger(Ledger):
    """The ledger seen from some paths: their balances, and this month's flows on them."""

    def __init__(self, ledger: Ledger, paths: np.ndarray) -> None:
        self.whole, self.paths_taken = ledger, paths
        self.months, self.paths, self.cents = ledger.months, len(paths), ledger.cents
        self.balance = {name: balance[paths] for name, balance in ledger.balance.items()}
        self.rows: dict[tuple[str, str], np.ndarray] = {}
        self.month = -1

    def _row(self, month: int, key: tuple[str, str]) -> np.ndarray:
        self.month = month
        row = self.rows.get(key)
        if row is None:
            # what these paths already had this month, so each addition lands where it would
            whole = self.whole.moved(month, key)
            row = self.rows[key] = whole[self.paths_taken] if whole is not None else np.zeros(self.paths)
        return row

    def put_back(self) -> None:
        for name, balance in self.balance.items():
            self.whole.balance[name][self.paths_taken] = balance
        for key, row in self.rows.items():  # in the order first moved, as the whole ledger would have
            self.whole._row(self.month, key)[self.paths_taken] = row


class FewDebt(Debt):
    """The debt seen from some paths: what the waterfall pays down and records."""

    CHANGED = ("balance", "interest_due", "principal_due")

    def __init__(self, debt: Debt, paths: np.ndarray) -> None:
        self.whole, self.paths_taken = debt, paths
        self.names, self.position, self.tranches = debt.names, debt.position, debt.tranches
        for name in (*self.CHANGED, "interest_scheduled", "principal_scheduled"):
            setattr(self, name, getattr(debt, name)[:, paths])
        self.month = {k: debt.month[k][:, paths] for k in MOVEMENTS}

    def put_back(self) -> None:
        for name in self.CHANGED:
            getattr(self.whole, name)[:, self.paths_taken] = getattr(self, name)
        for k, moved in self.month.items():
            self.whole.month[k][:, self.paths_taken] = moved


class FewExpenses:
    """Costs and fees owed on some paths."""

    def __init__(self, expenses: Expenses, paths: np.ndarray) -> None:
        self.whole, self.paths_taken = expenses, paths
        self.due = {name: due[paths] for name, due in expenses.due.items()}
        self.fee_due = {name: due[paths] for name, due in expenses.fee_due.items()}

    def put_back(self) -> None:
        for name, due in self.due.items():
            self.whole.due[name][self.paths_taken] = due
        for name, due in self.fee_due.items():
            self.whole.fee_due[name][self.paths_taken] = due


class FewBooks:
    """What a waterfall step reads and changes (``priority.Books``), for some paths."""

    def __init__(self, books, paths: np.ndarray) -> None:
        self.books, self.paths = books, paths
        self.month = books.month
        self.ledger = FewLedger(books.ledger, paths)
        self.debt = FewDebt(books.debt, paths)
        self.expenses = FewExpenses(books.expenses, paths)
        self.sweep_breach = books.sweep_breach[paths]
        self.maintenance_reserves = books.maintenance_reserves
        self.hedges, self.crypto = books.hedges, books.crypto  # never read: see ``runs_on_few``

    def reserve_target(self, account: str) -> np.ndarray:
        spec = self.books.accounts[account]
        assert isinstance(spec, DebtServiceReserve | MaintenanceReserve)
        return reserve_target(spec, self.debt, self.books.deal.calendar.months_per_payment)

    def run(self, steps: tuple[Step, ...]) -> None:
        execute(self, steps, np.ones(len(self.paths), dtype=bool))  # type: ignore[arg-type]
        self.ledger.put_back()
        self.debt.put_back()
        self.expenses.put_back()


def runs_on_few(deal) -> bool:
    """Whether a deal's waterfalls can run on a subset of paths: not with crypto to sell,
    hedges to pay or maintenance reserves to draw (their state is not gathered here)."""
    reserves = any(isinstance(a, MaintenanceReserve) for a in deal.accounts)
    return not (deal.crypto or deal.hedges or reserves)


def distribute(books, steps: tuple[Step, ...], mask: np.ndarray, few: bool) -> None:
    """Run ``steps`` on the paths in ``mask``: on those paths alone when they are few."""
    paths = np.flatnonzero(mask)
    if few and len(paths) <= FEW * len(mask):
        FewBooks(books, paths).run(steps)
    else:
        execute(books, steps, mask)
