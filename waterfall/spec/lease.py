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


# months between escalation steps; the escalator is a rate per year whatever the step
ESCALATION_MONTHS = {"annual": 12, "semiannual": 6, "quarterly": 3, "monthly": 1}
EscalationFrequency = Literal["annual", "semiannual", "quarterly", "monthly"]


@frozen
class IndexedEscalator:
    """Escalation by a rate index of the deal's ``market.index`` (e.g. CPI inflation).

    On each escalation date the rent steps by the index's annual rate at that
    month, plus ``margin``, clamped to [``floor``, ``cap``] (None: unbounded on
    that side), compounded for the step's share of a year: (1 + r)^(months per
    step / 12). A scenario's ``[rates.<index>]`` makes the index, and so the
    rent, differ by path.
    """

    index: str
    floor: float | None = field(default=None, metadata=between(-0.5, 0.5))
    cap: float | None = field(default=None, metadata=between(-0.5, 0.5))
    margin: float = field(default=0.0, metadata=between(-0.5, 0.5))


Rent = FixedRent | PerMwRent | PerGpuHourRent
RENT_TAGS = {FixedRent: "fixed", PerMwRent: "per_mw", PerGpuHourRent: "per_gpu_hour"}


@frozen
class Renewal:
    """One option of the tenant's to extend the lease, at the end of the term before it.

    ``basis``: the option's rent, ``fixed`` (the expiring rent carries on, still
    escalating), ``escalated`` (the expiring rent times ``1 + step``, then
    escalating) or ``market`` (market rent in the renewal month, per path).
    ``exercise``: ``always``; ``never``; ``scenario`` (the tenant renews unless
    the scenario's draw for this option says it does not); ``if_below_market``
    (only where the renewal rent is at or below market rent, and subject to the
    same draw). ``start``, when given, must be the month the term before ends
    (a check that options neither overlap nor leave a gap).
    """

    term_months: int = field(metadata=at_least(1))
    basis: Literal["fixed", "escalated", "market"]
    exercise: Literal["always", "never", "scenario", "if_below_market"]
    step: float = field(default=0.0, metadata=between(-0.9, 10))
    start: dt.date | None = None


@frozen
class EarlyTermination:
    """The tenant may walk from ``earliest_month`` of the lease, paying a fee.

    ``walk_discount``: the tenant walks when market rent is more than this
    fraction below its contract rent; the fee is ``fee_months`` of the current
    monthly rent, paid in the month it walks. Market rent is the GPU rent of the
    fleet's generation for a per-GPU-hour lease, and the contract rent times the
    lease's campus market rent factor for a per-MW or fixed-rent lease.
    """

    earliest_month: int = field(metadata=at_least(0))
    fee_months: float = field(metadata=at_least(0))
    walk_discount: float = field(metadata=between(0, 1))


@frozen
class Relet:
    """What happens to a campus whose tenant leaves (per-MW and fixed-rent leases).

    When the tenancy stops (no renewal, a walk-away, a default no backstop
    covers), the space is vacant for ``downtime_months`` and costs
    ``vacancy_cost_monthly`` a month; then a new tenant takes it for
    ``term_months`` at the contract rent times the campus market rent factor
    that month (escalating at the lease's escalator from then), and the SPV
    pays ``leasing_cost_months`` of that new rent as leasing costs when it
    signs. At the end of that term the space is vacant and re-let again.
    """

    downtime_months: int = field(metadata=at_least(0))
    term_months: int = field(metadata=at_least(1))
    leasing_cost_months: float = field(default=0.0, metadata=at_least(0))
    vacancy_cost_monthly: float = field(default=0.0, metadata=at_least(0))


@frozen
class Lease:
    """A lease of capacity to one named tenant.

    ``renewal`` (one option, the original key) and ``renewals`` (any number, in
    order) are alternatives. ``market_rent`` names the scenario's campus market
    rent factor a per-MW or fixed-rent lease reads for market renewals,
    walk-away tests and re-letting.
    ``escalator`` is a rate per year, stepped every ``escalator_frequency``
    (annual: on each anniversary; monthly: by (1 + escalator)^(1/12) each month).
    ``escalator_index``, when given, steps the rent by an index instead (then
    ``escalator`` must be 0), on the same ``escalator_frequency``.
    """

    name: str
    tenant: str
    start: dt.date
    term_months: int = field(metadata=at_least(1))
    rent: Rent
    escalator: float = field(metadata=between(-0.5, 0.5))
    take_or_pay: bool
    renewal: Renewal | None = None
    early_termination: EarlyTermination | None = None
    renewals: tuple[Renewal, ...] = ()
    relet: Relet | None = None
    market_rent: str = "campus"
    escalator_frequency: EscalationFrequency = "annual"
    escalator_index: IndexedEscalator | None = None

    @property
    def options(self) -> tuple[Renewal, ...]:
        """The renewal options in the order they come up."""
        return (self.renewal,) if self.renewal is not None else self.renewals

    @property
    def reads_campus_rent(self) -> bool:
        """Whether this lease reads its campus market rent factor."""
        if isinstance(self.rent, PerGpuHourRent):
            return False
        market = any(o.basis == "market" or o.exercise == "if_below_market" for o in self.options)
        return market or self.early_termination is not None or self.relet is not None


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
