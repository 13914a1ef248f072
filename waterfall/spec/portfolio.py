"""Portfolios: several deals run together on one clock, and the tranches a lender holds in them.

Run together, the deals share every path of the market: the same rents, the same
demand, and the same default month for a tenant that leases to more than one of
them, so a tenant's default hits every deal it leases from on the same path.
"""

from __future__ import annotations

from pathlib import Path

from attrs import field, frozen

from waterfall.errors import InputError, Problem
from waterfall.spec.bounds import between
from waterfall.spec.checks import walk_bounds
from waterfall.spec.deal import Deal
from waterfall.spec.load import load_deal, read_toml, structure


@frozen
class Holding:
    """A deal of the portfolio, by its file (relative to the portfolio file), and the
    share of each listed tranche the lender holds."""

    deal: str
    tranches: tuple[str, ...] = ()
    share: float = field(default=1.0, metadata=between(0, 1))


@frozen
class Portfolio:
    name: str
    holdings: tuple[Holding, ...]
    description: str = ""


@frozen
class LoadedPortfolio:
    portfolio: Portfolio
    deals: tuple[Deal, ...]  # in the order of the holdings


def is_portfolio(path: str | Path) -> bool:
    """A portfolio file lists holdings; a deal file does not."""
    return "holdings" in read_toml(Path(path))


def load_portfolio(path: str | Path) -> LoadedPortfolio:
    path = Path(path)
    portfolio = structure(read_toml(path), Portfolio, str(path))
    problems = list(walk_bounds(portfolio, ""))
    deals = []
    for i, holding in enumerate(portfolio.holdings):
        try:
            deal = load_deal(path.parent / holding.deal)
        except InputError as error:
            found = "; ".join(str(p) for p in error.problems[:3])
            problems.append(
                Problem(f"holdings[{i}].deal", f"expected a valid deal file, found {holding.deal!r}: {found}")
            )
            continue
        names = {t.name for t in deal.tranches}
        for k, name in enumerate(holding.tranches):
            if name not in names:
                problems.append(
                    Problem(f"holdings[{i}].tranches[{k}]", f"expected a tranche {sorted(names)}, found {name!r}")
                )
        deals.append(deal)
    if len({d.name for d in deals}) != len(deals):
        problems.append(Problem("holdings", "expected each deal once, found a deal held twice"))
    if not portfolio.holdings:
        problems.append(Problem("holdings", "expected at least one holding, found none"))
    if problems:
        raise InputError(str(path), problems)
    return LoadedPortfolio(portfolio=portfolio, deals=tuple(deals))
