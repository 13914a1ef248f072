"""Residual value guarantees: the guarantor tops the collateral's value up to a threshold.

Within its covered months a guarantee pays on each trigger what it takes to
bring the value plus everything it has already paid up to its threshold that
month (``floor`` x the assets' original cost, or the amount of its dated
schedule in force): when its lease ends without renewal (against the value
then) and when the collateral is sold under enforcement (against the price
realised). It pays nothing once the guarantor has defaulted, and never more
than its cap in all. It pays into the operating account, or into the
redemption account it names, for a ``redeem`` step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from waterfall.engine.ledger import Ledger
from waterfall.spec.account import OPERATING
from waterfall.spec.deal import Deal
from waterfall.spec.guarantee import ResidualValueGuarantee


def threshold(g: ResidualValueGuarantee, cost: float, month_of: Callable[[dt.date], int], months: int) -> np.ndarray:
    """The guarantee's threshold in each deal month, (months,): each scheduled amount from
    its month until the next one's, nothing before the first; or ``floor`` x cost throughout."""
    if g.floor is not None:
        return np.full(months, g.floor * cost)
    level = np.zeros(months)
    for point in g.thresholds:
        level[max(month_of(point.date), 0) :] = point.amount
    return level


class ResidualValueGuarantees:
    def __init__(self, deal: Deal, default_month: dict[str, np.ndarray], paths: int) -> None:
        self.guarantees = [g for g in deal.guarantees if isinstance(g, ResidualValueGuarantee)]
        cost = sum(f.cost for f in deal.fleets) + sum(c.cost for c in deal.campuses)
        months = deal.calendar.horizon_months
        self.threshold = {g.name: threshold(g, cost, deal.calendar.month_of, months) for g in self.guarantees}
        self.default_month = default_month
        self.paid = {g.name: np.zeros(paths) for g in self.guarantees}

    def _pay(self, month: int, g: ResidualValueGuarantee, paths: np.ndarray, value: np.ndarray, ledger: Ledger):
        defaulted = self.default_month.get(g.guarantor)
        alive = np.ones_like(paths) if defaulted is None else ~((defaulted >= 0) & (defaulted <= month))
        due = paths & alive & (month < g.covers_months)
        if not due.any():
            return
        paid = self.paid[g.name]
        shortfall = np.clip(self.threshold[g.name][month] - value - paid, 0.0, g.cap - paid)
        paid += ledger.move(month, g.guarantor, g.account or OPERATING, np.where(due, shortfall, 0.0))

    def on_lease_end(self, month: int, ended: dict[str, np.ndarray], value: np.ndarray, ledger: Ledger) -> None:
        for g in self.guarantees:
            self._pay(month, g, ended[g.lease], value, ledger)

    def on_sale(self, month: int, selling: np.ndarray, proceeds: np.ndarray, ledger: Ledger) -> None:
        for g in self.guarantees:
            self._pay(month, g, selling, proceeds, ledger)
