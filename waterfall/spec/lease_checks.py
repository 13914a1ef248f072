"""Checks of lease options and guarantees written out in full: renewal options in
sequence, indexed escalators, re-letting, dated RVG thresholds, shared backstops, redemption steps.

Kept apart from ``waterfall.spec.checks`` (which calls them) so each stays small;
every problem carries its field path.
"""

from __future__ import annotations

from collections.abc import Iterator

from waterfall.errors import Problem
from waterfall.spec.account import Redemption
from waterfall.spec.deal import Deal
from waterfall.spec.guarantee import LeaseBackstop, ResidualValueGuarantee
from waterfall.spec.lease import Lease, PerGpuHourRent
from waterfall.spec.steps import Redeem, Step


def _options(lease: Lease, deal: Deal, where: str) -> Iterator[Problem]:
    if lease.renewal is not None and lease.renewals:
        yield Problem(
            f"{where}.renewals",
            "expected either renewal (one option) or renewals (a list), found both: they would overlap",
        )
        return
    key = "renewal" if lease.renewal is not None else "renewals"
    gpu = isinstance(lease.rent, PerGpuHourRent)
    # nominal end of the term before each option (construction delay moves them all alike)
    end = deal.calendar.month_of(lease.start) + lease.term_months
    for k, option in enumerate(lease.options):
        at = f"{where}.{key}" if key == "renewal" else f"{where}.{key}[{k}]"
        if option.start is not None:
            month = deal.calendar.month_of(option.start)
            if month != end:
                kind = "overlaps the term before it" if month < end else "leaves a gap after the term before it"
                expected = f"{deal.calendar.date_of(end):%Y-%m}, when the term before it ends"
                yield Problem(f"{at}.start", f"expected {expected}, found {option.start:%Y-%m} (it {kind})")
        if option.step != 0.0 and option.basis != "escalated":
            yield Problem(f"{at}.step", f"expected 0 unless basis is 'escalated', found {option.step!r}")
        end += option.term_months
    if gpu and lease.relet is not None:
        yield Problem(
            f"{where}.relet",
            "expected re-letting only on a per_mw or fixed lease (a GPU lease's idle GPUs go to merchant), "
            "found a per_gpu_hour lease",
        )


def _indexed(lease: Lease, deal: Deal, where: str) -> Iterator[Problem]:
    """An indexed escalator reads a declared index, has floor <= cap, and is the rent's only escalator."""
    terms = lease.escalator_index
    if terms is None:
        return
    at = f"{where}.escalator_index"
    if terms.index not in deal.market.index:
        yield Problem(f"{at}.index", f"expected one of market.index {sorted(deal.market.index)}, found {terms.index!r}")
    if terms.floor is not None and terms.cap is not None and terms.floor > terms.cap:
        yield Problem(f"{at}.floor", f"expected a floor at most the cap {terms.cap!r}, found {terms.floor!r}")
    if lease.escalator != 0.0:
        yield Problem(
            f"{where}.escalator",
            f"expected 0.0 with escalator_index (both say how the rent grows), found {lease.escalator!r}",
        )


def _backstops(deal: Deal) -> Iterator[Problem]:
    leases = {lease.name for lease in deal.leases}
    covered: dict[str, str] = {}
    for i, g in enumerate(deal.guarantees):
        where = f"guarantees[{i}]"
        if isinstance(g, LeaseBackstop):
            if bool(g.lease) == bool(g.leases):
                yield Problem(f"{where}.lease", "expected exactly one of lease or leases, found " + _given(g))
            for k, name in enumerate(g.covered):
                at = f"{where}.lease" if g.lease else f"{where}.leases[{k}]"
                if name not in leases:
                    yield Problem(at, f"expected a lease {sorted(leases)}, found {name!r}")
                elif name in covered:
                    yield Problem(at, f"expected a lease no other backstop covers, found {name!r} ({covered[name]})")
                else:
                    covered[name] = g.name


def _given(g: LeaseBackstop) -> str:
    return "both" if g.lease and g.leases else "neither"


def _residual(deal: Deal) -> Iterator[Problem]:
    accounts = {a.name: a for a in deal.accounts}
    for i, g in enumerate(deal.guarantees):
        if not isinstance(g, ResidualValueGuarantee):
            continue
        where = f"guarantees[{i}]"
        if (g.floor is None) == (not g.thresholds):
            given = "both" if g.floor is not None else "neither"
            yield Problem(f"{where}.floor", f"expected exactly one of floor or thresholds, found {given}")
        for k in range(1, len(g.thresholds)):
            before, point = g.thresholds[k - 1].date, g.thresholds[k].date
            if point <= before:
                yield Problem(
                    f"{where}.thresholds[{k}].date",
                    f"expected a date after {before:%Y-%m} (thresholds in date order), found {point:%Y-%m}",
                )
        if g.account is not None and not isinstance(accounts.get(g.account), Redemption):
            yield Problem(f"{where}.account", f"expected a redemption account, found {g.account!r}")


def redeem_step(step: Step, where: str, accounts: dict, tranches: set[str]) -> Iterator[Problem]:
    """A ``redeem`` step draws on a redemption account and prepays known tranches."""
    if not isinstance(step, Redeem):
        return
    if not isinstance(accounts.get(step.account), Redemption):
        yield Problem(f"{where}.account", f"expected a redemption account, found {step.account!r}")
    if not step.tranches:
        yield Problem(f"{where}.tranches", "expected at least one tranche, found none")
    for k, name in enumerate(step.tranches):
        if name not in tranches:
            yield Problem(f"{where}.tranches[{k}]", f"expected a tranche {sorted(tranches)}, found {name!r}")


def lease_terms(deal: Deal) -> Iterator[Problem]:
    """Renewal options, re-letting and the guarantees' own terms."""
    for i, lease in enumerate(deal.leases):
        yield from _options(lease, deal, f"leases[{i}]")
        yield from _indexed(lease, deal, f"leases[{i}]")
    yield from _backstops(deal)
    yield from _residual(deal)
