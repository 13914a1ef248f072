"""Residual (collateral) value of a GPU fleet, and what it fetches in a forced sale.

Value per unit of original cost, for a fleet delivered in deal month d:

    V(t) = age_factor(t - d) * (R(t) / B(t)) ** rent_elasticity     for t >= d, else 0

``age_factor`` is the orderly-sale vintage curve (``ResidualCurve``). R is
the market rent of the fleet's generation. B is the benchmark rent: by
default each path's rent at delivery. The vintage curve is fitted to
secondary prices that already include normal rent deflation, so dividing by
the rent at delivery counts expected deflation twice: once in the age curve
and once in the rent ratio. Pass ``benchmark = rent_trend(model, months)[g]``
so that only the deviations of rent from its expected trend move the value.
Before delivery the fleet is worth 0, as in ``waterfall.engine.collateral``.
Values are not capped at 1. In a shortage used GPUs can sell above cost.

Sources (shared/research/gpu_rent.md §3 and §6, and
shared/research/data/spotwire_gpu_residual_factors_excerpt.csv, SpotWire,
CC-BY-4.0, as of 2026-06-04):

* The SpotWire H100 PCIe vintage curve for years 0-4 is 1.00 / 0.78 / 0.60 /
  0.46 / 0.35. The note extends it at x0.77 a year to 0.27 and 0.21 for years
  5 and 6. Declining balance to a salvage of 0.21 over 72 months is
  0.21 ** (1/6) = 0.771 a year, which gives 0.771 / 0.594 / 0.458 / 0.353 /
  0.272 / 0.210 for years 1-6. That is within 0.01 of every point, so it is the
  default ``ResidualCurve``.
* The note's stress curve (V100-like) is 0.60 / 0.40 / 0.25 / 0.15 / 0.10 /
  0.07. Declining balance to 0.07 over 72 months (0.642 a year) gives 0.642 /
  0.412 / 0.265 / 0.170 / 0.109 / 0.070 (``STRESS_CURVE``). That is within
  0.02 of each point except year 1 (0.64 against 0.60): the V100 history is
  steeper early on.
* Straight-line is what owners book. The disclosed median is 19.5% a year
  (SpotWire), and CoreWeave uses a 6-year life (note §3). It is available with
  ``method = "straight_line"``.
* SpotWire liquidation factors on orderly value: orderly 180 days 1.00,
  broker 90 days 0.85, auction 30 days 0.65, distressed 7 days 0.45.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from attrs import field, frozen

from waterfall.spec.bounds import at_least, between


@frozen
class ResidualCurve:
    """The orderly-sale value of a GPU fleet per unit of original cost, by age, and its link to rent.

    - ``useful_life_months``: the age at which value reaches salvage (months).
      Value stays at salvage afterwards. Default 72 (6 years; the note's table
      runs to year 6, and CoreWeave, Microsoft and Alphabet use 6 years, note §3).
    - ``salvage``: the value at the end of useful life (fraction of cost).
      Default 0.21 (note §6 base, year 6). 0.07 is the stress value.
    - ``method``: "declining_balance" (value = salvage ** (age / life), a
      constant rate a year) or "straight_line" (value = 1 - (1 - salvage) *
      age / life). Default "declining_balance", which fits the SpotWire curve;
      see the module docstring.
    - ``rent_elasticity``: beta, the elasticity of value to the rent ratio
      (dimensionless). Default 1.0 (note §6: "beta ≈ 1").
    """

    useful_life_months: int = field(default=72, metadata=at_least(1))
    salvage: float = field(default=0.21, metadata=between(0, 1))
    method: Literal["straight_line", "declining_balance"] = "declining_balance"
    rent_elasticity: float = field(default=1.0, metadata=at_least(0))


@frozen
class LiquidationModel:
    """The forced-sale haircut on orderly value after a default: base, volume, bust, and the delay.

    haircut = min(1, base_haircut + volume_haircut * share_sold + bust_haircut * [rent_ratio < bust_threshold])

    - ``base_haircut``: the haircut of a small sale in a normal market (fraction
      of orderly value). Default 0.35 (SpotWire auction_30d factor 0.65). Add the
      note's 3-5% selling cost here if it is not modelled as an expense.
    - ``volume_haircut``: the extra haircut per unit of fleet share sold in the
      same month (fraction per fraction of the fleet). Default 0.10.
    - ``bust_haircut``: the extra haircut when the rent ratio is below
      ``bust_threshold`` (fraction). Default 0.10. With the defaults, selling
      the whole fleet in a bust costs 0.35 + 0.10 + 0.10 = 0.55, which is
      SpotWire's distressed_7d factor of 0.45. Splitting the 0.20 spread
      between auction and distressed equally across volume and bust is an
      assumption.
    - ``bust_threshold``: the rent ratio (current rent over its benchmark)
      below which the market is "bust" (dimensionless). Default 0.7, which is
      the 2024 "-30% in two months" move (note §6). Measure the ratio against
      the trend (``rent_trend``), not the start. Otherwise ordinary deflation
      alone trips the test after about 3 years.
    - ``lag_months``: the months from enforcement to the sale proceeds
      (months). Default 4 (note §6: 3-6 months). The engine applies it;
      ``sale_price`` does not.
    """

    base_haircut: float = field(default=0.35, metadata=between(0, 1))
    volume_haircut: float = field(default=0.10, metadata=at_least(0))
    bust_haircut: float = field(default=0.10, metadata=at_least(0))
    bust_threshold: float = field(default=0.7, metadata=at_least(0))
    lag_months: int = field(default=4, metadata=at_least(0))


# The note's stress case: the V100-like vintage curve; a distressed 7-day sale
# (x0.45); an extra 0.15 for rack-scale liquid-cooled systems that few sites can
# host (note §6: -10-20%); and the slow end of the 3-6 month lag.
STRESS_CURVE = ResidualCurve(salvage=0.07)
STRESS_LIQUIDATION = LiquidationModel(base_haircut=0.55, volume_haircut=0.10, bust_haircut=0.15, lag_months=6)


def age_factor(curve: ResidualCurve, age_months: np.ndarray | float) -> np.ndarray:
    """The orderly value per unit of cost at each age in months.

    It is 0 before delivery (age < 0) and salvage once the useful life is over.
    """
    age = np.asarray(age_months, dtype=np.float64)
    used = np.clip(age / curve.useful_life_months, 0.0, 1.0)
    if curve.method == "straight_line":
        value = 1.0 - (1.0 - curve.salvage) * used
    elif curve.method == "declining_balance":
        if curve.salvage <= 0.0:
            raise ValueError("salvage: expected a number > 0 for declining_balance, found 0")
        value = curve.salvage**used
    else:
        raise ValueError(f"method: expected 'straight_line' or 'declining_balance', found {curve.method!r}")
    return np.where(age >= 0.0, value, 0.0)


def residual_values(
    curve: ResidualCurve,
    delivery_month: int,
    rent: np.ndarray,
    benchmark: np.ndarray | None = None,
) -> np.ndarray:
    """Fleet value per unit of original cost, (paths, months): age factor x (rent / benchmark) ** elasticity.

    ``rent``: the market rent of the fleet's generation, (paths, months).
    ``benchmark``: (months,) or (paths, months). None means each path's rent
    in the delivery month, or month 0 if the fleet was delivered before
    closing. The value is 0 before delivery.
    """
    rent = np.asarray(rent, dtype=np.float64)
    if rent.ndim != 2:
        raise ValueError(f"rent: expected shape (paths, months), found {rent.shape}")
    months = rent.shape[1]
    if benchmark is None:
        if delivery_month >= months:
            return np.zeros_like(rent)
        bench = rent[:, [max(delivery_month, 0)]]
    else:
        bench = np.asarray(benchmark, dtype=np.float64)
    ratio = rent / bench
    age = age_factor(curve, np.arange(months, dtype=np.float64) - delivery_month)
    return age * ratio**curve.rent_elasticity


def haircut(share_sold: np.ndarray | float, rent_ratio: np.ndarray | float, model: LiquidationModel) -> np.ndarray:
    """The forced-sale haircut in [0, 1]. It increases with the share of the fleet sold and with a bust market."""
    share = np.asarray(share_sold, dtype=np.float64)
    bust = np.asarray(rent_ratio, dtype=np.float64) < model.bust_threshold
    raw = model.base_haircut + model.volume_haircut * share + model.bust_haircut * bust
    return np.clip(raw, 0.0, 1.0)


def sale_price(
    book_value: np.ndarray | float,
    share_sold: np.ndarray | float,
    rent_ratio: np.ndarray | float,
    model: LiquidationModel,
) -> np.ndarray:
    """Forced-sale proceeds: book_value x (1 - haircut). The inputs broadcast.

    The haircut is capped at 1, so proceeds are never negative.

    ``book_value``: the orderly value being sold ($). ``share_sold``: the
    fraction of the fleet sold in the same month. ``rent_ratio``: rent over its
    benchmark (see ``LiquidationModel.bust_threshold``).
    """
    return np.asarray(book_value, dtype=np.float64) * (1.0 - haircut(share_sold, rent_ratio, model))
