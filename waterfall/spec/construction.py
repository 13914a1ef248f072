"""Construction: who pays for cost overruns, and how much of the budget can overrun.

When a scenario delays completion, leases on the assets being built start
later (their terms run from the actual start) and, where a tranche says so
(``pik = "construction"``), its interest is capitalised until completion.
Delayed-draw tranches list their ``draws``; interest paid from a reserve during
construction is a DSRA-type account funded at closing and named as the
``reserve`` of the ``pay_interest`` step.
"""

from __future__ import annotations

from attrs import field, frozen

from waterfall.spec.bounds import at_least


@frozen
class EquityFunds:
    """The SPV's equity pays overruns (a further contribution, lowering its return)."""


@frozen
class SponsorFunds:
    """A named sponsor pays overruns outside the SPV (e.g. a hyperscaler covering its campus)."""

    sponsor: str


@frozen
class DebtFunds:
    """A tranche is drawn further for overruns, at completion."""

    tranche: str


OverrunFunding = EquityFunds | SponsorFunds | DebtFunds
FUNDING_TAGS = {EquityFunds: "equity", SponsorFunds: "sponsor", DebtFunds: "debt"}


@frozen
class Construction:
    budget: float = field(metadata=at_least(0))
    overrun_funding: OverrunFunding
