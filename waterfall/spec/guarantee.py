"""Guarantees a third party gives the SPV: residual value guarantees and lease backstops.

A guarantor is a named counterparty like a tenant: market scenarios give it a
default month, after which it pays nothing.
"""

from __future__ import annotations

from attrs import field, frozen

from waterfall.spec.bounds import at_least, between
from waterfall.spec.dated import DatedAmount

ThresholdPoint = DatedAmount  # the RVG threshold in force from ``date`` (currency; it may exceed cost)


@frozen
class ResidualValueGuarantee:
    """The guarantor tops the collateral's value up to its threshold, up to ``cap``
    in all, when ``lease`` ends without renewal (against the value then) and when
    the collateral is sold under enforcement (against the price realised), within
    the first ``covers_months`` from closing.

    The threshold is ``floor`` x the assets' original cost, or a dated schedule
    ``thresholds`` (each amount in force from its date to the next one; nothing
    is owed before the first). ``account`` names a redemption account the
    payments go to (for a ``redeem`` step) instead of the operating account.
    """

    name: str
    guarantor: str
    lease: str
    cap: float = field(metadata=at_least(0))
    covers_months: int = field(metadata=at_least(1))
    floor: float | None = field(default=None, kw_only=True, metadata=between(0, 1))
    thresholds: tuple[ThresholdPoint, ...] = field(default=(), kw_only=True)
    account: str | None = field(default=None, kw_only=True)


@frozen
class LeaseBackstop:
    """After the tenant of a covered lease defaults, the guarantor pays its rent, up
    to ``cap`` in all. ``lease`` names one lease; ``leases`` several that share the cap."""

    name: str
    guarantor: str
    cap: float = field(metadata=at_least(0))
    lease: str = field(default="", kw_only=True)
    leases: tuple[str, ...] = field(default=(), kw_only=True)

    @property
    def covered(self) -> tuple[str, ...]:
        return (self.lease,) if self.lease else self.leases


Guarantee = ResidualValueGuarantee | LeaseBackstop
GUARANTEE_TAGS = {ResidualValueGuarantee: "residual_value", LeaseBackstop: "lease_backstop"}
