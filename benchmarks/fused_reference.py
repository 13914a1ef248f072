"""The fused reference: the bench deal's financing waterfall as one compiled loop per path.

The yardstick the engine is measured against (issue 13), not a second engine: it
is written for the bench deal (``bench_deal.py``: the GPU-lease SPV over 120
months) and nothing else. For each path it steps the months once and does, in
the engine's order of business, what the engine does with numpy masks over all
paths: interest on the senior (SOFR fixed at the start of each accrual period,
floored, + spread, ACT/360) and on the fixed-rate mezz, their IO periods and
amortisation (level annuity sized at the closing rate; straight line), the DSRA
drawn for senior debt service and topped up to six months of it, the mezz PIK
toggle, the trailing-12-month DSCR lock-up with its cash trap and cure, the LTV
sweep against the market's collateral value, the senior payment covenant, the
mezz written down when it matures unpaid, and the wind-up at the horizon. Every
movement is floored to whole cents as the ledger floors it.

Its inputs are the same market arrays the engine gets (SOFR, collateral value)
and the operating side of each path: revenue, operating costs and fees per month.
The operating side (leases, early termination, renewal at market, merchant rent,
cost escalation) is not re-implemented here: the reference takes it as an input,
so its throughput is that of the financing waterfall alone (a lower bound on what
a fused loop over the whole deal costs). The month a path's covenants accelerate
it (an event of default) or a tranche reaches maturity unpaid, the reference
stops that path: enforcement and the default waterfall are not modelled, and the
check compares each path's months before that one (``stop``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from waterfall.engine.clock import Schedule
from waterfall.engine.debt import sizing_rate
from waterfall.spec.account import DebtServiceReserve
from waterfall.spec.covenant import DscrTest, LtvTest, PaymentDefault
from waterfall.spec.deal import Deal

# per-tranche records written by the kernel, as the engine's tape names them
RECORDS = ("interest_due", "interest_paid", "principal_scheduled", "principal_paid", "pik", "writedown", "balance_end")
UNPAID = 0.005


@njit(cache=True)
def _floor_cents(amount: float) -> float:
    return np.floor(amount * 100.0 + 1e-3) / 100.0


@njit(cache=True)
def _fused(
    revenue: np.ndarray,  # (paths, months)
    opex: np.ndarray,
    fees: np.ndarray,
    sofr: np.ndarray,
    collateral: np.ndarray,
    is_payment: np.ndarray,  # (months,)
    period_start: np.ndarray,
    year_fraction: np.ndarray,
    remaining: np.ndarray,  # (2, months) payment dates left in each tranche's amortisation
    first_amort: np.ndarray,  # (2,) first amortising month
    last_amort: np.ndarray,  # (2,) month the amortisation's last instalment falls
    final_payment: np.ndarray,  # (2,)
    original: np.ndarray,  # (2,)
    senior_spread: float,
    senior_floor: float,
    senior_sizing: float,
    mezz_rate: float,
    dsra_opening: float,
    dsra_months: float,
    months_per_payment: int,
    trailing: int,
    lock_up_level: float,
    default_level: float,
    ltv_sweep: float,
    grace: int,
    out: np.ndarray,  # (len(RECORDS), paths, 2, months)
    equity: np.ndarray,  # (paths, months)
    stop: np.ndarray,  # (paths,) first month not modelled, months when none
) -> None:
    paths, months = revenue.shape
    cfads = np.zeros(months)
    service_hist = np.zeros(months)
    for p in range(paths):
        balance = original.copy()
        interest_arrears = np.zeros(2)
        principal_arrears = np.zeros(2)
        interest_due = np.zeros(2)
        principal_due = np.zeros(2)
        interest_sched = np.zeros(2)
        principal_sched = np.zeros(2)
        operating = 0.0
        dsra = dsra_opening
        trap = 0.0
        opex_due = 0.0
        fee_due = 0.0
        lock_up = False
        missed = 0
        stop[p] = months
        for m in range(months):
            service_hist[m] = 0.0
            # revenue and costs (the operating side, an input)
            operating += revenue[p, m]
            opex_due += opex[p, m]
            fee_due += fees[p, m]
            cfads[m] = revenue[p, m] - opex[p, m] - fees[p, m]
            if is_payment[m]:
                # accrual: the period's interest and the principal falling due
                yf = year_fraction[m]
                rates = (max(sofr[p, period_start[m]], senior_floor) + senior_spread, mezz_rate)
                sizing = (senior_sizing, mezz_rate)
                service = 0.0
                for i in range(2):
                    interest = np.round(balance[i] * rates[i] * yf, 2)
                    base = balance[i] - principal_arrears[i]
                    if m >= final_payment[i] or m >= last_amort[i]:
                        scheduled = base
                    elif m < first_amort[i]:
                        scheduled = 0.0
                    elif i == 1:  # straight line
                        scheduled = base / remaining[i, m]
                    else:  # level annuity at the sizing rate
                        r = sizing[i] * yf
                        scheduled = base * r / (1.0 - (1.0 + r) ** -remaining[i, m]) - base * r
                    scheduled = min(max(scheduled, 0.0), base)
                    scheduled = min(np.round(scheduled, 2), base)
                    interest_sched[i] = interest
                    principal_sched[i] = scheduled
                    interest_due[i] = interest + interest_arrears[i]
                    interest_arrears[i] = 0.0
                    principal_due[i] = min(scheduled + principal_arrears[i], balance[i])
                    principal_arrears[i] = 0.0
                    out[0, p, i, m] = interest_due[i]
                    out[2, p, i, m] = principal_due[i]
                    service += interest + scheduled
                service_hist[m] = service
                # covenants: trailing DSCR, LTV sweep
                lo = max(0, m - trailing + 1)
                c = 0.0
                s = 0.0
                for k in range(lo, m + 1):
                    c += cfads[k]
                    s += service_hist[k]
                default = False
                now_lock = False
                if s > 0:
                    dscr = c / s
                    now_lock = dscr < lock_up_level
                    default = dscr < default_level
                total = balance[0] + balance[1]
                breach = collateral[p, m] > 0 and total / collateral[p, m] > ltv_sweep
                if default:
                    stop[p] = m
                    break
                if lock_up and not now_lock and trap != 0.0:  # cure: trapped cash released
                    moved = _floor_cents(trap)
                    trap -= moved
                    operating += moved
                lock_up = now_lock
                # the priority of payments
                paid = _floor_cents(min(max(operating, 0.0), max(opex_due, 0.0)))
                operating -= paid
                opex_due -= paid
                paid = _floor_cents(min(max(operating, 0.0), max(fee_due, 0.0)))
                operating -= paid
                fee_due -= paid  # what a fee is still owed stays owed (the deal's fees keep arrears)
                for kind in range(2):  # senior interest, then principal: operating cash, then the DSRA
                    owed = interest_due[0] if kind == 0 else principal_due[0]
                    got = 0.0
                    amount = _floor_cents(min(max(operating, 0.0), owed))
                    operating -= amount
                    got += amount
                    amount = _floor_cents(min(max(dsra, 0.0), max(owed - got, 0.0)))
                    dsra -= amount
                    got += amount
                    if kind == 0:
                        interest_due[0] -= got
                        out[1, p, 0, m] += got
                    else:
                        balance[0] -= got
                        principal_due[0] = max(principal_due[0] - got, 0.0)
                        out[3, p, 0, m] += got
                target = (interest_sched[0] + principal_sched[0]) / months_per_payment * dsra_months
                excess = _floor_cents(max(dsra - target, 0.0))
                dsra -= excess
                operating += excess
                top_up = _floor_cents(min(max(operating, 0.0), max(target - dsra, 0.0)))
                operating -= top_up
                dsra += top_up
                amount = _floor_cents(min(max(operating, 0.0), interest_due[1]))
                operating -= amount
                interest_due[1] -= amount
                out[1, p, 1, m] += amount
                amount = _floor_cents(min(max(operating, 0.0), principal_due[1]))
                operating -= amount
                balance[1] -= amount
                principal_due[1] = max(principal_due[1] - amount, 0.0)
                out[3, p, 1, m] += amount
                available = max(operating, 0.0) if breach else 0.0
                for i in range(2):
                    amount = _floor_cents(min(max(balance[i], 0.0), available))
                    operating -= amount
                    balance[i] -= amount
                    principal_due[i] = min(principal_due[i], balance[i])
                    out[3, p, i, m] += amount
                    available -= amount
                amount = _floor_cents(max(operating, 0.0))
                operating -= amount
                if lock_up:
                    trap += amount
                else:
                    equity[p, m] += amount
                # settle: senior interest short is arrears, mezz interest short is capitalised
                short = interest_due[0]
                interest_arrears[0] += short
                balance[1] += interest_due[1]
                out[4, p, 1, m] += interest_due[1]
                principal_arrears[0] += principal_due[0]
                principal_arrears[1] += principal_due[1]
                interest_due[0] = interest_due[1] = principal_due[0] = principal_due[1] = 0.0
                # the senior payment covenant: missed interest or principal unpaid at maturity
                missed = missed + 1 if short > UNPAID else 0
                if missed > grace or (m == final_payment[0] and balance[0] > UNPAID):
                    stop[p] = m + 1
                    out[6, p, 0, m] = balance[0]
                    out[6, p, 1, m] = balance[1]
                    break
                # maturity: an unpaid tranche would take reserves first (not modelled); residue is written off
                for i in range(2):
                    if m == final_payment[i]:
                        if balance[i] > UNPAID:
                            stop[p] = m
                            break
                        if balance[i] > 0:
                            out[5, p, i, m] += balance[i]
                            balance[i] = 0.0
                if stop[p] == m:
                    break
            if m == months - 1:  # the horizon: every account's balance goes to equity
                equity[p, m] += operating + dsra + trap
                operating = dsra = trap = 0.0
            out[6, p, 0, m] = balance[0]
            out[6, p, 1, m] = balance[1]


class Terms:
    """The bench deal's terms the kernel reads, taken from the deal itself (not restated)."""

    def __init__(self, deal: Deal) -> None:
        schedule = Schedule(deal.calendar)
        months = schedule.months
        senior, mezz = deal.tranches
        self.is_payment = schedule.is_payment
        self.period_start = schedule.period_start
        self.year_fraction = schedule.year_fraction
        self.final_payment = np.array(
            [schedule.last_payment_by(deal.calendar.month_of(t.legal_maturity)) for t in deal.tranches]
        )
        self.first = np.array([t.interest_only_months for t in deal.tranches])
        self.last = np.array([t.interest_only_months + t.amortisation.term_months - 1 for t in deal.tranches])
        self.remaining = np.ones((2, months))
        for i in range(2):
            end = min(self.last[i], self.final_payment[i])
            for m in range(months):
                count = sum(1 for q in schedule.payment_months if m <= q <= end)
                self.remaining[i, m] = max(count, 1)
        self.original = np.array([t.balance for t in deal.tranches])
        self.spread, self.floor = senior.coupon.spread, senior.coupon.floor
        self.sizing = sizing_rate(deal, senior)
        self.mezz_rate = mezz.coupon.rate
        dsra = next(a for a in deal.accounts if isinstance(a, DebtServiceReserve))
        self.dsra_opening, self.dsra_months = dsra.closing_balance, dsra.target_months
        self.months_per_payment = deal.calendar.months_per_payment
        dscr = next(c for c in deal.covenants if isinstance(c, DscrTest))
        self.trailing, self.lock_up, self.default = dscr.trailing_months, dscr.lock_up, dscr.default
        self.ltv_sweep = next(c for c in deal.covenants if isinstance(c, LtvTest)).sweep
        self.grace = next(c for c in deal.covenants if isinstance(c, PaymentDefault)).grace_periods
        self.months = months


