"""Construction on each path: when assets are ready, overruns and who funds them, scheduled draws.

A scenario's delay moves every asset still to be built (delivered or
completed after closing) by the same number of months on a path; overruns are
a share of the deal's construction budget, funded at completion by equity, a
sponsor or a further draw on a tranche. Money lent or contributed for
construction is paid to ``capex``, outside the SPV's accounts. Draws and
overrun funding take effect after the waterfall of the first payment date on
or after their month, so they accrue interest from the next period on.
"""

from __future__ import annotations

import numpy as np

from waterfall.engine.clock import Schedule
from waterfall.engine.debt import Debt
from waterfall.engine.ledger import Ledger
from waterfall.market.curves import Market
from waterfall.spec.assets import Fleet
from waterfall.spec.construction import DebtFunds, EquityFunds, SponsorFunds
from waterfall.spec.deal import Deal
from waterfall.spec.lease import Lease, PerGpuHourRent, PerMwRent

CAPEX = "capex"
EQUITY = "equity"


class Build:
    def __init__(self, deal: Deal, market: Market, schedule: Schedule) -> None:
        calendar = deal.calendar
        paths = market.paths
        self.deal = deal
        self.delay = np.zeros(paths, dtype=np.int64) if market.construction_delay is None else market.construction_delay
        self.planned = {f.name: calendar.month_of(f.delivery) for f in deal.fleets}
        self.planned |= {c.name: calendar.month_of(c.completion) for c in deal.campuses}
        building = [m for m in self.planned.values() if m > 0]
        # the month construction completes on each path (0: nothing left to build at closing)
        self.completion = (max(building) + self.delay) if building else np.zeros(paths, dtype=np.int64)
        budget = deal.construction.budget if deal.construction else 0.0
        overrun = np.zeros(paths) if market.construction_overrun is None else market.construction_overrun
        self.overrun = budget * overrun
        self.draws = [
            (i, schedule.first_payment_from(calendar.month_of(d.date)), d.amount)
            for i, t in enumerate(deal.tranches)
            for d in t.draws
        ]
        # overruns are paid on the first payment date from completion
        payable = np.array([schedule.first_payment_from(m) for m in range(schedule.months)])
        self.overrun_month = payable[np.clip(self.completion, 0, schedule.months - 1)]

    def _ready(self, asset: str) -> np.ndarray:
        planned = self.planned[asset]
        return planned + (self.delay if planned > 0 else 0)

    def delivery(self, fleet: Fleet) -> np.ndarray:
        return np.broadcast_to(self._ready(fleet.name), self.delay.shape)

    def lease_delay(self, lease: Lease) -> np.ndarray:
        """A lease on an asset still being built starts that much later on each path."""
        rent = lease.rent
        asset = rent.fleet if isinstance(rent, PerGpuHourRent) else rent.campus if isinstance(rent, PerMwRent) else None
        if asset is None or self.planned[asset] <= 0:
            return np.zeros_like(self.delay)
        return self.delay

    def constructing(self, month: int) -> np.ndarray:
        return month < self.completion

    def fund(self, month: int, debt: Debt, ledger: Ledger, live: np.ndarray) -> np.ndarray:
        """Scheduled draws and, at completion, the overrun; returns equity's contribution per path."""
        for i, when, amount in self.draws:
            if when == month:
                drawn = ledger.move(month, debt.names[i], CAPEX, np.where(live, amount, 0.0))
                debt.draw(i, drawn)
        contribution = np.zeros(ledger.paths)
        completing = live & (self.overrun_month == month) & (self.overrun > 0)
        if not completing.any() or self.deal.construction is None:
            return contribution
        cost = np.where(completing, self.overrun, 0.0)
        funding = self.deal.construction.overrun_funding
        if isinstance(funding, DebtFunds):
            i = debt.position[funding.tranche]
            debt.draw(i, ledger.move(month, funding.tranche, CAPEX, cost))
        elif isinstance(funding, SponsorFunds):
            ledger.move(month, funding.sponsor, CAPEX, cost)
        elif isinstance(funding, EquityFunds):
            contribution = ledger.move(month, EQUITY, CAPEX, cost)
        return contribution
