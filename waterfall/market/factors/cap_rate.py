"""The campus exit cap rate: the yield at which a buyer capitalises a let campus's net operating income.

An OU process around a stated mean, its shocks loaded on the common AI-demand
driver (a negative loading raises the cap rate, so lowers values, when demand
weakens), started at the mean at closing and floored:

    cap_t = max(mean + volatility * Y_t, floor)

where Y is an OU process with unit volatility and mean reversion ``mean_reversion``.
Nothing in this version of the engine reads it: it is there for a terminal or
sale value by the income approach (NOI / cap rate).
"""

from __future__ import annotations

import numpy as np
from attrs import field, frozen

from waterfall.market.factors.demand import shocks
from waterfall.market.factors.ou import ar1, ou_coefficients
from waterfall.spec.bounds import at_least, between


@frozen
class ExitCapRate:
    mean: float = field(metadata=between(0.001, 1))
    volatility: float = field(default=0.0, metadata=at_least(0))
    mean_reversion: float = field(default=0.5, metadata=at_least(0))
    demand_loading: float = field(default=0.0, metadata=between(-1, 1))
    floor: float = field(default=0.01, metadata=between(0.001, 1))


def cap_rate_paths(model: ExitCapRate, months: int, rng: np.random.Generator, common: np.ndarray) -> np.ndarray:
    """Exit cap rates (annual decimals), (paths, months)."""
    z = shocks(rng, None, months, common, model.demand_loading)
    factor = ar1(z, *ou_coefficients(model.mean_reversion, 1.0))
    return np.maximum(model.mean + model.volatility * factor, model.floor)
