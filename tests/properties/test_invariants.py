"""Invariants every run must keep, on generated deals and markets (and on the example deal).

Each ``check_*`` function states one invariant over a tape and fails with the
period, path and amounts that break it; the hypothesis tests apply them to
generated cases (``strategies.cases``), ``test_scenario`` to hand-built ones
(``scenarios``), among them the shipped deal on a stressed market.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

from tests.builders import month, one_tranche_deal, run_deal
from tests.properties import scenarios, strategies
from waterfall.engine import run
from waterfall.engine.tape import DEFAULT, PERIOD_FIELDS, TRANCHE_FIELDS, WOUND_UP, Tape
from waterfall.market.curves import Market
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.spec.calendar import MONTHS_PER_PAYMENT
from waterfall.spec.checks import check_deal
from waterfall.spec.daycount import year_fraction
from waterfall.spec.deal import Deal
from waterfall.spec.load import structure
from waterfall.spec.payment_dates import periods as payment_periods
from waterfall.spec.refinancing_checks import refinancing_index
from waterfall.spec.tranche import FixedCoupon

CENT = 0.01
SALE = "collateral_sale"
EQUITY = "equity"
Case = tuple[Deal, Market]


def _where(mask: np.ndarray) -> str:
    """The first few (period, path) or (period, tranche, path) cells where ``mask`` holds."""
    cells = np.argwhere(mask)[:5]
    return ", ".join(str(tuple(int(x) for x in c)) for c in cells)


def _scale(*arrays: np.ndarray) -> float:
    return 1.0 + max(float(np.abs(a).max(initial=0.0)) for a in arrays)


# -- the invariants --------------------------------------------------------------------------


def check_conservation(deal: Deal, market: Market, tape: Tape) -> None:
    """Cash in from outside - cash out to outside = change in the SPV's account balances."""
    accounts = set(tape.ledger.balance)
    inflow = np.zeros((tape.months, tape.paths))
    outflow = np.zeros_like(inflow)
    gross = np.zeros_like(inflow)
    for (source, destination), flows in tape.ledger.flows.items():
        gross += np.abs(flows)
        if source not in accounts and destination in accounts:
            inflow += flows
        elif source in accounts and destination not in accounts:
            outflow += flows
    held = sum(tape.accounts[name] for name in accounts)
    change = np.diff(held, axis=0, prepend=0.0)
    scale = 1.0 + gross + np.abs(held) + np.abs(np.vstack([np.zeros((1, tape.paths)), held[:-1]]))
    error = np.abs(inflow - outflow - change)
    bad = error > 1e-6 * scale
    assert not bad.any(), f"cash not conserved at (period, path) {_where(bad)}: {error[bad][:5]}"


def check_no_negative_balances(deal: Deal, market: Market, tape: Tape) -> None:
    """Tranche balances, account balances and ledger movements are never below zero."""
    for field in ("balance_start", "balance_end"):
        bad = tape.tranche[field] < -1e-6
        assert not bad.any(), f"negative tranche {field} at {_where(bad)}"
    for name, balance in tape.accounts.items():
        bad = balance < -1e-6
        assert not bad.any(), f"negative account {name!r} at {_where(bad)}: {balance[bad][:5]}"
    for (source, destination), flows in tape.ledger.flows.items():
        bad = flows < -1e-6
        assert not bad.any(), f"negative movement {source}->{destination} at {_where(bad)}"


def check_seniority(deal: Deal, market: Market, tape: Tape) -> None:
    """A junior tranche receives nothing in a period its senior is short of interest.

    Generated waterfalls are sequential in every mode, so this holds in normal and
    default periods (and in lock-up, where the trap also comes after all debt).
    Unpaid interest of a PIK-toggle tranche is capitalised (recorded as ``pik``);
    it is a shortfall all the same.
    """
    t = tape.tranche
    toggles = np.array([tranche.pik == "toggle" for tranche in deal.tranches])
    unpaid = t["interest_shortfall"] + t["pik"] * toggles[None, :, None]
    received = t["interest_paid"] + t["principal_paid"]
    for senior in range(len(tape.tranche_names)):
        short = unpaid[:, senior] > CENT
        for junior in range(senior + 1, len(tape.tranche_names)):
            bad = short & (received[:, junior] > CENT)
            assert not bad.any(), (
                f"{tape.tranche_names[junior]} paid while {tape.tranche_names[senior]} "
                f"was short of interest at (period, path) {_where(bad)}: "
                f"short {unpaid[:, senior][bad][:5]}, junior received {received[:, junior][bad][:5]}"
            )


