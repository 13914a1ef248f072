"""Checks on the tranches' refinancing terms: a rate source, a priced rating class, a test to pass.

Kept beside ``waterfall.spec.checks`` (which runs them) so that module stays about
the deal as a whole.
"""

from __future__ import annotations

from collections.abc import Iterator

from waterfall.errors import Problem
from waterfall.spec.deal import Deal
from waterfall.spec.tranche import Bullet, FloatingCoupon, LevelAnnuity, Refinancing, StraightLine, Tranche

REFINANCED_AMORTISATION = (Bullet, LevelAnnuity, StraightLine)


def refinancing_index(tranche: Tranche) -> str | None:
    """The index the refinanced coupon floats on: the one named, else the tranche's own."""
    terms = tranche.refinancing
    assert terms is not None
    if terms.index is not None:
        return terms.index
    return tranche.coupon.index if isinstance(tranche.coupon, FloatingCoupon) else None


def check_refinancing(deal: Deal) -> Iterator[Problem]:
    for i, tranche in enumerate(deal.tranches):
        terms = tranche.refinancing
        if terms is None:
            continue
        where = f"tranches[{i}].refinancing"
        yield from _test_stated(terms, where)
        index = refinancing_index(tranche)
        if index is None:
            yield Problem(
                f"{where}.index",
                "expected an index for the refinanced coupon (index + the rating class's spread; "
                "the tranche is fixed-rate), found none",
            )
        elif terms.index is not None and index not in deal.market.index:
            # (the tranche's own index is checked with its coupon)
            yield Problem(
                f"{where}.index",
                f"expected one of market.index {sorted(deal.market.index)} for the refinanced coupon, found {index!r}",
            )
        if terms.rating not in deal.market.credit_spread:
            yield Problem(
                f"{where}.rating",
                f"expected a rating class priced in market.credit_spread {sorted(deal.market.credit_spread)}, "
                f"found {terms.rating!r}",
            )
        if not isinstance(terms.amortisation, REFINANCED_AMORTISATION):
            yield Problem(
                f"{where}.amortisation",
                "expected type 'bullet', 'level_annuity' or 'straight_line', "
                f"found {type(terms.amortisation).__name__}",
            )
    for name, spread in deal.market.credit_spread.items():
        if not -0.05 <= spread <= 1.0:
            yield Problem(f"market.credit_spread.{name}", f"expected a number in [-0.05, 1], found {spread!r}")


def _test_stated(terms: Refinancing, where: str) -> Iterator[Problem]:
    # an extension may be unconditional; a refinancing is a lender's decision on a test
    if terms.max_ltv is None and terms.min_debt_yield is None and terms.min_dscr is None:
        yield Problem(where, "expected at least one of max_ltv, min_debt_yield, min_dscr, found none")
