"""The deal: the root of the frozen tree a deal file is structured into."""

from __future__ import annotations

from attrs import field, frozen

from waterfall.spec.account import Account
from waterfall.spec.assets import Campus, Fleet
from waterfall.spec.calendar import Calendar
from waterfall.spec.construction import Construction
from waterfall.spec.costs import Costs, Fee
from waterfall.spec.covenant import Covenant, Enforcement
from waterfall.spec.crypto import CryptoHolding
from waterfall.spec.guarantee import Guarantee
from waterfall.spec.hedge import Hedge
from waterfall.spec.lease import Lease, Merchant, PerGpuHourRent, Tape
from waterfall.spec.market import MarketCurves
from waterfall.spec.reinvestment import Reinvestment
from waterfall.spec.steps import Waterfall
from waterfall.spec.terminal import TerminalValue
from waterfall.spec.tranche import Equity, Tranche


@frozen
class SourcesAndUses:
    """Closing sources and uses; when both are stated they must balance."""

    sources: dict[str, float]
    uses: dict[str, float]


@frozen
class Deal:
    """A whole financing: assets, revenue, costs, accounts, capital structure, rules."""

    name: str
    calendar: Calendar
    costs: Costs
    tranches: tuple[Tranche, ...]
    equity: Equity
    waterfall: Waterfall
    enforcement: Enforcement
    description: str = ""
    fleets: tuple[Fleet, ...] = ()
    campuses: tuple[Campus, ...] = ()
    leases: tuple[Lease, ...] = ()
    merchant: tuple[Merchant, ...] = ()
    tapes: tuple[Tape, ...] = ()
    fees: tuple[Fee, ...] = ()
    accounts: tuple[Account, ...] = ()
    covenants: tuple[Covenant, ...] = ()
    guarantees: tuple[Guarantee, ...] = ()
    hedges: tuple[Hedge, ...] = ()
    crypto: tuple[CryptoHolding, ...] = ()
    construction: Construction | None = None
    market: MarketCurves = field(factory=MarketCurves)
    sources_and_uses: SourcesAndUses | None = None
    terminal_value: TerminalValue | None = None
    reinvestment: Reinvestment | None = None

    def tranche(self, name: str) -> Tranche:
        return next(t for t in self.tranches if t.name == name)

    @property
    def account_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.accounts)

    @property
    def counterparties(self) -> tuple[str, ...]:
        """Every named party whose credit a scenario can stress: tenants and guarantors."""
        names = {lease.tenant for lease in self.leases} | {g.guarantor for g in self.guarantees}
        return tuple(sorted(names))

    @property
    def market_rent_generations(self) -> set[str]:
        """The GPU generations whose market rent the deal reads: merchant GPUs, and leased
        GPUs that can come back to the market (a renewal or a walk-away option)."""
        fleets = {f.name: f.generation for f in self.fleets}
        read = {fleets[m.fleet] for m in self.merchant}
        read |= {
            fleets[lease.rent.fleet]
            for lease in self.leases
            if isinstance(lease.rent, PerGpuHourRent) and (lease.options or lease.early_termination)
        }
        return read

    @property
    def campus_rent_factors(self) -> set[str]:
        """The campus market rent factors the deal reads: per-MW and fixed-rent leases with a
        market-linked renewal, a walk-away option or re-letting."""
        return {lease.market_rent for lease in self.leases if lease.reads_campus_rent}