def check_principal_due_within_balance(deal: Deal, market: Market, tape: Tape) -> None:
    """The principal a period records as due never exceeds what the tranche owes that period."""
    t = tape.tranche
    owed = t["balance_start"] + t["drawn"] + t["pik"]
    bad = t["principal_scheduled"] > owed + CENT
    assert not bad.any(), (
        f"principal due above the balance at (period, tranche, path) {_where(bad)}: "
        f"due {t['principal_scheduled'][bad][:5]}, balance {owed[bad][:5]}"
    )


def _year_fraction(start: dt.date, end: dt.date, day_count: str) -> float:
    if day_count == "30/360":  # periods run between month starts: 30 days a month
        return ((end.year - start.year) * 12 + end.month - start.month) * 30 / 360
    return (end - start).days / (360 if day_count == "ACT/360" else 365)


def _date(deal: Deal, offset: int) -> dt.date:
    return dt.date.fromisoformat(month(offset, deal.calendar.start) + "-01")


def coupon_fractions(deal: Deal, market: Market, tape: Tape) -> np.ndarray:
    """Each tranche's coupon x year fraction for the period ending in each payment month,
    recomputed from the deal, the market and the refinancings the tape records:
    (months, n, paths), 0 in other months.

    Payment dates end every 1st or 3rd month and the horizon's last (a dated calendar: its
    own payment months, each period between its actual accrual dates, the first from the
    closing date); a period's coupon is fixed at its first month (index floored, plus
    spread), a refinanced tranche's from the period after the month refinanced.
    """
    calendar = deal.calendar
    months = calendar.horizon_months
    step = MONTHS_PER_PAYMENT[calendar.payment_frequency]
    fractions = np.zeros((months, len(deal.tranches), tape.paths))
    # the month each tranche was last refinanced on each path, before the period in hand
    refinanced = np.full((len(deal.tranches), tape.paths), -1)
    # (an independent derivation: the spec's dates, the day count)
    dated = (
        {calendar.month_of(p.pay): year_fraction(p.start, p.end, calendar.day_count) for p in payment_periods(calendar)}
        if calendar.dated
        else None
    )
    first = 0
    for m in range(months):
        if dated is not None:
            if m not in dated:
                continue
            yf = dated[m]
        elif (m + 1) % step and m != months - 1:
            continue
        else:
            yf = _year_fraction(_date(deal, first), _date(deal, m + 1), calendar.day_count)
        for i, tranche in enumerate(deal.tranches):
            coupon = tranche.coupon
            if isinstance(coupon, FixedCoupon):
                rate = np.full(tape.paths, coupon.rate)
            else:
                rate = np.maximum(market.index[coupon.index][:, first], coupon.floor) + coupon.spread
            terms = tranche.refinancing
            if terms is not None and (refinanced[i] >= 0).any():
                # index + the rating class's spread in the month refinanced, from the next period
                index = refinancing_index(tranche)  # the one named, else the tranche's own
                assert index is not None  # the loader refuses a refinancing with no rate source
                spread = market.credit_spread[terms.rating][np.arange(tape.paths), np.maximum(refinanced[i], 0)]
                new = np.maximum(market.index[index][:, first], terms.floor) + spread
                rate = np.where(refinanced[i] >= 0, new, rate)
            fractions[m, i] = rate * yf
        refinanced = np.where(tape.tranche["refinanced"][m] > 0, m, refinanced)
        first = m + 1
    return fractions


