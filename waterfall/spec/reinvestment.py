"""The reinvestment rate: what the SPV's cash accounts earn while they hold cash."""

from __future__ import annotations

from collections.abc import Iterator

from attrs import field, frozen

from waterfall.errors import Problem
from waterfall.spec.account import OPERATING
from waterfall.spec.bounds import at_least, between


@frozen
class FixedReinvestment:
    """A fixed annual rate."""

    rate: float = field(metadata=between(0, 1))


@frozen
class IndexReinvestment:
    """An index of the deal's market plus ``spread`` (negative below it: SOFR - 25bp is
    ``spread = -0.0025``), never below ``floor``."""

    index: str
    spread: float = field(default=0.0, metadata=between(-1, 1))
    floor: float = field(default=0.0, metadata=at_least(0))


ReinvestmentRate = FixedReinvestment | IndexReinvestment
REINVESTMENT_TAGS = {FixedReinvestment: "fixed", IndexReinvestment: "index"}


@frozen
class Reinvestment:
    """Interest on cash, credited each month on the opening balance of each of ``accounts``
    (default: ``operating`` and every declared account)."""

    rate: ReinvestmentRate
    accounts: tuple[str, ...] | None = None


def reinvestment_problems(
    reinvestment: Reinvestment | None, accounts: tuple[str, ...], indices: set[str]
) -> Iterator[Problem]:
    """Accounts that do not exist or are named twice; an index the deal's market lacks."""
    if reinvestment is None:
        return
    known = [OPERATING, *accounts]
    for i, name in enumerate(reinvestment.accounts or ()):
        if name not in known:
            yield Problem(f"reinvestment.accounts[{i}]", f"expected an account {known}, found {name!r}")
        elif name in (reinvestment.accounts or ())[:i]:
            yield Problem(f"reinvestment.accounts[{i}]", f"expected each account once, found {name!r} again")
    rate = reinvestment.rate
    if isinstance(rate, IndexReinvestment) and rate.index not in indices:
        yield Problem(
            "reinvestment.rate.index", f"expected an index of market.index {sorted(indices)}, found {rate.index!r}"
        )