def fused(
    terms: Terms,
    sofr: np.ndarray,
    collateral: np.ndarray,
    revenue: np.ndarray,
    opex: np.ndarray,
    fees: np.ndarray,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Run the kernel on (paths, months) arrays; returns per-tranche records (paths, tranches,
    months) by ``RECORDS`` name, equity distributions (paths, months) and each path's stop month."""
    paths, months = revenue.shape
    out = np.zeros((len(RECORDS), paths, 2, months))
    equity = np.zeros((paths, months))
    stop = np.zeros(paths, dtype=np.int64)
    c = np.ascontiguousarray
    _fused(
        c(revenue),
        c(opex),
        c(fees),
        c(sofr[:, :months]),
        c(collateral[:, :months]),
        terms.is_payment,
        terms.period_start,
        terms.year_fraction,
        terms.remaining,
        terms.first,
        terms.last,
        terms.final_payment,
        terms.original,
        terms.spread,
        terms.floor,
        terms.sizing,
        terms.mezz_rate,
        terms.dsra_opening,
        terms.dsra_months,
        terms.months_per_payment,
        terms.trailing,
        terms.lock_up,
        terms.default,
        terms.ltv_sweep,
        terms.grace,
        out,
        equity,
        stop,
    )
    return {name: out[k] for k, name in enumerate(RECORDS)}, equity, stop
