"""Collateral book values: straight-line for fleets and campuses.

A fleet is worth nothing before delivery (the cash has not been spent on it),
its cost at delivery, then declines straight-line to its salvage share over its
useful life. A campus is carried at cost until completion and then depreciates
the same way. Market scenarios replace the fleets' value with rent-linked
residual values and their forced-sale haircut; a campus keeps its book value
and sells at the deal's own enforcement haircut (real estate, not GPUs).
"""

from __future__ import annotations

import numpy as np

from waterfall.engine.clock import Schedule
from waterfall.spec.deal import Deal

SALE = "collateral_sale"


def _straight_line(cost: float, start: int, life: int, salvage: float, months: int) -> np.ndarray:
    age = np.arange(months) - start
    remaining = np.clip(1.0 - (1.0 - salvage) * age / life, salvage, 1.0)
    return cost * remaining


def fleet_book_value(deal: Deal, schedule: Schedule) -> np.ndarray:
    """GPU fleets at straight-line book value, (months,)."""
    months = schedule.months
    value = np.zeros(months)
    for fleet in deal.fleets:
        start = deal.calendar.month_of(fleet.delivery)
        curve = _straight_line(fleet.cost, start, fleet.useful_life_months, fleet.salvage_pct, months)
        value += np.where(np.arange(months) >= start, curve, 0.0)
    return value


def campus_book_value(deal: Deal, schedule: Schedule) -> np.ndarray:
    """Campuses at cost until completion, then straight-line to salvage, (months,)."""
    value = np.zeros(schedule.months)
    for campus in deal.campuses:
        start = deal.calendar.month_of(campus.completion)
        value += _straight_line(campus.cost, start, campus.useful_life_months, campus.salvage_pct, schedule.months)
    return value
