"""The waterfall as data for the compiled priority of payments, and its run on a block of paths.

Each mode's steps are encoded once per deal as a small integer table (step kind, the
debt rows it names, its account, fee, hedge or holding, its reserve) and a float table
(a sweep's percents). Every place a step moves cash (a movement site: one per source
and tranche of a pro-rata group, one per expense, ...) gets a slot, and each slot the
ledger flow, a (source, destination) pair, it records in. The slots run in the order
``waterfall.engine.priority`` moves cash, so the flows a month creates are created in
the same order as there (a flow exists from its first movement: ``Ledger.move``).

``CompiledWaterfall.run`` gathers what the steps read and change into contiguous
(rows, paths) arrays, runs ``priority_kernel.run_waterfall`` over every path in its
own mode's steps, and puts the results back into the ledger, the debt, the expenses,
the hedges and the crypto book. The kernel does what ``priority.execute`` does, path
by path, for every step kind, so the numbers are the same to the last bit.
"""

from __future__ import annotations

import numpy as np

from waterfall import compiled
from waterfall.engine.expenses import MAINTENANCE
from waterfall.engine.priority import EQUITY as EQUITY_HOLDERS
from waterfall.spec.account import OPERATING
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

# columns of the step table
KIND, T0, TN, A, B, SLOT = range(6)
# step kinds
EXPENSES, FEE, INTEREST, PRINCIPAL, FUND, SWEEP, TRAP, REDEEM, HEDGE, SELL, EQUITY = range(11)
MODES = 3  # normal, lock-up, default: ``tape.NORMAL``, ``LOCK_UP``, ``DEFAULT``; wound up runs none
HEDGE_PARTS = {"all": 0, "periodic": 1, "termination": 2}


class Program:
    """Three waterfalls (normal, lock-up, default) encoded, for the ledger's accounts and the
    expenses owed now (an expense first incurred later, a re-let's leasing costs say, needs a
    new program)."""

    def __init__(self, waterfalls: tuple[tuple[Step, ...], ...], books, expenses: tuple[str, ...]) -> None:
        self.expenses = expenses
        self.accounts = {name: i for i, name in enumerate(books.ledger.balance)}
        position = books.debt.position
        fees = {name: i for i, name in enumerate(books.expenses.fee_due)}
        hedges = {name: i for i, name in enumerate(books.hedges.due)}
        holdings = {name: i for i, name in enumerate(books.crypto.units)}
        self.keys: list[tuple[str, str]] = []
        key_index: dict[tuple[str, str], int] = {}
        slot_key: list[int] = []
        rows: list[list[int]] = []
        percents: list[tuple[float, float]] = []
        tranches: list[int] = []
        mode_steps = [0]
        self.funded: set[str] = set()

        def sites(*keys: tuple[str, str]) -> int:
            """Slots for movements into these flows, in this order; the first slot's number."""
            first = len(slot_key)
            for key in keys:
                if key not in key_index:
                    key_index[key] = len(self.keys)
                    self.keys.append(key)
                slot_key.append(key_index[key])
            return first

        def named(names: tuple[str, ...]) -> tuple[int, int]:
            first = len(tranches)
            tranches.extend(position[n] for n in names)
            return first, len(names)

        for steps in waterfalls:
            for step in steps:
                row, percent = self._encode(step, sites, named, fees, hedges, holdings, books)
                rows.append(row)
                percents.append(percent)
            mode_steps.append(len(rows))
        self.steps = np.array(rows, dtype=np.int64).reshape(-1, 6)
        self.percents = np.array(percents, dtype=np.float64).reshape(-1, 2)
        self.tranche_rows = np.array(tranches, dtype=np.int64)
        self.mode_steps = np.array(mode_steps, dtype=np.int64)
        self.slot_key = np.array(slot_key, dtype=np.int64)
        # the kernel's state rows: the accounts, then the flows, then one row standing for
        # everything outside the SPV (what a movement takes from or adds to there is not kept)
        accounts, outside = len(self.accounts), len(self.accounts) + len(self.keys)
        self.route = np.array(
            [
                (self.accounts.get(self.keys[k][0], outside), self.accounts.get(self.keys[k][1], outside), accounts + k)
                for k in slot_key
            ],
            dtype=np.int64,
        ).reshape(-1, 3)
        self.maintenance = np.array([self.accounts[r] for r in books.maintenance_reserves], dtype=np.int64)
        self.maintenance_due = expenses.index(MAINTENANCE) if MAINTENANCE in expenses else -1

    def _encode(self, step: Step, sites, named, fees, hedges, holdings, books) -> tuple[list[int], tuple[float, float]]:
        """The step's row of the table (kind, tranches' first entry and count, a, b, first slot)."""
        accounts = self.accounts
        none = (0.0, 0.0)
        if isinstance(step, PayExpenses):
            keys = [(OPERATING, name) for name in self.expenses]
            keys += [(reserve, MAINTENANCE) for reserve in books.maintenance_reserves]
            return [EXPENSES, 0, 0, 0, -1, sites(*keys)], none
        if isinstance(step, PayFee):
            return [FEE, 0, 0, fees[step.fee], -1, sites((OPERATING, step.fee))], none
        if isinstance(step, PayInterest | PayPrincipal):
            first, count = named(step.tranches)
            reserve = -1 if step.reserve is None else accounts[step.reserve]
            keys = [(OPERATING, n) for n in step.tranches]
            keys += [(step.reserve, n) for n in step.tranches] if step.reserve is not None else []
            kind = INTEREST if isinstance(step, PayInterest) else PRINCIPAL
            return [kind, first, count, 0, reserve, sites(*keys)], none
        if isinstance(step, FundReserve):
            self.funded.add(step.account)
            keys = ((step.account, OPERATING), (OPERATING, step.account))
            return [FUND, 0, 0, accounts[step.account], -1, sites(*keys)], none
        if isinstance(step, Sweep):
            first, count = named(step.tranches)
            slot = sites(*((OPERATING, n) for n in step.tranches))
            return [SWEEP, first, count, 0, -1, slot], (step.percent, step.percent_on_breach)
        if isinstance(step, Trap):
            return [TRAP, 0, 0, accounts[step.account], -1, sites((OPERATING, step.account))], none
        if isinstance(step, Redeem):
            first, count = named(step.tranches)
            slot = sites(*((step.account, n) for n in step.tranches))
            return [REDEEM, first, count, accounts[step.account], -1, slot], none
        if isinstance(step, PayHedge):
            slot = sites((OPERATING, step.hedge), (OPERATING, step.hedge))  # periodic, termination
            return [HEDGE, 0, 0, hedges[step.hedge], HEDGE_PARTS[step.part], slot], none
        if isinstance(step, SellCrypto):
            first, count = named(step.tranches)
            slot = sites((step.holding, OPERATING))
            return [SELL, first, count, holdings[step.holding], -1, slot], none
        assert isinstance(step, PayEquity), f"no compiled form for the step {step!r}"
        return [EQUITY, 0, 0, 0, -1, sites((OPERATING, EQUITY_HOLDERS))], none


