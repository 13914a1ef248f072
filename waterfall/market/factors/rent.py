"""GPU market rent per GPU-hour, by generation: deflating trend, cycle, launch step-downs.

The model is shared/research/gpu_rent.md §6 plus a random-walk term. For
generation g, in month t (t years = t / 12):

    ln R_g(t) = ln(start * ratio_g) + drift * t + volatility * W(t) + Y(t) + J_g(t)

* ``W`` is a standard Brownian motion. It is sampled exactly on the monthly grid
  (Euler on the log is exact here): W(t) - W(t - 1/12) = sqrt(1/12) * z.
* ``Y`` is the Ornstein-Uhlenbeck cycle, dY = -mean_reversion * Y dt +
  cycle_volatility dB, with Y(0) = 0. It uses the exact Gaussian transition
  Y(t + D) = e^{-k D} Y(t) + cycle_volatility * sqrt((1 - e^{-2 k D}) / (2 k)) * z,
  where D = 1/12 and k = mean_reversion. With k = 0 it is a second random walk.
* ``J_g`` is the sum of the launch step-downs that hit generation g so far
  (see ``Launch``).
* There is no Ito correction. ``drift`` is the mean of the log-rent increments,
  so E[ln R(t) - ln R(0)] = drift * t + sum of p * jump_mean over the launches
  reached. This is the trend of the median rent. The mean rent E[R] lies above
  it by the usual lognormal convexity.

All generations share ``W``, ``Y`` and the demand shocks. They differ only by
their ratio at closing (exact at month 0) and by which launches hit them. The
floor is applied to the output only, as ``max(R_g, floor * ratio_g)``. The
latent log-rent keeps moving below the floor, so the rent leaves the floor as
soon as the latent rent rises above it again.

Shocks: the diffusion and the cycle each take one N(0, 1) shock a month. Each
shock is loaded on the common demand driver with ``demand_loading``, so each
has correlation ``demand_loading`` with it (see ``waterfall.market.factors.demand``).
The Generator is consumed in a fixed order: diffusion shocks, cycle shocks,
then per launch one uniform and one normal per path. Launches past the horizon
still draw.
"""

from __future__ import annotations

import numpy as np
from attrs import field, frozen

from waterfall.compiled import kernel, use_kernels
from waterfall.market.factors.demand import shocks
from waterfall.market.factors.ou import MONTH, ar1, ou_coefficients
from waterfall.market.factors.validate import require_loading
from waterfall.spec.bounds import at_least, between

# Rent multiples of H100, from CCIR T3 list-asks, May 2026 (A100 1.29, H100 2.72,
# H200 3.44, B200 4.89) and Silicon Data B200/H100 ~2.0x, mid-2026; gpu_rent.md §1.
DEFAULT_RATIOS = {"A100": 0.47, "H200": 1.26, "B200": 2.0}


@frozen
class Launch:
    """A new Nvidia generation reaching volume: a possible step-down in older generations' rent.

    - ``month``: the deal month of the step, an int >= 1. Month 0 is closing,
      where rent is given. Nvidia's cadence is about one generation a year
      (Computex 2024 "one-year rhythm", gpu_rent.md §4).
    - ``jump_probability``: the probability that the step happens on a path
      (dimensionless). Suggested 0.8 (gpu_rent.md §6 base; 1.0 in the stress case).
    - ``jump_mean``: the mean log change of rent when it happens (log units;
      negative is a drop). Suggested -0.12, range -0.05 to -0.25 (2024-25
      step-downs of -14% to -29%, gpu_rent.md §4, §6).
    - ``jump_sd``: the standard deviation of the log change (log units).
      Suggested 0.08 (gpu_rent.md §6).
    - ``generations``: the generations it hits, by name. The empty tuple means
      every generation. It should usually list the older generations only.
    - ``spread_months``: the number of months the step is spread over, in equal
      log parts from ``month`` on (months, >= 1). Suggested 1; the note
      suggests 3 for smoother paths.

    One uniform and one normal per path decide the step. The same step applies
    to every generation the launch hits.
    """

    month: int = field(metadata=at_least(1))
    jump_probability: float = field(default=0.8, metadata=between(0, 1))
    jump_mean: float = field(default=-0.12, metadata=between(-5, 5))
    jump_sd: float = field(default=0.08, metadata=at_least(0))
    generations: tuple[str, ...] = ()
    spread_months: int = field(default=1, metadata=at_least(1))


