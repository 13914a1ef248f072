"""Campus market rent: a per-MW rent factor, as a multiple of a lease's contract rent.

A campus lease's market rent in month t is its contract rent at signing times
the factor X_t, a geometric Brownian motion loaded on AI demand:

    log X_t = log start + (drift - volatility**2 / 2) * t / 12 + volatility * W_t

where W moves by ``sqrt(1/12) * z_t`` a month and z_t = l * common_t +
sqrt(1 - l**2) * own_t (``waterfall.market.factors.demand.load``; l is
``demand_loading``). So E[X_t] = start * exp(drift * t / 12), and with zero
volatility X_t is exactly that. X_0 = start: the closing month's factor is
known. ``floor`` bounds the factor below (an empty campus still has a land and
power value to a new tenant).

A multiple of the contract rent rather than dollars per MW-month, so one
scenario can price campuses leased at very different rents; a deal's per-MW
and fixed-rent leases name the factor they read (``Lease.market_rent``).
"""

from __future__ import annotations

import numpy as np
from attrs import field, frozen

from waterfall.market.factors.demand import load
from waterfall.market.factors.validate import require_shape
from waterfall.spec.bounds import at_least, between


@frozen
class CampusRentModel:
    """A campus market rent factor's dynamics (see the module docstring).

    - ``start``: the factor at closing, a multiple of contract rent.
    - ``drift``: annual log drift of its mean (per year).
    - ``volatility``: annual volatility of its log (per sqrt year).
    - ``demand_loading``: correlation of its shocks with AI demand.
    - ``floor``: the lowest multiple it takes.
    """

    start: float = field(default=1.0, metadata=at_least(0, strict=True))
    drift: float = field(default=0.0, metadata=between(-1, 1))
    volatility: float = field(default=0.0, metadata=between(0, 2))
    demand_loading: float = field(default=0.0, metadata=between(-1, 1))
    floor: float = field(default=0.0, metadata=at_least(0))


def campus_rent_paths(model: CampusRentModel, months: int, rng: np.random.Generator, common: np.ndarray) -> np.ndarray:
    """The factor over (paths, months), one row per row of ``common`` (the demand shocks)."""
    require_shape("common", common, None, months)
    shocks = load(common, model.demand_loading, rng)
    shocks[:, 0] = 0.0  # known at closing
    sigma = model.volatility
    t = np.arange(months, dtype=np.float64) / 12.0
    walk = np.cumsum(shocks, axis=1) * np.sqrt(1.0 / 12.0)
    factor = model.start * np.exp((model.drift - 0.5 * sigma * sigma) * t + sigma * walk)
    return np.maximum(factor, model.floor)


def flat_campus_rent(paths: int, months: int) -> np.ndarray:
    """The base case: the market pays the contract rent, month after month."""
    return np.ones((paths, months))
