"""Checks a structured deal must pass before it runs: ranges, names, dates, balances.

Structuring proves each term has the right kind; these checks prove the terms
make sense together. Every problem is reported with its field path.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import attrs

from waterfall.errors import Problem, key_path
from waterfall.spec.account import DebtServiceReserve, LockUp, MaintenanceReserve
from waterfall.spec.bounds import BOUNDS_KEY, MAX_MAGNITUDE, describe, holds
from waterfall.spec.calendar import calendar_problems
from waterfall.spec.collection_checks import collection_problems
from waterfall.spec.construction import DebtFunds, SponsorFunds
from waterfall.spec.costs import fee_problems
from waterfall.spec.covenant import DscrTest, LtvTest, MinLiquidity, PaymentDefault
from waterfall.spec.deal import Deal
from waterfall.spec.guarantee import ResidualValueGuarantee
from waterfall.spec.hedge import InterestRateSwap, hedging_swaps
from waterfall.spec.lease import PerGpuHourRent, PerMwRent
from waterfall.spec.lease_checks import lease_terms, redeem_step
from waterfall.spec.payment_dates import first_payment_month, payment_date_problems
from waterfall.spec.refinancing_checks import check_refinancing
from waterfall.spec.reinvestment import reinvestment_problems
from waterfall.spec.steps import (
    FundReserve,
    PayExpenses,
    PayFee,
    PayHedge,
    PayInterest,
    PayPrincipal,
    SellCrypto,
    Sweep,
    Trap,
)
from waterfall.spec.tapes import tape_problems
from waterfall.spec.terminal import IncomeApproach
from waterfall.spec.tranche import (
    CustomSchedule,
    FixedCoupon,
    FloatingCoupon,
    LevelAnnuity,
    Sculpted,
    StraightLine,
)

MODES = ("normal", "lock_up", "default")


def walk_bounds(node: Any, path: str) -> Iterator[Problem]:
    """Every number outside the range its field declares."""
    if attrs.has(type(node)):
        for f in attrs.fields(type(node)):
            value = getattr(node, f.name)
            child = f"{path}.{f.name}" if path else f.name
            bounds = f.metadata.get(BOUNDS_KEY)
            if bounds and isinstance(value, int | float) and not holds(bounds, value):
                yield Problem(child, f"expected {describe(bounds)}, found {value!r}")
            yield from walk_bounds(value, child)
    elif isinstance(node, tuple):
        for i, item in enumerate(node):
            yield from walk_bounds(item, f"{path}[{i}]")
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from walk_bounds(item, key_path(path, str(key)))


def _unique(names: list[str], path: str) -> Iterator[Problem]:
    for name, count in Counter(names).items():
        if count > 1:
            yield Problem(path, f"expected unique names, found {name!r} {count} times")


# names the engine itself puts in the ledger
RESERVED = (
    "operating",
    "equity",
    "merchant",
    "closing",
    "collateral_sale",
    "terminal_sale",
    "terminal_value",
    "opex",
    "power",
    "maintenance_capex",
    "capex",
    "vacancy_costs",
    "leasing_costs",
    "refinancing_fees",
    "interest_income",
    "collections",
)


# a deal's name names its results directory: a plain file name, no path
DEAL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _names(deal: Deal) -> Iterator[Problem]:
    if not DEAL_NAME.match(deal.name):
        yield Problem(
            "name", f"expected letters, digits, '_', '-' or '.', starting with a letter or digit, found {deal.name!r}"
        )
    yield from _unique([x.name for x in deal.leases], "leases")
    yield from _unique([x.name for x in (*deal.fleets, *deal.campuses)], "fleets/campuses")
    if not deal.tranches:
        yield Problem("tranches", "expected at least one tranche, found none")
    # every payer and payee is a node of the ledger: one name, one party
    nodes = [
        *((f"tranches[{i}].name", t.name) for i, t in enumerate(deal.tranches)),
        *((f"accounts[{i}].name", a.name) for i, a in enumerate(deal.accounts)),
        *((f"fees[{i}].name", f.name) for i, f in enumerate(deal.fees)),
        *((f"tapes[{i}].name", t.name) for i, t in enumerate(deal.tapes)),
    ]
    nodes += [(f"leases[{i}].tenant", lease.tenant) for i, lease in enumerate(deal.leases)]
    nodes += [(f"guarantees[{i}].name", g.name) for i, g in enumerate(deal.guarantees)]
    nodes += [(f"hedges[{i}].name", h.name) for i, h in enumerate(deal.hedges)]
    nodes += [(f"crypto[{i}].name", c.name) for i, c in enumerate(deal.crypto)]
    seen: dict[str, str] = {}
    for path, name in nodes:
        if name in RESERVED:
            yield Problem(path, f"expected a name other than the ledger's own {', '.join(RESERVED)}; found {name!r}")
        elif name in seen and not (path.startswith("leases") and seen[name].startswith("leases")):
            # a tenant may hold several leases; every other name is one party
            yield Problem(path, f"expected a name not already used by {seen[name]}, found {name!r}")
        else:
            seen.setdefault(name, path)


def _revenue(deal: Deal) -> Iterator[Problem]:
    fleets = {f.name: f for f in deal.fleets}
    campuses = {c.name for c in deal.campuses}
    rents = deal.market.gpu_rent
    for i, lease in enumerate(deal.leases):
        where = f"leases[{i}]"
        rent = lease.rent
        if isinstance(rent, PerGpuHourRent):
            fleet = fleets.get(rent.fleet)
            if fleet is None:
                yield Problem(f"{where}.rent.fleet", f"expected one of {sorted(fleets)}, found {rent.fleet!r}")
            elif rent.gpus > fleet.count:
                yield Problem(
                    f"{where}.rent.gpus",
                    f"expected at most the fleet's {fleet.count} GPUs, found {rent.gpus}",
                )
        if isinstance(rent, PerMwRent) and rent.campus not in campuses:
            yield Problem(f"{where}.rent.campus", f"expected one of {sorted(campuses)}, found {rent.campus!r}")
        market_linked = any(o.basis == "market" or o.exercise == "if_below_market" for o in lease.options)
        if isinstance(rent, PerGpuHourRent) and (market_linked or lease.early_termination):
            generation = fleets[rent.fleet].generation if rent.fleet in fleets else None
            if generation is not None and generation not in rents:
                yield Problem(
                    f"{where}.rent",
                    f"expected market.gpu_rent.{generation} for its market comparison, found none",
                )
        walk = lease.early_termination
        if walk and walk.earliest_month >= lease.term_months:
            yield Problem(
                f"{where}.early_termination.earliest_month",
                f"expected a month before the term's end ({lease.term_months}), found {walk.earliest_month}",
            )
    for i, merchant in enumerate(deal.merchant):
        fleet = fleets.get(merchant.fleet)
        if fleet is None:
            yield Problem(
                f"merchant[{i}].fleet",
                f"expected one of {sorted(fleets)}, found {merchant.fleet!r}",
            )
        elif fleet.generation not in rents:
            yield Problem(
                f"merchant[{i}].fleet",
                f"expected market.gpu_rent.{fleet.generation} for merchant rent, found none",
            )


def _tranches(deal: Deal) -> Iterator[Problem]:
    cal = deal.calendar
    # a maturity needs a payment date at or before it to be repaid on (a calendar that cannot
    # place its dates is reported on its own)
    first_payment = None if calendar_problems(cal) else first_payment_month(cal)
    for i, t in enumerate(deal.tranches):
        where = f"tranches[{i}]"
        # a loan maturing in December is paid at the end of December: month index + 1
        maturity = cal.month_of(t.legal_maturity) + 1
        if maturity <= 0:
            yield Problem(
                f"{where}.legal_maturity",
                f"expected a month after the start {cal.start:%Y-%m}, found {t.legal_maturity:%Y-%m}",
            )
        elif maturity > cal.horizon_months:
            last = cal.date_of(cal.horizon_months - 1)
            yield Problem(
                f"{where}.legal_maturity",
                f"expected a month within the horizon (by {last:%Y-%m}), found {t.legal_maturity:%Y-%m}",
            )
        elif first_payment is not None and maturity - 1 < first_payment:
            first = cal.date_of(first_payment)
            yield Problem(
                f"{where}.legal_maturity",
                f"expected a month on or after the first payment's ({first:%Y-%m}), found {t.legal_maturity:%Y-%m}",
            )
        if cal.payment_method == "floor" and abs(round(t.balance, 2) - t.balance) > 1e-6:
            yield Problem(f"{where}.balance", f'expected whole cents (rounding = "cents"), found {t.balance!r}')
        if isinstance(t.coupon, FloatingCoupon) and t.coupon.index not in deal.market.index:
            yield Problem(
                f"{where}.coupon.index",
                f"expected one of market.index {sorted(deal.market.index)}, found {t.coupon.index!r}",
            )
        amort = t.amortisation
        if (
            isinstance(amort, LevelAnnuity | StraightLine | Sculpted)
            and t.interest_only_months + amort.term_months > maturity > 0
        ):
            yield Problem(
                f"{where}.amortisation.term_months",
                f"expected interest-only + term within the {maturity} months to legal maturity, "
                f"found {t.interest_only_months} + {amort.term_months}",
            )
        if isinstance(amort, LevelAnnuity):
            yield from _sizing(deal, i, amort)
        if isinstance(amort, CustomSchedule):
            for j, entry in enumerate(amort.schedule):
                if not 0 <= cal.month_of(entry.date) < maturity:
                    yield Problem(
                        f"{where}.amortisation.schedule[{j}].date",
                        f"expected a month after the start and by legal maturity, found {entry.date:%Y-%m}",
                    )
        if (
            isinstance(amort, Sculpted)
            and i != len(deal.tranches) - 1
            and any(isinstance(x.amortisation, Sculpted) for x in deal.tranches[i + 1 :])
        ):
            yield Problem(f"{where}.amortisation", "expected at most one sculpted tranche, found several")


def _sizing(deal: Deal, i: int, amort: LevelAnnuity) -> Iterator[Problem]:
    """A level annuity's sizing rate and re-amortisation: floating coupons only, one or the other."""
    t = deal.tranches[i]
    where = f"tranches[{i}].amortisation"
    rate = amort.sizing_rate
    if isinstance(t.coupon, FixedCoupon):
        if rate is not None:
            yield Problem(
                f"{where}.sizing_rate", f"expected none on a fixed coupon (sized at its rate), found {rate!r}"
            )
        if amort.reamortise:
            yield Problem(
                f"{where}.reamortise", "expected false on a fixed coupon (its rate never changes), found true"
            )
        return
    if rate is not None and amort.reamortise:
        yield Problem(f"{where}.sizing_rate", f"expected none with reamortise = true, found {rate!r}")
    if isinstance(rate, float) and not -0.05 <= rate <= 1:
        yield Problem(f"{where}.sizing_rate", f"expected an annual rate from -0.05 to 1, found {rate!r}")
    if rate == "hedged" and not hedging_swaps(deal.hedges, deal.tranches, t.name, deal.calendar):
        yield Problem(
            f"{where}.sizing_rate",
            f"expected a swap on {t.coupon.index} amortising with {t.name!r} over its amortisation, found none",
        )


