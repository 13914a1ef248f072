"""Rent observations simulated from the rent factor: the calibration's bootstrap and its recovery test.

``simulate_observations`` draws one market history with
``waterfall.market.factors.rent.rent_paths`` (one path, monthly from the month
of the first observation) and prices every row of a template of observations
(its dates, vendors, products, generations) on it:

    ln price = ln rent_g(month of the date) + vendor markup + price noise

The markup is one normal draw per vendor (it cancels in every estimator), the
noise one draw per row. The fit's standard errors are the spread of refits on
such histories simulated with the fitted parameters (a parametric bootstrap):
the changes of different vendors' series overlap in time and share the same
market shocks, which least-squares formulas would count as independent.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from waterfall.market.factors.rent import Launch, RentModel, rent_paths
from waterfall.market.rent_data import LaunchEvent

MARKUP_SD = 0.3  # vendors' markups differ by tens of percent (Lambda $2.99 vs CR8DL $3.95, H100, Mar 2025)


def month_index(first: dt.date, date: dt.date) -> int:
    return (date.year - first.year) * 12 + date.month - first.month


def model_launches(launches: tuple[LaunchEvent, ...], first: dt.date, steps: dict[int, float]) -> tuple[Launch, ...]:
    """The data's launches as the factor's, each with a known step (``steps`` by launch position)."""
    out = []
    for k, event in enumerate(launches):
        month = month_index(first, event.month)
        if month >= 1 and k in steps:  # a launch at or before the first price moves no change
            out.append(Launch(month, 1.0, steps[k], 0.0, event.hits, event.spread_months))
    return tuple(out)


def simulate_observations(
    template: pl.DataFrame, model: RentModel, price_noise: float, rng: np.random.Generator
) -> pl.DataFrame:
    """``template``'s rows priced on one simulated market (columns as ``RentData.observations``)."""
    first = template["date"].min()
    first = dt.date(first.year, first.month, 1)
    months = np.array([month_index(first, d) for d in template["date"]])
    rents = rent_paths(model, int(months.max()) + 1, rng, paths=1)
    vendors = sorted(set(template["vendor"]))
    markups = dict(zip(vendors, MARKUP_SD * rng.standard_normal(len(vendors)), strict=True))
    generations = template["generation"].to_list()
    log_rent = np.array([np.log(rents[g][0, m]) for g, m in zip(generations, months, strict=True)])
    log_price = (
        log_rent
        + np.array([markups[v] for v in template["vendor"]])
        + price_noise * rng.standard_normal(template.height)
    )
    return template.with_columns(pl.Series("price", np.exp(log_price)))
