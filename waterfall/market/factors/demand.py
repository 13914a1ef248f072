"""The common "AI demand" driver, and how factors load on it.

Conventions shared by all factor modules:

* Arrays are float64 and shaped ``(paths, months)``. Month 0 is the closing
  month and time in years is ``month / 12``.
* ``common[:, t]`` is the demand shock of month ``t``. A positive shock is
  stronger AI demand. A factor that is known at closing (rent, rates, BTC, the
  demand state) moves from month ``t - 1`` to month ``t`` on shock ``t``, so
  column 0 of the shocks is drawn but never used.
* A factor with loading ``l`` on the common driver uses the shock
  ``l * common + sqrt(1 - l**2) * own``, where ``own`` is its own independent
  N(0, 1) draw. That shock is N(0, 1) and has correlation ``l`` with the common
  driver. Two factors with loadings ``l1`` and ``l2`` have shock correlation
  ``l1 * l2``.
"""

from __future__ import annotations

import numpy as np
from attrs import field, frozen

from waterfall.market.factors.ou import ar1
from waterfall.market.factors.validate import require_loading, require_shape
from waterfall.spec.bounds import between


@frozen
class DemandModel:
    """How persistent the AI-demand state is.

    - ``persistence``: the monthly AR(1) coefficient phi of the demand state
      (dimensionless, in [0, 1)). 0 makes the state iid, and values near 1 make
      it a slow cycle. The half-life in months is ``ln 0.5 / ln phi``. Suggested
      default 0.905 = exp(-1.2 / 12): the same mean reversion (kappa 1.2/yr,
      half-life about 7 months) as the GPU-rent cycle in
      shared/research/gpu_rent.md §6, so a rent cycle fully loaded on demand and
      the demand state move together.
    """

    persistence: float = field(default=0.905, metadata=between(0, 0.999))


def demand_shocks(rng: np.random.Generator, paths: int, months: int) -> np.ndarray:
    """The common driver: iid N(0, 1) shocks, shaped (paths, months)."""
    return rng.standard_normal((paths, months))


def load(common: np.ndarray, loading: float, rng: np.random.Generator) -> np.ndarray:
    """Shocks with correlation ``loading`` to ``common``: ``loading*common + sqrt(1-loading**2)*own``.

    ``loading`` is in [-1, 1], and 0 gives shocks independent of ``common``. This
    always draws one independent normal per element, whatever the loading, so
    the Generator advances by the same amount for every loading.
    """
    common = np.asarray(common, dtype=np.float64)
    require_loading(loading)
    # in place, without temporaries: the same products and sum (addition commutes exactly)
    shocks = rng.standard_normal(common.shape)
    shocks *= np.sqrt(1.0 - loading * loading)
    shocks += loading * common
    return shocks


def shocks(
    rng: np.random.Generator,
    paths: int | None,
    months: int,
    common: np.ndarray | None,
    loading: float,
) -> np.ndarray:
    """A factor's N(0, 1) shocks (paths, months): loaded on ``common`` if given, else independent.

    With ``common`` given, ``paths`` may be None (it is taken from ``common``);
    if both are given they must agree.
    """
    if common is None:
        if paths is None:
            raise ValueError("expected paths (or common shocks to take them from), found neither")
        return rng.standard_normal((paths, months))
    common = np.asarray(common, dtype=np.float64)
    require_shape("common", common, paths, months)
    return load(common, loading, rng)


def demand_state(common: np.ndarray, persistence: float) -> np.ndarray:
    """The demand state per path: an AR(1) of the common shocks, starting neutral at closing.

    s_0 = 0 and s_t = phi * s_{t-1} + sqrt(1 - phi**2) * common[:, t] for t >= 1.
    This is the exact monthly sampling of an OU process with unit stationary
    variance. Its variance ``demand_state_variance`` is 1 - phi**(2t). That is 0
    at closing, where the state is known, and tends to 1. Negative is weak
    demand. Tenant hazards are tilted by ``-state``.
    """
    common = np.asarray(common, dtype=np.float64)
    if common.ndim != 2:
        raise ValueError(f"common shocks: expected shape (paths, months), found {common.shape}")
    if not 0.0 <= persistence < 1.0:
        raise ValueError(f"persistence: expected a number in [0, 1), found {persistence!r}")
    return ar1(common, persistence, float(np.sqrt(1.0 - persistence * persistence)))


def demand_state_variance(persistence: float, months: int) -> np.ndarray:
    """Var(s_t) = 1 - phi**(2t) for t = 0..months-1, shaped (months,)."""
    return 1.0 - persistence ** (2.0 * np.arange(months, dtype=np.float64))