def _waterfall(deal: Deal) -> Iterator[Problem]:
    tranches = {t.name for t in deal.tranches}
    accounts = {a.name: a for a in deal.accounts}
    fees = {f.name for f in deal.fees}
    for mode in MODES:
        steps = getattr(deal.waterfall, mode)
        if sum(isinstance(s, PayExpenses) for s in steps) != 1:
            yield Problem(
                f"waterfall.{mode}",
                f"expected exactly one pay_expenses step, found {sum(isinstance(s, PayExpenses) for s in steps)}",
            )
        for j, step in enumerate(steps):
            where = f"waterfall.{mode}[{j}]"
            if isinstance(step, PayInterest | PayPrincipal | Sweep):
                for k, name in enumerate(step.tranches):
                    if name not in tranches:
                        yield Problem(
                            f"{where}.tranches[{k}]",
                            f"expected a tranche {sorted(tranches)}, found {name!r}",
                        )
                if not step.tranches:
                    yield Problem(f"{where}.tranches", "expected at least one tranche, found none")
                # a tranche listed twice in one step would be paid (and its due counted) twice
                for k, name in enumerate(step.tranches):
                    if name in step.tranches[:k]:
                        yield Problem(f"{where}.tranches[{k}]", f"expected each tranche once, found {name!r} again")
            if (
                isinstance(step, PayInterest | PayPrincipal)
                and step.reserve is not None
                and step.reserve not in accounts
            ):
                yield Problem(
                    f"{where}.reserve",
                    f"expected an account {sorted(accounts)}, found {step.reserve!r}",
                )
            if isinstance(step, PayFee) and step.fee not in fees:
                yield Problem(f"{where}.fee", f"expected a fee {sorted(fees)}, found {step.fee!r}")
            if isinstance(step, FundReserve) and not isinstance(
                accounts.get(step.account), DebtServiceReserve | MaintenanceReserve
            ):
                yield Problem(
                    f"{where}.account",
                    f"expected a dsra or maintenance_reserve account, found {step.account!r}",
                )
            if isinstance(step, Trap) and not isinstance(accounts.get(step.account), LockUp):
                yield Problem(f"{where}.account", f"expected a lock_up account, found {step.account!r}")
            yield from redeem_step(step, where, accounts, tranches)


