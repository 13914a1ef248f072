"""Interest-rate indices: a shocked deterministic forward curve, and Hull-White one-factor short rates.

All rates are annual decimals (0.045 is 4.5%). Curves are given as
``RatePoint(month, rate)`` points (``waterfall.spec.market``). They are
interpolated linearly by deal month and held flat before the first point and
after the last, as the deal's own index curves are.

Hull-White: dr = (theta(t) - a r) dt + sigma dW. It is written as
r(t) = x(t) + alpha(t), where dx = -a x dt + sigma dW and x(0) = 0. Then x is
Gaussian with mean 0 and variance sigma^2 / (2a) * (1 - e^{-2at}), which is
sigma^2 t when a = 0. x is sampled exactly on the monthly grid with the OU
transition, so E[r(t)] = alpha(t) and Var r(t) carry no discretisation error.
The choice of alpha (equivalently theta(t) = alpha'(t) + a alpha(t)):

* ``convexity = False`` (default): alpha(t) = f(0, t). The expected short
  rate is exactly the given forward curve. The curve is treated as the
  expected path of the index, as in the deal's base case, and the base case is
  the mean of the simulation.
* ``convexity = True``: alpha(t) = f(0, t) + sigma^2 / (2 a^2) * (1 - e^{-at})^2
  (sigma^2 t^2 / 2 when a = 0). This is the no-arbitrage Hull-White fit: it
  reprices the zero-coupon bonds of the initial curve, read as instantaneous
  forwards, under the risk-neutral measure. E[r] then sits above the forward by
  that convexity term, so it follows the forward curve to first order only
  (the difference is O(sigma^2 t^2)).

The index curve (e.g. 3M SOFR) is used as the instantaneous forward f(0, t).
The term premium and convexity between a 3-month index and the short rate are
ignored. Rates are Gaussian and can go negative; floors belong to the coupon
(``FloatingCoupon.floor``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from attrs import field, frozen

from waterfall.market.factors.demand import shocks
from waterfall.market.factors.ou import MONTH, ar1, ou_coefficients
from waterfall.market.factors.validate import require_loading
from waterfall.spec.bounds import at_least, between
from waterfall.spec.market import RatePoint

BP = 1e-4


@frozen
class HullWhite:
    """A Hull-White one-factor short rate fitted to an initial forward curve.

    - ``curve``: the initial forward curve, as points (deal month, annual rate),
      interpolated linearly and flat outside. It is the deal's index curve; no
      default.
    - ``mean_reversion``: a (per year; the half-life of a rate shock is ln 2 / a
      years). Suggested 0.1, and 0 gives Ho-Lee. This is the textbook example
      value (Hull, Options, Futures and Other Derivatives, Hull-White chapter
      examples), not a calibration: the research notes do not cover rates.
    - ``volatility``: sigma, the absolute (normal) volatility of the short rate
      (annual rate per sqrt(year); 0.01 is 100bp a year). Suggested 0.01, the
      same textbook source. The stationary sd is sigma / sqrt(2a).
    - ``shock_bp``: a parallel shift added to the whole forward curve (basis
      points). Default 0.
    - ``demand_loading``: the correlation of the rate shocks with the common AI
      demand driver, in [-1, 1]. Default 0.
    - ``convexity``: if true, theta(t) is fitted to the initial discount curve
      (no-arbitrage). If false (the default), E[r(t)] equals the forward curve
      exactly. See the module docstring.
    """

    curve: tuple[RatePoint, ...]
    mean_reversion: float = field(default=0.1, metadata=at_least(0))
    volatility: float = field(default=0.01, metadata=at_least(0))
    shock_bp: float = field(default=0.0, metadata=between(-10_000, 10_000))
    demand_loading: float = field(default=0.0, metadata=between(-1, 1))
    convexity: bool = False


def _interpolate(points: Sequence[RatePoint | tuple[int, float]], months: int) -> np.ndarray:
    pairs = sorted((p.month, p.rate) if isinstance(p, RatePoint) else (p[0], p[1]) for p in points)
    if not pairs:
        raise ValueError("curve: expected at least one (month, rate) point, found none")
    return np.interp(
        np.arange(months, dtype=np.float64),
        [float(m) for m, _ in pairs],
        [float(r) for _, r in pairs],
    )


def forward_curve(
    points: Sequence[RatePoint | tuple[int, float]],
    months: int,
    shock_bp: float = 0.0,
    *,
    paths: int = 1,
) -> np.ndarray:
    """A deterministic index path (paths, months): the points interpolated by month, plus ``shock_bp``.

    ``points`` are ``RatePoint``s or (month, rate) pairs. Every path is the same
    row, so the result can go straight into ``Market.index``.
    """
    row = _interpolate(points, months) + shock_bp * BP
    return np.tile(row, (paths, 1))


def hull_white_variance(model: HullWhite, months: int) -> np.ndarray:
    """Var r(t) = sigma^2 / (2a) * (1 - e^{-2at}), or sigma^2 t if a = 0, for t = month / 12, shaped (months,)."""
    t = np.arange(months, dtype=np.float64) * MONTH
    a, sigma = model.mean_reversion, model.volatility
    if a == 0.0:
        return sigma * sigma * t
    return sigma * sigma * -np.expm1(-2.0 * a * t) / (2.0 * a)


def hull_white_mean(model: HullWhite, months: int) -> np.ndarray:
    """E[r(t)], shaped (months,): the shocked forward curve, plus the convexity term if ``model.convexity``."""
    alpha = _interpolate(model.curve, months) + model.shock_bp * BP
    if model.convexity:
        t = np.arange(months, dtype=np.float64) * MONTH
        a, sigma = model.mean_reversion, model.volatility
        if a == 0.0:
            alpha = alpha + 0.5 * sigma * sigma * t * t
        else:
            alpha = alpha + sigma * sigma / (2.0 * a * a) * np.expm1(-a * t) ** 2
    return alpha


def short_rate_paths(
    model: HullWhite,
    months: int,
    rng: np.random.Generator,
    common: np.ndarray | None = None,
    *,
    paths: int | None = None,
) -> np.ndarray:
    """Hull-White short rates (annual decimals), (paths, months). Month 0 is the forward at month 0.

    ``common``: the demand shocks (paths, months), or None. ``paths`` is needed
    only when ``common`` is None. This draws one normal per path and month,
    plus one per path and month for the loading when ``common`` is given.
    """
    require_loading(model.demand_loading)
    z = shocks(rng, paths, months, common, model.demand_loading)
    x = ar1(z, *ou_coefficients(model.mean_reversion, model.volatility))
    return x + hull_white_mean(model, months)
