"""Covenants: the tests that move a deal into lock-up, sweep or default."""

from __future__ import annotations

from attrs import field, frozen

from waterfall.spec.bounds import at_least, between


@frozen
class DscrTest:
    """Trailing CFADS / trailing scheduled debt service, tested on payment dates.

    Below ``lock_up`` cash is trapped; below ``default`` is an event of default.
    """

    trailing_months: int = field(metadata=at_least(1))
    lock_up: float | None = field(default=None, metadata=at_least(0))
    default: float | None = field(default=None, metadata=at_least(0))


@frozen
class LtvTest:
    """Debt balance / collateral value, tested on payment dates.

    Above ``sweep`` the ``sweep`` steps take ``percent_on_breach``; above
    ``default`` is an event of default.
    """

    sweep: float | None = field(default=None, metadata=at_least(0))
    default: float | None = field(default=None, metadata=at_least(0))


@frozen
class MinLiquidity:
    """Operating plus reserve balances (not trapped cash), tested on payment dates
    before the waterfall, must stay above a floor."""

    lock_up: float | None = field(default=None, metadata=at_least(0))
    default: float | None = field(default=None, metadata=at_least(0))


@frozen
class PaymentDefault:
    """Failure to pay interest (or principal at maturity) on these tranches is a default."""

    tranches: tuple[str, ...]
    grace_periods: int = field(default=0, metadata=at_least(0))


Covenant = DscrTest | LtvTest | MinLiquidity | PaymentDefault
COVENANT_TAGS = {
    DscrTest: "dscr",
    LtvTest: "ltv",
    MinLiquidity: "min_liquidity",
    PaymentDefault: "payment",
}


@frozen
class Enforcement:
    """After an event of default: how long until collateral is sold, and at what haircut.

    In this engine the sale price is the fleet's and campus's straight-line
    book value less ``haircut``; market scenarios may replace it.
    """

    sale_lag_months: int = field(metadata=at_least(0))
    haircut: float = field(metadata=between(0, 1))
