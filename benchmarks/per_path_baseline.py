"""The bench deal the straightforward way: one SimPy run per path, scalar Python, against the vectorised engine.

Issue 5 asks what vectorising over paths buys. This is the obvious alternative:
each path is its own SimPy environment, every amount a Python float, the
deal's priority of payments written out step by step. It covers the features
the GPU-lease deal uses (a fleet, a take-or-pay lease with market renewal and
a walk option, merchant rent on idle GPUs, escalating opex, power and
maintenance capex, fixed and bps fees, a DSRA and a cash trap, a floating
level-annuity senior and a fixed straight-line mezz with a PIK toggle, DSCR,
LTV-sweep and payment covenants, acceleration, a lagged forced sale and the
wind-up to equity) and refuses a deal that needs more. Written from the
methodology, it is also a second reading of the priority of payments: fed the
same market paths, it must agree with the engine to the cent.

    python benchmarks/per_path_baseline.py [--paths 256] [--chunk 4096]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import simpy

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_deal import BENCH_SCENARIO, bench_deal

from waterfall.engine import run
from waterfall.engine.clock import Phase, Schedule, at
from waterfall.market.generate import generate
from waterfall.market.scenario import load_scenario
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.spec.account import OPERATING, DebtServiceReserve, LockUp
from waterfall.spec.costs import BpsFee
from waterfall.spec.covenant import DscrTest, LtvTest, PaymentDefault
from waterfall.spec.deal import Deal
from waterfall.spec.lease import PerGpuHourRent
from waterfall.spec.steps import FundReserve, PayEquity, PayExpenses, PayFee, PayInterest, PayPrincipal, Sweep, Trap
from waterfall.spec.tranche import FixedCoupon, LevelAnnuity, StraightLine

NORMAL, LOCK_UP, DEFAULT, WOUND_UP = "normal", "lock_up", "default", "wound_up"
EQUITY = "equity"


def supported(deal: Deal) -> None:
    """Refuse what this implementation does not model, rather than get it silently wrong."""
    unsupported = {
        "hedges": deal.hedges,
        "crypto": deal.crypto,
        "guarantees": deal.guarantees,
        "campuses": deal.campuses,
        "tapes": deal.tapes,
        "construction": deal.construction,
        "tranche draws": [t for t in deal.tranches if t.draws],
        "amortisation other than straight line or level annuity": [
            t for t in deal.tranches if not isinstance(t.amortisation, StraightLine | LevelAnnuity)
        ],
        "PIK other than a toggle": [t for t in deal.tranches if t.pik not in ("none", "toggle")],
        "rent other than per GPU-hour": [lease for lease in deal.leases if not isinstance(lease.rent, PerGpuHourRent)],
        "other than one fleet, one lease and one merchant pool": len(deal.fleets) != 1
        or len(deal.leases) != 1
        or len(deal.merchant) != 1,
        "renewal other than always": [
            lease for lease in deal.leases if lease.renewal and lease.renewal.exercise != "always"
        ],
        "covenants other than DSCR, LTV and payment": [
            c for c in deal.covenants if not isinstance(c, DscrTest | LtvTest | PaymentDefault)
        ],
        "accounts other than one DSRA and one cash trap": sorted(type(a).__name__ for a in deal.accounts)
        != ["DebtServiceReserve", "LockUp"],
    }
    found = [name for name, things in unsupported.items() if things]
    if found or deal.calendar.rounding != "cents":
        raise ValueError(f"the per-path baseline does not model: {found or ['rounding other than cents']}")


def cents(amount: float) -> float:
    """What a payment can be: whole cents, floored (a thousandth of a cent of float noise counts)."""
    return math.floor(amount * 100.0 + 1e-3) / 100.0


class PathMarket:
    """One path of the generated market, as Python floats."""

    def __init__(self, market, path: int, generation: str, index: str) -> None:
        self.rent = market.gpu_rent[generation][path].tolist()
        self.index = market.index[index][path].tolist()
        self.fleet_value = market.collateral[path].tolist()
        self.haircut = market.sale_haircut[path].tolist()
        self.default_month = {name: int(m[path]) for name, m in market.tenant_default.items()}
        self.renews = {name: bool(r[path]) for name, r in market.tenant_renews.items()}
        self.sale_lag = market.sale_lag_months


class Tranche:
    def __init__(self, spec, final_payment: int) -> None:
        self.spec = spec
        self.name = spec.name
        self.balance = spec.balance
        self.final_payment = final_payment
        self.interest_due = self.principal_due = 0.0
        self.interest_arrears = self.principal_arrears = 0.0
        self.interest_scheduled = self.principal_scheduled = 0.0
        self.interest_paid = self.principal_paid = self.written_down = self.forgiven = 0.0


class PathDeal:
    """The deal on one path: accounts, tranches, covenants and the mode, all floats and strings."""

    def __init__(self, deal: Deal, schedule: Schedule, market: PathMarket) -> None:
        self.deal, self.schedule, self.market = deal, schedule, market
        self.months = schedule.months
        self.accounts = {OPERATING: 0.0, **{a.name: 0.0 for a in deal.accounts}}
        self.dsra = next(a for a in deal.accounts if isinstance(a, DebtServiceReserve))
        self.trap = next(a.name for a in deal.accounts if isinstance(a, LockUp))
        month_of = deal.calendar.month_of
        self.tranches = [Tranche(t, schedule.last_payment_by(month_of(t.legal_maturity))) for t in deal.tranches]
        self.by_name = {t.name: t for t in self.tranches}
        self.mode = NORMAL
        self.sweep_breach = False
        self.sold = False
        self.sale_month = -1
        self.default_month = -1
        self.missed = 0
        self.short = [0.0] * len(self.tranches)
        self.cfads = [0.0] * self.months
        self.service = [0.0] * self.months  # scheduled debt service on payment dates
        self.equity = 0.0
        # costs
        costs = deal.costs
        self.opex_due = {"opex": 0.0, "power": 0.0, "maintenance_capex": 0.0}
        self.fee_due = {f.name: 0.0 for f in deal.fees}
        # the lease and the fleet
        self.fleet = deal.fleets[0]
        self.lease = deal.leases[0]
        self.lease_start = month_of(self.lease.start)
        self.lease_end = self.lease_start + self.lease.term_months
        renewal = self.lease.renewal
        self.renewal_end = self.lease_end + (renewal.term_months if renewal else 0)
        self.lease_rate = self.lease.rent.rate
        self.lease_rate_month = self.lease_start
        self.leased = False
        self.costs = costs
        self.move(0, "closing", self.dsra.name, self.dsra.closing_balance)

    # -- cash ---------------------------------------------------------------------------------

    def move(self, month: int, source: str, destination: str, amount: float) -> float:
        if amount == 0.0:
            return 0.0
        amount = cents(amount)
        if source in self.accounts:
            self.accounts[source] -= amount
        if destination in self.accounts:
            self.accounts[destination] += amount
        if destination == EQUITY:
            self.equity += amount
        return amount

    @property
    def live(self) -> bool:
        return self.mode != WOUND_UP

    def debt_balance(self) -> float:
        return sum(t.balance for t in self.tranches)

    # -- every month --------------------------------------------------------------------------

    def lease_rate_now(self, month: int) -> float:
        return self.lease_rate * (1.0 + self.lease.escalator) ** ((month - self.lease_rate_month) // 12)

    def collect_revenue(self, month: int) -> float:
        hours = self.schedule.hours[month]
        lease, rent = self.lease, self.lease.rent
        if max(self.lease_start, 0) == month and self.lease_end > 0:
            self.leased = True
        if month == self.lease_end:  # the term ends: renew at market rent, if the tenant does
            renewal = lease.renewal
            if renewal is None:
                self.leased = False
            else:
                self.leased = self.leased and self.market.renews.get(lease.tenant, True)
                self.lease_rate = self.market.rent[month] if renewal.basis == "market" else self.lease_rate_now(month)
                self.lease_rate_month = month
        if month == self.renewal_end and self.renewal_end > self.lease_end:
            self.leased = False
        defaulted = self.market.default_month.get(lease.tenant, -1)
        if not self.live or 0 <= defaulted <= month:
            self.leased = False
        revenue = 0.0
        if self.leased:
            used = 1.0 if lease.take_or_pay else rent.utilisation
            monthly = self.lease_rate_now(month) * rent.gpus * hours * used
            walk = lease.early_termination
            if (
                walk is not None
                and self.lease_start + walk.earliest_month <= month < self.lease_end
                and self.market.rent[month] < self.lease_rate_now(month) * (1.0 - walk.walk_discount)
            ):
                revenue += self.move(month, lease.tenant, OPERATING, monthly * walk.fee_months)
                self.leased = False
            if self.leased:
                revenue += self.move(month, lease.tenant, OPERATING, monthly)
        merchant = self.deal.merchant[0]
        if self.live and month >= self.deal.calendar.month_of(self.fleet.delivery):
            idle = max(self.fleet.count - (rent.gpus if self.leased else 0), 0.0)
            earned = idle * self.market.rent[month] * hours * merchant.utilisation
            revenue += self.move(month, "merchant", OPERATING, earned)
        return revenue

    def incur_expenses(self, month: int) -> tuple[float, float]:
        """Costs and fees falling due this month: (expenses, fees)."""
        if not self.live:
            return 0.0, 0.0
        costs = self.costs
        growth = (1.0 + costs.escalation) ** (month // 12)
        power = costs.power
        hours = self.schedule.hours[month]
        incurred = {
            "opex": costs.fixed_opex_monthly * growth,
            "power": (power.it_mw * power.pue * hours * power.price_per_mwh if power else 0.0) * growth,
            "maintenance_capex": costs.maintenance_capex_monthly * growth,
        }
        for name, amount in incurred.items():
            self.opex_due[name] += amount
        fees = 0.0
        balance = self.debt_balance()
        for fee in self.deal.fees:
            amount = (
                balance * fee.basis.bps / 10_000.0 / 12.0 if isinstance(fee.basis, BpsFee) else fee.basis.annual / 12.0
            )
            self.fee_due[fee.name] += amount
            fees += amount
        return sum(incurred.values()), fees

    def enforce(self, month: int) -> None:
        if self.mode == DEFAULT and self.sale_month == month and not self.sold:
            self.sell(month)

    def sell(self, month: int) -> None:
        price = self.market.fleet_value[month] * (1.0 - self.market.haircut[month])
        self.move(month, "collateral_sale", OPERATING, price)
        self.sold = True

    # -- payment dates ------------------------------------------------------------------------

    def accrue(self, month: int) -> None:
        """Interest for the period and the principal falling due; the DSCR's denominator."""
        yf = self.schedule.year_fraction[month]
        fixing = self.schedule.period_start[month]
        service = 0.0
        for t in self.tranches:
            coupon = t.spec.coupon
            if isinstance(coupon, FixedCoupon):
                rate = coupon.rate
            else:
                rate = max(self.market.index[fixing], coupon.floor) + coupon.spread
            period_rate = rate * yf
            interest = round(t.balance * period_rate * 100.0) / 100.0 if self.live else 0.0
            base = t.balance - t.principal_arrears
            scheduled = min(max(self.scheduled(t, month, base, period_rate), 0.0), base) if self.live else 0.0
            scheduled = min(round(scheduled * 100.0) / 100.0, base)
            t.interest_scheduled, t.principal_scheduled = interest, scheduled
            t.interest_due = interest + t.interest_arrears
            t.interest_arrears = 0.0
            t.principal_due = t.balance if self.mode == DEFAULT else min(scheduled + t.principal_arrears, t.balance)
            t.principal_arrears = 0.0
            service += interest + scheduled
        self.service[month] = max(service, 0.0)

    def scheduled(self, t: Tranche, month: int, base: float, period_rate: float) -> float:
        kind = t.spec.amortisation
        first = t.spec.interest_only_months
        last = first + kind.term_months - 1
        if month >= t.final_payment or month >= last:
            return base
        if month < first:
            return 0.0
        remaining = sum(1 for p in self.schedule.payment_months if month <= p <= min(last, t.final_payment))
        if isinstance(kind, StraightLine) or abs(period_rate) < 1e-12:
            return base / remaining
        return base * period_rate / (1.0 - (1.0 + period_rate) ** -remaining) - base * period_rate

    def test_covenants(self, month: int) -> bool:
        """DSCR and LTV on a payment date: sets lock-up or normal; returns whether the deal defaults."""
        collateral = self.market.fleet_value[month]
        ltv = self.debt_balance() / collateral if collateral > 0 and self.live else math.nan
        lock_up = default = sweep = False
        for covenant in self.deal.covenants:
            if isinstance(covenant, DscrTest):
                first = max(0, month - covenant.trailing_months + 1)
                cfads = sum(self.cfads[first : month + 1])
                service = sum(self.service[first : month + 1])
                dscr = cfads / service if service > 0 else math.nan
                lock_up |= covenant.lock_up is not None and dscr < covenant.lock_up
                default |= covenant.default is not None and dscr < covenant.default
            elif isinstance(covenant, LtvTest):
                sweep |= covenant.sweep is not None and ltv > covenant.sweep
                default |= covenant.default is not None and ltv > covenant.default
        self.sweep_breach = sweep
        if self.mode in (NORMAL, LOCK_UP):
            if self.mode == LOCK_UP and not lock_up and not default:  # cured: trapped cash is released
                self.move(month, self.trap, OPERATING, self.accounts[self.trap])
            self.mode = LOCK_UP if lock_up else NORMAL
            return default
        return False

    def accelerate(self, month: int, earliest_sale: int, due_now: bool) -> None:
        """Event of default: the whole debt due, reserves freed for creditors, a sale scheduled."""
        self.mode = DEFAULT
        self.default_month = month
        self.sale_month = self.schedule.first_payment_from(earliest_sale)
        if due_now:
            for t in self.tranches:
                t.principal_due += t.balance - t.principal_due
        for account in self.accounts:
            if account != OPERATING:
                self.move(month, account, OPERATING, self.accounts[account])

    def distribute(self, month: int, steps) -> None:
        """The priority of payments of the path's mode, step by step."""
        for step in steps:
            if isinstance(step, PayExpenses):
                owed = list(self.opex_due.values())
                total = sum(owed)
                cash = min(self.accounts[OPERATING], total)
                for name, amount in zip(list(self.opex_due), owed, strict=True):
                    part = amount / total * cash if total > 0 else 0.0
                    self.opex_due[name] -= self.move(month, OPERATING, name, part)
            elif isinstance(step, PayFee):
                amount = min(self.accounts[OPERATING], self.fee_due[step.fee])
                self.fee_due[step.fee] -= self.move(month, OPERATING, step.fee, amount)
            elif isinstance(step, PayInterest | PayPrincipal):
                self.pay_group(month, step)
            elif isinstance(step, FundReserve):
                tranches = [self.by_name[n] for n in self.dsra.tranches]
                service = sum(t.interest_scheduled + t.principal_scheduled for t in tranches)
                target = service / self.deal.calendar.months_per_payment * self.dsra.target_months
                excess = max(self.accounts[step.account] - target, 0.0)
                self.move(month, step.account, OPERATING, excess)
                need = max(target - self.accounts[step.account], 0.0)
                self.move(month, OPERATING, step.account, min(self.accounts[OPERATING], need))
            elif isinstance(step, Sweep):
                available = self.accounts[OPERATING] * (step.percent_on_breach if self.sweep_breach else step.percent)
                for name in step.tranches:
                    t = self.by_name[name]
                    amount = self.move(month, OPERATING, name, min(available, t.balance))
                    t.balance -= amount
                    t.principal_due = min(t.principal_due, t.balance)
                    t.principal_paid += amount
                    available -= amount
            elif isinstance(step, Trap):
                self.move(month, OPERATING, step.account, self.accounts[OPERATING])
            elif isinstance(step, PayEquity):
                self.move(month, OPERATING, EQUITY, self.accounts[OPERATING])
            else:
                raise ValueError(f"the per-path baseline does not model the step {step!r}")

    def pay_group(self, month: int, step: PayInterest | PayPrincipal) -> None:
        """Interest or principal on a pro-rata group, from operating cash and then the reserve."""
        interest = isinstance(step, PayInterest)
        group = [self.by_name[n] for n in step.tranches]
        owed = [t.interest_due if interest else t.principal_due for t in group]
        paid = [0.0] * len(group)
        for source in (OPERATING, step.reserve):
            if source is None:
                continue
            remaining = [max(o - p, 0.0) for o, p in zip(owed, paid, strict=True)]
            total = sum(remaining)
            amount = min(max(self.accounts[source], 0.0), total)
            for j, t in enumerate(group):
                part = remaining[j] / total * amount if total > 0 else 0.0
                paid[j] += self.move(month, source, t.name, part)
        for t, amount in zip(group, paid, strict=True):
            if interest:
                t.interest_due -= amount
                t.interest_paid += amount
            else:
                t.balance -= amount
                t.principal_due = max(t.principal_due - amount, 0.0)
                t.principal_paid += amount

    def settle(self) -> None:
        """What the waterfall could not pay: PIK-toggle interest capitalised, the rest in arrears."""
        for i, t in enumerate(self.tranches):
            short = t.interest_due
            if t.spec.pik == "toggle":
                t.balance += short
                short = 0.0
            else:
                t.interest_arrears += short
            self.short[i] = short
            t.principal_arrears += t.principal_due
            t.interest_due = t.principal_due = 0.0

    def payment_test(self, month: int) -> bool:
        defaulted = False
        for covenant in self.deal.covenants:
            if isinstance(covenant, PaymentDefault):
                rows = [i for i, t in enumerate(self.tranches) if t.name in covenant.tranches]
                late = any(self.short[i] > 0.005 for i in rows)
                self.missed = self.missed + 1 if late else 0
                defaulted |= self.missed > covenant.grace_periods
                defaulted |= any(
                    self.tranches[i].final_payment == month and self.tranches[i].balance > 0.005 for i in rows
                )
        return defaulted

    def pay_out(self, month: int, tranches: list[Tranche]) -> None:
        """A last distribution: everything these tranches are owed is due, paid in the default order."""
        for t in tranches:
            t.interest_due, t.interest_arrears = t.interest_arrears, 0.0
            t.principal_arrears = 0.0
            t.principal_due = t.balance
        steps = self.deal.waterfall.default
        if len(tranches) < len(self.tranches):
            steps = tuple(s for s in steps if not isinstance(s, PayEquity))
        self.distribute(month, steps)
        self.settle()

    def mature(self, month: int) -> None:
        last = month == self.months - 1
        if last and self.mode == DEFAULT and not self.sold:  # enforcement cannot outlast the horizon
            self.sell(month)
            self.pay_out(month, self.tranches)
        maturing = [t for t in self.tranches if t.final_payment == month]
        if self.mode in (NORMAL, LOCK_UP) and any(t.balance > 0.005 for t in maturing):
            for account in self.accounts:
                if account != OPERATING:
                    self.move(month, account, OPERATING, self.accounts[account])
            self.pay_out(month, maturing)
        sold = self.mode == DEFAULT and self.sold
        for t in self.tranches:
            open_maturing = self.mode in (NORMAL, LOCK_UP) and t.final_payment == month
            if sold or (open_maturing and t.balance > 0):
                t.written_down += t.balance
                t.forgiven += t.interest_arrears
                t.balance = 0.0
                t.interest_arrears = t.principal_arrears = 0.0
        if sold or (last and self.live):
            for account in self.accounts:
                self.move(month, account, EQUITY, self.accounts[account])
            self.mode = WOUND_UP


