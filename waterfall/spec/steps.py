"""Waterfall steps: the vocabulary of a priority of payments.

Each step draws on the operating account, in the order the deal file lists
them, one list per mode (``normal``, ``lock_up``, ``default``).
"""

from __future__ import annotations

from typing import Literal

from attrs import field, frozen

from waterfall.spec.bounds import between


@frozen
class PayExpenses:
    """Operating costs, power and maintenance capex accrued since the last payment."""


@frozen
class PayFee:
    fee: str


@frozen
class PayInterest:
    """Interest due (plus arrears) on a group of tranches, pro rata.

    ``reserve`` names an account drawn for whatever operating cash cannot pay.
    """

    tranches: tuple[str, ...]
    reserve: str | None = None


@frozen
class PayPrincipal:
    """Principal due on a group of tranches, pro rata: the scheduled amount
    (plus arrears) normally; the whole balance once accelerated."""

    tranches: tuple[str, ...]
    reserve: str | None = None


@frozen
class FundReserve:
    """Top an account up to its target."""

    account: str


@frozen
class Sweep:
    """Prepay principal, in the listed order, with a share of the cash left.

    ``percent`` normally; ``percent_on_breach`` while an LTV sweep test is breached.
    """

    tranches: tuple[str, ...]
    percent: float = field(metadata=between(0, 1))
    percent_on_breach: float = field(default=1.0, metadata=between(0, 1))


@frozen
class Trap:
    """Move all remaining cash to a lock-up account."""

    account: str


@frozen
class Redeem:
    """Mandatory redemption: prepay the tranches, in the listed order, with the whole
    balance of a redemption account."""

    account: str
    tranches: tuple[str, ...]


@frozen
class PayHedge:
    """What the SPV owes a swap counterparty (plus arrears).

    ``part``: ``all`` pays the periodic settlements and, after an early
    termination, the termination payment, here; ``periodic`` only the former and
    ``termination`` only the latter, so a deal can rank the termination payment
    below the notes (a subordinated termination payment).
    """

    hedge: str
    part: Literal["all", "periodic", "termination"] = "all"


@frozen
class SellCrypto:
    """Sell a crypto holding to pay what operating cash cannot of these tranches' dues."""

    holding: str
    tranches: tuple[str, ...]


@frozen
class PayEquity:
    """Everything left goes to the equity holders."""


Step = (
    PayExpenses
    | PayFee
    | PayInterest
    | PayPrincipal
    | FundReserve
    | Sweep
    | Trap
    | Redeem
    | PayHedge
    | SellCrypto
    | PayEquity
)
STEP_TAGS = {
    PayExpenses: "pay_expenses",
    PayFee: "pay_fee",
    PayInterest: "pay_interest",
    PayPrincipal: "pay_principal",
    FundReserve: "fund_reserve",
    Sweep: "sweep",
    Trap: "trap",
    Redeem: "redeem",
    PayHedge: "pay_hedge",
    SellCrypto: "sell_crypto",
    PayEquity: "pay_equity",
}


@frozen
class Waterfall:
    """The priority of payments in each mode."""

    normal: tuple[Step, ...]
    lock_up: tuple[Step, ...]
    default: tuple[Step, ...]
