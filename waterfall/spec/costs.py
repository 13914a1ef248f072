"""Operating costs and the senior fees of the structure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Literal

from attrs import field, frozen

from waterfall.errors import Problem
from waterfall.spec.bounds import at_least, between
from waterfall.spec.calendar import Calendar
from waterfall.spec.dated import DatedAmount


@frozen
class Power:
    """Electricity: IT load x PUE x hours x price."""

    it_mw: float = field(metadata=at_least(0))
    pue: float = field(metadata=at_least(1))
    price_per_mwh: float = field(metadata=at_least(0))


@frozen
class Costs:
    """Costs the SPV bears (zero where a triple-net tenant bears them).

    ``escalation`` is annual, stepped on each anniversary of closing.
    """

    fixed_opex_monthly: float = field(metadata=at_least(0))
    maintenance_capex_monthly: float = field(metadata=at_least(0))
    escalation: float = field(metadata=between(-0.5, 0.5))
    power: Power | None = None


@frozen
class FixedFee:
    """A fixed amount a year, falling due as a twelfth each month."""

    annual: float = field(metadata=at_least(0))


@frozen
class BpsFee:
    """Basis points a year of the outstanding debt balance or of the collateral value,
    falling due as a twelfth each month on the month's opening figure."""

    bps: float = field(metadata=between(0, 10_000))
    of: Literal["debt_balance", "collateral_value"] = "debt_balance"


@frozen
class OneOffFee:
    """An amount falling due once, in the month of ``date`` (an arrangement or exit fee)."""

    date: dt.date
    amount: float = field(metadata=at_least(0))


@frozen
class ScheduledFee:
    """Amounts falling due on given dates, at most one a month, in date order."""

    schedule: tuple[DatedAmount, ...]


@frozen
class RecurringFee:
    """``amount`` falling due once every period of ``frequency``: in ``start`` (default the
    closing month) and every 1, 3, 6 or 12 months after, up to ``end`` (default the horizon)."""

    amount: float = field(metadata=at_least(0))
    frequency: Literal["monthly", "quarterly", "semiannual", "annual"]
    start: dt.date | None = None
    end: dt.date | None = None


FeeBasis = FixedFee | BpsFee | OneOffFee | ScheduledFee | RecurringFee
FEE_TAGS = {
    FixedFee: "fixed",
    BpsFee: "bps",
    OneOffFee: "one_off",
    ScheduledFee: "schedule",
    RecurringFee: "recurring",
}
MONTHS_APART = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}


@frozen
class Fee:
    """A trustee, servicer or agent fee, paid by the ``pay_fee`` step.

    ``cap``: at most this much falls due in each deal year (twelve months from closing or
    an anniversary); what the basis would charge beyond it is never owed. ``arrears``:
    what a payment date leaves unpaid is ``carry``-ied to the next (paid pro rata with
    new amounts) or ``forgive``-n.
    """

    name: str
    basis: FeeBasis
    cap: float | None = field(default=None, metadata=at_least(0))
    arrears: Literal["carry", "forgive"] = "carry"


def fee_problems(fees: tuple[Fee, ...], calendar: Calendar) -> Iterator[Problem]:
    """Fee dates off the deal's horizon, schedules out of order or with two amounts in a
    month, recurring windows that end before they start."""
    horizon = calendar.horizon_months

    def within(date: dt.date, where: str) -> Iterator[Problem]:
        if not 0 <= calendar.month_of(date) < horizon:
            last = calendar.date_of(horizon - 1)
            expected = f"expected a month from {calendar.start:%Y-%m} to {last:%Y-%m} (the horizon)"
            yield Problem(where, f"{expected}, found {date:%Y-%m}")

    for i, fee in enumerate(fees):
        where, basis = f"fees[{i}].basis", fee.basis
        if isinstance(basis, OneOffFee):
            yield from within(basis.date, f"{where}.date")
        elif isinstance(basis, ScheduledFee):
            if not basis.schedule:
                yield Problem(f"{where}.schedule", "expected at least one dated amount, found none")
            for j, entry in enumerate(basis.schedule):
                yield from within(entry.date, f"{where}.schedule[{j}].date")
                before = basis.schedule[j - 1].date if j else None
                if before is not None and calendar.month_of(entry.date) <= calendar.month_of(before):
                    yield Problem(
                        f"{where}.schedule[{j}].date",
                        f"expected a month after {before:%Y-%m} (one amount a month, in date order), "
                        f"found {entry.date:%Y-%m}",
                    )
        elif isinstance(basis, RecurringFee):
            for key in ("start", "end"):
                date = getattr(basis, key)
                if date is not None:
                    yield from within(date, f"{where}.{key}")
            if basis.start is not None and basis.end is not None and basis.end < basis.start:
                yield Problem(
                    f"{where}.end", f"expected a month from start {basis.start:%Y-%m}, found {basis.end:%Y-%m}"
                )
