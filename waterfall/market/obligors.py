"""The obligor registry: who the tenants, guarantors and their upstream names are, and how likely each is to default.

The shipped registry (``waterfall/market/data/obligors.toml``) names each
obligor's ultimate parent, its rating and/or CDS spread with their sources, an
optional hand-set hazard, and its dependencies (obligor -> share of its revenue
or backlog that rests on another obligor). A scenario's ``[credit.obligors]``
turns it on, scales it, adds or replaces entries and may force a default
(docs/obligors.md). The annual default intensity of an obligor is, in order:

- a hand-set ``hazard`` (labelled ``hand-set``);
- a CDS spread: hazard = spread / (1 - recovery);
- a rating: hazard = -ln(1 - p), p the table's one-year default rate.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from attrs import evolve, field, frozen

from waterfall.errors import InputError, Problem, key_path
from waterfall.market.factors.tenants import TenantCredit
from waterfall.spec.bounds import at_least, between
from waterfall.spec.load import read_toml, structure


@frozen
class Rating:
    agency: str
    grade: str
    source: str = ""


@frozen
class Cds:
    """A CDS spread in basis points a year; ``recovery`` is required with it (no silent 40%)."""

    spread_bp: float = field(metadata=at_least(0))
    recovery: float | None = field(default=None, metadata=between(0, 0.999))
    as_of: dt.date | None = None
    source: str = ""


@frozen
class Obligor:
    parent: str = ""  # the ultimate parent; empty means the obligor is its own
    rating: Rating | None = None
    cds: Cds | None = None
    hazard: float | None = field(default=None, metadata=at_least(0))  # hand-set annual hazard
    source: str = ""
    dependencies: dict[str, float] = field(factory=dict)


@frozen
class DefaultTable:
    """One-year default rates (probabilities) by rating grade, and where they come from."""

    source: str
    rates: dict[str, float]


@frozen
class Registry:
    default_rates: DefaultTable
    obligors: dict[str, Obligor] = field(factory=dict)


@frozen
class ObligorCredit:
    """A scenario's ``[credit.obligors]``: use the registry, scaled, with its own entries and conditioning events."""

    hazard_multiple: float = field(default=1.0, metadata=at_least(0))
    contagion_jump: float = field(default=1.0, metadata=at_least(0))  # stated assumption (docs/obligors.md)
    required: bool = False  # every tenant and guarantor must be in the registry or named in credit.tenants
    obligors: dict[str, Obligor] = field(factory=dict)  # added to, or replacing, the shipped entries by name
    forced: dict[str, dt.date] = field(factory=dict)  # conditioning events: obligor -> month of default


REGISTRY_FILE = ("data", "obligors.toml")


def rating_hazard(grade: str, table: DefaultTable) -> float:
    """hazard = -ln(1 - p): the constant intensity whose one-year default probability is the table's p."""
    return -math.log1p(-table.rates[grade])


def cds_hazard(cds: Cds) -> float:
    """hazard = spread / (1 - recovery), the credit-triangle intensity (spread in bp)."""
    if cds.recovery is None:
        raise ValueError("a CDS spread needs its recovery")
    return cds.spread_bp / 1e4 / (1.0 - cds.recovery)


def hazard_of(obligor: Obligor, table: DefaultTable) -> tuple[float, str]:
    """An obligor's annual hazard and what it comes from: ``hand-set``, ``cds`` or ``rating``."""
    if obligor.hazard is not None:
        return obligor.hazard, "hand-set"
    if obligor.cds is not None:
        return cds_hazard(obligor.cds), "cds"
    if obligor.rating is not None:
        return rating_hazard(obligor.rating.grade, table), "rating"
    raise ValueError("an obligor needs a hazard, a CDS spread or a rating")


def registry_problems(registry: Registry, prefix: str = "") -> list[Problem]:
    """Unknown dependencies, cycles, grades not in the table, CDS without recovery, shares outside [0, 1]."""
    problems: list[Problem] = []
    names = registry.obligors
    for name, ob in sorted(names.items()):
        at = key_path(f"{prefix}obligors", name)
        if ob.hazard is None and ob.cds is None and ob.rating is None:
            problems.append(Problem(at, "expected a hazard, a cds or a rating, found none"))
        if ob.rating is not None and ob.rating.grade not in registry.default_rates.rates:
            grades = sorted(registry.default_rates.rates)
            problems.append(Problem(f"{at}.rating.grade", f"expected one of {grades}, found {ob.rating.grade!r}"))
        if ob.cds is not None and ob.cds.recovery is None:
            problems.append(
                Problem(f"{at}.cds.recovery", "expected a recovery rate in [0, 1) with the spread, found none")
            )
        if ob.parent and ob.parent not in names:
            problems.append(Problem(f"{at}.parent", f"expected an obligor of the registry, found {ob.parent!r}"))
        for up, share in sorted(ob.dependencies.items()):
            where = key_path(f"{at}.dependencies", up)
            if up not in names:
                problems.append(Problem(where, f"expected an obligor of the registry, found {up!r}"))
            if not 0.0 <= share <= 1.0:
                problems.append(Problem(where, f"expected a share in [0, 1], found {share!r}"))
    cycle = _cycle(names)
    if cycle:
        problems.append(
            Problem(f"{prefix}obligors", f"expected dependencies without a cycle, found {' -> '.join(cycle)}")
        )
    for grade, p in sorted(registry.default_rates.rates.items()):
        if not 0.0 <= p < 1.0:
            problems.append(Problem(key_path("default_rates.rates", grade), f"expected a rate in [0, 1), found {p!r}"))
    return problems


