"""Re-letting: a campus whose tenant has left stands vacant, then is let to a new tenant.

One ``Reletting`` per lease with a ``relet`` term. When the lease's tenancy
stops on a path (no renewal, a walk-away, a default no backstop covers) the
space is vacant from that month for ``downtime_months``, bearing
``vacancy_cost_monthly``; then a new tenant signs for ``term_months`` at the
lease's contract monthly rent times the campus market rent factor that month,
escalating at the lease's escalator (fixed or indexed) from its signing, and
the SPV owes ``leasing_cost_months`` of that rent as leasing costs. When that term ends the
space is vacant and re-let again. The new tenants' rent moves under one ledger
name per lease (``relet_party``); a stated assumption is that they do not
default (the scenario prices named tenants only).
"""

from __future__ import annotations

import numpy as np

from waterfall.engine.escalation import IndexedGrowth
from waterfall.engine.ledger import Ledger
from waterfall.market.escalation import fixed_growth
from waterfall.spec.account import OPERATING
from waterfall.spec.lease import FixedRent, Lease, PerMwRent

VACANCY, LEASING = "vacancy_costs", "leasing_costs"


def relet_party(lease: Lease) -> str:
    """The ledger name the re-let tenants of ``lease`` pay under."""
    return f"{lease.name} re-let"


def contract_monthly(lease: Lease) -> float:
    """The lease's monthly rent at signing, before any escalation."""
    rent = lease.rent
    if isinstance(rent, FixedRent):
        return rent.monthly
    assert isinstance(rent, PerMwRent)
    return rent.rate_per_mw_month * rent.mw


class Reletting:
    def __init__(
        self,
        lease: Lease,
        factor: np.ndarray,
        paths: int,
        account: str = OPERATING,
        index: np.ndarray | None = None,
    ) -> None:
        assert lease.relet is not None
        self.account = account  # where rent is collected: operating, or the collection account
        self.lease = lease
        self.terms = lease.relet
        self.party = relet_party(lease)
        self.factor = factor  # campus market rent factor, month-major (months, paths)
        self.contract = contract_monthly(lease)
        self.vacant = np.zeros(paths, dtype=bool)
        self.let = np.zeros(paths, dtype=bool)
        self.signs = np.full(paths, -1, dtype=np.int64)  # month the next tenant signs, while vacant
        self.let_end = np.full(paths, -1, dtype=np.int64)
        self.rent = np.zeros(paths)  # the new tenant's monthly rent at signing
        self.signed = np.zeros(paths, dtype=np.int64)
        # an indexed escalator's growth from each signing, on the index paths (paths, months)
        self.indexed = None if index is None else IndexedGrowth(lease, index, self.signed)

    def step(
        self, month: int, stopped: np.ndarray, live: np.ndarray, ledger: Ledger
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """This month on every path: ``stopped`` marks where the original tenancy stopped.

        Returns the rent collected and the costs incurred (vacancy, leasing) per path.
        """
        terms = self.terms
        ended = self.let & (self.let_end == month)
        self.let &= ~ended
        newly = (stopped & ~self.vacant & ~self.let) | ended
        self.vacant |= newly
        self.signs = np.where(newly, month + terms.downtime_months, self.signs)
        signing = self.vacant & (self.signs == month) & live
        if signing.any():
            self.rent = np.where(signing, self.contract * self.factor[month], self.rent)
            self.signed = np.where(signing, month, self.signed)
            self.let_end = np.where(signing, month + terms.term_months, self.let_end)
            self.let |= signing
            self.vacant &= ~signing
        self.vacant &= live
        self.let &= live
        collected = np.zeros_like(self.rent)
        if self.let.any():
            if self.indexed is not None:
                rent = self.rent * self.indexed.at(self.signed, month)
            else:
                rent = self.rent * fixed_growth(self.lease, month - self.signed)
            collected = ledger.move(month, self.party, self.account, np.where(self.let, rent, 0.0))
        costs = {
            VACANCY: np.where(self.vacant, terms.vacancy_cost_monthly, 0.0),
            LEASING: np.where(signing, terms.leasing_cost_months * self.rent, 0.0),
        }
        return collected, costs
