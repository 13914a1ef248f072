"""An amount on a date: one entry of a principal schedule, a fee schedule or an RVG threshold."""

from __future__ import annotations

import datetime as dt

from attrs import field, frozen

from waterfall.spec.bounds import at_least


@frozen
class DatedAmount:
    """``amount`` (currency, >= 0) in the month of ``date``; what it means is its list's."""

    date: dt.date
    amount: float = field(metadata=at_least(0))
