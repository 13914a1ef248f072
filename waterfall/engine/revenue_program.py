"""Revenue's month on a block of paths through the compiled kernels (``revenue_kernel``).

Each lease's terms are encoded once: its rent kind and scale, its walk-away test, its
backstop and cap, and the paths' start, end and default months. A month runs each
lease through ``revenue_kernel.lease_month`` and each merchant fleet through
``merchant_month``, which do per path what ``Revenue._lease`` and ``Revenue.collect``
do over the paths, in the same floating-point operations and order, so the numbers
agree to the bit. The rare events stay in numpy and run only when they occur: a month
in which a lease's term ends on some path (the renewal decision) runs that lease's
whole month through ``Revenue._lease``; re-letting and user tapes run as before.

A lease's rate is computed again (``LeaseBook.rate``) only in a month some path's
fixed escalation steps; an indexed escalator's every month.
"""

from __future__ import annotations

import numpy as np

from waterfall import compiled
from waterfall.engine.ledger import Ledger
from waterfall.market.escalation import step_months
from waterfall.spec.guarantee import LeaseBackstop
from waterfall.spec.lease import FixedRent, PerGpuHourRent, PerMwRent

KERNEL = "waterfall.engine.revenue_kernel"
FIXED, PER_MW, PER_GPU_HOUR = range(3)
# a lease's integer terms, its float terms, its per-path months, its work rows, its outputs
KIND, WALKS, EARLIEST, BACKSTOP, SCALED, CENTS, ADD = range(7)
SCALE, USED, FEE_MONTHS, KEEP, CONTRACT, CAP = range(6)
START, END, TENANT_DEFAULT, GUARANTOR_DEFAULT = range(4)
FEE, RENT, OWED, COLLECTED = range(4)
ENDED, STOPPED = range(2)
# what ``lease_month`` returns: which payers' flows moved
TENANT_MOVED, GUARANTOR_MOVED = 1, 2


class LeaseTerms:
    """One lease's terms as the kernel reads them, and the months its numpy reference must run."""

    def __init__(self, revenue, book, cents: bool, months: int) -> None:
        lease = book.lease
        rent = lease.rent
        paths = revenue.paths
        walk = lease.early_termination
        backstop: LeaseBackstop | None = revenue.backstops.get(lease.name)
        kind = FIXED if isinstance(rent, FixedRent) else PER_MW if isinstance(rent, PerMwRent) else PER_GPU_HOUR
        self.relet = revenue.relets.get(lease.name)
        self.terms = np.array(
            [
                kind,
                walk is not None,
                0 if walk is None else walk.earliest_month,
                backstop is not None,
                book.generation is None,  # market rent: the contract rate x the campus factor
                cents,
                self.relet is None,  # a re-let's rent joins the lease's before the month's total
            ],
            dtype=np.int64,
        )
        scale = 1.0
        if isinstance(rent, PerMwRent):
            scale = rent.mw
        elif isinstance(rent, PerGpuHourRent):
            scale = float(rent.gpus)
        used = 1.0 if lease.take_or_pay or not isinstance(rent, PerGpuHourRent) else rent.utilisation
        self.values = np.array(
            [
                scale,
                used,
                0.0 if walk is None else walk.fee_months,
                0.0 if walk is None else 1.0 - walk.walk_discount,
                book.contract,
                0.0 if backstop is None else backstop.cap,
            ]
        )
        never = np.full(paths, -1, dtype=np.int64)
        tenant = revenue.default_month.get(lease.tenant, never)
        guarantor = never if backstop is None else revenue.default_month.get(backstop.guarantor, never)
        self.fixed = np.ascontiguousarray(np.stack([book.start, book.end, tenant, guarantor]), dtype=np.int64)
        self.out = np.zeros((2, paths), dtype=bool)
        self.work = np.zeros((4, paths))
        self.backstopped = np.zeros(paths) if backstop is None else revenue.backstopped[backstop.name]
        self.tenant = (lease.tenant, revenue.account)
        self.guarantor = None if backstop is None else (backstop.guarantor, revenue.account)
        self.market = None
        if walk is not None:
            self.market = revenue.rents[book.generation] if book.generation is not None else book.campus
        self.step = step_months(lease)
        self.months = months
        self.rate: np.ndarray | None = None
        self.refresh(book)

    def refresh(self, book) -> None:
        """After a month in numpy (a renewal): the months a term ends, the months a rate steps."""
        self.ends = set(np.unique(book.term_end).tolist())
        self.rate = None
        self.steps: set[int] = set()
        if book.indexed is None and book.lease.escalator != 0.0:
            for base in np.unique(book.base_month).tolist():
                self.steps.update(range(base % self.step, self.months, self.step))

    def current_rate(self, book, month: int) -> np.ndarray:
        """``book.rate(month)``, computed again only where it may have changed."""
        if book.indexed is not None:
            return book.rate(month)  # each path's own index: no month is known to repeat the last
        if book.lease.escalator == 0.0:
            return book.base_rate
        if self.rate is None or month in self.steps:
            self.rate = book.rate(month)
        return self.rate