def _cycle(obligors: Mapping[str, Obligor]) -> list[str]:
    """One dependency cycle as a list of names (first name repeated at the end), or []."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> list[str]:
        state[name] = 1
        stack.append(name)
        for up in sorted(obligors[name].dependencies):
            if up not in obligors:
                continue
            if state.get(up) == 1:
                return [*stack[stack.index(up) :], up]
            if up not in state:
                found = visit(up)
                if found:
                    return found
        stack.pop()
        state[name] = 2
        return []

    for name in sorted(obligors):
        if name not in state:
            found = visit(name)
            if found:
                return found
    return []


def load_registry(path: str | Path | None = None) -> Registry:
    """The shipped registry, or a registry file; raises ``InputError`` naming the file and field."""
    if path is None:
        source = resources.files("waterfall.market").joinpath(*REGISTRY_FILE)
        with resources.as_file(source) as p:
            raw, label = read_toml(Path(p)), "obligor registry"
    else:
        raw, label = read_toml(Path(path)), str(path)
    registry = structure(raw, Registry, label)
    problems = registry_problems(registry)
    if problems:
        raise InputError(label, problems)
    return registry


_SHIPPED: list[Registry] = []


def shipped_registry() -> Registry:
    if not _SHIPPED:
        _SHIPPED.append(load_registry())
    return _SHIPPED[0]


def merged(settings: ObligorCredit, base: Registry | None = None) -> Registry:
    """The shipped registry with a scenario's entries added or replacing it by name."""
    base = base or shipped_registry()
    return evolve(base, obligors={**base.obligors, **settings.obligors})


def ultimate_parent(name: str, registry: Registry | None = None) -> str:
    """The top of ``name``'s parent chain in the registry; a name it does not know is its own parent."""
    obligors = (registry or shipped_registry()).obligors
    seen = {name}
    while name in obligors and obligors[name].parent and obligors[name].parent != name:
        name = obligors[name].parent
        if name in seen:  # a parent loop: stop rather than spin
            break
        seen.add(name)
    return name


def upstream_closure(names: set[str], registry: Registry) -> set[str]:
    """``names`` and every obligor they depend on, directly or through others."""
    out, todo = set(names), list(names)
    while todo:
        name = todo.pop()
        for up in registry.obligors.get(name, Obligor(hazard=0.0)).dependencies:
            if up not in out:
                out.add(up)
                todo.append(up)
    return out


def with_forced_default(settings: ObligorCredit, obligor: str, month: dt.date) -> ObligorCredit:
    """``settings`` with ``obligor`` forced to default in ``month`` on every path (a conditioning event)."""
    return evolve(settings, forced={**settings.forced, obligor: month.replace(day=1)})


def registry_credits(
    settings: ObligorCredit,
    tenants: Mapping[str, TenantCredit],
    any_tenant: TenantCredit,
    names: set[str],
    registry: Registry,
) -> tuple[dict[str, TenantCredit], dict[str, dict[str, float]]]:
    """Credits and dependencies of ``names`` and their upstream obligors.

    A scenario's ``credit.tenants`` entry wins (hand-set, not scaled); a registry
    obligor gets its hazard times ``hazard_multiple`` with ``any_tenant``'s
    non-renewal and demand sensitivity; any other name falls back to
    ``any_tenant`` as without the registry.
    """
    everyone = upstream_closure(names, registry)
    credits: dict[str, TenantCredit] = {}
    for name in everyone:
        if name in tenants:
            credits[name] = tenants[name]
        elif name in registry.obligors:
            hazard, _ = hazard_of(registry.obligors[name], registry.default_rates)
            credits[name] = evolve(any_tenant, annual_hazard=hazard * settings.hazard_multiple)
        else:
            credits[name] = any_tenant
    deps = {n: dict(registry.obligors[n].dependencies) for n in everyone if n in registry.obligors}
    return credits, deps


def scenario_problems(settings: ObligorCredit, tenants: Mapping[str, TenantCredit]) -> list[Problem]:
    """The problems of a scenario's ``[credit.obligors]`` against the shipped registry."""
    registry = merged(settings)
    problems = registry_problems(registry, "credit.obligors.")
    for name in sorted(settings.forced):
        if name not in registry.obligors and name not in tenants:
            problems.append(
                Problem(
                    key_path("credit.obligors.forced", name), f"expected an obligor of the registry, found {name!r}"
                )
            )
    return problems


def deal_problems(
    settings: ObligorCredit, tenants: Mapping[str, TenantCredit], parties: tuple[str, ...], deal: str
) -> list[Problem]:
    """With ``required``, every tenant and guarantor of the deal must be in the registry or in credit.tenants."""
    if not settings.required:
        return []
    known = set(merged(settings).obligors) | set(tenants)
    return [
        Problem("credit.obligors", f"expected obligor {name!r} (deal {deal!r}) in the registry, found none")
        for name in parties
        if name not in known
    ]
