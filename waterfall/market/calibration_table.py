"""The rent fit beside the presets, as one table: what ``waterfall calibrate`` prints and writes.

One long table (``calibration.parquet``, columns in docs/outputs.md) with a
``section`` per kind of row:

* ``parameter``: a fitted quantity (``fitted``, ``se``, ``n``, the estimator in
  ``note``) beside the same quantity in the ``base`` and ``bust`` presets;
* ``launch``: one fitted launch step (``name`` the generation launched,
  ``date`` its volume month, ``note`` the generations it hits);
* ``observation``: one price row of the data (``value``) with the fitted curve
  of its generation at its date (``fitted``; null for a generation without
  market prices) and ``note`` "market" or "hyperscaler list";
* ``curve``: the fitted curve per generation, month by month.
"""

from __future__ import annotations

import math

import polars as pl

from waterfall.market.calibration import REFERENCE, RentFit
from waterfall.market.scenario import RentScenario, Scenario

SCHEMA = {
    "section": pl.String,
    "name": pl.String,
    "generation": pl.String,
    "vendor": pl.String,
    "date": pl.Date,
    "value": pl.Float64,
    "fitted": pl.Float64,
    "se": pl.Float64,
    "base": pl.Float64,
    "bust": pl.Float64,
    "n": pl.Int64,
    "note": pl.String,
}


def preset_values(rent: RentScenario) -> dict[str, float | None]:
    """The fitted quantities as the preset's rent parameters imply them (launch steps averaged over its launches)."""
    launches = rent.launches
    step_mean = sum(x.jump_probability * x.jump_mean for x in launches) / len(launches) if launches else None
    step_sd = None
    if launches:
        variances = [
            x.jump_probability * (x.jump_sd**2 + x.jump_mean**2) - (x.jump_probability * x.jump_mean) ** 2
            for x in launches
        ]
        step_sd = math.sqrt(sum(variances) / len(variances))
    total = None if step_mean is None else rent.drift + step_mean
    values: dict[str, float | None] = {
        "start": rent.start,
        "drift": rent.drift,
        "volatility": rent.volatility,
        "cycle_volatility": rent.cycle_volatility,
        "short_run_volatility": math.hypot(rent.volatility, rent.cycle_volatility),
        "price_noise": None,
        "mean_reversion": rent.mean_reversion,
        "launch_step_mean": step_mean,
        "launch_step_sd": step_sd,
        "trend_with_yearly_launch": total,
        "pooled_trend": total,
    }
    values.update({f"ratios.{g}": r for g, r in rent.ratios.items() if g != rent.reference})
    return values


def parameter_rows(fit: RentFit, presets: dict[str, Scenario]) -> list[dict]:
    """Per fitted quantity: fitted, s.e., n, estimator and the presets' values (``start`` first, extrapolated)."""
    implied = {name: preset_values(scenario.rent) for name, scenario in presets.items()}
    as_of = next(iter(presets.values())).as_of
    rows = []
    if REFERENCE in fit.levels:
        note = f"{REFERENCE} fitted curve extrapolated to the presets' as_of {as_of:%Y-%m} ($/GPU-hour)"
        rows.append({"name": "start", "fitted": fit.curve_at(REFERENCE, as_of), "se": None, "n": None, "note": note})
    rows += [{"name": e.name, "fitted": e.value, "se": e.se, "n": e.n, "note": e.estimator} for e in fit.estimates]
    names = {row["name"] for row in rows}
    for generation in sorted({k for values in implied.values() for k in values if k.startswith("ratios.")} - names):
        rows.append({"name": generation, "fitted": None, "se": None, "n": 0, "note": "no same-vendor price pairs"})
    for row in rows:
        for preset in ("base", "bust"):
            row[preset] = implied.get(preset, {}).get(row["name"])
    return rows


def calibration_table(fit: RentFit, presets: dict[str, Scenario]) -> pl.DataFrame:
    """Everything the fit found, in ``SCHEMA``: parameters, launch steps, the data and the curve."""
    rows = [{"section": "parameter", **row} for row in parameter_rows(fit, presets)]
    for event, step, se in fit.launches:
        note = "hits " + " ".join(event.hits) + ("" if step is not None else "; no price change spans it")
        rows.append(
            {"section": "launch", "name": event.generation, "date": event.month, "fitted": step, "se": se, "note": note}
        )
    observations = fit.observations.select(
        pl.lit("observation").alias("section"),
        pl.col("product").alias("name"),
        "generation",
        "vendor",
        "date",
        pl.col("price").alias("value"),
        "fitted",
        pl.when(pl.col("market")).then(pl.lit("market")).otherwise(pl.lit("hyperscaler list")).alias("note"),
    )
    curve = fit.curve.select(pl.lit("curve").alias("section"), "generation", "date", "fitted")
    head = pl.DataFrame(rows, schema=SCHEMA)
    return pl.concat([head, observations, curve], how="diagonal_relaxed").select(
        [pl.col(c).cast(t) for c, t in SCHEMA.items()]
    )
