"""Crypto holdings (a miner's BTC): an asset, part of the collateral, sold to cover shortfalls.

The ``sell_crypto`` step sells just enough of ``holding`` at the month's market
price to pay what operating cash cannot of the named tranches' interest and
principal due; under enforcement the rest is sold with the other collateral.
"""

from __future__ import annotations

from attrs import field, frozen

from waterfall.spec.bounds import at_least


@frozen
class CryptoHolding:
    name: str
    asset: str  # the market price series, e.g. "BTC"
    units: float = field(metadata=at_least(0))