def simulate_path(deal: Deal, schedule: Schedule, market: PathMarket) -> PathDeal:
    """One path through one SimPy run: a process per concern, ordered within the month by ``Phase``."""
    books = PathDeal(deal, schedule, market)
    sale_lag = deal.enforcement.sale_lag_months + market.sale_lag
    modes = {NORMAL: deal.waterfall.normal, LOCK_UP: deal.waterfall.lock_up, DEFAULT: deal.waterfall.default}

    def revenue_and_expenses(month: int) -> None:
        revenue = books.collect_revenue(month)
        expenses, fees = books.incur_expenses(month)
        books.cfads[month] = revenue - expenses - fees

    def covenants(month: int) -> None:
        books.accrue(month)
        if books.test_covenants(month):
            books.accelerate(month, month + sale_lag, due_now=True)

    def waterfall(month: int) -> None:
        if books.mode in modes:
            books.distribute(month, modes[books.mode])
        if books.live:
            books.settle()
        else:
            books.short = [0.0] * len(books.tranches)
        if books.payment_test(month) and books.mode in (NORMAL, LOCK_UP):
            books.accelerate(month, month + max(sale_lag, 1), due_now=False)

    def every(months, phase: Phase, act):
        def process(env: simpy.Environment):
            for month in months:
                yield env.timeout(at(month, phase) - env.now)
                act(month)

        return process

    env = simpy.Environment()
    every_month, payment_dates = range(schedule.months), schedule.payment_months
    for months, phase, act in (
        (every_month, Phase.REVENUE, revenue_and_expenses),
        (payment_dates, Phase.ACCRUAL, covenants),
        (every_month, Phase.ENFORCEMENT, books.enforce),
        (payment_dates, Phase.WATERFALL, waterfall),
        (payment_dates, Phase.MATURITY, books.mature),
    ):
        env.process(every(months, phase, act)(env))
    env.run()
    return books


