"""Breakevens: the level of one stress at which a tranche first loses a dollar, or its IRR
first falls below a hurdle, on the deal's deterministic path.

Method (``docs/analytics.md``): a grid of levels from the benign end of the search range
to its harsh end, one level per path of one market, in one engine run; the first level
whose outcome breaches marks the first crossing from the benign side; Brent's method
on one-path runs then narrows it to a tolerance. A factor whose outcome changes only at
known levels (hazard, delay) has every such level on the grid, so the grid is exact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import numpy as np
import polars as pl
from attrs import frozen

from waterfall.analytics.stress import FACTORS, hazard_boundaries, not_applicable, stressed
from waterfall.engine.simulation import run, sculpted_schedule
from waterfall.errors import Problem
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.spec.deal import Deal

LOSS_DOLLARS = 1.0  # a tranche has lost money once its loss exceeds one dollar
GRID_LEVELS = 33
TOLERANCE = 1e-6  # Brent stops within this share of the search range's width
NO_PERIOD = -1

SCHEMA = {
    "deal": pl.String,
    "tranche": pl.String,
    "factor": pl.String,
    "metric": pl.String,
    "level": pl.Float64,
    "unit": pl.String,
    "first_loss_period": pl.Int64,
    "first_loss_date": pl.Date,
    "low": pl.Float64,
    "high": pl.Float64,
    "status": pl.String,
}


@frozen
class Metric:
    """What breaks a tranche: its first dollar of loss, or its IRR below ``hurdle``."""

    kind: str  # "first_loss" | "irr_below"
    hurdle: float | None = None

    def __str__(self) -> str:
        return self.kind if self.hurdle is None else f"{self.kind}:{self.hurdle:g}"


def parse_metric(text: str) -> Metric:
    """``first_loss`` or ``irr_below:X`` with X an annual rate (0.05 is 5%)."""
    expected = "expected first_loss or irr_below:X with X an annual rate such as 0.05"
    if text == "first_loss":
        return Metric("first_loss")
    kind, _, value = text.partition(":")
    if kind != "irr_below":
        raise ValueError(f"{expected}, found {text!r}")
    try:
        hurdle = float(value)
    except ValueError:
        raise ValueError(f"{expected}, found {text!r}") from None
    if not -1.0 < hurdle < 10.0:
        raise ValueError(f"expected a hurdle IRR above -1 and below 10, found {value!r}")
    return Metric("irr_below", hurdle)


@frozen
class Breakeven:
    """One tranche's breakeven under one factor; ``level`` is None unless ``status == "found"``."""

    deal: str
    tranche: str
    factor: str
    metric: str
    level: float | None
    unit: str
    first_loss_period: int | None
    first_loss_date: dt.date | None
    low: float
    high: float
    status: str  # found | no_crossing | lost_at_base | not_applicable
    reason: str = ""

    def row(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in SCHEMA}


def tranche_problems(deal: Deal, tranches: Iterable[str]) -> list[Problem]:
    names = [t.name for t in deal.tranches]
    return [
        Problem("--tranche", f"expected one of {', '.join(names)}, found {name!r}")
        for name in tranches
        if name not in names
    ]


def factor_problems(factors: Iterable[str]) -> list[Problem]:
    return [
        Problem("--factor", f"expected one of {', '.join(FACTORS)}, found {name!r}")
        for name in factors
        if name not in FACTORS
    ]


def metric_problems(metric: str) -> list[Problem]:
    try:
        parse_metric(metric)
    except ValueError as error:
        return [Problem("--metric", str(error))]
    return []


def range_problems(factor: str, low: float, high: float) -> list[Problem]:
    """A search range must be ordered and within the factor's domain."""
    if not (np.isfinite(low) and np.isfinite(high)) or low >= high:
        return [Problem("--low/--high", f"expected low < high, found low {low:g}, high {high:g}")]
    if factor == "haircut" and (low < 0 or high > 1):
        return [Problem("--low/--high", f"expected a haircut range within 0 .. 1, found {low:g} .. {high:g}")]
    if factor in ("hazard", "delay") and low < 0:
        return [Problem("--low", f"expected a {factor} of at least 0, found {low:g}")]
    if factor == "delay" and np.floor(high) < np.ceil(low):
        return [Problem("--low/--high", f"expected a delay range holding a whole month, found {low:g} .. {high:g}")]
    return []


def search_range(factor: str, low: float | None = None, high: float | None = None) -> tuple[float, float]:
    """The range asked for, each end defaulting to the factor's own."""
    f = FACTORS[factor]
    default_low, default_high = min(f.benign, f.harsh), max(f.benign, f.harsh)
    return (default_low if low is None else float(low)), (default_high if high is None else float(high))


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise ValueError("; ".join(str(p) for p in problems))


