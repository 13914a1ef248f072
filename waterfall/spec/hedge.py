"""Interest-rate hedges the SPV holds: swaps (pay fixed, receive the index) and caps.

Each settles on the deal's payment dates against the index fixed at the start
of the accrual period, on ``notional`` (scaled down with a tranche's balance
when ``amortise_with`` names one). What the counterparty owes is paid into the
operating account before the waterfall; what the SPV owes on a swap is paid
by the ``pay_hedge`` step, where the priority of payments puts it.
"""

from __future__ import annotations

import datetime as dt

from attrs import field, frozen

from waterfall.spec.bounds import at_least, between
from waterfall.spec.calendar import Calendar
from waterfall.spec.tranche import Tranche


@frozen
class InterestRateSwap:
    name: str
    index: str
    notional: float = field(metadata=at_least(0))
    fixed_rate: float = field(metadata=between(-0.05, 1))
    start: dt.date
    end: dt.date
    amortise_with: str | None = None


@frozen
class InterestRateCap:
    name: str
    index: str
    notional: float = field(metadata=at_least(0))
    strike: float = field(metadata=between(-0.05, 1))
    start: dt.date
    end: dt.date
    amortise_with: str | None = None


Hedge = InterestRateSwap | InterestRateCap
HEDGE_TAGS = {InterestRateSwap: "swap", InterestRateCap: "cap"}


def hedging_swaps(hedges: tuple[Hedge, ...], tranches: tuple[Tranche, ...], name: str, calendar: Calendar) -> list:
    """The swaps that hedge tranche ``name``'s index over its whole amortisation.

    A swap hedges a floating tranche when it is on the tranche's index, amortises
    with that tranche (or with none, the tranche being the only floating one on
    that index), starts by the first amortising month and runs to the last.
    """
    tranche = next(t for t in tranches if t.name == name)
    index = getattr(tranche.coupon, "index", None)
    term = getattr(tranche.amortisation, "term_months", None)
    if index is None or term is None:
        return []
    sole = sum(getattr(t.coupon, "index", None) == index for t in tranches) == 1
    first = calendar.date_of(tranche.interest_only_months)
    # the annuity's last instalment falls at month io + term - 1 (or the legal maturity, if earlier)
    last = min(
        calendar.date_of(tranche.interest_only_months + term),
        calendar.date_of(calendar.month_of(tranche.legal_maturity) + 1),
    )
    return [
        h
        for h in hedges
        if isinstance(h, InterestRateSwap)
        and h.index == index
        and (h.amortise_with == name or (h.amortise_with is None and sole))
        and h.start <= first
        and h.end >= last
    ]
