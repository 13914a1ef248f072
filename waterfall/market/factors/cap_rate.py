"""Exit cap rates: how far the market moves campus cap rates from each deal's stated rate.

A deal states its own exit cap rate (``[terminal_value]``, the income approach);
a scenario moves every campus's cap rate by one shift S_t (decimal: 0.01 is
100bp), the same for every deal on a path, because buyers of data centres price
them off one property market:

    S_t = mean * (1 - decay**t) + Y_t,   Y_t = decay * Y_{t-1} + step * z_t + jump_size * N_t

with (decay, step) the exact monthly OU transition of ``mean_reversion`` and
``volatility`` (``ou.ou_coefficients``), z_t loaded on AI demand
(``demand_loading``: negative, so cap rates widen when demand weakens), and N_t
a jump arriving with ``jump_probability`` a month that then decays like any
shock. S_0 = 0: the market at closing is the one the deal's rate states.
"""

from __future__ import annotations

import numpy as np
from attrs import field, frozen

from waterfall.market.factors.demand import shocks
from waterfall.market.factors.ou import ou_coefficients
from waterfall.spec.bounds import between


@frozen
class CapRateModel:
    """The exit cap-rate shift's dynamics (see the module docstring).

    - ``mean``: the shift the market reverts to (decimal, e.g. 0.01 = +100bp).
    - ``mean_reversion``: per year; ``volatility``: of the shift, decimal per sqrt(year).
    - ``demand_loading``: correlation of its shocks with AI demand.
    - ``jump_probability``: per month; ``jump_size``: decimal, added when a jump arrives.
    """

    mean: float = field(default=0.0, metadata=between(-0.05, 0.15))
    mean_reversion: float = field(default=0.5, metadata=between(0, 10))
    volatility: float = field(default=0.0, metadata=between(0, 0.1))
    demand_loading: float = field(default=0.0, metadata=between(-1, 1))
    jump_probability: float = field(default=0.0, metadata=between(0, 1))
    jump_size: float = field(default=0.0, metadata=between(-0.05, 0.15))


def cap_rate_shift_paths(model: CapRateModel, months: int, rng: np.random.Generator, common: np.ndarray) -> np.ndarray:
    """The shift over (paths, months), one row per row of ``common`` (the demand shocks)."""
    z = shocks(rng, None, months, common, model.demand_loading)
    jumps = rng.random(z.shape) < model.jump_probability
    decay, step = ou_coefficients(model.mean_reversion, model.volatility)
    zt, jt = np.ascontiguousarray(z.T), np.ascontiguousarray(jumps.T)
    y = np.zeros_like(zt)
    for t in range(1, months):
        y[t] = decay * y[t - 1] + step * zt[t] + model.jump_size * jt[t]
    drift = model.mean * (1.0 - decay ** np.arange(months, dtype=np.float64))
    return np.ascontiguousarray(y.T) + drift
