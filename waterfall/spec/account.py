"""Reserve and trap accounts. The operating account is always present, named ``operating``."""

from __future__ import annotations

from attrs import field, frozen

from waterfall.spec.bounds import at_least

OPERATING = "operating"
# where collections received after a collection period's end wait for the next payment date
# (only in a deal whose calendar says its collection periods end before its payment dates)
COLLECTIONS = "collections"


@frozen
class DebtServiceReserve:
    """DSRA: target is ``target_months`` of the scheduled debt service of the
    ``tranches`` it backs, at the current period's monthly rate.

    ``closing_balance`` is funded from the closing sources in month 0 (0 when the
    reserve fills from cash flow through ``fund_reserve`` steps).
    """

    name: str
    tranches: tuple[str, ...]
    target_months: float = field(metadata=at_least(0))
    closing_balance: float = field(metadata=at_least(0))


@frozen
class MaintenanceReserve:
    """A reserve topped up to a fixed target by ``fund_reserve`` steps."""

    name: str
    target: float = field(metadata=at_least(0))


@frozen
class LockUp:
    """Cash trapped while a covenant is in lock-up; released when it cures."""

    name: str


@frozen
class Redemption:
    """Cash set aside for a mandatory redemption: only a ``redeem`` step pays it out
    (a guarantee may pay into it); no covenant cure releases it."""

    name: str


Account = DebtServiceReserve | MaintenanceReserve | LockUp | Redemption
ACCOUNT_TAGS = {
    DebtServiceReserve: "dsra",
    MaintenanceReserve: "maintenance_reserve",
    LockUp: "lock_up",
    Redemption: "redemption",
}
