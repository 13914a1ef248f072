"""The one ledger: every cash movement, per month and path, and the account balances.

A movement names a source and a destination as the deal file names them (a
tenant, an account, a fee, a tranche, ``equity``, ``opex``). Moving into or out
of an account changes its balance; every other name is outside the SPV. So each
month on each path: cash in from outside = cash out to outside + change in
account balances.

A ledger that does not keep its flows (``keeps_flows=False``: a Monte Carlo chunk,
whose outcomes read the tape's tranche and period records, never the flows) holds
only the month being run: each flow's row over the paths, zeroed when the next month
first moves it. The balances, and what any month's movements read, are the same.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

FLOWS_PER_BLOCK = 8


class Ledger:
    def __init__(self, accounts: list[str], months: int, paths: int, cents: bool, keeps_flows: bool = True) -> None:
        self.months = months
        self.paths = paths
        self.cents = cents
        self.keeps_flows = keeps_flows
        self.balance: dict[str, np.ndarray] = {name: np.zeros(paths) for name in accounts}
        # every month's flows, (months, paths) per (source, destination), when kept
        self.flows: dict[tuple[str, str], np.ndarray] = {}
        # when not kept: each flow's row of the month it last moved in, and that month
        self._rows: dict[tuple[str, str], np.ndarray] = {}
        self._moved_in: dict[tuple[str, str], int] = {}
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
        if not self.keeps_flows:
            row = self._rows.get(key)
            if row is None:
                row = self._rows[key] = np.zeros(self.paths)
            elif self._moved_in[key] != month:
                row[...] = 0.0
            self._moved_in[key] = month
            return row
        tape = self.flows.get(key)
        if tape is None:
            tape = self.flows[key] = self._new_flow()
        return tape[month]

    def moved(self, month: int, key: tuple[str, str]) -> np.ndarray | None:
        """What the flow ``key`` has moved so far in ``month`` over the paths; None if it
        has never moved (kept flows) or has not moved this month (flows not kept)."""
        if not self.keeps_flows:
            return self._rows[key] if self._moved_in.get(key) == month else None
        tape = self.flows.get(key)
        return None if tape is None else tape[month]

    def month_flows(self, month: int) -> Iterator[tuple[tuple[str, str], np.ndarray]]:
        """Each flow's row of ``month``, in the order the flows first moved; a flow that did
        not move this month may be left out (its row is zero)."""
        if self.keeps_flows:
            return ((key, tape[month]) for key, tape in self.flows.items())
        return ((key, row) for key, row in self._rows.items() if self._moved_in[key] == month)