def interest_accrued(deal: Deal, market: Market, tape: Tape) -> np.ndarray:
    """Interest each tranche earns each period, recomputed from the records: (months, n, paths).

    A period accrues on the balance at its start at ``coupon_fractions``; nothing accrues
    on a path already wound up.
    """
    fractions = coupon_fractions(deal, market, tape)
    accrued = np.zeros_like(fractions)
    for m in range(fractions.shape[0]):
        live = tape.mode[m - 1] != WOUND_UP if m > 0 else np.ones(tape.paths, dtype=bool)
        interest = tape.tranche["balance_start"][m] * fractions[m]
        if deal.calendar.rounding == "cents":
            interest = np.round(interest, 2)
        accrued[m] = np.where(live, interest, 0.0)
    return accrued


def check_never_overpaid(deal: Deal, market: Market, tape: Tape) -> None:
    """No tranche receives more than it is owed: in total, no more than its original balance,
    PIK and accrued interest (principal: no more than original + PIK); in each period, no more
    interest than was due and no more principal than its balance."""
    t = tape.tranche
    accrued = interest_accrued(deal, market, tape).sum(axis=0)  # (n, paths)
    pik = t["pik"].sum(axis=0)
    original = tape.original_balance[:, None] + t["drawn"].sum(axis=0)
    principal = t["principal_paid"].sum(axis=0)
    received = principal + t["interest_paid"].sum(axis=0)
    owed = original + pik + accrued
    tol = 1e-6 * (1.0 + owed)
    bad = received > owed + tol
    assert not bad.any(), f"(tranche, path) {_where(bad)} received {received[bad]} > {owed[bad]}"
    bad = principal > original + pik + tol
    assert not bad.any(), f"(tranche, path) {_where(bad)} repaid {principal[bad]} principal"
    bad = t["interest_paid"] > t["interest_due"] + 1e-6 * (1.0 + t["interest_due"])
    assert not bad.any(), f"more interest paid than due at (period, tranche, path) {_where(bad)}"
    ceiling = t["balance_start"] + t["drawn"] + t["pik"]
    bad = t["principal_paid"] > ceiling + 1e-6 * (1.0 + ceiling)
    assert not bad.any(), f"more principal paid than owed at (period, tranche, path) {_where(bad)}"


def check_balance_identity(deal: Deal, market: Market, tape: Tape) -> None:
    """balance_end = balance_start + drawn + pik - principal_paid - writedown, and it carries forward."""
    t = tape.tranche
    expected = t["balance_start"] + t["drawn"] + t["pik"] - t["principal_paid"] - t["writedown"]
    tol = 1e-6 * _scale(t["balance_start"], t["balance_end"])
    bad = np.abs(t["balance_end"] - expected) > tol
    assert not bad.any(), f"balance identity broken at (period, tranche, path) {_where(bad)}"
    opening = np.broadcast_to(tape.original_balance[:, None], t["balance_start"][0].shape)
    np.testing.assert_array_equal(t["balance_start"][0], opening)
    np.testing.assert_array_equal(t["balance_start"][1:], t["balance_end"][:-1])


def outstanding(tape: Tape) -> np.ndarray:
    """(tranches, paths) what a tranche may still owe at the horizon: a balance refinanced or
    extended to a maturity beyond it, still performing; nothing anywhere else."""
    assert tape.maturity is not None
    return np.where(tape.maturity > tape.months - 1, tape.tranche["balance_end"][-1], 0.0)


