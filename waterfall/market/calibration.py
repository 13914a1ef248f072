"""The GPU-rent factor fitted to observed rents: trend, volatility, launch steps, generation ratios.

The model is ``waterfall.market.factors.rent``: a common log rent
``drift * t + volatility * W(t) + Y(t)`` (Y the OU cycle with speed
``mean_reversion``), per-generation ratios, and launch steps in the generations
a launch hits. The fit reads ``waterfall.market.rent_data``; it is closed form
(least squares and non-negative least squares) plus a seeded bootstrap, so the
same data and seed give the same numbers on every machine.

Estimators (docs/scenarios.md, "Calibration"):

* **Changes within a series.** A series is one vendor's price of one product
  (market vendors only, not hyperscaler lists). Between two dates of a series,
  the vendor's markup and the product's ratio cancel, so its log change is
  ``drift * dt + sum_k J_k * h_k + u`` where ``h_k`` is the share of launch k's
  step inside the interval (for the generations k hits) and ``u`` the noise.
* **Drift and launch steps** ``J_k``: generalised least squares of the changes
  on ``dt`` and ``h_k``, weighting each change by the inverse of its model
  variance. A launch no change spans is not identified and is left out.
* **Volatility**: the noise of a change over ``dt`` has variance
  ``volatility^2 dt + cycle_volatility^2 (1 - e^{-k dt}) / k + 2 noise^2``
  (random walk, stationary OU cycle with k = mean_reversion, and a price's own
  measurement noise at each end). Non-negative least squares of the squared
  GLS residuals of the changes that span no launch on those three terms gives
  the three variances; GLS and variance fit alternate a few times.
  ``mean_reversion`` is not fitted (prices a few months apart cannot tell it
  apart from the two volatilities); it is held at the value given.
* **Standard errors**: the spread of refits on histories simulated with the
  fitted parameters at the data's own rows (``waterfall.market.rent_simulated``):
  every series views the same market, so their changes are not independent.
* **Launch step per launch** (the model's ``jump_probability * jump_mean``):
  the mean of the fitted ``J_k``; its s.e. adds the bootstrap spread of that
  mean and the steps' own spread / sqrt(K). Their spread, net of
  estimation noise, estimates the sd of a launch's step. Probability and mean
  are not separately identified from one realisation per launch.
* **Generation ratios**: the mean log ratio of a generation's price to the
  reference's quoted by the same vendor on the same date for the same form
  factor (hyperscalers included: their markup cancels), s.e. sd / sqrt(n).
* **Level**: per generation, the mean of ``ln price - drift * t - steps(t)``
  over its market prices; the fitted curve is that level plus the trend and the
  fitted steps.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

import numpy as np
import polars as pl
from attrs import frozen

from waterfall.errors import InputError, Problem
from waterfall.market.factors.rent import RentModel
from waterfall.market.rent_data import ON_DEMAND, LaunchEvent, RentData, years_since_epoch
from waterfall.market.rent_simulated import model_launches, simulate_observations

REFERENCE = "H100"
BOOTSTRAP_REPLICATES = 200
BOOTSTRAP_SEED = 2026
MIN_QUIET = 4  # the variance fit has three unknowns
ROUNDS = 4  # GLS / variance-fit alternations; the estimates settle in two or three
TINY_VARIANCE = 1e-8  # a floor so that a change of zero model variance keeps a finite weight


@frozen
class Estimate:
    """One fitted quantity: its value, standard error (None where not meaningful) and sample size."""

    name: str
    value: float | None
    se: float | None
    n: int
    estimator: str


@frozen
class RentFit:
    """The fit: parameter estimates, per-launch steps, and the fitted curve against the data."""

    estimates: tuple[Estimate, ...]
    launches: tuple[tuple[LaunchEvent, float | None, float | None], ...]  # event, step, s.e.
    observations: pl.DataFrame  # the data's rows with ``fitted`` (the generation's curve at that date)
    curve: pl.DataFrame  # generation, date, fitted: monthly over each generation's market data
    levels: dict[str, float]  # log level per generation at t = 0
    mean_reversion: float

    def value(self, name: str) -> float | None:
        return next(e.value for e in self.estimates if e.name == name)

    def curve_at(self, generation: str, date: dt.date) -> float:
        """The fitted trend rent of ``generation`` on ``date`` (after the fitted launch steps before it)."""
        t = years_since_epoch(date)
        drift = self.value("drift") or 0.0
        return math.exp(self.levels[generation] + drift * t + _steps_at(self.launches, generation, t))


def _steps_at(launches: tuple, generation: str, t: float) -> float:
    """The fitted launch steps that hit ``generation`` by time ``t`` (years), summed (log)."""
    return sum(
        step * _share(event, -math.inf, t)
        for event, step, _ in launches
        if step is not None and generation in event.hits
    )


def _share(event: LaunchEvent, t0: float, t1: float) -> float:
    """The share of ``event``'s step that falls in (t0, t1]: its spread months are equal parts."""
    months = [_add_months(event.month, i) for i in range(event.spread_months)]
    return sum(t0 < years_since_epoch(m) <= t1 for m in months) / event.spread_months


