"""Revenue: leases collecting rent from tenants, idle GPUs earning merchant rent, tapes.

Each lease keeps, per path, whether it is active, the end of its current term,
the next renewal option and its current rent rate; a tenant's walk-away or a
renewal is a mask over paths, never a loop. A campus lease with a ``relet``
term hands its space to ``waterfall.engine.reletting`` when the tenant leaves.
"""

from __future__ import annotations

import numpy as np

from waterfall.compiled import use_kernels
from waterfall.engine.clock import Schedule
from waterfall.engine.construction import Build
from waterfall.engine.escalation import IndexedGrowth
from waterfall.engine.ledger import Ledger
from waterfall.engine.reletting import LEASING, VACANCY, Reletting
from waterfall.engine.revenue_program import CompiledRevenue
from waterfall.market.curves import Market
from waterfall.market.escalation import fixed_growth
from waterfall.spec.account import OPERATING
from waterfall.spec.deal import Deal
from waterfall.spec.guarantee import LeaseBackstop
from waterfall.spec.lease import FixedRent, Lease, PerGpuHourRent, PerMwRent, Renewal

MERCHANT = "merchant"


class LeaseBook:
    """The state of one lease over paths: active or not, its dates and its base rent rate.

    Dates are per path: a lease on an asset still being built starts when that
    path's construction completes, and its term runs from there.
    """

    def __init__(
        self,
        lease: Lease,
        deal: Deal,
        paths: int,
        delay: np.ndarray,
        campus: np.ndarray | None = None,
        index: np.ndarray | None = None,
    ) -> None:
        self.lease = lease
        self.start = deal.calendar.month_of(lease.start) + delay
        self.end = self.start + lease.term_months  # the initial term's (walk-aways fall within it)
        self.term_end = self.end.copy()  # the current term's, moved on by each renewal
        self.option = np.zeros(paths, dtype=np.int64)  # the next renewal option to come up
        rent = lease.rent
        self.contract = _rate(rent)
        self.campus = campus  # campus market rent factor (months, paths), for per-MW and fixed rents
        self.base_rate = np.full(paths, self.contract)
        self.base_month = self.start.copy()  # escalation counts years from here
        # an indexed escalator's growth on this block's index paths (paths, months)
        self.indexed = None if index is None else IndexedGrowth(lease, index, self.base_month)
        self.active = np.zeros(paths, dtype=bool)
        self.generation = None
        self.fleet = rent.fleet if isinstance(rent, PerGpuHourRent) else None
        if self.fleet is not None:
            self.generation = next(f.generation for f in deal.fleets if f.name == self.fleet)

    def rate(self, month: int) -> np.ndarray:
        if self.indexed is not None:
            return self.base_rate * self.indexed.at(self.base_month, month)
        if self.lease.escalator == 0.0:
            return self.base_rate  # times 1.0 ** years: the same numbers, without the powers
        return self.base_rate * fixed_growth(self.lease, month - self.base_month)

    def market_rate(self, month: int, rents: dict[str, np.ndarray]) -> np.ndarray:
        """Market rent in this lease's rate unit: the fleet's GPU rent, or the contract
        rate times the campus market rent factor."""
        if self.generation is not None:
            return rents[self.generation][month]
        assert self.campus is not None
        return self.contract * self.campus[month]

    def monthly_rent(self, month: int, hours: float) -> np.ndarray:
        rent = self.lease.rent
        rate = self.rate(month)
        if isinstance(rent, FixedRent):
            return rate
        if isinstance(rent, PerMwRent):
            return rate * rent.mw
        used = 1.0 if self.lease.take_or_pay else rent.utilisation
        return rate * rent.gpus * hours * used

    def gpus_on_lease(self) -> np.ndarray:
        rent = self.lease.rent
        assert isinstance(rent, PerGpuHourRent)
        return np.where(self.active, rent.gpus, 0)


def _reads_market(option: Renewal) -> bool:
    return option.basis == "market" or option.exercise == "if_below_market"


def _escalator_index(lease: Lease, market: Market, months: int) -> np.ndarray | None:
    """The index an indexed escalator reads, (paths, months); None for a fixed escalator."""
    terms = lease.escalator_index
    return None if terms is None else market.index[terms.index][:, :months]