def _accounts_and_market(deal: Deal) -> Iterator[Problem]:
    tranches = {t.name for t in deal.tranches}
    for i, account in enumerate(deal.accounts):
        if isinstance(account, DebtServiceReserve):
            if not account.tranches:
                yield Problem(f"accounts[{i}].tranches", "expected the tranches the reserve backs, found none")
            for k, name in enumerate(account.tranches):
                if name not in tranches:
                    yield Problem(
                        f"accounts[{i}].tranches[{k}]", f"expected a tranche {sorted(tranches)}, found {name!r}"
                    )
    for name, curve in deal.market.index.items():
        if not curve.points:
            where = key_path("market.index", name) + ".points"
            yield Problem(where, "expected at least one {month, rate} point, found none")


def _guarantees(deal: Deal) -> Iterator[Problem]:
    leases = {lease.name for lease in deal.leases}
    # a guarantor or sponsor may also be a tenant; no other party may share its name
    taken = {t.name for t in deal.tranches} | set(deal.account_names) | {f.name for f in deal.fees}
    taken |= {t.name for t in deal.tapes} | {h.name for h in deal.hedges} | {c.name for c in deal.crypto}
    taken |= {g.name for g in deal.guarantees}
    funding = deal.construction.overrun_funding if deal.construction else None
    if isinstance(funding, SponsorFunds) and (funding.sponsor in taken or funding.sponsor in RESERVED):
        yield Problem("construction.overrun_funding.sponsor", f"expected a party's name, found {funding.sponsor!r}")
    for i, g in enumerate(deal.guarantees):
        if isinstance(g, ResidualValueGuarantee) and g.lease not in leases:
            yield Problem(f"guarantees[{i}].lease", f"expected a lease {sorted(leases)}, found {g.lease!r}")
        if g.guarantor in taken or g.guarantor in RESERVED:
            yield Problem(f"guarantees[{i}].guarantor", f"expected a party's name, found {g.guarantor!r}")


