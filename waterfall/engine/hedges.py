"""Interest-rate hedges: swaps and caps settling against the index on payment dates."""

from __future__ import annotations

import numpy as np

from waterfall.engine.clock import Schedule
from waterfall.engine.debt import Debt
from waterfall.engine.ledger import Ledger
from waterfall.spec.account import OPERATING
from waterfall.spec.deal import Deal
from waterfall.spec.hedge import InterestRateCap


class Hedges:
    def __init__(self, deal: Deal, schedule: Schedule, index: dict[str, np.ndarray], paths: int) -> None:
        self.hedges = deal.hedges
        self.schedule = schedule
        self.index = index  # name -> (months, paths)
        self.window = {h.name: (deal.calendar.month_of(h.start), deal.calendar.month_of(h.end)) for h in deal.hedges}
        self.due = {h.name: np.zeros(paths) for h in deal.hedges}  # what the SPV owes each counterparty

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
            notional = np.full(ledger.paths, hedge.notional)
            if hedge.amortise_with is not None:
                i = debt.position[hedge.amortise_with]
                # a tranche lent less than half a cent at closing has nothing to amortise with (later
                # draws over a vanishing original would make the share overflow)
                share = debt.balance[i] / debt.original[i] if debt.original[i] > 0.005 else 0.0 * notional
                notional = notional * share
            fixing = self.index[hedge.index][first]
            if isinstance(hedge, InterestRateCap):
                net = np.maximum(fixing - hedge.strike, 0.0) * notional * yf
            else:
                net = (fixing - hedge.fixed_rate) * notional * yf
            net = np.where(live, net, 0.0)
            ledger.move(month, hedge.name, OPERATING, np.maximum(net, 0.0))
            self.due[hedge.name] += np.maximum(-net, 0.0)
            total += net
        return total
