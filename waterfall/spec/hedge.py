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