def _hedges_and_crypto(deal: Deal) -> Iterator[Problem]:
    tranches = {t.name for t in deal.tranches}
    hedges = {h.name for h in deal.hedges}
    holdings = {c.name for c in deal.crypto}
    for i, h in enumerate(deal.hedges):
        if h.index not in deal.market.index:
            yield Problem(
                f"hedges[{i}].index", f"expected one of market.index {sorted(deal.market.index)}, found {h.index!r}"
            )
        if h.end <= h.start:
            yield Problem(f"hedges[{i}].end", f"expected a month after start {h.start:%Y-%m}, found {h.end:%Y-%m}")
        if h.amortise_with is not None and h.amortise_with not in tranches:
            yield Problem(
                f"hedges[{i}].amortise_with", f"expected a tranche {sorted(tranches)}, found {h.amortise_with!r}"
            )
    for i, c in enumerate(deal.crypto):
        if c.asset not in deal.market.prices:
            yield Problem(f"crypto[{i}].asset", f"expected market.prices.{c.asset} for its base case, found none")
    for mode in MODES:
        for j, step in enumerate(getattr(deal.waterfall, mode)):
            where = f"waterfall.{mode}[{j}]"
            if isinstance(step, PayHedge) and step.hedge not in hedges:
                yield Problem(f"{where}.hedge", f"expected a hedge {sorted(hedges)}, found {step.hedge!r}")
            if isinstance(step, SellCrypto):
                if step.holding not in holdings:
                    yield Problem(
                        f"{where}.holding", f"expected a crypto holding {sorted(holdings)}, found {step.holding!r}"
                    )
                for k, name in enumerate(step.tranches):
                    if name not in tranches:
                        yield Problem(
                            f"{where}.tranches[{k}]", f"expected a tranche {sorted(tranches)}, found {name!r}"
                        )
    swaps = [h.name for h in deal.hedges if isinstance(h, InterestRateSwap)]
    for mode in MODES:
        steps = [s for s in getattr(deal.waterfall, mode) if isinstance(s, PayHedge)]
        paid = {s.hedge for s in steps if s.part != "termination"}
        for name in swaps:
            if name not in paid:
                yield Problem(f"waterfall.{mode}", f"expected a pay_hedge step for swap {name!r}, found none")
        # a swap terminates on an event of default: the default order must pay what it is owed
        terminated = {s.hedge for s in steps if s.part != "periodic"}
        for name in swaps if mode == "default" else ():
            if name in paid and name not in terminated:
                yield Problem(
                    "waterfall.default",
                    f'expected a pay_hedge step for swap {name!r} with part "all" or "termination", found none',
                )


