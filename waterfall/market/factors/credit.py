"""The credit market a maturing loan meets: a spread per rating class, and whether it is open.

Spreads: one mean-reverting credit factor drives every rating class. Its shocks
load on the common AI-demand driver (a negative ``demand_loading`` widens spreads
when demand weakens), and jumps (a Poisson-style arrival each month with
``jump_probability``) widen every class by ``jump_size`` times its mean, decaying
at the same mean reversion. Class c on path p in month t is

    spread = max(mean_c * (1 + jump_size * J_t) + volatility_c * Y_t, floor)

where Y is an OU process with unit volatility (``ou``), started at 0, and J the
decaying count of jumps. Month 0 is each class's mean: the market at closing.

Window: a two-state Markov chain, open at closing. An open market closes in a
month with probability ``close_probability * exp(-demand_sensitivity * state)``
(capped at 1), so closing grows likelier when the demand state is low, and a
closed one reopens with ``reopen_probability``.
"""

from __future__ import annotations

import numpy as np
from attrs import field, frozen

from waterfall.market.factors.demand import shocks
from waterfall.market.factors.ou import ar1, ou_coefficients
from waterfall.market.factors.streams import named_streams
from waterfall.spec.bounds import at_least, between


@frozen
class RatingSpread:
    """One rating class: its mean annual spread over the index and its absolute volatility
    (annual decimal per sqrt(year))."""

    mean: float = field(metadata=between(-0.05, 1))
    volatility: float = field(default=0.0, metadata=at_least(0))


@frozen
class CreditSpreads:
    classes: dict[str, RatingSpread]
    mean_reversion: float = field(default=1.0, metadata=at_least(0))
    demand_loading: float = field(default=0.0, metadata=between(-1, 1))
    jump_probability: float = field(default=0.0, metadata=between(0, 1))
    jump_size: float = field(default=0.0, metadata=at_least(0))
    floor: float = field(default=0.0, metadata=between(-0.05, 1))


@frozen
class RefinancingWindow:
    close_probability: float = field(metadata=between(0, 1))
    reopen_probability: float = field(metadata=between(0, 1))
    demand_sensitivity: float = field(default=0.0, metadata=at_least(0))


@frozen
class CreditMarket:
    """Spreads by rating class, and the refinancing window (none: always open)."""

    spreads: CreditSpreads
    window: RefinancingWindow | None = None


def spread_paths(
    model: CreditSpreads, classes: list[str], months: int, rng: np.random.Generator, common: np.ndarray
) -> dict[str, np.ndarray]:
    """Spread paths (paths, months) of the named ``classes``: one factor, so which classes
    are asked for never moves another's path."""
    streams = named_streams(rng, ["diffusion", "jumps"])
    decay, step = ou_coefficients(model.mean_reversion, 1.0)
    factor = ar1(shocks(streams["diffusion"], None, months, common, model.demand_loading), decay, step)
    arrivals = streams["jumps"].random(common.shape) < model.jump_probability
    jumps = ar1(arrivals.astype(np.float64), decay, 1.0)  # column 0 (closing) never jumps
    out = {}
    for name in classes:
        c = model.classes[name]
        out[name] = np.maximum(c.mean * (1.0 + model.jump_size * jumps) + c.volatility * factor, model.floor)
    return out


def window_paths(model: RefinancingWindow, state: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Whether the market is open, bool (paths, months), from the demand state (paths, months)."""
    draws = rng.random(state.shape)
    closing = np.minimum(model.close_probability * np.exp(-model.demand_sensitivity * state), 1.0)
    is_open = np.ones(state.shape, dtype=bool)
    for t in range(1, state.shape[1]):
        stays_open = draws[:, t] >= closing[:, t]
        reopens = draws[:, t] < model.reopen_probability
        is_open[:, t] = np.where(is_open[:, t - 1], stays_open, reopens)
    return is_open