def compare(deal: Deal, paths: list[PathDeal], vectorised) -> dict[str, float]:
    """Largest difference per measure between the two implementations, over the paths."""
    table = vectorised.sort("path", maintain_order=True)
    worst: dict[str, float] = {}
    for name in [t.name for t in deal.tranches]:
        rows = table.filter(tranche=name)
        for column, scalar in (
            ("interest_paid", [p.by_name[name].interest_paid for p in paths]),
            ("principal_paid", [p.by_name[name].principal_paid for p in paths]),
            ("loss", [max(p.by_name[name].written_down + p.by_name[name].forgiven, 0.0) for p in paths]),
        ):
            worst[f"{name}.{column}"] = float(np.max(np.abs(rows[column].to_numpy() - np.array(scalar))))
    equity = table.filter(tranche=EQUITY)["principal_paid"].to_numpy()
    worst["equity.distributions"] = float(np.max(np.abs(equity - np.array([p.equity for p in paths]))))
    defaults = table.filter(tranche=EQUITY)["default_period"].fill_null(-1).to_numpy()
    worst["default_month (paths differing)"] = float(np.sum(defaults != np.array([p.default_month for p in paths])))
    return worst


def best_of(times: int, work) -> float:
    """The fastest of a few timed runs after one untimed: the first run at a size pays for
    fresh memory pages, which is the machine warming up, not the engine's speed."""
    work()
    seconds = []
    for _ in range(times):
        start = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - start)
    return min(seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paths", type=int, default=256, help="paths through both implementations")
    parser.add_argument("--chunk", type=int, default=4096, help="paths per engine run at full throughput")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenario", default=BENCH_SCENARIO, help="another preset to check agreement under")
    args = parser.parse_args()
    deal = bench_deal()
    supported(deal)
    scenario = load_scenario(args.scenario)
    months = deal.calendar.horizon_months
    market = generate(scenario, deal, args.seed, 0, max(args.paths, args.chunk))
    small = market.take(slice(0, args.paths))
    schedule = Schedule(deal.calendar)
    generation = deal.fleets[0].generation
    (index,) = {t.coupon.index for t in deal.tranches if not isinstance(t.coupon, FixedCoupon)}

    start = time.perf_counter()
    scalar = [simulate_path(deal, schedule, PathMarket(small, p, generation, index)) for p in range(args.paths)]
    scalar_seconds = time.perf_counter() - start

    tape = run(deal, small)
    small_seconds = best_of(3, lambda: run(deal, small))
    chunk = market.take(slice(0, args.chunk))
    chunk_seconds = best_of(3, lambda: run(deal, chunk))

    per_path = args.paths * months / scalar_seconds
    same_paths = args.paths * months / small_seconds
    full = args.chunk * months / chunk_seconds
    print(f"deal {deal.name}, {months} months, scenario {args.scenario}, seed {args.seed}")
    print(f"per-path SimPy, scalar Python:  {args.paths:>6,} paths  {per_path / 1e3:10.1f} k path-months/s")
    print(f"vectorised engine, same paths:  {args.paths:>6,} paths  {same_paths / 1e3:10.1f} k path-months/s")
    print(f"vectorised engine, one chunk:   {args.chunk:>6,} paths  {full / 1e3:10.1f} k path-months/s")
    print(f"speed-up: {same_paths / per_path:.0f}x on the same paths, {full / per_path:.0f}x at full chunk size")
    defaulted = sum(p.default_month >= 0 for p in scalar)
    print(f"paths with an event of default: {defaulted} of {args.paths}")
    print("largest difference between the two (dollars unless stated):")
    for measure, value in compare(deal, scalar, tranche_outcomes(tape)).items():
        print(f"  {measure:32s} {value:14.6g}")


if __name__ == "__main__":
    main()
