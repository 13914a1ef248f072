"""Crypto holdings: units per path, valued at the market price, sold to cover or at enforcement."""

from __future__ import annotations

import numpy as np

from waterfall.engine.ledger import Ledger
from waterfall.spec.account import OPERATING
from waterfall.spec.deal import Deal


class CryptoBook:
    def __init__(self, deal: Deal, prices: dict[str, np.ndarray], paths: int) -> None:
        self.holdings = {c.name: c for c in deal.crypto}
        self.prices = prices  # asset -> (months, paths)
        self.units = {c.name: np.full(paths, c.units) for c in deal.crypto}

    def value(self, month: int) -> np.ndarray | float:
        return sum((self.units[n] * self.prices[c.asset][month] for n, c in self.holdings.items()), start=0.0)

    def sell(self, month: int, holding: str, amount: np.ndarray, ledger: Ledger) -> np.ndarray:
        """Sell up to ``amount`` of dollars' worth (never more than is held); returns the cash raised."""
        price = self.prices[self.holdings[holding].asset][month]
        worth = self.units[holding] * price
        raised = ledger.move(month, holding, OPERATING, np.clip(amount, 0.0, worth))
        self.units[holding] = np.where(
            price > 0,
            np.maximum(self.units[holding] - raised / np.where(price > 0, price, 1.0), 0.0),
            self.units[holding],
        )
        return raised

    def sell_all(self, month: int, paths: np.ndarray, ledger: Ledger) -> None:
        for name, holding in self.holdings.items():
            worth = self.units[name] * self.prices[holding.asset][month]
            ledger.move(month, name, OPERATING, np.where(paths, worth, 0.0))
            self.units[name] = np.where(paths, 0.0, self.units[name])