@frozen
class RentModel:
    """Stochastic GPU market rent per GPU-hour for a reference generation and others by ratio.

    Defaults are the base case of shared/research/gpu_rent.md. The note's
    stress case is drift -0.15, cycle_volatility 0.40, launches with jump_mean
    -0.20 and jump_probability 1.

    - ``start``: the reference generation's rent at closing ($/GPU-hour).
      Default 2.40 ($2.40 is the note's simulation start, §6; the H100 1-yr
      contract was $2.35 in Mar 2026 and spot $2.42 in Jun 2026, §1).
    - ``reference``: the name of the reference generation. Default "H100".
    - ``ratios``: each other generation's rent at closing as a multiple of the
      reference (dimensionless). Default A100 0.47, H200 1.26, B200 2.0 (CCIR T3
      May 2026 and Silicon Data mid-2026, §1). The reference is implied at 1.0.
    - ``drift``: the mean annual log change of rent before launch jumps (log
      per year, no Ito correction). Default -0.13 (Epoch H100 SXM log-linear
      trend 2023.5-2025.2, s.e. 0.08, §1). With launches yearly at
      p 0.8 / mean -0.12, use -0.06: diffusion plus launches then make the
      note's total trend of about -0.15 a year (§6).
    - ``volatility``: the annual volatility of the permanent random-walk part
      (log per sqrt(year)). Default 0.10. This is an assumption: the note's
      model has no random walk, so all of its dispersion is transitory. 0.10
      adds permanent uncertainty of the size of the trend's s.e. of 0.08 a
      year. Set 0 for the note's model exactly.
    - ``mean_reversion``: the OU cycle's speed kappa (per year; the half-life is
      ln 2 / kappa years). Default 1.2, a half-life of about 7 months; range
      0.7-2.0 (Oct 2025 trough to Mar 2026 rebound, §6).
    - ``cycle_volatility``: the OU cycle's volatility sigma (log per
      sqrt(year)). Its stationary sd is sigma / sqrt(2 kappa). Default 0.30 for a
      spot/on-demand index, 0.20 for 1-yr contract rent; range 0.20-0.45 (§6).
    - ``launches``: the scheduled generation launches (see ``Launch``). Default
      none, because launch months depend on the deal's calendar.
    - ``floor``: the reference generation's cash operating cost ($/GPU-hour).
      Each generation's rent never goes below ``floor * ratio``. 0 means no
      floor (the default): the note gives only an all-in H100 breakeven of
      about $1.65, which includes capex and is not the opex floor (§6).
    - ``demand_loading``: the correlation of each rent shock with the common AI
      demand driver, in [-1, 1]. Default 0 (independent). No calibration
      exists; 0.5 is a reasonable "demand drives rent" setting.
    """

    start: float = field(default=2.40, metadata=at_least(0, strict=True))
    reference: str = "H100"
    ratios: dict[str, float] = field(factory=lambda: dict(DEFAULT_RATIOS))
    drift: float = field(default=-0.13, metadata=between(-5, 5))
    volatility: float = field(default=0.10, metadata=at_least(0))
    mean_reversion: float = field(default=1.2, metadata=at_least(0))
    cycle_volatility: float = field(default=0.30, metadata=at_least(0))
    launches: tuple[Launch, ...] = ()
    floor: float = field(default=0.0, metadata=at_least(0))
    demand_loading: float = field(default=0.0, metadata=between(-1, 1))

    def generation_ratios(self) -> dict[str, float]:
        """Every generation's ratio to the reference: the reference (1.0) first, then the others by name."""
        ratios = {self.reference: 1.0}
        for name in sorted(self.ratios):
            ratio = self.ratios[name]
            if name == self.reference and ratio != 1.0:
                raise ValueError(f"ratios.{name}: expected 1.0 for the reference generation, found {ratio!r}")
            if not ratio > 0.0:
                raise ValueError(f"ratios.{name}: expected a number > 0, found {ratio!r}")
            ratios[name] = float(ratio)
        return ratios