def _construction(deal: Deal) -> Iterator[Problem]:
    tranches = {t.name for t in deal.tranches}
    funding = deal.construction.overrun_funding if deal.construction else None
    if isinstance(funding, DebtFunds) and funding.tranche not in tranches:
        yield Problem(
            "construction.overrun_funding.tranche", f"expected a tranche {sorted(tranches)}, found {funding.tranche!r}"
        )
    for i, t in enumerate(deal.tranches):
        maturity = deal.calendar.month_of(t.legal_maturity)
        for j, draw in enumerate(t.draws):
            if not 0 <= deal.calendar.month_of(draw.date) < maturity:
                yield Problem(
                    f"tranches[{i}].draws[{j}].date",
                    f"expected a month from the start to before legal maturity, found {draw.date:%Y-%m}",
                )


def _covenants(deal: Deal) -> Iterator[Problem]:
    tranches = {t.name for t in deal.tranches}
    for i, c in enumerate(deal.covenants):
        where = f"covenants[{i}]"
        if isinstance(c, DscrTest | MinLiquidity) and c.lock_up is None and c.default is None:
            yield Problem(where, "expected a lock_up or default level, found neither")
        if isinstance(c, DscrTest) and c.lock_up is not None and c.default is not None and c.default > c.lock_up:
            yield Problem(
                f"{where}.default",
                f"expected a level at or below lock_up {c.lock_up}, found {c.default}",
            )
        if isinstance(c, LtvTest) and c.sweep is None and c.default is None:
            yield Problem(where, "expected a sweep or default level, found neither")
        if isinstance(c, PaymentDefault):
            for k, name in enumerate(c.tranches):
                if name not in tranches:
                    yield Problem(
                        f"{where}.tranches[{k}]",
                        f"expected a tranche {sorted(tranches)}, found {name!r}",
                    )


