"""The end of the horizon: what the assets the SPV still owns are worth, and who gets it.

A deal's horizon ends before its assets do: a campus whose bonds are repaid
still stands, with its tenant and its rent; a GPU fleet still sells for its
residual value. ``TerminalValue`` values them on the last month of the horizon
and says whether that value is realised (sold, paid out creditors first) or
marked to equity. A deal without it values nothing at the horizon (the
engine's behaviour before terminal values existed, documented as such).
"""

from __future__ import annotations

from typing import Literal

from attrs import field, frozen

from waterfall.spec.bounds import at_least, between


@frozen
class IncomeApproach:
    """A campus at its stabilised net operating income over an exit cap rate.

    NOI is the SPV's revenue less operating costs over the last ``noi_months``
    months of the horizon, annualised (an appraiser's trailing income; the
    structure's own fees are not property costs). ``cap_rate`` is the deal's
    exit cap rate; a scenario that prices exit cap rates moves it by its
    ``cap_rate_shift`` path.
    """

    cap_rate: float = field(metadata=between(0.01, 0.5))
    noi_months: int = field(default=12, metadata=at_least(1))


@frozen
class BookValue:
    """A campus at its straight-line book value (cost depreciated to salvage)."""


CampusValue = IncomeApproach | BookValue
CAMPUS_VALUE_TAGS = {IncomeApproach: "income", BookValue: "book"}


@frozen
class TerminalValue:
    """How the assets still owned at the horizon are valued and who receives the value.

    - ``campus``: the income approach or book value (required when the deal owns a
      campus); fleets are always valued at
      their market residual value (the scenario's rent-linked value, else book).
    - ``treatment``: ``sale``: sold on the last month for value x (1 - haircut) x
      (1 - costs), the cash paid through the waterfall's default order, creditors
      first, the rest to equity; ``mark_to_equity``: where no debt is owed at the
      horizon the whole value is marked to equity (an appraisal, no haircut or
      costs); where debt is still owed the assets are sold as under ``sale``.
    - ``haircut``: discount to value of a sale at the horizon (an orderly sale,
      not the enforcement haircut); ``costs``: transaction costs as a share of the
      price. Both are stated by the deal: there is no default for them.
    """

    treatment: Literal["sale", "mark_to_equity"]
    haircut: float = field(metadata=between(0, 1))
    costs: float = field(metadata=between(0, 1))
    campus: CampusValue | None = None
