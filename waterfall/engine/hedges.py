"""Interest-rate hedges: swaps and caps settling against the index on payment dates,
and a swap's termination at its mark-to-market on an event of default."""

from __future__ import annotations

import numpy as np

from waterfall.engine.clock import Schedule
from waterfall.engine.debt import Debt
from waterfall.engine.ledger import Ledger
from waterfall.spec.account import OPERATING
from waterfall.spec.deal import Deal
from waterfall.spec.hedge import Hedge, InterestRateCap, InterestRateSwap


class Hedges:
    def __init__(self, deal: Deal, schedule: Schedule, index: dict[str, np.ndarray], paths: int) -> None:
        self.hedges = deal.hedges
        self.schedule = schedule
        self.index = index  # name -> (months, paths)
        self.window = {h.name: (deal.calendar.month_of(h.start), deal.calendar.month_of(h.end)) for h in deal.hedges}
        self.due = {h.name: np.zeros(paths) for h in deal.hedges}  # what the SPV owes each counterparty
        # a terminated swap settles no more; what the SPV owes for its termination waits for pay_hedge
        self.terminated = {h.name: np.zeros(paths, dtype=bool) for h in deal.hedges}
        self.termination_due = {h.name: np.zeros(paths) for h in deal.hedges}

    def _notional(self, hedge: Hedge, debt: Debt, balance: np.ndarray | None = None) -> np.ndarray:
        """The notional on every path: scaled by the named tranche's balance / its closing balance."""
        paths = debt.balance.shape[1]
        notional = np.full(paths, hedge.notional)
        if hedge.amortise_with is None:
            return notional
        i = debt.position[hedge.amortise_with]
        balance = debt.balance[i] if balance is None else balance
        # a tranche lent less than half a cent at closing has nothing to amortise with (later
        # draws over a vanishing original would make the share overflow)
        return notional * balance / debt.original[i] if debt.original[i] > 0.005 else 0.0 * notional

    def settle(self, month: int, debt: Debt, ledger: Ledger, live: np.ndarray) -> np.ndarray:
        """On a payment date: the counterparty pays in now; what the SPV owes waits for ``pay_hedge``.

        Returns the period's net settlement per path (positive: received by the SPV).
        """
        total = np.zeros(ledger.paths)
        first = self.schedule.period_start[month]
        yf = self.schedule.year_fraction[month]
        for hedge in self.hedges:
            start, end = self.window[hedge.name]
            if not start <= first < end:
                continue
            notional = self._notional(hedge, debt)
            fixing = self.index[hedge.index][first]
            if isinstance(hedge, InterestRateCap):
                net = np.maximum(fixing - hedge.strike, 0.0) * notional * yf
            else:
                net = (fixing - hedge.fixed_rate) * notional * yf
            net = np.where(live & ~self.terminated[hedge.name], net, 0.0)
            ledger.move(month, hedge.name, OPERATING, np.maximum(net, 0.0))
            self.due[hedge.name] += np.maximum(-net, 0.0)
            total += net
        return total

    def terminate(self, month: int, paths: np.ndarray, debt: Debt, ledger: Ledger) -> None:
        """An event of default on ``paths`` (after this payment date's settlement) terminates
        every swap with periods left: a value to the SPV is paid in now, a value to the
        counterparty is owed, paid where the waterfall's ``pay_hedge`` steps rank it.
        Caps are the SPV's options, bought at closing: they run on."""
        for hedge in self.hedges:
            if not isinstance(hedge, InterestRateSwap):
                continue
            ending = paths & ~self.terminated[hedge.name]
            if not ending.any():
                continue
            value = np.where(ending, self.value(month, hedge, debt), 0.0)
            ledger.move(month, hedge.name, OPERATING, np.maximum(value, 0.0))
            self.termination_due[hedge.name] += np.maximum(-value, 0.0)
            self.terminated[hedge.name] |= ending

    def value(self, month: int, hedge: InterestRateSwap, debt: Debt) -> np.ndarray:
        """The swap's mark-to-market to the SPV after payment month ``month``, per path: the net
        settlements of its remaining periods (index - fixed rate) x notional x year fraction,
        each discounted to ``month`` on the path's own index, which is the forward curve.

        The notional follows the tranche it amortises with as that tranche's schedule runs
        its balance off from now (``Debt.runoff``)."""
        start, end = self.window[hedge.name]
        schedule, index = self.schedule, self.index[hedge.index]
        later = [p for p in schedule.payment_months if p > month]
        if not later:
            return np.zeros(debt.balance.shape[1])
        balances = None
        if hedge.amortise_with is not None:
            balances = debt.runoff(debt.position[hedge.amortise_with], month, later)
        value = np.zeros(debt.balance.shape[1])
        discount = np.ones_like(value)
        for k, p in enumerate(later):
            fixing = index[schedule.period_start[p]]
            yf = schedule.year_fraction[p]
            discount = discount / (1.0 + fixing * yf)
            if start <= schedule.period_start[p] < end:
                notional = self._notional(hedge, debt, None if balances is None else balances[k])
                value += discount * (fixing - hedge.fixed_rate) * notional * yf
        return value