def _add_months(date: dt.date, months: int) -> dt.date:
    index = date.year * 12 + date.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _cycle_term(dt_years: np.ndarray, mean_reversion: float) -> np.ndarray:
    """Var of the stationary OU change over dt per unit cycle variance: (1 - e^{-k dt}) / k (dt when k = 0)."""
    if mean_reversion == 0.0:
        return dt_years
    return -np.expm1(-mean_reversion * dt_years) / mean_reversion


def series_changes(observations: pl.DataFrame) -> pl.DataFrame:
    """Consecutive log changes within each market vendor's series of one product (same-date prices averaged)."""
    market = observations.filter(pl.col("market"))
    points = (
        market.group_by("vendor", "product", "generation", "date", maintain_order=True)
        .agg(pl.col("t").first(), pl.col("price").log().mean().alias("y"))
        .sort("vendor", "product", "date")
    )
    keys = ["vendor", "product"]
    return (
        points.with_columns(
            pl.col("t").shift(1).over(keys).alias("t0"),
            (pl.col("y") - pl.col("y").shift(1).over(keys)).alias("dy"),
        )
        .drop_nulls("t0")
        .with_columns((pl.col("t") - pl.col("t0")).alias("dt"))
        .select("vendor", "product", "generation", "t0", "t", "dt", "dy")
    )


def _gls(y: np.ndarray, x: np.ndarray, variance: np.ndarray) -> np.ndarray:
    weights = 1.0 / np.maximum(variance, TINY_VARIANCE)
    xtw = x.T * weights
    return np.linalg.solve(xtw @ x, xtw @ y)


def _variance_fit(residuals: np.ndarray, dt_years: np.ndarray, mean_reversion: float) -> np.ndarray:
    """NNLS of squared residuals on [dt, cycle term, 2]: the random-walk, cycle and noise variances."""
    z = np.column_stack([dt_years, _cycle_term(dt_years, mean_reversion), np.full_like(dt_years, 2.0)])
    target = residuals**2 * len(residuals) / (len(residuals) - 1)  # the drift fitted to them takes one d.o.f.
    from scipy.optimize import nnls  # noqa: PLC0415  (here: importing scipy.optimize costs every run 0.3 s)

    theta, _ = nnls(z, target)
    return theta


@frozen
class PointFit:
    """The estimates from one data set: drift and noise (log, per year), the launch steps (None: not identified)."""

    drift: float
    volatility: float
    cycle_volatility: float
    price_noise: float
    steps: tuple[float | None, ...]
    changes: int
    quiet_changes: int


