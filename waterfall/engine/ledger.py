"""The one ledger: every cash movement, per month and path, and the account balances.

A movement names a source and a destination as the deal file names them (a
tenant, an account, a fee, a tranche, ``equity``, ``opex``). Moving into or out
of an account changes its balance; every other name is outside the SPV. So each
month on each path: cash in from outside = cash out to outside + change in
account balances.
"""

from __future__ import annotations

import numpy as np

FLOWS_PER_BLOCK = 8


class Ledger:
    def __init__(self, accounts: list[str], months: int, paths: int, cents: bool) -> None:
        self.months = months
        self.paths = paths
        self.cents = cents
        self.balance: dict[str, np.ndarray] = {name: np.zeros(paths) for name in accounts}
        self.flows: dict[tuple[str, str], np.ndarray] = {}
        self._spare: list[np.ndarray] = []

    def _new_flow(self) -> np.ndarray:
        """A zeroed (months, paths) record, carved from blocks of several: fewer, larger
        allocations fault in far fewer pages (numpy asks for huge pages from 4 MB)."""
        if not self._spare:
            self._spare = list(np.zeros((FLOWS_PER_BLOCK, self.months, self.paths))[::-1])
        return self._spare.pop()

    def move(self, month: int, source: str, destination: str, amount: np.ndarray) -> np.ndarray:
        """Move ``amount`` (per path, >= 0) and return what was moved.

        With the cents policy amounts are floored to whole cents, so a payment
        never exceeds what is owed or held; amounts within a thousandth of a
        cent below a whole cent are float noise (float64 resolves about 1e-8
        at $100m) and count as that cent.
        """
        if not amount.any():
            return amount
        if self.cents:
            amount = np.floor(amount * 100.0 + 1e-3) / 100.0
        if source in self.balance:
            self.balance[source] -= amount
        if destination in self.balance:
            self.balance[destination] += amount
        self._row(month, (source, destination))[...] += amount
        return amount

    def _row(self, month: int, key: tuple[str, str]) -> np.ndarray:
        """This month's record of the flow ``key`` over the paths, created when first moved."""
        tape = self.flows.get(key)
        if tape is None:
            tape = self.flows[key] = self._new_flow()
        return tape[month]
