"""Interest on cash: what the operating, reserve and trap accounts earn while they hold cash.

Each month, before the month's revenue, every earning account is credited its
opening balance x the month's annual rate / 12, from the outside ledger node
``interest_income``: income to the SPV with its source named, not revenue (it
is not in CFADS, as hedge receipts are not).
"""

from __future__ import annotations

import numpy as np

from waterfall.engine.ledger import Ledger
from waterfall.spec.account import OPERATING
from waterfall.spec.deal import Deal
from waterfall.spec.reinvestment import FixedReinvestment

INCOME = "interest_income"
MONTHS_PER_YEAR = 12.0


class CashInterest:
    def __init__(self, deal: Deal, index: dict[str, np.ndarray], engine_accounts: tuple[str, ...] = ()) -> None:
        spec = deal.reinvestment
        self.spec = spec
        self.index = index  # index name -> (months, paths)
        self.accounts: tuple[str, ...] = ()
        if spec is not None:
            # by default every account earns, the collection account (``engine_accounts``) too
            default = (OPERATING, *deal.account_names, *engine_accounts)
            self.accounts = spec.accounts if spec.accounts is not None else default

    def rate(self, month: int) -> np.ndarray | float:
        """This month's annual rate (per path for an index)."""
        rate = self.spec.rate
        if isinstance(rate, FixedReinvestment):
            return rate.rate
        return np.maximum(self.index[rate.index][month] + rate.spread, rate.floor)

    def credit(self, month: int, ledger: Ledger, live: np.ndarray) -> None:
        if self.spec is None:
            return
        monthly = self.rate(month) / MONTHS_PER_YEAR
        for account in self.accounts:
            earned = np.where(live, np.maximum(ledger.balance[account], 0.0) * monthly, 0.0)
            ledger.move(month, INCOME, account, earned)