def _hit(launch: Launch, generations: dict[str, float]) -> tuple[str, ...]:
    unknown = sorted(set(launch.generations) - set(generations))
    if unknown:
        raise ValueError(
            f"launch at month {launch.month}: expected generations from {sorted(generations)}, found {unknown}"
        )
    return launch.generations or tuple(generations)


def _launch_columns(launch: Launch, months: int) -> range:
    return range(launch.month, min(launch.month + launch.spread_months, months))


def rent_paths(
    model: RentModel,
    months: int,
    rng: np.random.Generator,
    common: np.ndarray | None = None,
    *,
    paths: int | None = None,
    generations: frozenset[str] | None = None,
) -> dict[str, np.ndarray]:
    """Market rent ($/GPU-hour) per generation, each (paths, months). Month 0 is ``start * ratio`` exactly.

    ``common``: the demand shocks (paths, months), or None for independent
    rent. ``paths`` is needed only when ``common`` is None. ``generations``:
    only these generations' rents (all by default); the random draws are the
    same either way, so each generation's rent is too.
    """
    require_loading(model.demand_loading)
    ratios = model.generation_ratios()
    z_walk = shocks(rng, paths, months, common, model.demand_loading)
    z_cycle = shocks(rng, paths, months, common, model.demand_loading)
    n = z_walk.shape[0]

    decay, step = ou_coefficients(model.mean_reversion, model.cycle_volatility)
    walk_step = model.volatility * np.sqrt(MONTH)
    if use_kernels(n):
        # the walk's running sum and the cycle in one compiled pass, the same numbers (``ou_kernel``)
        log_rent = kernel("waterfall.market.factors.ou_kernel", "log_rent")
        common_log = log_rent(z_walk, z_cycle, model.drift * MONTH, walk_step, decay, step)
    else:
        increments = model.drift * MONTH + walk_step * z_walk
        increments[:, 0] = 0.0
        common_log = np.cumsum(increments, axis=1)
        common_log += ar1(z_cycle, decay, step)

    jumps: dict[str, np.ndarray] = {}
    for launch in model.launches:
        hit = _hit(launch, ratios)
        happens = rng.random(n) < launch.jump_probability
        size = np.where(happens, launch.jump_mean + launch.jump_sd * rng.standard_normal(n), 0.0)
        for column in _launch_columns(launch, months):
            for name in hit:
                if generations is None or name in generations:
                    jumps.setdefault(name, np.zeros((n, months)))[:, column] += size / launch.spread_months

    rents = {}
    for name, ratio in ratios.items():
        if generations is not None and name not in generations:
            continue
        moves = common_log + np.cumsum(jumps[name], axis=1) if name in jumps else common_log
        # start * ratio * exp(moves), floored: in place, one array per generation (exp(0) = 1 at closing)
        rent = np.exp(moves)
        rent *= model.start * ratio
        rents[name] = np.maximum(rent, model.floor * ratio, out=rent)
    return rents


def rent_trend(model: RentModel, months: int) -> dict[str, np.ndarray]:
    """The median-trend rent per generation, (months,): exp(E[ln R_g(t)]), without the floor.

    E[ln R_g(t)] = ln(start * ratio_g) + drift * t + the sum of
    jump_probability * jump_mean over the launch steps that hit g by month t.
    Use it as the benchmark for rent-linked residual values and the bust test,
    so that expected deflation is not counted twice.
    """
    ratios = model.generation_ratios()
    t = np.arange(months, dtype=np.float64) * MONTH
    expected_jumps = {name: np.zeros(months) for name in ratios}
    for launch in model.launches:
        for column in _launch_columns(launch, months):
            for name in _hit(launch, ratios):
                expected_jumps[name][column:] += launch.jump_probability * launch.jump_mean / launch.spread_months
    return {
        name: model.start * ratio * np.exp(model.drift * t + expected_jumps[name]) for name, ratio in ratios.items()
    }
