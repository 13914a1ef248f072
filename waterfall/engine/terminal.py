"""Terminal value: what the assets still owned on the horizon's last month are worth.

Fleets are worth their market residual value (the scenario's rent-linked value,
else book); a campus is worth its book value or, by the income approach, its
trailing net operating income annualised over the exit cap rate (the deal's,
moved by the scenario's cap-rate shift). What the deal does with that value
(sell it or mark it to equity) is ``Books.mature``'s business; this module only
values.
"""

from __future__ import annotations

import numpy as np

from waterfall.engine.columns import column_sums
from waterfall.market.curves import Market
from waterfall.spec.deal import Deal
from waterfall.spec.terminal import IncomeApproach

TERMINAL_SALE = "terminal_sale"  # ledger source of the horizon's sale proceeds
TERMINAL_MARK = "terminal_value"  # ledger source of a value marked to equity (no cash)
MIN_CAP_RATE = 0.01  # a shifted cap rate at or below zero would value a campus without limit


class TerminalValuation:
    """Values the deal's assets on one month, per path."""

    def __init__(self, deal: Deal, market: Market) -> None:
        self.spec = deal.terminal_value
        months = deal.calendar.horizon_months
        self.cap_shift = None if market.cap_rate_shift is None else market.cap_rate_shift[:, :months]

    def cap_rate(self, month: int, paths: int) -> np.ndarray:
        campus = self.spec.campus if self.spec else None
        assert isinstance(campus, IncomeApproach)
        shift = np.zeros(paths) if self.cap_shift is None else self.cap_shift[:, month]
        return np.maximum(campus.cap_rate + shift, MIN_CAP_RATE)

    def gross(
        self,
        month: int,
        period: dict[str, np.ndarray],
        fleet_value: np.ndarray,
        campus_book: np.ndarray,
    ) -> np.ndarray:
        """Value of every asset on ``month`` before any haircut or cost, (paths,)."""
        campus = self.spec.campus if self.spec else None
        value = fleet_value[month].copy()
        if isinstance(campus, IncomeApproach):
            first = max(month - campus.noi_months + 1, 0)
            income = column_sums(period["revenue"][first : month + 1]) - column_sums(period["opex"][first : month + 1])
            noi = np.maximum(income, 0.0) * 12.0 / (month + 1 - first)
            value += noi / self.cap_rate(month, value.shape[0])
        elif campus is not None:
            value += campus_book[month]
        return value