def check_losses(deal: Deal, market: Market, tape: Tape) -> None:
    """At the horizon every balance is zero (unless it falls due beyond the horizon), and what a
    tranche was owed but never received (original + later draws + accrued interest - cash received
    - the balance still owed beyond the horizon) is exactly its write-down plus forgiven interest
    plus arrears left at the horizon, the ``loss`` of the tranche table."""
    t = tape.tranche
    later = outstanding(tape)
    final = t["balance_end"][-1] - later
    bad = np.abs(final) > 1e-6 * _scale(tape.original_balance)
    assert not bad.any(), f"(tranche, path) {_where(bad)} still owed {final[bad]} at the horizon"
    lent = tape.original_balance[:, None] + t["drawn"].sum(axis=0)
    claim = lent + interest_accrued(deal, market, tape).sum(axis=0)
    received = (t["interest_paid"] + t["principal_paid"]).sum(axis=0)
    assert tape.interest_forgiven is not None and tape.interest_unpaid is not None
    # arrears still unpaid at the horizon (a balance refinanced beyond it may carry them) were
    # never received either
    booked = t["writedown"].sum(axis=0) + tape.interest_forgiven + tape.interest_unpaid
    unpaid = claim - received - later
    tol = 1e-6 * (1.0 + claim)
    bad = np.abs(unpaid - booked) > tol
    assert not bad.any(), (
        f"(tranche, path) {_where(bad)}: unpaid claim {unpaid[bad]} but write-down + forgiven interest {booked[bad]}"
    )
    table = tranche_outcomes(tape).filter(kind="debt")
    # the unpaid claim splits into principal loss (PIK included) and interest never paid
    loss = _by_tranche(table, "loss", tape) + _by_tranche(table, "interest_loss", tape)
    np.testing.assert_allclose(loss, unpaid, rtol=1e-6, atol=1e-6 * _scale(tape.original_balance))


def _by_tranche(table, column: str, tape: Tape) -> np.ndarray:
    """A debt column of the tranche table as (tranches, paths)."""
    return table[column].to_numpy().reshape(tape.paths, len(tape.tranche_names)).T


def check_loss_measures(deal: Deal, market: Market, tape: Tape) -> None:
    """Principal loss is a share of principal lent in [0, 1] on every path (capitalised PIK
    counted once, as lent); interest loss is never negative; economic loss is at most 1, and
    a tranche paid everything when due has none (its receipts, discounted at its own coupon,
    are worth what it lent)."""
    assert tape.period_rate is not None
    np.testing.assert_allclose(tape.period_rate, coupon_fractions(deal, market, tape), rtol=1e-12, atol=1e-15)
    table = tranche_outcomes(tape).filter(kind="debt")
    share = _by_tranche(table, "loss_pct", tape)
    bad = (share < 0.0) | (share > 1.0 + 1e-12)
    assert not bad.any(), f"(tranche, path) {_where(bad)}: principal loss {share[bad]} outside [0, 1]"
    lent = tape.original_balance[:, None] + (tape.tranche["drawn"] + tape.tranche["pik"]).sum(axis=0)
    np.testing.assert_allclose(_by_tranche(table, "principal_lent", tape), lent, rtol=1e-12)
    interest = _by_tranche(table, "interest_loss", tape)
    assert (interest >= 0.0).all(), f"(tranche, path) {_where(interest < 0)}: negative interest loss"
    economic = _by_tranche(table, "economic_loss_pct", tape)
    assert (economic <= 1.0 + 1e-12).all(), f"(tranche, path) {_where(economic > 1 + 1e-12)}: economic loss above 1"
    t = tape.tranche
    unpaid_principal = t["principal_scheduled"] - t["principal_paid"]
    on_time = ~((t["interest_shortfall"] > 0.005) | (unpaid_principal > 0.005)).any(axis=0)
    whole = on_time & (_by_tranche(table, "loss", tape) <= CENT) & (interest <= CENT)
    # cents rounding of interest leaves up to half a cent per payment date unmatched
    tol = 1e-9 + tape.months * CENT / np.maximum(lent, 1.0)
    bad = whole & (np.abs(economic) > tol)
    assert not bad.any(), f"(tranche, path) {_where(bad)} paid on time but economic loss {economic[bad]}"


def check_absolute_priority(deal: Deal, market: Market, tape: Tape) -> None:
    """Equity, the residual claim, receives nothing in a period in which debt is written down."""
    written_down = tape.tranche["writedown"].sum(axis=1)  # (months, paths)
    equity = tape.period["equity_distribution"]
    bad = (written_down > CENT) & (equity > CENT)
    assert not bad.any(), (
        f"equity paid while debt was written down at (period, path) {_where(bad)}: "
        f"equity {equity[bad][:5]}, write-down {written_down[bad][:5]}"
    )


