"""The deal's base-case market: deterministic curves for GPU rent and rate indices.

Market scenarios (stochastic or stressed) replace these arrays; the base case
is what the deal is sized on and what ``waterfall run`` uses.
"""

from __future__ import annotations

from attrs import field, frozen

from waterfall.spec.bounds import at_least, between


@frozen
class RentCurve:
    """Market rent per GPU-hour: ``start`` at closing, changing by ``annual_change``
    a year, compounded monthly (-0.15 is 15% deflation a year)."""

    start: float = field(metadata=at_least(0))
    annual_change: float = field(metadata=between(-1, 1))


@frozen
class RatePoint:
    month: int = field(metadata=at_least(0))
    rate: float = field(metadata=between(-0.05, 1))


@frozen
class IndexCurve:
    """A rate index (e.g. 3M SOFR) by deal month: linear between points, flat outside."""

    points: tuple[RatePoint, ...]


@frozen
class MarketCurves:
    """``gpu_rent`` by generation, ``index`` by name, ``prices`` of crypto assets
    (a ``RentCurve`` read as $ per unit, e.g. BTC), ``credit_spread`` by rating class
    (the annual spread over the index at which the class refinances in the base case)."""

    gpu_rent: dict[str, RentCurve] = field(factory=dict)
    index: dict[str, IndexCurve] = field(factory=dict)
    prices: dict[str, RentCurve] = field(factory=dict)
    credit_spread: dict[str, float] = field(factory=dict)
