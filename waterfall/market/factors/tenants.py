"""Tenant credit: default months from demand-tilted hazards, and non-renewal draws.

Tenant default is a doubly stochastic (Cox) time. In month t the integrated
hazard is

    h_t = annual_hazard / 12 * exp(-b * s_t - b**2 * v_t / 2)

where b is ``demand_sensitivity``, s_t is the demand state
(``waterfall.market.factors.demand.demand_state``; negative is weak demand)
and v_t = Var(s_t). Since s_t ~ N(0, v_t), the factor exp(-b s_t - b^2 v_t / 2)
has mean exactly 1. The expected hazard in every month is therefore the base
hazard, and with b = 0 the hazard is exactly the base hazard. The probability
of default by month T is then 1 - E[exp(-sum h)], which by Jensen is slightly
below the base 1 - exp(-annual_hazard * T / 12). The gap is second order in
b and small for small hazards. Weak-demand paths carry more of the defaults,
and that is the wrong-way risk the engine needs.

Draws: one uniform U per path and tenant, E = -ln(U) ~ Exp(1). The tenant
defaults in the first month t in which the cumulative hazard h_0 + ... + h_t
exceeds E, or never (-1) within the horizon. A month's hazard covers that
whole month, so a tenant with base hazard h defaults by the end of month t with
probability 1 - exp(-h (t + 1) / 12).

Tenants are named and may be shared across deals. ``tenant_defaults`` gives
every tenant its own stream keyed by its name
(``waterfall.market.factors.streams``), so adding a tenant or a deal does not
change another tenant's draws. Tenants are correlated only through the common
demand state.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from attrs import field, frozen

from waterfall.market.factors.strategic import strategic_tilt
from waterfall.market.factors.streams import named_streams
from waterfall.market.factors.validate import require_shape, resolve_paths
from waterfall.spec.bounds import at_least, between

NO_DEFAULT = -1


@frozen
class TenantCredit:
    """A named tenant's credit: base default hazard, non-renewal, sensitivity to AI demand.

    - ``annual_hazard``: the base default intensity (per year). The 1-year
      default probability is 1 - exp(-annual_hazard). This is tenant-specific,
      so there is no default. For orientation, S&P's global speculative-grade
      default rate was 3.7% in 2023 and 1.9% in 2022 (S&P 2023 Annual Global
      Corporate Default And Rating Transition Study, table 1), which suits a
      neocloud tenant. The same table's investment-grade rates for 1981-1996
      are 0-0.21% a year, which suits a hyperscaler tenant.
    - ``non_renewal_probability``: the probability that the tenant does not
      renew at the end of a lease (dimensionless). The engine compares it with
      ``renewal_draws``. Default 0: renewal then follows only the lease's own
      ``exercise`` rule.
    - ``demand_sensitivity``: b, the log change in hazard per unit of weak
      demand (per unit of -state; the state has sd 1 once stationary).
      Default 0 (no tilt). There is no calibration: 0.5 makes the hazard about
      2x at a -1.4 sd demand state, which is an assumption.
    - ``rent_elasticity``: the log change in hazard per unit of the lease's
      under-water gap max(0, contract / market rent - 1)
      (``waterfall.market.factors.strategic``). Default 0 (no strategic
      default); at most 20.
    """

    annual_hazard: float = field(metadata=at_least(0))
    non_renewal_probability: float = field(default=0.0, metadata=between(0, 1))
    demand_sensitivity: float = field(default=0.0, metadata=between(-10, 10))
    rent_elasticity: float = field(default=0.0, metadata=between(0, 20))


def monthly_hazard(
    credit: TenantCredit,
    months: int,
    state: np.ndarray | None = None,
    state_variance: np.ndarray | float | None = None,
) -> np.ndarray:
    """The integrated hazard of each month: (months,) without a state or tilt, else (paths, months).

    ``state_variance``: Var(s_t), shaped (months,) or a scalar. Use
    ``demand_state_variance(persistence, months)`` for states from
    ``demand_state``. None means 1 (a stationary unit-variance state).
    """
    base = np.full(months, credit.annual_hazard / 12.0)
    b = credit.demand_sensitivity
    if state is None or b == 0.0:
        return base
    state = np.asarray(state, dtype=np.float64)
    require_shape("state", state, None, months)
    variance = 1.0 if state_variance is None else np.asarray(state_variance, dtype=np.float64)
    return base * np.exp(-b * state - 0.5 * b * b * variance)


def first_passage(cumulative: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """The first month whose cumulative hazard exceeds each path's threshold, or -1. (paths,) int64.

    ``cumulative`` is nondecreasing along its last axis, shaped (months,) or (paths, months).
    """
    months = cumulative.shape[-1]
    if cumulative.ndim == 1:
        month = np.searchsorted(cumulative, threshold, side="right")
    else:
        month = np.count_nonzero(cumulative <= threshold[:, None], axis=1)
    return np.where(month < months, month, NO_DEFAULT).astype(np.int64)


def default_months(
    credit: TenantCredit,
    months: int,
    rng: np.random.Generator,
    state: np.ndarray | None = None,
    *,
    paths: int | None = None,
    state_variance: np.ndarray | float | None = None,
    gap: np.ndarray | None = None,
) -> np.ndarray:
    """The deal month in which the tenant defaults on each path, or -1 if it does not within ``months``: (paths,) int64.

    One uniform per path (inverse cumulative hazard). ``paths`` is needed only
    when ``state`` is None.
    """
    n = resolve_paths(paths, state)
    threshold = -np.log1p(-rng.random(n))  # Exp(1); rng.random() is in [0, 1)
    hazard = strategic_tilt(monthly_hazard(credit, months, state, state_variance), gap, credit.rent_elasticity)
    return first_passage(np.cumsum(hazard, axis=-1), threshold)


def renewal_draws(rng: np.random.Generator, paths: int) -> np.ndarray:
    """One U(0, 1) per path for a renewal decision: the tenant does not renew where it is < non_renewal_probability."""
    return rng.random(paths)


def non_renewals(credit: TenantCredit, draws: np.ndarray) -> np.ndarray:
    """Where the tenant walks at lease end: ``draws < non_renewal_probability`` (bool, shaped like ``draws``)."""
    return np.asarray(draws) < credit.non_renewal_probability


def tenant_defaults(
    tenants: Mapping[str, TenantCredit],
    months: int,
    rng: np.random.Generator,
    state: np.ndarray | None = None,
    *,
    paths: int | None = None,
    state_variance: np.ndarray | float | None = None,
    gaps: Mapping[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Default months (paths,) for each named tenant, each from its own name-keyed stream, in sorted-name order.

    Consumes a fixed four words from ``rng`` whatever the tenants are. A
    tenant's draws depend only on ``rng`` and its own name.
    """
    streams = named_streams(rng, tenants)
    return {
        name: default_months(
            tenants[name],
            months,
            stream,
            state,
            paths=paths,
            state_variance=state_variance,
            gap=None if gaps is None else gaps.get(name),
        )
        for name, stream in streams.items()
    }


def tenant_renewals(tenants: Mapping[str, TenantCredit], rng: np.random.Generator, paths: int) -> dict[str, np.ndarray]:
    """One renewal uniform (paths,) per named tenant, from name-keyed streams (see ``tenant_defaults``).

    A tenant's leases share its draw, so a tenant walks from all of its
    expiring leases on a path or from none. For per-lease decisions, key
    ``named_streams`` by lease name instead.
    """
    return {name: renewal_draws(stream, paths) for name, stream in named_streams(rng, tenants).items()}


def option_renewals(
    options: Mapping[str, tuple[TenantCredit, int]], rng: np.random.Generator, paths: int
) -> dict[str, np.ndarray]:
    """Whether the tenant takes each renewal option, drawn per option per path: (paths, options) bool per lease.

    ``options`` maps a lease name to its tenant's credit and its number of
    options. Each lease draws from its own name-keyed stream (see
    ``tenant_defaults``), one uniform per option per path; the tenant declines an
    option where its uniform is below ``non_renewal_probability``. So declining
    one option says nothing about the next, and a tenant's leases decide apart.
    """
    streams = named_streams(rng, options)
    return {name: ~non_renewals(options[name][0], streams[name].random((paths, options[name][1]))) for name in streams}