def check_modes(deal: Deal, market: Market, tape: Tape) -> None:
    """Modes only move forward: a default is never cured, a wound-up path stays wound up
    and is inert (it moves no cash, holds no cash and owes nothing)."""
    mode = tape.mode
    for p in range(tape.paths):
        d = int(tape.default_month[p])
        if d >= 0:
            assert (mode[:d, p] < DEFAULT).all(), f"path {p} in default before its month {d}"
            assert (mode[d:, p] >= DEFAULT).all(), f"path {p} cured its default of month {d}"
            assert (mode[:, p] == WOUND_UP).any(), f"path {p} defaulted and was never wound up"
        else:
            assert not (mode[:, p] == DEFAULT).any(), f"path {p} in default with no default month"
        wound = np.flatnonzero(mode[:, p] == WOUND_UP)
        if not wound.size:
            continue
        w = int(wound[0])
        assert (mode[w:, p] == WOUND_UP).all(), f"path {p} left wind-up"
        later = sorted(k for k, f in tape.ledger.flows.items() if f[w + 1 :, p].any())
        assert not later, f"path {p} wound up in period {w} but still moved cash: {later}"
        for name, balance in tape.accounts.items():
            left = np.abs(balance[w:, p]).max()
            assert left <= 1e-6, f"path {p}: {name!r} holds {left} after wind-up in period {w}"
        left = np.abs(tape.tranche["balance_end"][w:, :, p] - outstanding(tape)[:, p]).max()
        assert left <= 1e-6, f"path {p}: debt {left} outstanding after wind-up in period {w}"
        if outstanding(tape)[:, p].any():  # only a performing path reaching the horizon owes anything
            assert w == tape.months - 1 and tape.default_month[p] < 0, f"path {p} owes debt after wind-up"


def check_enforcement(deal: Deal, market: Market, tape: Tape) -> None:
    """A defaulted path is wound up only after its collateral is sold, when it is worth
    anything: lenders to a non-recourse SPV are repaid from the assets."""
    sale = tape.ledger.flows.get((SALE, "operating"), np.zeros((tape.months, tape.paths)))
    haircut = market.sale_haircut.T if market.sale_haircut is not None else deal.enforcement.haircut
    price = tape.period["collateral_value"] * (1.0 - haircut)
    for p in np.flatnonzero(tape.default_month >= 0):
        d = int(tape.default_month[p])
        wound = np.flatnonzero(tape.mode[:, p] == WOUND_UP)
        w = int(wound[0]) if wound.size else tape.months - 1
        if price[w, p] > CENT:
            assert sale[: w + 1, p].sum() > CENT, (
                f"path {p} defaulted in period {d} and was wound up in period {w} without "
                f"selling collateral worth {price[w, p]:,.2f} after haircut; write-down "
                f"{tape.tranche['writedown'][w, :, p].sum():,.2f}"
            )


