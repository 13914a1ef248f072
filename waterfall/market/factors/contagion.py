"""Default months of obligors linked by dependencies: contagion on each path.

Obligors are drawn in topological order (every obligor after those it depends
on). Each has the Cox hazard of ``waterfall.market.factors.tenants`` and its own
name-keyed stream, so its exponential threshold never depends on which other
obligors exist. On a path where an obligor it depends on with share ``s``
defaults in month m, its monthly hazard from month m on is

    h_t' = h_t + s * jump / 12

(``jump`` an annual hazard; the step is added, not multiplied, so a dependent
with a zero base hazard can still fail through its dependency). An upstream
obligor that never defaults on a path changes nothing on it. A forced default
(a conditioning event) replaces an obligor's drawn month on every path, and its
dependents then react to it like to a drawn default.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from waterfall.market.factors.strategic import strategic_tilt
from waterfall.market.factors.streams import named_streams
from waterfall.market.factors.tenants import TenantCredit, first_passage, monthly_hazard


def topological(names: Mapping[str, object], dependencies: Mapping[str, Mapping[str, float]]) -> list[str]:
    """``names`` ordered so each comes after every name it depends on (ties by name).

    Raises ``ValueError`` on a cycle (the registry's checks report it first as input).
    """
    order: list[str] = []
    done: set[str] = set()
    remaining = sorted(names)
    while remaining:
        ready = [n for n in remaining if all(d in done or d not in names for d in dependencies.get(n, {}))]
        if not ready:
            raise ValueError(f"dependency cycle among {remaining}")
        order += ready
        done |= set(ready)
        remaining = [n for n in remaining if n not in done]
    return order


def contagion_hazard(
    base: np.ndarray, upstream: Mapping[str, tuple[np.ndarray, float]], jump: float, paths: int
) -> np.ndarray:
    """The monthly hazard (paths, months) after the jumps of the upstream defaults.

    ``base`` is (months,) or (paths, months); ``upstream`` maps a name to its
    default months (paths,) and the dependent's share of it.
    """
    months = base.shape[-1]
    hazard = np.broadcast_to(base, (paths, months)).astype(np.float64, copy=True)
    t = np.arange(months)
    for month, share in upstream.values():
        hit = (month >= 0)[:, None] & (t[None, :] >= month[:, None])
        hazard += share * jump / 12.0 * hit
    return hazard


def contagion_defaults(
    credits: Mapping[str, TenantCredit],
    dependencies: Mapping[str, Mapping[str, float]],
    jump: float,
    months: int,
    rng: np.random.Generator,
    state: np.ndarray | None = None,
    *,
    paths: int,
    state_variance: np.ndarray | float | None = None,
    forced: Mapping[str, int] | None = None,
    gaps: Mapping[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Default months (paths,) for each obligor in ``credits``, -1 for never within ``months``.

    Consumes the same four words of ``rng`` as ``tenant_defaults`` and draws each
    obligor's threshold from the same name-keyed stream, so with no dependencies
    and nothing forced the result equals ``tenant_defaults``. ``forced`` maps a
    name to a month: < 0 means it has defaulted by month 0, >= ``months`` means
    not within the horizon.
    """
    forced = forced or {}
    streams = named_streams(rng, credits)
    out: dict[str, np.ndarray] = {}
    for name in topological(credits, dependencies):
        threshold = -np.log1p(-streams[name].random(paths))  # drawn even when forced: streams stay aligned
        credit = credits[name]
        # strategic default first (the tenant's own leases under water), then contagion on top
        gap = None if gaps is None else gaps.get(name)
        base = strategic_tilt(monthly_hazard(credit, months, state, state_variance), gap, credit.rent_elasticity)
        upstream = {up: (out[up], share) for up, share in dependencies.get(name, {}).items() if up in out}
        hazard = contagion_hazard(base, upstream, jump, paths)
        drawn = first_passage(np.cumsum(hazard, axis=-1), threshold)
        if name in forced and forced[name] < months:
            # a forced default by that month: a path where it defaults earlier keeps its own date,
            # so conditioning on an event that already happens leaves the path as it was
            month = max(forced[name], 0)
            drawn = np.where((drawn >= 0) & (drawn <= month), drawn, month).astype(np.int64)
        out[name] = drawn
    return out
