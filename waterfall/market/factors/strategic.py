"""Strategic default: how far each tenant's leases are under water on each path.

A tenant whose lease costs more than the market would charge it for the same
capacity has a reason to walk, and under stress it defaults more. The tenant
hazard (``waterfall.market.factors.tenants``) is tilted by the gap

    g_t = max(0, contract_t / market_t - 1)

as h_t = base_t * exp(rent_elasticity * g_t). With elasticity 0 the factor is
exactly 1 and the hazard is bit-identical to the untilted one; since g_t >= 0
a higher elasticity never lowers a hazard.

Contract and market rent of one lease in month t of its initial term:

- per-GPU-hour rent: the lease's rate (with its escalator, counted in whole
  years from the lease start; an indexed escalator on the path's own index,
  as the engine escalates it) against the path's GPU rent of the leased
  fleet's generation;
- per-MW and fixed rent: the contract rent against the contract rent at
  closing times the lease's campus market rent factor, where the deal reads
  that factor (a lease with a market renewal, a walk-away option or
  re-letting); a lease that reads no campus rent has no gap.

Outside the initial term (before the start, after the end, renewals) the gap
is 0. A tenant with several leases takes the largest gap of any of them in
each month. Construction delays are not seen here (the market is generated
before the engine draws them); the gap runs on the planned lease dates.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from waterfall.market.escalation import fixed_growth, indexed_growth
from waterfall.spec.deal import Deal
from waterfall.spec.lease import Lease, PerGpuHourRent


def _escalation(lease: Lease, start: int, months: int, index: Mapping[str, np.ndarray], paths: int) -> np.ndarray:
    """A fixed escalator's growth since the lease start, (months,), stepped as the engine
    steps it; an indexed escalator's on each path's index, (paths, months)."""
    terms = lease.escalator_index
    if terms is not None:
        if terms.index not in index:
            raise ValueError(f"market.index: expected {terms.index!r} for lease {lease.name!r}, found {sorted(index)}")
        return indexed_growth(lease, index[terms.index][:, :months], np.full(paths, start))
    return np.asarray(fixed_growth(lease, np.maximum(np.arange(months) - start, 0)))


def lease_gap(
    deal: Deal,
    lease: Lease,
    gpu_rent: Mapping[str, np.ndarray],
    campus_rent: Mapping[str, np.ndarray],
    paths: int,
    index: Mapping[str, np.ndarray] | None = None,
) -> np.ndarray | None:
    """max(0, contract / market - 1) of one lease, (paths, months), or None when it has no market rent.

    ``index``: the market's rate indices (paths, months) by name, which an indexed escalator reads."""
    months = deal.calendar.horizon_months
    start = deal.calendar.month_of(lease.start)
    t = np.arange(months)
    live = (t >= start) & (t < start + lease.term_months)
    rent = lease.rent
    if isinstance(rent, PerGpuHourRent):
        generation = next(f.generation for f in deal.fleets if f.name == rent.fleet)
        market = gpu_rent.get(generation)
        if market is None:
            return None
        contract = rent.rate * _escalation(lease, start, months, index or {}, paths)
    else:
        factor = campus_rent.get(lease.market_rent) if lease.reads_campus_rent else None
        if factor is None:
            return None
        # both in units of the closing contract rent
        market, contract = factor, _escalation(lease, start, months, index or {}, paths)
    market = np.broadcast_to(market, (paths, months))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(market > 0, contract / np.where(market > 0, market, 1.0), np.inf)
    # a market rent of zero is an infinite gap: any positive elasticity then defaults the tenant
    return np.where(live, np.maximum(ratio - 1.0, 0.0), 0.0)


def tenant_gaps(
    deal: Deal,
    gpu_rent: Mapping[str, np.ndarray],
    campus_rent: Mapping[str, np.ndarray],
    paths: int,
    index: Mapping[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Each leasing tenant's under-water gap, (paths, months): the largest of its leases' in each month."""
    gaps: dict[str, np.ndarray] = {}
    for lease in deal.leases:
        gap = lease_gap(deal, lease, gpu_rent, campus_rent, paths, index)
        if gap is None:
            continue
        gaps[lease.tenant] = gap if lease.tenant not in gaps else np.maximum(gaps[lease.tenant], gap)
    return gaps


def strategic_tilt(hazard: np.ndarray, gap: np.ndarray | None, elasticity: float) -> np.ndarray:
    """hazard * exp(elasticity * gap); the hazard itself (the same array) when elasticity is 0 or there is no gap."""
    if gap is None or elasticity == 0.0:
        return hazard
    with np.errstate(over="ignore"):
        factor = np.exp(elasticity * gap)
    tilted = hazard * factor
    # 0 * inf (a zero base hazard at an infinite gap) stays 0: no base hazard, no default
    return np.where(hazard == 0.0, 0.0, tilted)


def median_default_months(monthly_hazard: np.ndarray) -> np.ndarray:
    """The first month whose cumulative hazard reaches ln 2 (the median default time), or -1: (paths,) int64.

    ``monthly_hazard``: (paths, months). The deterministic stand-in for a drawn
    default time, as the ``hazard`` breakeven stress uses.
    """
    reached = np.cumsum(monthly_hazard, axis=1) >= np.log(2.0)
    return np.where(reached.any(axis=1), reached.argmax(axis=1), -1).astype(np.int64)