def point_fit(data: RentData, mean_reversion: float) -> PointFit:
    """Drift, launch steps and the three noise variances from the series' changes."""
    changes = series_changes(data.observations)
    t0, t1 = changes["t0"].to_numpy(), changes["t"].to_numpy()
    generations = changes["generation"].to_list()
    exposure = np.array(
        [
            [_share(e, a, b) if g in e.hits else 0.0 for e in data.launches]
            for a, b, g in zip(t0, t1, generations, strict=True)
        ]
    ).reshape(len(t0), len(data.launches))
    identified = [k for k in range(len(data.launches)) if exposure[:, k].any()]
    dt_years, y = changes["dt"].to_numpy(), changes["dy"].to_numpy()
    x = np.column_stack([dt_years, exposure[:, identified]])
    # a launch's fitted step absorbs the market's own move over the changes that span it, so only
    # the changes that span no launch tell how much rent moves by itself
    quiet = ~exposure.any(axis=1)
    if quiet.sum() < MIN_QUIET or len(y) <= x.shape[1]:
        found = f"{len(y)} changes, {int(quiet.sum())} spanning no launch, {len(identified)} launches spanned"
        raise InputError(
            data.prices_file,
            [
                Problem(
                    ON_DEMAND,
                    f"expected {MIN_QUIET} or more price changes within market series spanning no "
                    f"launch and more changes than unknowns, found {found}",
                )
            ],
        )
    if np.linalg.matrix_rank(x) < x.shape[1]:  # two launches spanned by the same changes in the same shares
        names = ", ".join(f"{data.launches[k].generation} {data.launches[k].month:%Y-%m}" for k in identified)
        raise InputError(
            data.launches_file,
            [Problem("volume_month", f"expected launches whose steps the price changes tell apart, found {names}")],
        )
    variance = dt_years.copy()  # start as a random walk: variance proportional to the interval
    for _ in range(ROUNDS):
        beta = _gls(y, x, variance)
        theta = _variance_fit((y - x @ beta)[quiet], dt_years[quiet], mean_reversion)
        variance = theta[0] * dt_years + theta[1] * _cycle_term(dt_years, mean_reversion) + 2.0 * theta[2]
    beta = _gls(y, x, variance)
    steps: list[float | None] = [None] * len(data.launches)
    for column, k in enumerate(identified, start=1):
        steps[k] = float(beta[column])
    volatility, cycle, noise = (math.sqrt(v) for v in theta)
    return PointFit(float(beta[0]), volatility, cycle, noise, tuple(steps), len(y), int(quiet.sum()))


def bootstrap(
    data: RentData, point: PointFit, ratios: dict[str, float], mean_reversion: float, replicates: int, seed: int
) -> list[PointFit]:
    """Refits on ``replicates`` market histories simulated with the fitted parameters at the data's own rows."""
    first = data.observations["date"].min()
    first = dt.date(first.year, first.month, 1)
    known = {k: s for k, s in enumerate(point.steps) if s is not None}
    generations = set(data.observations["generation"]) | {g for e in data.launches for g in e.hits}
    model = RentModel(
        start=1.0,
        reference=REFERENCE,
        ratios={g: ratios.get(g, 1.0) for g in generations if g != REFERENCE},
        drift=point.drift,
        volatility=point.volatility,
        mean_reversion=mean_reversion,
        cycle_volatility=point.cycle_volatility,
        launches=model_launches(data.launches, first, known),
    )
    rng = np.random.default_rng(seed)
    fits = []
    for _ in range(replicates):
        observations = simulate_observations(data.observations, model, point.price_noise, rng)
        fits.append(
            point_fit(RentData(observations, data.launches, data.prices_file, data.launches_file), mean_reversion)
        )
    return fits


def _spread(values: list[float]) -> float | None:
    return float(np.std(values, ddof=1)) if len(values) > 1 else None