def check_fees_never_overpaid(deal: Deal, market: Market, tape: Tape) -> None:
    """What the fees have been paid, to each month, never exceeds what they have charged to
    it (after caps); each capped fee charges no more in a deal year than its cap allows."""
    names = {fee.name for fee in deal.fees}
    paid = np.zeros((tape.months, tape.paths))
    for (_, destination), flows in tape.ledger.flows.items():
        if destination in names:
            paid += flows
    charged = np.cumsum(tape.period["fees"], axis=0)
    bad = np.cumsum(paid, axis=0) > charged + 1e-6 * (1.0 + charged)
    assert not bad.any(), f"fees paid beyond what they charged at (period, path) {_where(bad)}"
    if deal.fees and all(fee.cap is not None for fee in deal.fees):
        cap = sum(fee.cap for fee in deal.fees if fee.cap is not None)
        years = -(-tape.months // 12)
        by_year = np.zeros((years * 12, tape.paths))
        by_year[: tape.months] = tape.period["fees"]
        yearly = by_year.reshape(years, 12, tape.paths).sum(axis=1)
        bad = yearly > cap + 1e-6 * (1.0 + cap)
        assert not bad.any(), f"capped fees charged {yearly[bad][:5]} > caps {cap} in a deal year"


CHECKS: list[Callable[[Deal, Market, Tape], None]] = [
    check_conservation,
    check_no_negative_balances,
    check_seniority,
    check_principal_due_within_balance,
    check_never_overpaid,
    check_balance_identity,
    check_losses,
    check_loss_measures,
    check_absolute_priority,
    check_modes,
    check_enforcement,
    check_fees_never_overpaid,
]


# -- generated deals -------------------------------------------------------------------------


@given(strategies.cases())
def test_cash_is_conserved(case: Case) -> None:
    deal, market = case
    check_conservation(deal, market, run(deal, market))


@settings(max_examples=12)
@given(strategies.accrual_cases())
def test_invariants_hold_under_rounding_policies_and_interest_on_arrears(case: Case) -> None:
    """Conservation, non-negativity, seniority and the balance identity with each accrual rounded
    by floor / half-up / half-even / none and unpaid interest bearing interest."""
    deal, market = case
    tape = run(deal, market)
    for check in (check_conservation, check_no_negative_balances, check_seniority, check_balance_identity):
        check(deal, market, tape)


@given(strategies.cases())
def test_fees_never_overpaid(case: Case) -> None:
    deal, market = case
    check_fees_never_overpaid(deal, market, run(deal, market))


@given(strategies.cases())
def test_no_negative_balances(case: Case) -> None:
    deal, market = case
    check_no_negative_balances(deal, market, run(deal, market))


@given(strategies.cases())
def test_seniority(case: Case) -> None:
    deal, market = case
    check_seniority(deal, market, run(deal, market))


@given(strategies.cases())
def test_principal_due_within_balance(case: Case) -> None:
    deal, market = case
    check_principal_due_within_balance(deal, market, run(deal, market))


@given(strategies.cases())
def test_tranche_never_overpaid(case: Case) -> None:
    deal, market = case
    check_never_overpaid(deal, market, run(deal, market))


@given(strategies.cases())
def test_tranche_balance_identity(case: Case) -> None:
    deal, market = case
    check_balance_identity(deal, market, run(deal, market))


@given(strategies.cases())
def test_loss_accounting(case: Case) -> None:
    deal, market = case
    check_losses(deal, market, run(deal, market))


@given(strategies.cases())
def test_loss_measures(case: Case) -> None:
    deal, market = case
    check_loss_measures(deal, market, run(deal, market))


@given(strategies.cases())
def test_absolute_priority(case: Case) -> None:
    deal, market = case
    check_absolute_priority(deal, market, run(deal, market))


@given(strategies.cases())
def test_modes_move_forward(case: Case) -> None:
    deal, market = case
    check_modes(deal, market, run(deal, market))


@given(strategies.cases())
def test_enforcement_sells_collateral(case: Case) -> None:
    deal, market = case
    check_enforcement(deal, market, run(deal, market))


def _assert_tapes_equal(got: Tape, want: Tape, rtol: float = 0.0, what: str = "", flows: bool = True) -> None:
    """Every record of two tapes equal (NaN equal to NaN), to ``rtol``; the ledger's flows too
    unless ``flows`` is false."""

    def same(a: np.ndarray, b: np.ndarray, name: str) -> None:
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol, equal_nan=True, err_msg=what + name)

    for name in TRANCHE_FIELDS:
        same(got.tranche[name], want.tranche[name], f"tranche[{name}]")
    for name in PERIOD_FIELDS:
        same(got.period[name], want.period[name], f"period[{name}]")
    assert got.accounts.keys() == want.accounts.keys()
    for name in want.accounts:
        same(got.accounts[name], want.accounts[name], f"accounts[{name}]")
    np.testing.assert_array_equal(got.mode, want.mode, err_msg=what + "mode")
    np.testing.assert_array_equal(got.default_month, want.default_month, err_msg=what)
    assert got.interest_forgiven is not None and want.interest_forgiven is not None
    same(got.interest_forgiven, want.interest_forgiven, "interest_forgiven")
    for name in ("period_rate", "interest_unpaid"):
        a, b = getattr(got, name), getattr(want, name)
        assert a is not None and b is not None, name
        same(a, b, name)
    if not flows:
        return
    zero = np.zeros((want.months, want.paths))
    for key in got.ledger.flows.keys() | want.ledger.flows.keys():
        flows = got.ledger.flows.get(key, zero), want.ledger.flows.get(key, zero)
        same(*flows, f"ledger{key}")