def _rate(rent: FixedRent | PerMwRent | PerGpuHourRent) -> float:
    if isinstance(rent, FixedRent):
        return rent.monthly
    if isinstance(rent, PerMwRent):
        return rent.rate_per_mw_month
    return rent.rate


class Revenue:
    """Collects each month's revenue into ``account``: the operating account, or the collection
    account where collection periods end before payment dates (``engine/collections.py``)."""

    def __init__(
        self,
        deal: Deal,
        schedule: Schedule,
        market: Market,
        rents: dict[str, np.ndarray],
        build: Build,
        account: str = OPERATING,
    ):
        self.deal = deal
        self.account = account
        self.schedule = schedule
        self.rents = rents  # generation -> (months, paths), month-major
        self.paths = paths = market.paths
        # tenant credit events from the market: a default stops rent from that month,
        # a tenant that does not renew walks at the end of the term
        self.default_month = {name: np.asarray(m) for name, m in market.tenant_default.items()}
        self.renews = dict(market.tenant_renews)
        self.option_renews = dict(market.option_renews)  # per option of a ``renewals`` list
        months = schedule.months
        campus = {k: np.ascontiguousarray(a[:, :months].T) for k, a in market.campus_rent.items()}
        index = {lease.name: _escalator_index(lease, market, months) for lease in deal.leases}
        self.leases = [
            LeaseBook(lease, deal, paths, build.lease_delay(lease), campus.get(lease.market_rent), index[lease.name])
            for lease in deal.leases
        ]
        self.relets = {
            lease.name: Reletting(lease, campus[lease.market_rent], paths, account, index[lease.name])
            for lease in deal.leases
            if lease.relet
        }
        # costs the space of re-let leases incurs this month, for the expenses to accrue
        self.costs = {VACANCY: np.zeros(paths), LEASING: np.zeros(paths)} if self.relets else {}
        # lease backstops: who pays a defaulted tenant's rent, and how much each has paid (a
        # backstop covering several leases has one cap for them all)
        self.backstops = {name: g for g in deal.guarantees if isinstance(g, LeaseBackstop) for name in g.covered}
        self.backstopped = {g.name: np.zeros(paths) for g in self.backstops.values()}
        # leases that stopped this month on each path (ended, not renewed, walked, defaulted)
        self.ended = {lease.name: np.zeros(paths, dtype=bool) for lease in deal.leases}
        self.fleets = {f.name: f for f in deal.fleets}
        self.delivery = {f.name: build.delivery(f) for f in deal.fleets}
        # many paths: the leases' and merchant fleets' months in compiled loops
        # (``revenue_program``, set up on the first month, when the ledger is known)
        self.kernels = use_kernels(paths)
        self.compiled: CompiledRevenue | None = None

    def collect(self, month: int, ledger: Ledger, live: np.ndarray) -> np.ndarray:
        """Collect rent on live paths; returns the month's revenue per path."""
        hours = self.schedule.hours[month]
        total = np.zeros(ledger.paths)
        for name in self.costs:
            self.costs[name] = np.zeros(ledger.paths)
        if self.kernels and self.compiled is None:
            self.kernels = CompiledRevenue.applies(self, ledger, MERCHANT)
            self.compiled = CompiledRevenue(self, ledger, MERCHANT) if self.kernels else None
        if self.compiled is not None:
            self.compiled.collect(month, float(hours), ledger, live, total)
            return self._tapes(month, ledger, live, total)
        for book in self.leases:
            total += self._lease(book, month, hours, ledger, live)
        for merchant in self.deal.merchant:
            fleet = self.fleets[merchant.fleet]
            delivered = self.delivery[fleet.name] <= month
            if not delivered.any():
                continue
            on_lease = sum(
                (b.gpus_on_lease() for b in self.leases if b.fleet == fleet.name),
                start=np.zeros(ledger.paths),
            )
            idle = np.where(delivered, np.maximum(fleet.count - on_lease, 0.0), 0.0)
            earned = idle * self.rents[fleet.generation][month] * hours * merchant.utilisation
            total += ledger.move(month, MERCHANT, self.account, np.where(live, earned, 0.0))
        return self._tapes(month, ledger, live, total)

    def _tapes(self, month: int, ledger: Ledger, live: np.ndarray, total: np.ndarray) -> np.ndarray:
        """The deal's revenue tapes' amounts of ``month`` on live paths, added to ``total``."""
        for tape in self.deal.tapes:
            if month < len(tape.amounts) and tape.amounts[month]:
                amount = np.where(live, tape.amounts[month], 0.0)
                total += ledger.move(month, tape.name, self.account, amount)
        return total

    def _gone(self, party: str, month: int) -> np.ndarray:
        """Paths where ``party`` has defaulted by ``month``."""
        defaulted = self.default_month.get(party)
        if defaulted is None:
            return np.zeros(self.paths, dtype=bool)
        return (defaulted >= 0) & (defaulted <= month)

    def _lease(self, book: LeaseBook, month: int, hours: float, ledger: Ledger, live: np.ndarray):
        lease = book.lease
        was_active = book.active.copy()
        # a lease signed before closing is live from month 0
        starting = (np.maximum(book.start, 0) == month) & (book.end > 0)
        book.active |= starting
        ending = book.term_end == month
        if ending.any():
            self._renew(book, month, ending)
        book.active &= live
        tenant_gone = self._gone(lease.tenant, month)
        backstop = self.backstops.get(lease.name)
        covered = np.zeros_like(book.active)
        if backstop is not None:
            room = self.backstopped[backstop.name] < backstop.cap
            covered = book.active & tenant_gone & ~self._gone(backstop.guarantor, month) & room
        book.active &= ~tenant_gone | covered
        collected = np.zeros(ledger.paths)
        if book.active.any():
            rent = book.monthly_rent(month, hours)
            walk = lease.early_termination
            if walk is not None:
                market = book.market_rate(month, self.rents)
                may_walk = (book.start + walk.earliest_month <= month) & (month < book.end)
                cheaper = market < book.rate(month) * (1.0 - walk.walk_discount)
                walks = book.active & ~covered & may_walk & cheaper
                if walks.any():
                    fee = np.where(walks, rent * walk.fee_months, 0.0)
                    collected += ledger.move(month, lease.tenant, self.account, fee)
                    book.active &= ~walks
            collected += ledger.move(month, lease.tenant, self.account, np.where(book.active & ~covered, rent, 0.0))
            if covered.any():
                assert backstop is not None
                owed = np.minimum(rent, backstop.cap - self.backstopped[backstop.name])
                paid = ledger.move(month, backstop.guarantor, self.account, np.where(covered, owed, 0.0))
                self.backstopped[backstop.name] += paid
                collected += paid
        self.ended[lease.name] = was_active & ~book.active & live
        relet = self.relets.get(lease.name)
        if relet is not None:
            # a tenancy that stops at its very start (a tenant gone before it) leaves the space too
            stopped = (was_active | starting) & ~book.active & live
            rent, costs = relet.step(month, stopped, live, ledger)
            collected += rent
            for name, amount in costs.items():
                self.costs[name] += amount
        return collected

    def _renew(self, book: LeaseBook, month: int, ending: np.ndarray) -> None:
        """The tenant's decision on the option that comes up on the paths whose term ends this month.

        The original single ``renewal`` keeps its rule: any exercise but ``never``
        also needs the tenant's one scenario draw (``Market.tenant_renews``). Options
        of a ``renewals`` list draw apart (``Market.option_renews``), and only
        ``scenario`` and ``if_below_market`` read the draw.
        """
        lease = book.lease
        legacy = lease.renewal is not None
        renews = np.zeros_like(ending)
        new_rate = book.base_rate
        for k, option in enumerate(lease.options):
            due = ending & (book.option == k)
            if option.exercise == "never" or not due.any():
                continue
            market = book.market_rate(month, self.rents) if _reads_market(option) else None
            if option.basis == "market":
                assert market is not None
                rate = market.copy()
            else:
                rate = book.rate(month) * (1.0 + option.step)
            takes = due.copy()
            if option.exercise == "if_below_market":
                assert market is not None
                takes &= rate <= market + 1e-12
            if legacy and lease.tenant in self.renews:
                takes &= self.renews[lease.tenant]
            elif not legacy and option.exercise != "always" and lease.name in self.option_renews:
                takes &= self.option_renews[lease.name][:, k]
            renews |= takes
            new_rate = np.where(due, rate, new_rate)
            book.term_end = np.where(takes, month + option.term_months, book.term_end)
        book.active &= ~ending | renews
        book.base_rate = np.where(ending, new_rate, book.base_rate)
        book.base_month = np.where(ending, month, book.base_month)
        book.option = np.where(ending, book.option + 1, book.option)
