"""Revenue sources: leases to named tenants, merchant capacity, and user tapes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from attrs import field, frozen

from waterfall.spec.bounds import at_least, between


@frozen
class FixedRent:
    """A fixed amount each month."""

    monthly: float = field(metadata=at_least(0))


@frozen
class PerMwRent:
    """Rent per MW-month of a campus's critical IT load."""

    campus: str
    mw: float = field(metadata=at_least(0))
    rate_per_mw_month: float = field(metadata=at_least(0))


@frozen
class PerGpuHourRent:
    """Rent per GPU-hour on a number of a fleet's GPUs.

    Without take-or-pay the tenant pays only for the utilised hours.
    """

    fleet: str
    gpus: int = field(metadata=at_least(0))
    rate: float = field(metadata=at_least(0))
    utilisation: float = field(metadata=between(0, 1))


Rent = FixedRent | PerMwRent | PerGpuHourRent
RENT_TAGS = {FixedRent: "fixed", PerMwRent: "per_mw", PerGpuHourRent: "per_gpu_hour"}


@frozen
class Renewal:
    """The tenant's option to extend the lease once, at its end.

    ``exercise``: ``always``; ``never``; or ``if_below_market`` (the tenant renews
    only when the renewal rent is at or below market rent, which needs a
    per-GPU-hour rent to compare with).
    """

    term_months: int = field(metadata=at_least(1))
    basis: Literal["fixed", "market"]
    exercise: Literal["always", "never", "if_below_market"]


@frozen
class EarlyTermination:
    """The tenant may walk from ``earliest_month`` of the lease, paying a fee.

    ``walk_discount``: the tenant walks when market rent is more than this
    fraction below its contract rent (per-GPU-hour leases only); the fee is
    ``fee_months`` of the current monthly rent, paid in the month it walks.
    """

    earliest_month: int = field(metadata=at_least(0))
    fee_months: float = field(metadata=at_least(0))
    walk_discount: float = field(metadata=between(0, 1))


@frozen
class Lease:
    """A lease of capacity to one named tenant."""

    name: str
    tenant: str
    start: dt.date
    term_months: int = field(metadata=at_least(1))
    rent: Rent
    escalator: float = field(metadata=between(-0.5, 0.5))
    take_or_pay: bool
    renewal: Renewal | None = None
    early_termination: EarlyTermination | None = None


@frozen
class Merchant:
    """GPUs of a fleet not under lease, rented at market rent x utilisation."""

    fleet: str
    utilisation: float = field(metadata=between(0, 1))


@frozen
class Tape:
    """Revenue the user projects themselves: a CSV or parquet file of (date, amount).

    ``amounts`` is filled by the loader from the file, month by month from
    closing; months the file does not cover earn nothing.
    """

    name: str
    path: str
    date_column: str = "date"
    amount_column: str = "amount"
    amounts: tuple[float, ...] = ()
