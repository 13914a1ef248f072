"""Debt tranches and equity: coupons, amortisation kinds, PIK, maturity."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from attrs import field, frozen

from waterfall.spec.bounds import at_least, between


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


@frozen
class LevelAnnuity:
    """Level debt service over ``term_months`` after the interest-only months.

    Re-amortised each payment date over the remaining payments, so a prepaid
    tranche keeps its maturity and pays less; unprepaid it is the annuity.
    """

    term_months: int = field(metadata=at_least(1))


@frozen
class StraightLine:
    """Equal principal instalments over ``term_months`` after the IO months."""

    term_months: int = field(metadata=at_least(1))


@frozen
class ScheduleEntry:
    date: dt.date
    amount: float = field(metadata=at_least(0))


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
class Tranche:
    """One class of debt, listed senior to junior in the deal file.

    ``pik``: ``none`` (unpaid interest is carried as arrears), ``always``
    (interest is capitalised, never paid in cash), ``toggle`` (interest the
    waterfall cannot pay is capitalised instead of falling into arrears) or
    ``construction`` (capitalised until construction completes on the path).
    ``draws`` are further amounts lent on given dates (a delayed-draw loan):
    ``balance`` is what is drawn at closing.
    """

    name: str
    balance: float = field(metadata=at_least(0))
    coupon: Coupon
    amortisation: Amortisation
    legal_maturity: dt.date
    interest_only_months: int = field(default=0, metadata=at_least(0))
    pik: Literal["none", "always", "toggle", "construction"] = "none"
    draws: tuple[ScheduleEntry, ...] = ()


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