def fit_ratios(observations: pl.DataFrame, reference: str = REFERENCE) -> dict[str, tuple[float, float | None, int]]:
    """Per generation: exp(mean same-vendor, same-date, same-form log ratio to the reference), its s.e., pairs."""
    keyed = observations.group_by("vendor", "date", "form", "generation", maintain_order=True).agg(
        pl.col("price").log().mean().alias("y")
    )
    ref = keyed.filter(pl.col("generation") == reference).select("vendor", "date", "form", pl.col("y").alias("y_ref"))
    pairs = (
        keyed.filter(pl.col("generation") != reference)
        .join(ref, on=["vendor", "date", "form"])
        .sort("generation", "vendor", "date", "form")  # a fixed order: sums come out the same to the last bit
    )
    out = {}
    for (generation,), group in pairs.group_by("generation", maintain_order=True):
        logs = (group["y"] - group["y_ref"]).to_numpy()
        mean = float(logs.mean())
        se = float(logs.std(ddof=1) / math.sqrt(len(logs))) if len(logs) > 1 else None
        out[str(generation)] = (math.exp(mean), None if se is None else math.exp(mean) * se, len(logs))
    return out


def pooled_trend(observations: pl.DataFrame) -> tuple[float, float, int]:
    """OLS of log market prices on time with one intercept per product (the research note's
    cross-vendor trend, with no launch steps): slope, its OLS s.e. and the number of prices."""
    market = observations.filter(pl.col("market"))
    products = sorted(set(market["product"]))
    dummies = np.array([[p == q for q in products] for p in market["product"]], dtype=float)
    x = np.column_stack([market["t"].to_numpy(), dummies])
    y = np.log(market["price"].to_numpy())
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    residuals = y - x @ beta
    dof = max(len(y) - np.linalg.matrix_rank(x), 1)
    covariance = np.linalg.pinv(x.T @ x) * float(residuals @ residuals) / dof
    return float(beta[0]), float(math.sqrt(covariance[0, 0])), len(y)


def _launch_estimates(point: PointFit, fits: list[PointFit]) -> tuple[list[float | None], list[Estimate]]:
    """Each launch's step s.e. (bootstrap), and the mean and sd of a launch's step over the launches.

    The mean's variance has two parts: how far the fitted steps are from the
    steps that happened (the bootstrap spread of their mean; the steps' errors
    are correlated, since they share the market's moves), and how far K steps
    that happened are from the mean of their distribution (sd^2 / K)."""
    k = len(point.steps)
    se = [_spread([f.steps[i] for f in fits]) if point.steps[i] is not None else None for i in range(k)]
    known = [i for i in range(k) if point.steps[i] is not None]
    values = np.array([point.steps[i] for i in known])
    mean = float(values.mean()) if len(values) else None
    sd = mean_se = None
    if len(values) > 1 and fits:
        noise = float(np.mean([se[i] ** 2 for i in known]))  # the part of their spread estimation explains
        sd = math.sqrt(max(float(values.var(ddof=1)) - noise, 0.0))
        estimation = _spread([float(np.mean([f.steps[i] for i in known])) for f in fits]) or 0.0
        mean_se = math.sqrt(estimation**2 + sd**2 / len(values))
    what = "mean of the fitted launch steps (the model's jump_probability x jump_mean)"
    return se, [
        Estimate("launch_step_mean", mean, mean_se, len(values), f"{what}; s.e. bootstrap and sd / sqrt(K)"),
        Estimate("launch_step_sd", sd, None, len(values), "sd of the fitted steps net of their bootstrap variance"),
    ]