def _stack(arrays, paths: int) -> np.ndarray:
    """(len(arrays), paths) float64, contiguous: a fresh copy the kernel may change."""
    if not arrays:
        return np.zeros((0, paths))
    return np.array(arrays, dtype=np.float64)


class CompiledWaterfall:
    """A deal's priority of payments run by the compiled kernel, every mode in one pass.

    ``waterfalls``: the steps of each mode in the order of ``tape.NORMAL``, ``LOCK_UP``,
    ``DEFAULT``; a path in any other mode (wound up) runs none."""

    def __init__(self, waterfalls: tuple[tuple[Step, ...], ...]) -> None:
        assert len(waterfalls) == MODES
        self.waterfalls = waterfalls
        self.program: Program | None = None

    def run(self, books) -> None:
        ledger, debt, expenses, hedges, crypto = books.ledger, books.debt, books.expenses, books.hedges, books.crypto
        names = tuple(expenses.due)
        if self.program is None or self.program.expenses != names:
            self.program = Program(self.waterfalls, books, names)
        program = self.program
        month, paths = books.month, ledger.paths
        accounts = len(program.accounts)
        state = np.zeros((accounts + len(program.keys) + 1, paths))
        for i, account in enumerate(ledger.balance.values()):
            state[i] = account
        target = np.zeros((accounts, paths))
        for account in program.funded:
            target[program.accounts[account]] = books.reserve_target(account)
        for k, key in enumerate(program.keys):
            moved = ledger.moved(month, key)
            if moved is not None:
                state[accounts + k] = moved
        touched = np.zeros(len(program.slot_key), dtype=bool)
        due = _stack(list(expenses.due.values()), paths)
        fee_due = _stack(list(expenses.fee_due.values()), paths)
        hedge_due = _stack(list(hedges.due.values()), paths)
        termination_due = _stack(list(hedges.termination_due.values()), paths)
        units = _stack(list(crypto.units.values()), paths)
        prices = _stack([crypto.prices[h.asset][month] for h in crypto.holdings.values()], paths)
        compiled.kernel("waterfall.engine.priority_kernel", "run_waterfall")(
            program.steps,
            program.percents,
            program.tranche_rows,
            program.mode_steps,
            program.maintenance,
            program.maintenance_due,
            program.route,
            np.ascontiguousarray(books.mode, dtype=np.int8),
            np.ascontiguousarray(books.sweep_breach, dtype=np.bool_),
            ledger.cents,
            state,
            target,
            touched,
            debt.balance,
            debt.interest_due,
            debt.principal_due,
            debt.month["interest_paid"],
            debt.month["principal_paid"],
            due,
            fee_due,
            hedge_due,
            termination_due,
            units,
            prices,
        )
        for i, account in enumerate(ledger.balance.values()):
            account[:] = state[i]
        # a flow is created by its first movement, in the order the steps move cash
        written = set()
        for slot in np.flatnonzero(touched):
            k = int(program.slot_key[slot])
            if k not in written:
                written.add(k)
                ledger._row(month, program.keys[k])[...] = state[accounts + k]
        for i, owed in enumerate(expenses.due.values()):
            owed[:] = due[i]
        for i, owed in enumerate(expenses.fee_due.values()):
            owed[:] = fee_due[i]
        for i, owed in enumerate(hedges.due.values()):
            owed[:] = hedge_due[i]
        for i, owed in enumerate(hedges.termination_due.values()):
            owed[:] = termination_due[i]
        for i, name in enumerate(crypto.units):
            crypto.units[name] = units[i].copy()