def _row(ledger: Ledger, month: int, key: tuple[str, str]) -> tuple[np.ndarray, bool]:
    """This month's row of the flow ``key``, or a zeroed stand-in (True) while it has not moved."""
    row = ledger.moved(month, key)
    if row is None:
        return np.zeros(ledger.paths), True
    return row, False


def _book_new(ledger: Ledger, month: int, key: tuple[str, str] | None, row: np.ndarray, new: bool) -> None:
    """A flow is created by its first movement: a stand-in's movements become the flow's row."""
    if key is not None and new and ledger.moved(month, key) is None:
        ledger._row(month, key)[...] += row


class CompiledRevenue:
    """``Revenue.collect``'s leases and merchant fleets through the kernels; the same numbers."""

    def __init__(self, revenue, ledger: Ledger, merchant: str) -> None:
        self.revenue = revenue
        self.merchant = merchant
        months = revenue.schedule.months
        self.leases = [LeaseTerms(revenue, book, ledger.cents, months) for book in revenue.leases]
        # every lease's active flag per path, one row each (the merchant kernel reads them all)
        self.active = np.zeros((len(revenue.leases), revenue.paths), dtype=bool)
        for row, book in zip(self.active, revenue.leases, strict=True):
            row[:] = book.active
            book.active = row
        self.merchants = []
        for merchant_terms in revenue.deal.merchant:
            fleet = revenue.fleets[merchant_terms.fleet]
            gpus = np.array([float(b.lease.rent.gpus) if b.fleet == fleet.name else 0.0 for b in revenue.leases])
            delivery = np.ascontiguousarray(revenue.delivery[fleet.name], dtype=np.int64)
            self.merchants.append((fleet, merchant_terms.utilisation, gpus, delivery, np.zeros(revenue.paths)))

    @staticmethod
    def applies(revenue, ledger: Ledger, merchant: str) -> bool:
        """Whether the kernels book as ``Ledger.move`` would: every payer is outside the SPV."""
        payers = {merchant} | {b.lease.tenant for b in revenue.leases}
        payers |= {g.guarantor for g in revenue.backstops.values()}
        return not payers & ledger.balance.keys()

    def collect(self, month: int, hours: float, ledger: Ledger, live: np.ndarray, total: np.ndarray) -> None:
        revenue = self.revenue
        lease_month = compiled.kernel(KERNEL, "lease_month")
        balance = ledger.balance[revenue.account]
        for book, terms in zip(revenue.leases, self.leases, strict=True):
            if month in terms.ends:  # a renewal decision on some path: the numpy reference
                total += revenue._lease(book, month, hours, ledger, live)
                terms.refresh(book)
                continue
            rate = terms.current_rate(book, month)
            tenant_row, tenant_new = _row(ledger, month, terms.tenant)
            guarantor_row, guarantor_new = tenant_row, tenant_new  # the same flow when the same payer
            if terms.guarantor is not None and terms.guarantor != terms.tenant:
                guarantor_row, guarantor_new = _row(ledger, month, terms.guarantor)
            market = rate if terms.market is None else terms.market[month]
            moved = lease_month(
                month,
                hours,
                live,
                terms.terms,
                terms.values,
                terms.fixed,
                book.active,
                terms.out,
                rate,
                market,
                terms.backstopped,
                balance,
                tenant_row,
                guarantor_row,
                terms.work,
                total,
            )
            # the tenant's flow first, then the guarantor's, as ``_lease`` moves them
            if moved & TENANT_MOVED:
                _book_new(ledger, month, terms.tenant, tenant_row, tenant_new)
            if moved & GUARANTOR_MOVED:
                _book_new(ledger, month, terms.guarantor, guarantor_row, guarantor_new)
            revenue.ended[book.lease.name] = terms.out[ENDED].copy()
            if terms.relet is not None:
                collected = terms.work[COLLECTED]
                rent, costs = terms.relet.step(month, terms.out[STOPPED], live, ledger)
                collected += rent
                for name, amount in costs.items():
                    revenue.costs[name] += amount
                total += collected
        merchant_month = compiled.kernel(KERNEL, "merchant_month")
        key = (self.merchant, revenue.account)
        for fleet, utilisation, gpus, delivery, work in self.merchants:
            row, new = _row(ledger, month, key)
            moved = merchant_month(
                month,
                hours,
                live,
                delivery,
                self.active,
                gpus,
                float(fleet.count),
                utilisation,
                revenue.rents[fleet.generation][month],
                ledger.cents,
                balance,
                row,
                work,
                total,
            )
            if moved == 2:
                _book_new(ledger, month, key, row, new)