def _sources_and_uses(deal: Deal) -> Iterator[Problem]:
    su = deal.sources_and_uses
    if su is None:
        return
    sources, uses = sum(su.sources.values()), sum(su.uses.values())
    if abs(sources - uses) > 1.0:
        yield Problem(
            "sources_and_uses",
            f"expected sources to equal uses, found sources {sources:,.2f} and uses {uses:,.2f}",
        )
    for t in deal.tranches:
        if t.name in su.sources and abs(su.sources[t.name] - t.balance) > 1.0:
            yield Problem(
                f"sources_and_uses.sources.{t.name}",
                f"expected the tranche's balance {t.balance:,.2f}, found {su.sources[t.name]:,.2f}",
            )
    reserves = [a for a in deal.accounts if isinstance(a, DebtServiceReserve) and a.name in su.uses]
    for account in reserves:
        if abs(su.uses[account.name] - account.closing_balance) > 1.0:
            yield Problem(
                f"sources_and_uses.uses.{account.name}",
                f"expected the account's closing_balance {account.closing_balance:,.2f}, "
                f"found {su.uses[account.name]:,.2f}",
            )
    if "equity" in su.sources and abs(su.sources["equity"] - deal.equity.amount) > 1.0:
        yield Problem(
            "sources_and_uses.sources.equity",
            f"expected equity.amount {deal.equity.amount:,.2f}, found {su.sources['equity']:,.2f}",
        )


def _terminal_value(deal: Deal) -> Iterator[Problem]:
    terminal = deal.terminal_value
    if terminal is None:
        return
    if deal.campuses and terminal.campus is None:
        yield Problem(
            "terminal_value.campus",
            "expected a campus valuation (type = 'income' or 'book') for the deal's campuses, found none",
        )
    if isinstance(terminal.campus, IncomeApproach) and deal.fleets:
        # the SPV's NOI includes the fleets' rent: capitalising it would count the GPUs twice
        yield Problem(
            "terminal_value.campus.type",
            "expected 'book' in a deal that owns GPU fleets (the income approach capitalises the whole "
            "SPV's NOI, fleets included), found 'income'",
        )
    if isinstance(terminal.campus, IncomeApproach) and terminal.campus.noi_months > deal.calendar.horizon_months:
        yield Problem(
            "terminal_value.campus.noi_months",
            f"expected at most the horizon's {deal.calendar.horizon_months} months, found {terminal.campus.noi_months}",
        )


def check_deal(deal: Deal) -> list[Problem]:
    """All problems with a structured deal; empty when it may run."""
    return [
        *walk_bounds(deal, ""),
        *_names(deal),
        *_revenue(deal),
        *tape_problems(deal.tapes),
        *fee_problems(deal.fees, deal.calendar),
        *(
            calendar_problems(deal.calendar)
            or payment_date_problems(deal.calendar)
            or collection_problems(deal.calendar)
        ),
        *reinvestment_problems(deal.reinvestment, deal.account_names, set(deal.market.index)),
        *_tranches(deal),
        *_waterfall(deal),
        *_accounts_and_market(deal),
        *_covenants(deal),
        *_guarantees(deal),
        *lease_terms(deal),
        *_hedges_and_crypto(deal),
        *_construction(deal),
        *_sources_and_uses(deal),
        *_terminal_value(deal),
        *check_refinancing(deal),
        *_curve_growth(deal),
    ]


def _curve_growth(deal: Deal) -> Iterator[Problem]:
    """A rent or price curve may not compound past ``MAX_MAGNITUDE`` within the horizon (BTC
    doubling every year for a century is a runaway, not a term)."""
    years = deal.calendar.horizon_months / 12
    for kind in ("gpu_rent", "prices"):
        for name, curve in getattr(deal.market, kind).items():
            growth = 1.0 + curve.annual_change
            if growth > 1.0 and curve.start * growth**years > MAX_MAGNITUDE:
                yield Problem(
                    key_path(f"market.{kind}", name) + ".annual_change",
                    f"expected a change that keeps {name} within {MAX_MAGNITUDE:.0e} over the "
                    f"{deal.calendar.horizon_months}-month horizon, found {curve.annual_change!r}",
                )