@given(strategies.cases())
def test_vectorised_run_equals_path_by_path(case: Case) -> None:
    deal, market = case
    together = run(deal, market)
    for p in range(market.paths):
        alone = run(deal, market.take(slice(p, p + 1)))
        _assert_tapes_equal(_path(together, p), alone, rtol=1e-9, what=f"path {p}: ")


def _path(tape: Tape, p: int) -> Tape:
    """Path ``p`` of a tape as a one-path tape (ledger flows only; balances are not compared)."""
    keep = slice(p, p + 1)
    ledger = type(tape.ledger)(list(tape.ledger.balance), tape.months, 1, tape.ledger.cents)
    ledger.flows = {k: f[:, keep] for k, f in tape.ledger.flows.items() if f[:, keep].any()}
    assert tape.interest_forgiven is not None
    return Tape(
        months=tape.months,
        paths=1,
        tranche_names=tape.tranche_names,
        original_balance=tape.original_balance,
        tranche={k: v[:, :, keep] for k, v in tape.tranche.items()},
        period={k: v[:, keep] for k, v in tape.period.items()},
        mode=tape.mode[:, keep],
        accounts={k: v[:, keep] for k, v in tape.accounts.items()},
        ledger=ledger,
        default_month=tape.default_month[keep],
        equity_amount=tape.equity_amount,
        hurdle_rate=tape.hurdle_rate,
        interest_forgiven=tape.interest_forgiven[:, keep],
        period_rate=None if tape.period_rate is None else tape.period_rate[:, :, keep],
        interest_unpaid=None if tape.interest_unpaid is None else tape.interest_unpaid[:, keep],
    )


@given(strategies.cases())
def test_deterministic(case: Case) -> None:
    deal, market = case
    _assert_tapes_equal(run(deal, market), run(deal, market))


# -- hand-built scenarios --------------------------------------------------------------------

SCENARIOS: dict[str, Callable[[Path], scenarios.Scenario]] = {
    "example_under_stress": lambda deals: scenarios.example_under_stress(str(deals / "gpu_lease_spv.toml")),
    "trapped_cash_at_maturity": lambda _: scenarios.trapped_cash_at_maturity(),
    "payment_default_without_lag": lambda _: scenarios.payment_default_without_lag(),
    "bullets_defaulting_at_maturity": lambda _: scenarios.bullets_defaulting_at_maturity(),
    "hedged_miner_under_stress": lambda deals: scenarios.hedged_miner_under_stress(str(deals / "gpu_lease_spv.toml")),
    "campus_built_late": lambda deals: scenarios.campus_built_late(str(deals / "campus_15y.toml")),
}


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__.removeprefix("check_"))
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(scenario: str, check: Callable[[Deal, Market, Tape], None], deals_dir: Path) -> None:
    deal, market = SCENARIOS[scenario](deals_dir)
    check(deal, market, run(deal, market))


def test_cents_rounding_does_not_default_over_a_fraction_of_a_cent() -> None:
    """Payments are floored to whole cents; a balance stated to a tenth of a cent must not leave
    an unpayable residue that the payment test calls a default (or the deal must be rejected)."""
    raw = one_tranche_deal(
        {
            "balance": 1_000_000.006,
            "coupon": {"type": "fixed", "rate": 0.06},
            "amortisation": {"type": "level_annuity", "term_months": 12},
            "legal_maturity": month(11),
        },
        horizon=24,
        monthly_rent=500_000.0,
        rounding="cents",
    )
    raw["covenants"] = [{"type": "payment", "tranches": ["loan"]}]
    deal = structure(raw, Deal, "<sub-cent balance>")
    if check_deal(deal):
        return  # rejecting such a balance is as good as paying it
    tape = run_deal(deal)
    assert tape.default_month[0] == -1, f"defaulted in period {tape.default_month[0]} over a sub-cent residue"
