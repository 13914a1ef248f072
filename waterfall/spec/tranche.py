"""Debt tranches and equity: coupons, amortisation kinds, PIK, maturity, refinancing terms."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from attrs import field, frozen

from waterfall.spec.bounds import at_least, between
from waterfall.spec.dated import DatedAmount


@frozen
class FixedCoupon:
    rate: float = field(metadata=between(-0.05, 1))


@frozen
class FloatingCoupon:
    """Index + spread; the floor applies to the index, set at each period's start."""

    index: str
    spread: float = field(metadata=between(-0.05, 1))
    floor: float = field(default=0.0, metadata=between(-0.05, 1))


Coupon = FixedCoupon | FloatingCoupon
COUPON_TAGS = {FixedCoupon: "fixed", FloatingCoupon: "floating"}


@frozen
class Bullet:
    """All principal at legal maturity."""


SIZING_RATES = ("hedged", "closing")
SizingRate = float | Literal["hedged", "closing"]


@frozen
class LevelAnnuity:
    """Level debt service over ``term_months`` after the interest-only months.

    Re-amortised each payment date over the remaining payments at the sizing
    rate, so a prepaid tranche keeps its maturity and pays less; unprepaid it is
    the annuity. A fixed coupon is its own sizing rate. A floating tranche's
    principal follows the annuity at ``sizing_rate`` (a number, ``"hedged"``: the
    swap's fixed rate + spread, ``"closing"``: the deal's index at closing, floored,
    + spread; unset: hedged where a swap hedges it, else closing), fixed at closing
    and independent of the index path, unless ``reamortise`` re-solves it every
    payment date at that period's floating coupon.
    """

    term_months: int = field(metadata=at_least(1))
    sizing_rate: SizingRate | None = None
    reamortise: bool = False


@frozen
class StraightLine:
    """Equal principal instalments over ``term_months`` after the IO months."""

    term_months: int = field(metadata=at_least(1))


ScheduleEntry = DatedAmount  # a principal amount due (or drawn) in the month of ``date``


@frozen
class CustomSchedule:
    """Principal amounts due on given dates (capped at the balance)."""

    schedule: tuple[ScheduleEntry, ...]


@frozen
class Sculpted:
    """Principal sized so that base-case DSCR equals ``target_dscr`` each payment.

    The schedule is fixed at closing from the deal's base-case market, as a
    lender's model does; stressed paths then pay that schedule or fall short.
    """

    target_dscr: float = field(metadata=at_least(0, strict=True))
    term_months: int = field(metadata=at_least(1))


Amortisation = Bullet | LevelAnnuity | StraightLine | CustomSchedule | Sculpted
AMORTISATION_TAGS = {
    Bullet: "bullet",
    LevelAnnuity: "level_annuity",
    StraightLine: "straight_line",
    CustomSchedule: "custom",
    Sculpted: "sculpted",
}


@frozen
class Extension:
    """An option to extend a tranche's maturity by ``months`` at its own terms.

    Exercised at maturity on a path where the refinancing does not happen, when
    every threshold it states holds there (LTV at most ``max_ltv``, debt yield at
    least ``min_debt_yield``, DSCR at the tranche's own coupon at least
    ``min_dscr``) and the operating account can pay ``fee_bps`` of the balance.
    """

    months: int = field(metadata=at_least(1))
    fee_bps: float = field(default=0.0, metadata=at_least(0))
    max_ltv: float | None = field(default=None, metadata=at_least(0, strict=True))
    min_debt_yield: float | None = field(default=None, metadata=at_least(0))
    min_dscr: float | None = field(default=None, metadata=at_least(0))


@frozen
class Refinancing:
    """At maturity the outstanding balance is refinanced where the test passes and the
    credit market is open; elsewhere an extension option, or the balloon falls due.

    The test (every threshold stated must hold, at least one stated): LTV at most
    ``max_ltv`` (balance of this tranche and those listed before it over the
    collateral value), debt yield at least ``min_debt_yield`` (trailing 12-month
    CFADS over that balance), DSCR at least ``min_dscr`` (CFADS over a year's
    debt service at the refinanced coupon on ``amortisation``). The refinanced
    debt keeps the tranche's name and seniority, runs ``term_months`` more and
    pays ``index`` (default: the tranche's own floating index; floored at
    ``floor``) plus the credit spread of rating class ``rating`` on the path in
    the month it is refinanced. ``fee_bps`` of the balance is paid at refinancing.
    At its new maturity the refinancing is tried again; a maturity beyond the
    horizon leaves the balance outstanding, performing, when the horizon ends.
    """

    rating: str
    term_months: int = field(metadata=at_least(1))
    amortisation: Amortisation = field(factory=Bullet)
    index: str | None = None
    floor: float = field(default=0.0, metadata=between(-0.05, 1))
    max_ltv: float | None = field(default=None, metadata=at_least(0, strict=True))
    min_debt_yield: float | None = field(default=None, metadata=at_least(0))
    min_dscr: float | None = field(default=None, metadata=at_least(0))
    fee_bps: float = field(default=0.0, metadata=at_least(0))
    extensions: tuple[Extension, ...] = ()


@frozen
class Tranche:
    """One class of debt, listed senior to junior in the deal file.

    ``pik``: ``none`` (unpaid interest is carried as arrears), ``always``
    (interest is capitalised, never paid in cash), ``toggle`` (interest the
    waterfall cannot pay is capitalised instead of falling into arrears) or
    ``construction`` (capitalised until construction completes on the path).
    ``draws`` are further amounts lent on given dates (a delayed-draw loan):
    ``balance`` is what is drawn at closing. ``refinancing``: what happens to the
    balance left at maturity (none: it falls due, and unpaid it is a default).
    ``interest_on_arrears``: interest in arrears accrues interest each period at
    the tranche's period rate (added to the interest due, itself unpaid arrears).
    """

    name: str
    balance: float = field(metadata=at_least(0))
    coupon: Coupon
    amortisation: Amortisation
    legal_maturity: dt.date
    interest_only_months: int = field(default=0, metadata=at_least(0))
    pik: Literal["none", "always", "toggle", "construction"] = "none"
    draws: tuple[ScheduleEntry, ...] = ()
    refinancing: Refinancing | None = None
    # unpaid interest bears interest at the tranche's rate, simple, per period
    interest_on_arrears: bool = False


@frozen
class Equity:
    """The residual claim: sponsor equity paid at closing, receiving ``pay_equity``.

    ``hurdle_rate`` is the annual rate (compounded annually) at which the equity's NPV is
    measured: the sponsor's required return, not a term of the deal's cash flows.
    """

    amount: float = field(metadata=at_least(0))
    holders: tuple[str, ...] = ()
    # the customary private-equity preferred return (docs/assumptions.md)
    hurdle_rate: float = field(default=0.08, metadata=between(0, 1))
