"""Physical collateral: GPU fleets and data-centre campuses."""

from __future__ import annotations

import datetime as dt

from attrs import field, frozen

from waterfall.spec.bounds import at_least, between


@frozen
class Fleet:
    """A batch of GPUs of one generation, delivered in one month.

    Collateral value runs straight-line from ``count * cost_per_gpu`` at delivery
    down to ``salvage_pct`` of cost after ``useful_life_months``.
    """

    name: str
    generation: str
    count: int = field(metadata=at_least(0))
    cost_per_gpu: float = field(metadata=at_least(0))
    delivery: dt.date
    useful_life_months: int = field(metadata=at_least(1))
    salvage_pct: float = field(metadata=between(0, 1))

    @property
    def cost(self) -> float:
        return self.count * self.cost_per_gpu


@frozen
class Campus:
    """Land, buildings, power and cooling: depreciates straight-line to salvage."""

    name: str
    mw: float = field(metadata=at_least(0))
    cost: float = field(metadata=at_least(0))
    completion: dt.date
    useful_life_months: int = field(metadata=at_least(1))
    salvage_pct: float = field(metadata=between(0, 1))