def grid(deal: Deal, factor: str, low: float, high: float) -> np.ndarray:
    """Levels from the benign end of [low, high] to its harsh end."""
    f = FACTORS[factor]
    if factor == "delay":
        return np.arange(np.ceil(low), np.floor(high) + 1.0)
    if factor == "hazard":
        # each month's default is reached from its boundary hazard up to the next one
        inside = hazard_boundaries(deal.calendar.horizon_months)
        inside = inside[(inside > low) & (inside <= high)]
        return np.concatenate([[low], np.sort(inside)])
    levels = np.linspace(low, high, GRID_LEVELS)
    return levels if f.harsher_upwards else levels[::-1]


class Evaluator:
    """Runs one deal under one factor and reads each tranche's loss, IRR and first loss month."""

    def __init__(self, deal: Deal, factor: str, default_month: int | None = None) -> None:
        self.deal = deal
        self.factor = factor
        self.default_month = default_month
        # a sculpted schedule is sized once on the deal's base case, whatever the stress
        self.sculpted = sculpted_schedule(deal)
        # every level on its own path of one run, except a haircut on campuses (stress.stressed)
        self.vectorised = not (factor == "haircut" and deal.campuses)

    def outcomes(self, levels: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
        """tranche -> {"loss", "irr", "first_loss"}, each (levels,)."""
        parts: dict[str, dict[str, list[np.ndarray]]] = {}
        for deal, market in stressed(self.deal, self.factor, levels, self.default_month):
            tape = run(deal, market, self.sculpted)
            table = tranche_outcomes(tape)
            for i, name in enumerate(tape.tranche_names):
                rows = table.filter(pl.col("tranche") == name).sort("path")
                # any loss: principal written down or interest never paid
                loss = rows["loss"].to_numpy() + rows["interest_loss"].to_numpy()
                found = parts.setdefault(name, {"loss": [], "irr": [], "first_loss": []})
                found["loss"].append(loss)
                found["irr"].append(rows["irr"].fill_null(np.nan).to_numpy())
                found["first_loss"].append(_first_loss_period(tape.tranche, i, loss))
        return {name: {k: np.concatenate(v) for k, v in found.items()} for name, found in parts.items()}


def _first_loss_period(records: dict[str, np.ndarray], i: int, loss: np.ndarray) -> np.ndarray:
    """The month a loss first appears on each path: its first write-down, else (interest
    forgiven only) the last month interest fell due; -1 without a loss."""
    written = records["writedown"][:, i, :] > 0.005
    owed = (records["interest_due"][:, i, :] > 0) | (records["interest_shortfall"][:, i, :] > 0)
    last_owed = owed.shape[0] - 1 - np.argmax(owed[::-1], axis=0)
    period = np.where(written.any(axis=0), np.argmax(written, axis=0), last_owed)
    return np.where(loss > LOSS_DOLLARS, period, NO_PERIOD)


def gap(metric: Metric, outcome: dict[str, np.ndarray]) -> np.ndarray:
    """Positive where the tranche breaks: loss above a dollar, or IRR below the hurdle."""
    if metric.kind == "first_loss":
        return outcome["loss"] - LOSS_DOLLARS
    return np.where(np.isnan(outcome["irr"]), -np.inf, metric.hurdle - outcome["irr"])


def _narrow(evaluator: Evaluator, tranche: str, metric: Metric, safe: float, broken: float) -> tuple[float, float]:
    """A finer grid between the two levels, again in one run, when the stress runs all
    levels in one block: it leaves Brent a bracket 32 times narrower."""
    if not evaluator.vectorised:
        return safe, broken
    levels = np.linspace(safe, broken, GRID_LEVELS)
    breaks = gap(metric, evaluator.outcomes(levels)[tranche]) > 0
    i = int(np.argmax(breaks))  # the last level breaks: it did on the coarse grid
    return (float(levels[i - 1]), float(levels[i])) if i > 0 else (safe, broken)


def _refine(evaluator: Evaluator, tranche: str, metric: Metric, safe: float, broken: float, width: float):
    """Brent on one-path runs between a level that holds and one that breaks; returns the
    least harsh breaking level it evaluated (within tolerance of the crossing) and its outcome."""
    seen: dict[float, tuple[float, int]] = {}

    def g(level: float) -> float:
        outcome = evaluator.outcomes(np.array([level]))[tranche]
        value = float(gap(metric, outcome)[0])
        seen[level] = (value, int(outcome["first_loss"][0]))
        return value

    g(safe), g(broken)
    xtol = TOLERANCE * width
    from scipy.optimize import brentq  # noqa: PLC0415  (here: importing scipy.optimize costs every run 0.3 s)

    root = brentq(g, safe, broken, xtol=xtol, rtol=4 * np.finfo(float).eps, maxiter=200)
    toward_harsh = 1.0 if broken > safe else -1.0
    # Brent may settle on the side that holds: step toward the harsh side until it breaks
    for step in range(1, 9):
        if any(value > 0 and 0 <= toward_harsh * (level - root) <= step * xtol for level, (value, _) in seen.items()):
            break
        g(root + toward_harsh * step * xtol)
    breaking = [level for level, (value, _) in seen.items() if value > 0]
    # the breaking level nearest the root on its harsh side (``broken`` at the furthest)
    beyond = [level for level in breaking if toward_harsh * (level - root) >= 0] or breaking
    level = min(beyond, key=lambda x: toward_harsh * x)
    return float(level), seen[level][1]


def solve(
    deal: Deal,
    factor: str,
    tranches: Iterable[str],
    metric: Metric,
    low: float,
    high: float,
    default_month: int | None = None,
) -> list[Breakeven]:
    """Breakevens of several tranches under one factor, sharing one grid run."""
    f = FACTORS[factor]
    tranches = list(tranches)

    def result(tranche: str, status: str, level: float | None = None, period: int = NO_PERIOD, reason: str = ""):
        return Breakeven(
            deal=deal.name,
            tranche=tranche,
            factor=factor,
            metric=str(metric),
            level=level,
            unit=f.unit,
            first_loss_period=period if period >= 0 else None,
            first_loss_date=deal.calendar.date_of(period) if period >= 0 else None,
            low=low,
            high=high,
            status=status,
            reason=reason,
        )

    reason = not_applicable(deal, factor)
    if reason is not None:
        return [result(t, "not_applicable", reason=reason) for t in tranches]
    evaluator = Evaluator(deal, factor, default_month)
    levels = grid(deal, factor, low, high)
    outcomes = evaluator.outcomes(levels)
    found = []
    for tranche in tranches:
        breaks = gap(metric, outcomes[tranche]) > 0
        first = outcomes[tranche]["first_loss"]
        if breaks[0]:
            found.append(result(tranche, "lost_at_base", period=int(first[0])))
            continue
        hits = np.flatnonzero(breaks)
        if hits.size == 0:
            found.append(result(tranche, "no_crossing"))
            continue
        i = int(hits[0])
        if f.discrete:
            level, period = float(levels[i]), int(first[i])
        else:
            safe, broken = _narrow(evaluator, tranche, metric, levels[i - 1], levels[i])
            level, period = _refine(evaluator, tranche, metric, safe, broken, high - low)
        found.append(result(tranche, "found", level=level, period=period))
    return found


def breakeven(
    deal: Deal,
    tranche: str,
    factor: str,
    metric: str = "first_loss",
    *,
    low: float | None = None,
    high: float | None = None,
    default_month: int | None = None,
) -> Breakeven:
    """The level of ``factor`` at which ``tranche`` first breaks on the deterministic path.

    ``metric``: ``first_loss`` or ``irr_below:X``. ``low``/``high``: the search range
    (default: the factor's own, ``docs/analytics.md``). ``default_month``: the deal
    month the main tenant defaults in under the ``haircut`` stress.
    """
    _raise(tranche_problems(deal, [tranche]) + factor_problems([factor]) + metric_problems(metric))
    lo, hi = search_range(factor, low, high)
    _raise(range_problems(factor, lo, hi))
    return solve(deal, factor, [tranche], parse_metric(metric), lo, hi, default_month)[0]


def breakeven_table(
    deal: Deal,
    tranches: Iterable[str] | None = None,
    factors: Iterable[str] | None = None,
    metric: str = "first_loss",
    *,
    default_month: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> pl.DataFrame:
    """Every (debt tranche, factor) breakeven of ``deal`` over each factor's default range;
    ``progress`` is called with each factor's name once it is solved."""
    names = list(tranches) if tranches is not None else [t.name for t in deal.tranches]
    chosen = list(factors) if factors is not None else list(FACTORS)
    _raise(tranche_problems(deal, names) + factor_problems(chosen) + metric_problems(metric))
    rows = []
    for factor in chosen:
        lo, hi = search_range(factor)
        rows += [b.row() for b in solve(deal, factor, names, parse_metric(metric), lo, hi, default_month)]
        if progress is not None:
            progress(factor)
    return pl.DataFrame(rows, schema=SCHEMA, orient="row") if rows else pl.DataFrame(schema=SCHEMA)
