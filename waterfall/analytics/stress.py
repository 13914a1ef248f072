"""The six one-parameter stresses a breakeven moves, each a deformation of the deal's own
deterministic market (``waterfall.market.curves.base_case``), one level per path.

Definitions, units and default search ranges are in ``docs/analytics.md``:

- ``rent_drift``: a shift added to every GPU rent curve's own ``annual_change``; under the
  ``base`` preset's strategic default (``rent_elasticity``) each leasing tenant then defaults
  at the median of its rent-tilted hazard, so fixed-rent GPU leases feel the drift too;
- ``haircut``: the forced-sale haircut, with the deal's main tenant defaulting at a stated month;
- ``hazard``: every counterparty's annual default hazard, each defaulting at its median time;
- ``rate_shock``: a parallel shift of every index curve, in bp;
- ``launch_jump``: a log drop of every GPU rent at each launch of the ``base`` preset;
- ``delay``: months of construction delay.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import attrs
import numpy as np
from attrs import frozen

from waterfall.market.curves import Market, base_case
from waterfall.market.factors.strategic import median_default_months, strategic_tilt, tenant_gaps
from waterfall.market.scenario import load_scenario
from waterfall.spec.deal import Deal
from waterfall.spec.lease import FixedRent, Lease, PerGpuHourRent, PerMwRent
from waterfall.spec.tranche import FloatingCoupon

LN2 = math.log(2.0)
HOURS_PER_MONTH = 730.0  # only to rank tenants by contracted rent


@frozen
class Factor:
    """A stress's name, unit and default search range, from its benign end (no stress) to its harsh end."""

    name: str
    unit: str
    benign: float
    harsh: float
    discrete: bool  # the outcome changes only at known levels, which the grid visits all of
    meaning: str

    @property
    def harsher_upwards(self) -> bool:
        return self.harsh > self.benign


FACTORS = {
    f.name: f
    for f in (
        Factor("rent_drift", "annual change shift", 0.0, -0.80, False, "added to each GPU rent curve's annual change"),
        Factor("haircut", "share of value", 0.0, 1.0, False, "forced-sale haircut after the main tenant defaults"),
        Factor("hazard", "per year", 0.0, 10.0, True, "every counterparty defaults at its median default month"),
        Factor("rate_shock", "bp", 0.0, 2000.0, False, "parallel shift of every index curve"),
        Factor("launch_jump", "log drop per launch", 0.0, 2.0, False, "GPU rents fall at each base-preset launch"),
        Factor("delay", "months", 0.0, 60.0, True, "construction delay of every asset still to be built"),
    )
}


def read_indices(deal: Deal) -> set[str]:
    """The rate indices the deal's floating coupons and hedges read."""
    return {t.coupon.index for t in deal.tranches if isinstance(t.coupon, FloatingCoupon)} | {
        h.index for h in deal.hedges
    }


def launch_months(deal: Deal) -> list[tuple[int, int]]:
    """(deal month, months spread over) of each ``base`` preset launch after closing and within the horizon."""
    launches = load_scenario("base").rent.launches
    months = [(deal.calendar.month_of(launch.date), launch.spread_months) for launch in launches]
    return [(m, spread) for m, spread in months if 1 <= m < deal.calendar.horizon_months]


def building(deal: Deal) -> bool:
    """Whether any asset is still to be built at closing (what a construction delay moves)."""
    planned = [deal.calendar.month_of(f.delivery) for f in deal.fleets]
    planned += [deal.calendar.month_of(c.completion) for c in deal.campuses]
    return any(m > 0 for m in planned)


def _gpu_rent_curves(deal: Deal) -> dict[str, tuple[float, float]]:
    """(start, annual change) of every GPU generation the deal's fleets or curves have: the deal's
    own curve, else the ``base`` preset's closing rent (start x ratio) on its drift."""
    rent = load_scenario("base").rent
    curves = {g: (c.start, c.annual_change) for g, c in deal.market.gpu_rent.items()}
    for fleet in deal.fleets:
        if fleet.generation not in curves and fleet.generation in rent.ratios:
            curves[fleet.generation] = (rent.start * rent.ratios[fleet.generation], math.expm1(rent.drift))
    return curves