def fit_rent(
    data: RentData,
    mean_reversion: float = 1.2,
    replicates: int = BOOTSTRAP_REPLICATES,
    seed: int = BOOTSTRAP_SEED,
) -> RentFit:
    """Fit the rent factor to ``data``, holding ``mean_reversion`` (per year) fixed; s.e. from
    ``replicates`` simulated histories drawn from ``seed`` (0 replicates: no s.e.)."""
    point = point_fit(data, mean_reversion)
    ratios = fit_ratios(data.observations)
    fits = bootstrap(data, point, {g: r for g, (r, _, _) in ratios.items()}, mean_reversion, replicates, seed)

    def spread(value: Callable[[PointFit], float]) -> float | None:
        return _spread([value(f) for f in fits])

    step_se, step_summary = _launch_estimates(point, fits)
    launches = tuple(zip(data.launches, point.steps, step_se, strict=True))
    n, quiet = point.changes, point.quiet_changes
    gls = f"GLS of {n} within-series log changes on dt and launch shares"
    noise = f"NNLS of the squared GLS residuals of the {quiet} changes spanning no launch"
    short_run = math.hypot(point.volatility, point.cycle_volatility)
    estimates = [
        Estimate("drift", point.drift, spread(lambda f: f.drift), n, f"{gls}: the dt coefficient (log/yr)"),
        Estimate("volatility", point.volatility, spread(lambda f: f.volatility), quiet, f"{noise}: random walk"),
        Estimate(
            "cycle_volatility",
            point.cycle_volatility,
            spread(lambda f: f.cycle_volatility),
            quiet,
            f"{noise}: OU cycle, mean_reversion held at {mean_reversion:g}",
        ),
        Estimate(
            "short_run_volatility",
            short_run,
            spread(lambda f: math.hypot(f.volatility, f.cycle_volatility)),
            quiet,
            "sqrt(volatility^2 + cycle_volatility^2): the annualised volatility of a one-month change",
        ),
        Estimate("price_noise", point.price_noise, spread(lambda f: f.price_noise), quiet, f"{noise}: a price's own"),
        Estimate("mean_reversion", mean_reversion, None, 0, "held, not fitted"),
        *step_summary,
    ]
    step_mean = step_summary[0].value
    trend_total = None if step_mean is None else point.drift + step_mean
    estimates.append(Estimate("trend_with_yearly_launch", trend_total, None, n, "drift + launch_step_mean (log/yr)"))
    slope, slope_se, prices = pooled_trend(data.observations)
    what = "OLS of log market prices on time, one intercept per product, no launch steps (the note's trend)"
    estimates.append(Estimate("pooled_trend", slope, slope_se, prices, f"{what}; OLS s.e."))
    for generation, (ratio, se, pairs) in sorted(ratios.items()):
        what = f"same vendor, date and form factor as {REFERENCE}; s.e. by the delta method"
        estimates.append(Estimate(f"ratios.{generation}", ratio, se, pairs, what))
    observations, curve, levels = _curve(data, point.drift, launches)
    return RentFit(tuple(estimates), launches, observations, curve, levels, mean_reversion)


def _curve(data: RentData, drift: float, launches: tuple) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, float]]:
    """Per generation with market prices: its level, its fitted curve month by month, and the data with it."""
    market = data.observations.filter(pl.col("market"))

    def steps_at(generation: str, t: float) -> float:
        return _steps_at(launches, generation, t)

    levels = {}
    for (generation,), group in market.group_by("generation", maintain_order=True):
        logs = [
            math.log(p) - drift * t - steps_at(str(generation), t)
            for p, t in zip(group["price"], group["t"], strict=True)
        ]
        levels[str(generation)] = float(np.mean(logs))
    rows = []
    for generation, level in sorted(levels.items()):
        dates = market.filter(pl.col("generation") == generation)["date"]
        month, last = dt.date(dates.min().year, dates.min().month, 1), dates.max()
        while month <= last:
            t = years_since_epoch(month)
            rows.append((generation, month, math.exp(level + drift * t + steps_at(generation, t))))
            month = _add_months(month, 1)
    curve = pl.DataFrame(rows, schema={"generation": pl.String, "date": pl.Date, "fitted": pl.Float64}, orient="row")
    fitted = [
        math.exp(levels[g] + drift * t + steps_at(g, t)) if g in levels else None
        for g, t in zip(data.observations["generation"], data.observations["t"], strict=True)
    ]
    return data.observations.with_columns(pl.Series("fitted", fitted, dtype=pl.Float64)), curve, levels
