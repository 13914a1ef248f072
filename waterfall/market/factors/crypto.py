"""Bitcoin price for crypto-miner borrowers: lognormal random walk with crash jumps.

Monthly, for t >= 1 (t years = month / 12, D = 1/12):

    ln S(t) = ln S(t - D) + drift * D + volatility * sqrt(D) * z_t + sum_{i <= N_t} J_i

where N_t ~ Poisson(crash_intensity * D) and J_i ~ N(crash_mean, crash_sd).
Sampling is exact on the monthly grid. Given N_t = n, the sum of the jumps is
n * crash_mean + sqrt(n) * crash_sd * w_t. There is no Ito correction:
``drift`` is the mean log return of the diffusion, so
E[ln S(t) / S(0)] = (drift + crash_intensity * crash_mean) * t. S(0) = start
exactly.

Draw order: the diffusion shocks (loaded on the common driver if given),
then the Poisson counts, then the jump-size normals, each shaped
(paths, months). Column 0 of each is unused.
"""

from __future__ import annotations

import numpy as np
from attrs import field, frozen

from waterfall.market.factors.demand import shocks
from waterfall.market.factors.ou import MONTH
from waterfall.market.factors.validate import require_loading
from waterfall.spec.bounds import at_least, between


@frozen
class BtcModel:
    """BTC price in USD: GBM plus Poisson crash jumps, optionally loaded on AI demand.

    Sources: shared/research/gpu_rent.md §5-§6 (statistics computed from daily
    BTC closes 2014-2026).

    - ``start``: the BTC price at closing ($/BTC). Deal-specific, so there is
      no default. The note has the 6 Oct 2025 high of $124.8k and a -51%
      drawdown to 5 Jun 2026, which is about $61k.
    - ``drift``: the annual mean log return of the diffusion (log per year).
      Default 0.0 (the note's "conservative drift of 0").
    - ``volatility``: the annual volatility of the diffusion (log per
      sqrt(year)). Default 0.55, range 0.45-0.70 (note §6). Full-sample 67%,
      61% since 2020 from monthly returns, 47% since 2023 from daily returns
      (§5). Those figures include crash months, so lower this (to about 0.45)
      when crashes are on.
    - ``crash_intensity``: the Poisson rate of crash jumps (per year). Default 0
      (off). Suggested stress 0.25, one crash every four years: the note lists
      three drawdowns of more than 50% in its 2014-26 sample (−83%, −77%,
      −51%, §5). Mapping drawdowns to jumps is an assumption.
    - ``crash_mean``: the mean log jump of a crash (log units). Default -0.48
      = ln(0.62), the worst month of 2014-26 (−38%, §5).
    - ``crash_sd``: the sd of the log jump (log units). Default 0.15, an
      assumption.
    - ``demand_loading``: the correlation of BTC's diffusion shocks with the
      common AI demand driver, in [-1, 1]. Default 0. The note assumes a
      BTC/GPU-rent shock correlation of about 0.2-0.3 (proxied by BTC-Nasdaq
      0.3-0.5, §6). Loadings l_btc and l_rent give l_btc * l_rent, e.g. 0.5 each.
    - ``downturn_loading``: the loading in months whose AI-demand state is
      below ``downturn_threshold`` ("correlation convergence": assets that
      move apart in calm markets fall together in a sell-off), in [-1, 1].
      Default None: ``demand_loading`` in every month.
    - ``downturn_threshold``: the demand state (in sd, negative is weak) below
      which ``downturn_loading`` applies. Default -1.0, a stated assumption.
    - ``start`` may be left out of a scenario (None): the deal's own BTC
      price at closing is then the start.
    """

    start: float | None = field(default=None, metadata=at_least(0, strict=True))
    drift: float = field(default=0.0, metadata=between(-5, 5))
    volatility: float = field(default=0.55, metadata=at_least(0))
    crash_intensity: float = field(default=0.0, metadata=at_least(0))
    crash_mean: float = field(default=-0.48, metadata=between(-10, 10))
    crash_sd: float = field(default=0.15, metadata=at_least(0))
    demand_loading: float = field(default=0.0, metadata=between(-1, 1))
    downturn_loading: float | None = field(default=None, metadata=between(-1, 1))
    downturn_threshold: float = field(default=-1.0, metadata=between(-10, 10))


def btc_paths(
    model: BtcModel,
    months: int,
    rng: np.random.Generator,
    common: np.ndarray | None = None,
    *,
    paths: int | None = None,
    state: np.ndarray | None = None,
) -> np.ndarray:
    """BTC price ($/BTC), (paths, months). Month 0 is ``start``.

    ``common``: the demand shocks (paths, months), or None. ``paths`` is needed
    only when ``common`` is None. ``state``: the demand state (paths, months)
    that switches on ``downturn_loading``; without it (or without a downturn
    loading) the loading is ``demand_loading`` throughout, with the same draws.
    """
    if model.start is None:
        raise ValueError("BtcModel.start: expected a BTC price at closing, found None")
    require_loading(model.demand_loading)
    if model.downturn_loading is not None and state is not None and common is not None:
        require_loading(model.downturn_loading)
        loading = np.where(np.asarray(state) < model.downturn_threshold, model.downturn_loading, model.demand_loading)
        own = rng.standard_normal(np.shape(common))  # as ``load`` draws: one normal per element
        z = loading * common + np.sqrt(1.0 - loading * loading) * own
    else:
        z = shocks(rng, paths, months, common, model.demand_loading)
    crashes = rng.poisson(model.crash_intensity * MONTH, z.shape)
    sizes = rng.standard_normal(z.shape)
    increments = (
        model.drift * MONTH
        + model.volatility * np.sqrt(MONTH) * z
        + crashes * model.crash_mean
        + np.sqrt(crashes) * model.crash_sd * sizes
    )
    increments[:, 0] = 0.0
    return model.start * np.exp(np.cumsum(increments, axis=1))