def strategic_tenants(deal: Deal) -> list[str]:
    """Leasing tenants with a GPU lease whose hazard the ``base`` preset tilts by the rent gap."""
    credit = load_scenario("base").credit
    fleets = set(_gpu_rent_curves(deal))
    gpu = {f.name for f in deal.fleets if f.generation in fleets}
    return sorted(
        {
            lease.tenant
            for lease in deal.leases
            if isinstance(lease.rent, PerGpuHourRent)
            and lease.rent.fleet in gpu
            and credit.of(lease.tenant).rent_elasticity > 0
        }
    )


def not_applicable(deal: Deal, factor: str) -> str | None:
    """Why ``factor`` cannot move ``deal`` at all, or None when it can."""
    if factor == "rent_drift" and not deal.market_rent_generations and not strategic_tenants(deal):
        return "the deal reads no GPU market rent and no GPU lease's tenant defaults strategically"
    if factor == "launch_jump" and not deal.market_rent_generations:
        return "the deal reads no GPU market rent"
    if factor == "launch_jump" and not launch_months(deal):
        return "no base-preset launch falls within the deal's horizon"
    if factor == "rate_shock" and not read_indices(deal):
        return "no tranche or hedge of the deal reads a rate index"
    if factor == "delay" and not building(deal):
        return "the deal has nothing to build"
    if factor in ("hazard", "haircut") and not deal.counterparties:
        return "the deal has no tenant or guarantor"
    return None


def _contracted(lease: Lease) -> float:
    rent = lease.rent
    if isinstance(rent, FixedRent):
        monthly = rent.monthly
    elif isinstance(rent, PerMwRent):
        monthly = rent.rate_per_mw_month * rent.mw
    else:
        monthly = rent.rate * rent.gpus * HOURS_PER_MONTH * (1.0 if lease.take_or_pay else rent.utilisation)
    return monthly * lease.term_months


def main_tenant(deal: Deal) -> str:
    """The tenant with the most contracted rent over its leases' terms (first by name on a tie)."""
    totals: dict[str, float] = {}
    for lease in deal.leases:
        totals[lease.tenant] = totals.get(lease.tenant, 0.0) + _contracted(lease)
    if not totals:
        return deal.counterparties[0]
    return min(totals, key=lambda name: (-totals[name], name))


def main_tenant_default_month(deal: Deal) -> int:
    """Twelve months after the main tenant's first lease starts (at closing at the earliest),
    within the horizon: the default the ``haircut`` stress assumes unless told otherwise."""
    tenant = main_tenant(deal)
    starts = [max(deal.calendar.month_of(lease.start), 0) for lease in deal.leases if lease.tenant == tenant]
    return min((min(starts) if starts else 0) + 12, deal.calendar.horizon_months - 1)


def default_month_at(hazard: np.ndarray, horizon: int) -> np.ndarray:
    """The month a counterparty with annual ``hazard`` has defaulted by with probability one half:
    the first month t with 1 - exp(-hazard (t + 1) / 12) >= 1/2; -1 (never) when outside the horizon."""
    hazard = np.asarray(hazard, dtype=np.float64)
    with np.errstate(divide="ignore"):
        median = np.where(hazard > 0, 12.0 * LN2 / np.where(hazard > 0, hazard, 1.0), np.inf)
    month = np.ceil(median - 1e-9) - 1.0  # 1e-9: a level on a boundary counts in the earlier month
    return np.where(np.isfinite(month) & (month < horizon), np.maximum(month, 0.0), -1.0).astype(np.int64)


def hazard_boundaries(horizon: int) -> np.ndarray:
    """The smallest hazard that defaults in each month 0 .. horizon - 1 (decreasing with the month)."""
    return 12.0 * LN2 / (np.arange(horizon, dtype=np.float64) + 1.0)


