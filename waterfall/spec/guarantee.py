"""Guarantees a third party gives the SPV: residual value guarantees and lease backstops.

A guarantor is a named counterparty like a tenant: market scenarios give it a
default month, after which it pays nothing.
"""

from __future__ import annotations

from attrs import field, frozen

from waterfall.spec.bounds import at_least, between


@frozen
class ResidualValueGuarantee:
    """The guarantor tops the collateral's value up to ``floor`` x its original cost,
    up to ``cap`` in all, when ``lease`` ends without renewal (against the value
    then) and when the collateral is sold under enforcement (against the price
    realised), within the first ``covers_months`` from closing.
    """

    name: str
    guarantor: str
    lease: str
    floor: float = field(metadata=between(0, 1))
    cap: float = field(metadata=at_least(0))
    covers_months: int = field(metadata=at_least(1))


@frozen
class LeaseBackstop:
    """After the tenant of ``lease`` defaults, the guarantor pays its rent, up to ``cap`` in all."""

    name: str
    guarantor: str
    lease: str
    cap: float = field(metadata=at_least(0))


Guarantee = ResidualValueGuarantee | LeaseBackstop
GUARANTEE_TAGS = {ResidualValueGuarantee: "residual_value", LeaseBackstop: "lease_backstop"}
