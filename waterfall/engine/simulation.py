"""One simulation: a SimPy environment on the deal's months, one process per concern.

Every process acts on all paths at once; where paths differ (one in lock-up,
another in default) the difference is a mask. The order of business within a
month is ``Phase`` in ``waterfall.engine.clock``; which months each concern
wakes on is ``CONCERNS`` below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy as np
import simpy

from waterfall.compiled import use_kernels
from waterfall.engine.clock import Phase, Schedule, at
from waterfall.engine.collateral import SALE, campus_book_value, fleet_book_value
from waterfall.engine.collections import CollectionAccount
from waterfall.engine.columns import column_sums
from waterfall.engine.construction import Build
from waterfall.engine.covenants import Covenants, loan_to_value
from waterfall.engine.crypto import CryptoBook
from waterfall.engine.debt import MOVEMENTS, Debt
from waterfall.engine.expenses import Expenses
from waterfall.engine.few_paths import distribute, runs_on_few
from waterfall.engine.guarantees import ResidualValueGuarantees
from waterfall.engine.hedges import Hedges
from waterfall.engine.ledger import Ledger
from waterfall.engine.priority import EQUITY, execute, reserve_target
from waterfall.engine.program import CompiledWaterfall
from waterfall.engine.refinancing import Refinancings
from waterfall.engine.reinvestment import CashInterest
from waterfall.engine.revenue import Revenue
from waterfall.engine.tape import DEFAULT, LOCK_UP, NORMAL, WOUND_UP, Tape
from waterfall.engine.terminal import TERMINAL_MARK, TERMINAL_SALE, TerminalValuation
from waterfall.market.curves import Market, base_case
from waterfall.spec.account import OPERATING, DebtServiceReserve, MaintenanceReserve
from waterfall.spec.deal import Deal
from waterfall.spec.refinancing_checks import refinancing_index
from waterfall.spec.reinvestment import IndexReinvestment
from waterfall.spec.steps import PayEquity
from waterfall.spec.tranche import FloatingCoupon, Sculpted

CLOSING = "closing"
UNPAID = 0.005  # dollars: a balance below half a cent is float residue, not an unpaid debt


class Books:
    """The simulation state of one deal over a block of paths (the deal itself stays frozen)."""

    def __init__(
        self, deal: Deal, market: Market, sculpted: dict[str, np.ndarray] | None, keeps_flows: bool = True
    ) -> None:
        self.deal = deal
        self.schedule = schedule = Schedule(deal.calendar)
        months, paths = schedule.months, market.paths
        # month-major copies: each month reads one contiguous row over paths
        # only the generations of the deal's fleets are read (a market may price others)
        generations = {fleet.generation for fleet in deal.fleets}
        rents = {g: np.ascontiguousarray(a[:, :months].T) for g, a in market.gpu_rent.items() if g in generations}
        index = {i: np.ascontiguousarray(a[:, :months].T) for i, a in market.index.items()}
        self.collections = CollectionAccount(schedule)
        accounts = [OPERATING, *deal.account_names, *self.collections.accounts]
        self.ledger = Ledger(accounts, months, paths, deal.calendar.payment_method == "floor", keeps_flows)
        self.build = Build(deal, market, schedule)
        self.revenue = Revenue(deal, schedule, market, rents, self.build, self.collections.destination)
        self.guarantees = ResidualValueGuarantees(deal, self.revenue.default_month, paths)
        self.hedges = Hedges(deal, schedule, index, paths)
        prices = {a: np.ascontiguousarray(p[:, :months].T) for a, p in market.prices.items()}
        self.crypto = CryptoBook(deal, prices, paths)
        self.expenses = Expenses(deal, schedule, paths)
        self.debt = Debt(deal, schedule, index, paths, sculpted)
        self.refinancing = None
        if any(t.refinancing is not None for t in deal.tranches):
            ratings = {t.refinancing.rating for t in deal.tranches if t.refinancing is not None}
            spreads = {r: np.ascontiguousarray(market.credit_spread[r][:, :months].T) for r in ratings}
            window = market.refinancing_open
            window = None if window is None else np.ascontiguousarray(window[:, :months].T)
            self.refinancing = self.debt.refinancing = Refinancings(deal, schedule, index, spreads, window, paths)
        self.cash_interest = CashInterest(deal, index, self.collections.accounts)
        self.covenants = Covenants(deal, paths, schedule, self.collections.accounts)
        self.tape = Tape.empty(months, paths, self.debt.names, self.debt.original, self.ledger)
        self.tape.equity_amount = deal.equity.amount
        self.tape.hurdle_rate = deal.equity.hurdle_rate
        # collateral values and forced-sale haircuts, month-major (months, paths): GPU
        # fleets from the market when it prices them, campuses at book value
        if market.collateral is not None:
            self.fleet_value = np.ascontiguousarray(market.collateral[:, :months].T)
        else:
            self.fleet_value = np.repeat(fleet_book_value(deal, schedule)[:, None], paths, axis=1)
        if market.sale_haircut is not None:
            self.haircut = np.ascontiguousarray(market.sale_haircut[:, :months].T)
        else:
            self.haircut = np.full((months, paths), deal.enforcement.haircut)
        self.campus_value = campus_book_value(deal, schedule)
        self.terminal = TerminalValuation(deal, market)
        self.collateral = self.fleet_value + self.campus_value[:, None]
        # the scenario's lag is the GPU market's: a campus-only deal sells on its own lag; a
        # deal with fleets sells its collateral as one when the later (the fleets') lag ends
        self.sale_lag = deal.enforcement.sale_lag_months + (market.sale_lag_months if deal.fleets else 0)
        self.accounts = {a.name: a for a in deal.accounts}
        self.few = runs_on_few(deal)  # whether a rare mode's waterfall may run on its own paths
        # many paths: every mode's waterfall in one compiled pass over the paths
        waterfall = deal.waterfall
        modes = (waterfall.normal, waterfall.lock_up, waterfall.default)
        self.compiled = CompiledWaterfall(modes) if use_kernels(paths) else None
        self.maintenance_reserves = [a.name for a in deal.accounts if isinstance(a, MaintenanceReserve)]
        self.mode = np.zeros(paths, dtype=np.int8)
        self.sweep_breach = np.zeros(paths, dtype=bool)
        self.sale_month = np.full(paths, -1, dtype=np.int64)
        self.sold = np.zeros(paths, dtype=bool)
        self.debt_service = np.zeros(paths)
        self.short = np.zeros_like(self.debt.balance)
        self.balance_start = self.debt.balance.copy()
        self.month = 0
        for account in deal.accounts:
            if isinstance(account, DebtServiceReserve) and account.closing_balance > 0:
                self.ledger.move(0, CLOSING, account.name, np.full(paths, account.closing_balance))

    # -- the concerns, in the order of ``Phase`` -------------------------------------------

    def collect_revenue(self, month: int) -> None:
        self.month = month
        # the debt books this month's movements straight into the tape's rows
        self.debt.month = {k: self.tape.tranche[k][month] for k in MOVEMENTS}
        live = self.mode != WOUND_UP
        self.cash_interest.credit(month, self.ledger, live)  # on the month's opening balances
        self.tape.period["revenue"][month] = self.revenue.collect(month, self.ledger, live)
        # on a payment date, before anything reads the operating account
        self.collections.release(month, self.ledger, self.mode, self.tape.period["revenue"])
        self.guarantees.on_lease_end(month, self.revenue.ended, self.collateral[month], self.ledger)

    def incur_expenses(self, month: int) -> None:
        live = self.mode != WOUND_UP
        collateral = None
        if self.expenses.needs_collateral:  # valued as the LTV test values it
            collateral = self.collateral[month] + self.crypto.value(month)
        expenses, fees = self.expenses.accrue(month, self.debt.total_balance(), live, self.revenue.costs, collateral)
        period = self.tape.period
        period["opex"][month] = expenses
        period["fees"][month] = fees
        period["cfads"][month] = period["revenue"][month] - expenses - fees

    def accrue_debt(self, month: int) -> None:
        # the CFADS of the collection period this payment date distributes (by default its accrual period)
        first, last = self.schedule.collection_start[month], self.schedule.collection_end[month]
        cfads = column_sums(self.tape.period["cfads"][first : last + 1])
        live = self.mode != WOUND_UP
        constructing = self.build.constructing(month)
        service = self.debt.accrue(month, cfads, self.mode == DEFAULT, live, constructing)
        self.tape.period_rate[month] = self.debt.period_rate
        # debt service net of hedges: what a swap pays in offsets the interest it fixes
        self.debt_service = np.maximum(service - self.hedges.settle(month, self.debt, self.ledger, live), 0.0)
        self.tape.period["debt_service_scheduled"][month] = self.debt_service
        with np.errstate(over="ignore"):  # a vanishing debt service is infinite cover
            self.tape.period["dscr"][month] = np.divide(
                cfads, self.debt_service, out=np.full(cfads.shape, np.nan), where=self.debt_service > 0
            )

    def test_covenants(self, month: int) -> None:
        defaulted, self.sweep_breach = self.covenants.test(
            month,
            self.tape,
            self.ledger,
            self.debt.total_balance(),
            self.collateral[month] + self.crypto.value(month),
            self.mode,
            self.build.completion,
        )
        # tested before this month's enforcement: a sale with no lag happens this month
        self._accelerate(month, defaulted, month + self.sale_lag)

    def enforce(self, month: int) -> None:
        self._sell(month, (self.mode == DEFAULT) & (self.sale_month == month) & ~self.sold)

    def distribute(self, month: int) -> None:
        if self.compiled is not None:
            self.compiled.run(self)  # every mode's steps, path by path, as ``execute`` runs them
        else:
            waterfall = self.deal.waterfall
            for code, steps in (
                (NORMAL, waterfall.normal),
                (LOCK_UP, waterfall.lock_up),
                (DEFAULT, waterfall.default),
            ):
                mask = self.mode == code
                if mask.any():
                    distribute(self, steps, mask, self.few)
        self.short = self.debt.settle(self.mode != WOUND_UP)
        self.expenses.settle(self.mode != WOUND_UP)

    def test_payments(self, month: int) -> None:
        if self.refinancing is not None:
            # what the waterfall left unpaid at a maturity is refinanced or extended, or stays due
            trailing = self.tape.period["cfads"][max(0, month - 11) : month + 1]
            noi = column_sums(trailing) * 12.0 / trailing.shape[0]
            collateral = self.collateral[month] + self.crypto.value(month)
            record = self.tape.tranche["refinanced"][month]
            self.refinancing.decide(month, self.debt, self.mode < DEFAULT, noi, collateral, self.ledger, record)
        defaulted = self.covenants.payment_test(month, self.short, self.debt.maturity, self.debt.balance)
        # tested after this month's sale window: the earliest sale is next month
        lag = max(self.sale_lag, 1)
        self._accelerate(month, defaulted & (self.mode < DEFAULT), month + lag, due_now=False)

    def fund_construction(self, month: int) -> None:
        live = self.mode < DEFAULT
        self.tape.period["equity_contribution"][month] = self.build.fund(month, self.debt, self.ledger, live)

    def mature(self, month: int) -> None:
        last = month == self.schedule.months - 1
        if last:
            # enforcement cannot outlast the horizon: sell what is left and pay it out now
            stranded = (self.mode == DEFAULT) & ~self.sold
            if stranded.any():
                self._sell(month, stranded)
                self._pay_out(month, stranded, list(range(len(self.debt.names))))
            if self.deal.terminal_value is not None:
                self._realise_terminal_value(month)
        # absolute priority before any write-down: where a tranche reaches its final
        # payment unpaid, reserves and trapped cash go to creditors in order first
        due = self.debt.maturity == month  # (tranches, paths)
        maturing = [i for i in range(len(self.debt.names)) if due[i].any()]
        short = np.zeros_like(self.sold)
        for i in maturing:
            short |= (self.mode < DEFAULT) & due[i] & (self.debt.balance[i] > UNPAID)
        if short.any():
            for account in self.ledger.balance:
                if account != OPERATING:
                    self.ledger.move(month, account, OPERATING, np.where(short, self.ledger.balance[account], 0.0))
            self._pay_out(month, short, maturing)
        sold = (self.mode == DEFAULT) & self.sold
        for i in range(len(self.debt.names)):
            maturing_here = (self.mode < DEFAULT) & due[i]
            self.debt.write_down(i, sold | (maturing_here & (self.debt.balance[i] > 0)))
        ending = sold | (last & (self.mode != WOUND_UP))
        if ending.any():
            self.crypto.sell_all(month, ending, self.ledger)  # what is still held goes to equity as cash
            for account in self.ledger.balance:
                self.ledger.move(month, account, EQUITY, np.where(ending, self.ledger.balance[account], 0.0))
            self.mode[ending] = WOUND_UP

    def _realise_terminal_value(self, month: int) -> None:
        """The horizon's last month: assets still owned (on paths not in default, whose
        collateral enforcement sold) are sold, or marked to equity where no debt is owed.
        Sale proceeds pay what is still owed in the default order, creditors first."""
        spec = self.deal.terminal_value
        assert spec is not None
        owned = self.mode < DEFAULT
        gross = np.where(owned, self.terminal.gross(month, self.tape.period, self.fleet_value, self.campus_value), 0.0)
        owing = owned & (self.debt.total_balance() > UNPAID)
        selling = owned if spec.treatment == "sale" else owing
        marking = owned & ~selling
        net = gross * (1.0 - spec.haircut) * (1.0 - spec.costs)
        sold = self.ledger.move(month, TERMINAL_SALE, OPERATING, np.where(selling, net, 0.0))
        marked = self.ledger.move(month, TERMINAL_MARK, EQUITY, np.where(marking, gross, 0.0))
        self.tape.period["terminal_value"][month] = sold + marked
        paying = selling & owing
        if paying.any():
            self._pay_out(month, paying, list(range(len(self.debt.names))))
            # the assets are gone: what their price did not repay is lost, whatever the maturity
            # (a refinanced loan may run past the horizon)
            for i in range(len(self.debt.names)):
                self.debt.write_down(i, paying & (self.debt.balance[i] > 0))

    def _pay_out(self, month: int, paths: np.ndarray, tranches: list[int]) -> None:
        """A last distribution on ``paths``: everything owed by ``tranches`` is due, paid in
        the default order (other tranches are not accelerated by it). While other tranches
        are still owed, nothing goes to equity: what is left stays for the next payment date."""
        self.debt.reopen(paths, tranches)
        steps = self.deal.waterfall.default
        if len(tranches) < len(self.debt.names):
            steps = tuple(step for step in steps if not isinstance(step, PayEquity))
        execute(self, steps, paths)
        self.short = np.where(paths, self.debt.settle(paths), self.short)

    def record(self, month: int) -> None:
        tape, debt = self.tape, self.debt
        tape.tranche["interest_shortfall"][month] = self.short
        tape.tranche["balance_start"][month] = self.balance_start
        tape.tranche["balance_end"][month] = debt.balance
        self.balance_start = debt.balance.copy()
        self.short = np.zeros_like(self.short)
        collateral = self.collateral[month] + self.crypto.value(month)
        tape.period["collateral_value"][month] = collateral
        if not self.schedule.is_payment[month]:
            tape.period["ltv"][month] = loan_to_value(debt.total_balance(), collateral, self.mode)
        tape.period["equity_distribution"][month] = sum(
            (row for (_, dst), row in self.ledger.month_flows(month) if dst == EQUITY),
            start=np.zeros(self.ledger.paths),
        )
        tape.mode[month] = self.mode
        for name, balance in self.ledger.balance.items():
            tape.accounts[name][month] = balance

    # -- events within the concerns ---------------------------------------------------------

    def _sell(self, month: int, selling: np.ndarray) -> None:
        if selling.any():
            campus = self.campus_value[month] * (1.0 - self.deal.enforcement.haircut)
            price = self.fleet_value[month] * (1.0 - self.haircut[month]) + campus
            proceeds = self.ledger.move(month, SALE, OPERATING, np.where(selling, price, 0.0))
            self.crypto.sell_all(month, selling, self.ledger)
            self.guarantees.on_sale(month, selling, proceeds, self.ledger)
            self.sold |= selling

    def _accelerate(self, month: int, defaulted: np.ndarray, earliest_sale: int, due_now: bool = True) -> None:
        """Event of default: all debt due now, reserves freed for creditors, sale scheduled.

        The sale falls on the first payment date from ``earliest_sale`` on (the
        horizon's last month at the latest, where ``mature`` sells what is left).
        ``due_now`` is false after this month's waterfall has run: the whole
        balance then falls due at the next payment date.
        """
        if not defaulted.any():
            return
        self.mode[defaulted] = DEFAULT
        self.tape.default_month[defaulted] = month
        self.sale_month[defaulted] = self.schedule.first_payment_from(earliest_sale)
        if due_now:
            self.debt.accelerate(defaulted)
        self.hedges.terminate(month, defaulted, self.debt, self.ledger)
        for account in self.ledger.balance:
            if account != OPERATING:
                self.ledger.move(
                    month,
                    account,
                    OPERATING,
                    np.where(defaulted, self.ledger.balance[account], 0.0),
                )

    def reserve_target(self, account: str) -> np.ndarray:
        spec = self.accounts[account]
        assert isinstance(spec, DebtServiceReserve | MaintenanceReserve)
        return reserve_target(spec, self.debt, self.deal.calendar.months_per_payment)


def _every(months: Iterable[int], phase: Phase, act: Callable[[int], None]) -> Callable[[simpy.Environment], Iterator]:
    def process(env: simpy.Environment) -> Iterator[simpy.Event]:
        for month in months:
            yield env.timeout(at(month, phase) - env.now)
            act(month)

    return process


def _simulate(deal: Deal, market: Market, sculpted: dict[str, np.ndarray] | None, keeps_flows: bool = True) -> Books:
    books = Books(deal, market, sculpted, keeps_flows)
    every_month = range(books.schedule.months)
    payment_dates = books.schedule.payment_months
    # which months each concern wakes on; Phase orders them within a month
    concerns = (
        (every_month, Phase.REVENUE, books.collect_revenue),
        (every_month, Phase.EXPENSES, books.incur_expenses),
        (payment_dates, Phase.ACCRUAL, books.accrue_debt),
        (payment_dates, Phase.COVENANTS, books.test_covenants),
        (every_month, Phase.ENFORCEMENT, books.enforce),
        (payment_dates, Phase.WATERFALL, books.distribute),
        (payment_dates, Phase.PAYMENT_TEST, books.test_payments),
        (payment_dates, Phase.DRAWS, books.fund_construction),
        (payment_dates, Phase.MATURITY, books.mature),
        (every_month, Phase.RECORD, books.record),
    )
    env = simpy.Environment()
    for months, phase, act in concerns:
        env.process(_every(months, phase, act)(env))
    env.run()
    return books


def _check_market(deal: Deal, market: Market) -> None:
    """The market must cover every rent and index the deal reads, over its whole horizon."""
    months = deal.calendar.horizon_months
    generations = deal.market_rent_generations
    indices = {t.coupon.index for t in deal.tranches if isinstance(t.coupon, FloatingCoupon)}
    indices |= {h.index for h in deal.hedges}
    indices |= {refinancing_index(t) for t in deal.tranches if t.refinancing is not None}
    indices |= {lease.escalator_index.index for lease in deal.leases if lease.escalator_index is not None}
    if deal.reinvestment is not None and isinstance(deal.reinvestment.rate, IndexReinvestment):
        indices.add(deal.reinvestment.rate.index)
    assets = {c.asset for c in deal.crypto}
    ratings = {t.refinancing.rating for t in deal.tranches if t.refinancing is not None}
    needs = (
        ("gpu_rent", generations, market.gpu_rent),
        ("index", indices, market.index),
        ("prices", assets, market.prices),
        ("campus_rent", deal.campus_rent_factors, market.campus_rent),
        ("credit_spread", ratings, market.credit_spread),
    )
    window = market.refinancing_open
    if ratings and window is not None and window.shape[1] < months:
        raise ValueError(f"market.refinancing_open: expected at least {months} months, found {window.shape[1]}")
    for kind, needed, given in needs:
        for name in sorted(needed):
            if name not in given:
                raise ValueError(f"market.{kind}: expected {name!r} for deal {deal.name!r}, found {sorted(given)}")
            if given[name].shape[1] < months:
                raise ValueError(
                    f"market.{kind}.{name}: expected at least {months} months, found {given[name].shape[1]}"
                )


def sculpted_schedule(deal: Deal) -> dict[str, np.ndarray]:
    """Principal per month of each sculpted tranche, sized on the deal's base case."""
    names = [t.name for t in deal.tranches if isinstance(t.amortisation, Sculpted)]
    if not names:
        return {}
    books = _simulate(deal, base_case(deal), None)
    return {name: books.debt.sculpt_log[name] for name in names}


def run(deal: Deal, market: Market, sculpted: dict[str, np.ndarray] | None = None, *, keeps_flows: bool = True) -> Tape:
    """Simulate ``deal`` on every path of ``market``; returns the tape of records.

    ``keeps_flows=False`` leaves out the ledger's record of every month's flows (a third
    of a tape's memory), for runs whose results read only the tranche, period and
    account records: every other record is the same to the bit."""
    _check_market(deal, market)
    if sculpted is None:
        sculpted = sculpted_schedule(deal)
    books = _simulate(deal, market, sculpted, keeps_flows)
    books.tape.interest_forgiven = books.debt.interest_forgiven
    books.tape.maturity = books.debt.maturity
    if books.refinancing is not None:
        books.tape.extensions = books.refinancing.extensions
    books.tape.interest_unpaid = books.debt.interest_arrears
    return books.tape