def _strategic_defaults(
    deal: Deal, rents: dict[str, np.ndarray], paths: int, index: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Each strategic tenant's median default month under the ``base`` preset's hazard tilted by
    its GPU leases' rent gap on these rents (the demand state at its neutral 0)."""
    credit = load_scenario("base").credit
    months = next(iter(rents.values())).shape[1] if rents else 0
    gaps = tenant_gaps(deal, rents, {}, paths, index)
    defaults = {}
    for tenant in strategic_tenants(deal):
        party = credit.of(tenant)
        hazard = np.full((paths, months), party.annual_hazard / 12.0)
        defaults[tenant] = median_default_months(strategic_tilt(hazard, gaps.get(tenant), party.rent_elasticity))
    return defaults


def _tile(base: Market, paths: int) -> dict[str, object]:
    return {
        "gpu_rent": {g: np.repeat(a, paths, axis=0) for g, a in base.gpu_rent.items()},
        "index": {i: np.repeat(a, paths, axis=0) for i, a in base.index.items()},
        "prices": {c: np.repeat(a, paths, axis=0) for c, a in base.prices.items()},
        "campus_rent": {c: np.repeat(a, paths, axis=0) for c, a in base.campus_rent.items()},
        "credit_spread": {r: np.repeat(a, paths, axis=0) for r, a in base.credit_spread.items()},
        "paths": paths,
    }


def stressed(
    deal: Deal, factor: str, levels: np.ndarray, default_month: int | None = None
) -> Iterator[tuple[Deal, Market]]:
    """(deal, market) blocks covering ``levels`` in order, one path per level.

    Every stress is a market deformation run in one block, except a haircut on a deal
    with campuses: the engine sells campuses at the deal's own ``enforcement.haircut``
    (a market haircut reaches GPU fleets only), so each level is its own deal and block.
    """
    levels = np.asarray(levels, dtype=np.float64)
    n = levels.size
    months = deal.calendar.horizon_months
    base = base_case(deal)
    fields = _tile(base, n)
    t = np.arange(months, dtype=np.float64)
    if factor == "rent_drift":
        curves = _gpu_rent_curves(deal)
        rents = {
            g: start * np.maximum(1.0 + change + levels[:, None], 0.0) ** (t / 12.0)
            for g, (start, change) in curves.items()
        }
        fields["gpu_rent"] = {g: rents[g] for g in deal.market.gpu_rent}
        fields["tenant_default"] = _strategic_defaults(deal, rents, n, fields["index"])
    elif factor == "launch_jump":
        steps = np.zeros(months)
        for month, spread in launch_months(deal):
            steps[month : month + spread] += 1.0 / spread  # the drop spreads in equal log parts
        drop = np.exp(-levels[:, None] * np.cumsum(steps)[None, :])
        fields["gpu_rent"] = {g: a * drop for g, a in fields["gpu_rent"].items()}
    elif factor == "rate_shock":
        fields["index"] = {i: a + levels[:, None] / 1e4 for i, a in fields["index"].items()}
    elif factor == "hazard":
        when = default_month_at(levels, months)
        fields["tenant_default"] = {name: when.copy() for name in deal.counterparties}
    elif factor == "delay":
        fields["construction_delay"] = np.rint(levels).astype(np.int64)
    elif factor == "haircut":
        month = main_tenant_default_month(deal) if default_month is None else default_month
        fields["tenant_default"] = {main_tenant(deal): np.full(n, month, dtype=np.int64)}
        fields["sale_haircut"] = np.repeat(levels[:, None], months, axis=1)
        if deal.campuses:
            for i, level in enumerate(levels):
                one = _tile(base, 1)
                one["tenant_default"] = {main_tenant(deal): np.array([month], dtype=np.int64)}
                one["sale_haircut"] = fields["sale_haircut"][i : i + 1]
                enforcement = attrs.evolve(deal.enforcement, haircut=float(level))
                yield attrs.evolve(deal, enforcement=enforcement), Market(**one)
            return
    else:
        raise ValueError(f"unknown factor {factor!r}: expected one of {sorted(FACTORS)}")
    yield deal, Market(**fields)
