"""Hypothesis strategies: generated deals (dicts structured into ``Deal``) and markets.

A generated deal has one GPU fleet (the collateral), optional per-GPU-hour and
fixed-rent leases (with one renewal or several renewal options in sequence;
the fixed-rent lease stands for a campus lease, with walk-away on the campus
market rent and re-letting), optional merchant capacity, costs and fees (fixed, bps
of debt or of collateral value, one-off, dated schedules, recurring at any frequency,
capped or not, arrears carried or forgiven; with these, interest on cash, drawn
last), 1-3 tranches
listed senior to junior (bullet, level annuity, straight line, custom schedule,
and sculpted for the most junior), fixed or floating coupons, PIK none or
toggle, refinancing at maturity on about a third of them (any test, refinanced
amortisation, fees and extension options; the market then prices the rating
class by path and may shut the refinancing window for a while), optional DSRA
(with or without a closing balance) and lock-up account,
DSCR / LTV / liquidity / payment covenants, monthly or quarterly payments under
any day count, rounding none or cents, and a *sequential* priority of payments
in every mode: expenses, fees, then each tranche's interest and principal
senior to junior, then equity (or the trap, in lock-up).

Cases come in two regimes, drawn half and half:

* *calm*: a fixed-rent lease over the whole horizon, modest costs, modest and
  fully amortising debt, on steady markets: deals that should work, so the
  invariants are also exercised where nothing goes wrong;
* *stressed*: anything, debt up to three years of CFADS, and markets whose GPU
  rent collapses (to as little as zero, at any month), crashes or random-walks,
  tenants default or walk at renewal (each option drawn apart), campus market
  rent falls, and collateral values and sale haircuts
  vary by path, so defaults, lock-ups, shortfalls, write-downs and enforcement sales happen in
  a good share of examples (``test_strategies.py`` checks that they do).
"""

from __future__ import annotations

import calendar as cal
import datetime as dt
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from tests.builders import build, month
from waterfall.market.curves import Market
from waterfall.spec.checks import check_deal
from waterfall.spec.deal import Deal
from waterfall.spec.load import structure

GENERATION = "H100"
INDEX = "SOFR"
HOURS = 730.0  # average hours in a month, for sizing only
FLEET = "fleet"
DSRA = "dsra"
TRAP = "trap"
RATING = "BBB"


def fraction(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def rates(low: float, high: float) -> st.SearchStrategy[float]:
    """An annual rate quoted to a hundredth of a basis point, as term sheets and fixings are."""
    return st.integers(round(low * 1e6), round(high * 1e6)).map(lambda millionths: millionths / 1e6)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


# -- deal parts ------------------------------------------------------------------------------


@st.composite
def coupons(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        return {"type": "fixed", "rate": draw(rates(0.0, 0.15))}
    return {
        "type": "floating",
        "index": INDEX,
        "spread": draw(rates(0.0, 0.08)),
        "floor": draw(rates(0.0, 0.02)),
    }


@st.composite
def amortisations(
    draw: st.DrawFn, maturity: int, io: int, balance: float, *, sculpted_ok: bool, calm: bool
) -> dict[str, Any]:
    """An amortisation kind that fits ``io`` + term within ``maturity`` months.

    A calm deal amortises fully over that whole window.
    """
    if calm:
        return {"type": draw(st.sampled_from(["level_annuity", "straight_line"])), "term_months": maturity - io}
    # amortising kinds weigh more: a bullet's balloon is rarely met from cash flow alone
    kinds = ["bullet", "level_annuity", "level_annuity", "straight_line", "straight_line", "custom"]
    if sculpted_ok:
        kinds.append("sculpted")
    kind = draw(st.sampled_from(kinds))
    term = draw(st.integers(1, maturity - io))
    if kind == "bullet":
        return {"type": "bullet"}
    if kind in ("level_annuity", "straight_line"):
        return {"type": kind, "term_months": term}
    if kind == "sculpted":
        return {"type": kind, "term_months": term, "target_dscr": draw(fraction(1.05, 2.0))}
    entries = draw(st.lists(st.tuples(st.integers(0, maturity - 1), fraction(0.0, 0.6)), min_size=1, max_size=4))
    schedule = [{"date": month(m), "amount": round(balance * share, 2)} for m, share in sorted(entries)]
    return {"type": "custom", "schedule": schedule}


@st.composite
def refinancings(draw: st.DrawFn) -> dict[str, Any]:
    """Refinancing terms: a test of one to three thresholds, any refinanced amortisation, fees
    and up to two extension options (conditional or not)."""
    term = draw(st.integers(1, 36))
    kind = draw(st.sampled_from(["bullet", "level_annuity", "straight_line"]))
    amortisation = {"type": kind} | ({} if kind == "bullet" else {"term_months": draw(st.integers(1, 2 * term))})
    thresholds = {
        "max_ltv": draw(maybe(fraction(0.2, 2.0))),
        "min_debt_yield": draw(maybe(fraction(0.0, 0.5))),
        "min_dscr": draw(maybe(fraction(0.5, 2.5))),
    }
    if all(v is None for v in thresholds.values()):
        thresholds["max_ltv"] = 1.0
    extensions = []
    for _ in range(draw(st.integers(0, 2))):
        option = {"months": draw(st.integers(1, 12)), "fee_bps": draw(fraction(0.0, 100.0))}
        limit = draw(maybe(fraction(0.2, 2.0)))
        extensions.append(option | ({"max_ltv": limit} if limit is not None else {}))
    return {
        "rating": RATING,
        "term_months": term,
        "amortisation": amortisation,
        "index": INDEX,
        "floor": draw(rates(0.0, 0.02)),
        "fee_bps": draw(fraction(0.0, 200.0)),
        "extensions": extensions,
        **{k: v for k, v in thresholds.items() if v is not None},
    }


@st.composite
def tranche_dicts(
    draw: st.DrawFn, index: int, balance: float, horizon: int, *, sculpted_ok: bool, calm: bool
) -> dict[str, Any]:
    # the final payment ends month maturity - 1; calm debt has two years or more to amortise
    maturity = draw(st.integers(min(24 if calm else 3, horizon), horizon))
    io = draw(st.integers(0, min(6 if calm else 12, maturity - 1)))
    return {
        "name": f"t{index}",
        "balance": balance,
        "coupon": draw(coupons()),
        "amortisation": draw(amortisations(maturity, io, balance, sculpted_ok=sculpted_ok, calm=calm)),
        "legal_maturity": month(maturity - 1),
        "interest_only_months": io,
        "pik": draw(st.sampled_from(["none", "toggle", "always"])),
    } | ({"refinancing": draw(refinancings())} if draw(st.integers(0, 2)) == 0 else {})


@st.composite
def renewal_options(draw: st.DrawFn, bases: tuple[str, ...] = ("fixed", "escalated", "market")) -> list[dict[str, Any]]:
    """One to four renewal options in sequence, each with its own term, basis and exercise."""
    options = []
    for _ in range(draw(st.integers(1, 4))):
        basis = draw(st.sampled_from(bases))
        option: dict[str, Any] = {
            "term_months": draw(st.integers(1, 24)),
            "basis": basis,
            "exercise": draw(st.sampled_from(["always", "never", "scenario", "if_below_market"])),
        }
        if basis == "escalated":
            option["step"] = draw(fraction(-0.3, 0.3))
        options.append(option)
    return options


@st.composite
def relets(draw: st.DrawFn, monthly: float) -> dict[str, Any]:
    """Re-letting of a campus: downtime, a new term, leasing and vacancy costs."""
    return {
        "downtime_months": draw(st.integers(0, 12)),
        "term_months": draw(st.integers(1, 36)),
        "leasing_cost_months": draw(fraction(0.0, 6.0)),
        "vacancy_cost_monthly": monthly * draw(fraction(0.0, 0.3)),
    }


@st.composite
def gpu_leases(draw: st.DrawFn, gpus: int, market_rent: float, *, calm: bool) -> dict[str, Any]:
    term = draw(st.integers(3, 72))
    lease: dict[str, Any] = {
        "name": "gpu_lease",
        "tenant": "gpu_tenant",
        "start": month(draw(st.integers(0, 3))),
        "term_months": term,
        "escalator": draw(fraction(-0.05, 0.05)),
        "take_or_pay": draw(st.booleans()),
        "rent": {
            "type": "per_gpu_hour",
            "fleet": FLEET,
            "gpus": draw(st.integers(0, gpus)),
            "rate": market_rent * draw(fraction(0.6, 1.4)),
            "utilisation": draw(fraction(0.3, 1.0)),
        },
    }
    kind = draw(st.sampled_from(["none", "renewal", "renewals"]))
    if kind == "renewal":
        lease["renewal"] = {
            "term_months": draw(st.integers(1, 36)),
            "basis": draw(st.sampled_from(["fixed", "market"])),
            "exercise": draw(st.sampled_from(["always", "never", "if_below_market"])),
        }
    elif kind == "renewals":
        lease["renewals"] = draw(renewal_options())
    if not calm and draw(st.booleans()):
        lease["early_termination"] = {
            "earliest_month": draw(st.integers(0, term - 1)),
            "fee_months": draw(fraction(0.0, 6.0)),
            "walk_discount": draw(fraction(0.1, 0.7)),
        }
    return lease


@st.composite
def covenant_dicts(draw: st.DrawFn, tranches: list[str], scale: float) -> list[dict[str, Any]]:
    covenants: list[dict[str, Any]] = []
    if draw(st.integers(0, 3)):  # most deals test DSCR, the usual route into lock-up
        lock_up = draw(maybe(fraction(1.0, 2.5)))
        default = draw(maybe(fraction(0.5, min(lock_up or 1.3, 1.3))))
        if lock_up is None and default is None:
            lock_up = 1.2
        covenant = {"type": "dscr", "trailing_months": draw(st.sampled_from([1, 3, 6, 12]))}
        covenant |= {k: v for k, v in (("lock_up", lock_up), ("default", default)) if v is not None}
        covenants.append(covenant)
    if draw(st.booleans()):
        sweep = draw(maybe(fraction(0.3, 1.2)))
        default = draw(maybe(fraction(0.6, 1.5)))
        if sweep is None and default is None:
            default = 1.0
        covenants.append({"type": "ltv"} | {k: v for k, v in (("sweep", sweep), ("default", default)) if v is not None})
    if draw(st.integers(0, 4)) == 0:
        covenants.append({"type": "min_liquidity", "lock_up": scale * draw(fraction(0.0, 2.0))})
    if draw(st.integers(0, 3)):  # most deals protect some tranches with a payment default
        protected = tranches[:1] if draw(st.booleans()) else tranches
        covenants.append({"type": "payment", "tranches": protected, "grace_periods": draw(st.integers(0, 2))})
    return covenants


def waterfalls(
    tranches: list[str],
    fees: list[str],
    *,
    dsra: bool,
    trap: bool,
    sweep: dict[str, Any] | None,
) -> dict[str, list[dict[str, Any]]]:
    """Sequential in every mode: nothing reaches a junior tranche before the senior is paid.

    The DSRA backs only the senior tranche and is topped up right after it.
    """

    def debt(reserve: bool) -> list[dict[str, Any]]:
        steps: list[dict[str, Any]] = []
        for i, name in enumerate(tranches):
            backed = {"reserve": DSRA} if reserve and dsra and i == 0 else {}
            steps.append({"type": "pay_interest", "tranches": [name], **backed})
            steps.append({"type": "pay_principal", "tranches": [name], **backed})
            if reserve and dsra and i == 0:
                steps.append({"type": "fund_reserve", "account": DSRA})
        return steps

    head = [{"type": "pay_expenses"}, *({"type": "pay_fee", "fee": f} for f in fees)]
    swept = [sweep] if sweep is not None else []
    return {
        "normal": [*head, *debt(True), *swept, {"type": "pay_equity"}],
        "lock_up": [
            *head,
            *debt(True),
            *swept,
            {"type": "trap", "account": TRAP} if trap else {"type": "pay_equity"},
        ],
        "default": [*head, *debt(False), {"type": "pay_equity"}],
    }


@st.composite
def dated_fees(draw: st.DrawFn, horizon: int, gross: float) -> list[dict[str, Any]]:
    """Up to three more fees: one-off, a dated schedule, recurring at any frequency or bps of
    collateral value, each perhaps capped a year and perhaps forgiving its arrears."""
    kinds = draw(st.lists(st.sampled_from(["one_off", "schedule", "recurring", "collateral"]), max_size=3, unique=True))
    fees = []
    for kind in kinds:
        size = gross * draw(fraction(0.0, 0.5))
        if kind == "one_off":
            basis = {"type": "one_off", "date": month(draw(st.integers(0, horizon - 1))), "amount": size}
        elif kind == "schedule":
            months = draw(st.lists(st.integers(0, horizon - 1), min_size=1, max_size=6, unique=True))
            basis = {"type": "schedule", "schedule": [{"date": month(m), "amount": size} for m in sorted(months)]}
        elif kind == "recurring":
            first = draw(st.integers(0, horizon - 1))
            basis = {
                "type": "recurring",
                "amount": size,
                "frequency": draw(st.sampled_from(["monthly", "quarterly", "semiannual", "annual"])),
                "start": month(first),
                **({"end": month(draw(st.integers(first, horizon - 1)))} if draw(st.booleans()) else {}),
            }
        else:
            basis = {"type": "bps", "bps": draw(fraction(0, 200)), "of": "collateral_value"}
        fee: dict[str, Any] = {"name": f"{kind}_fee", "basis": basis}
        if draw(st.booleans()):
            fee["cap"] = gross * draw(fraction(0.0, 2.0))
        if draw(st.booleans()):
            fee["arrears"] = draw(st.sampled_from(["carry", "forgive"]))
        fees.append(fee)
    return fees


# -- deals -----------------------------------------------------------------------------------


@st.composite
def deal_dicts(draw: st.DrawFn, calm: bool | None = None) -> dict[str, Any]:
    """A deal in the shape of a deal file (a dict), valid by construction."""
    if calm is None:
        calm = draw(st.booleans())
    horizon = draw(st.integers(24 if calm else 12, 60))
    gpus = draw(st.integers(100, 100_000))
    market_rent = draw(fraction(1.0, 3.5))
    gross = gpus * market_rent * HOURS  # monthly revenue of the whole fleet at market rent

    leases: list[dict[str, Any]] = []
    revenue = 0.0
    leased = 0
    if draw(st.booleans()):
        lease = draw(gpu_leases(gpus, market_rent, calm=calm))
        leases.append(lease)
        rent = lease["rent"]
        leased = rent["gpus"]
        used = 1.0 if lease["take_or_pay"] else rent["utilisation"]
        revenue += rent["gpus"] * rent["rate"] * HOURS * used
    if calm or draw(st.booleans()):
        monthly = gross * draw(fraction(0.3 if calm else 0.05, 0.6))
        term = draw(st.integers(horizon, horizon + 24) if calm else st.integers(3, 72))
        fixed: dict[str, Any] = {
            "name": "fixed_lease",
            "tenant": "fixed_tenant",
            "start": month(0),
            "term_months": term,
            "escalator": draw(fraction(0.0 if calm else -0.05, 0.05)),
            "take_or_pay": True,
            "rent": {"type": "fixed", "monthly": monthly},
        }
        # a campus-like lease: options on the campus market rent, walk-away, re-letting
        if draw(st.booleans()):
            fixed["renewals"] = draw(renewal_options())
        if not calm and draw(st.booleans()):
            fixed["early_termination"] = {
                "earliest_month": draw(st.integers(0, term - 1)),
                "fee_months": draw(fraction(0.0, 6.0)),
                "walk_discount": draw(fraction(0.1, 0.7)),
            }
        if draw(st.booleans()):
            fixed["relet"] = draw(relets(monthly))
            if calm:  # a calm lease may end within the horizon and be re-let there
                fixed["term_months"] = draw(st.integers(max(6, horizon // 2), horizon + 24))
        leases.append(fixed)
        revenue += monthly
    merchant = []
    if draw(st.booleans()):
        utilisation = draw(fraction(0.2, 1.0))
        merchant.append({"fleet": FLEET, "utilisation": utilisation})
        revenue += (gpus - leased) * market_rent * HOURS * utilisation

    opex = gross * draw(fraction(0.0, 0.1 if calm else 0.35))
    maintenance = gross * draw(fraction(0.0, 0.05))
    costs: dict[str, Any] = {
        "fixed_opex_monthly": opex,
        "maintenance_capex_monthly": maintenance,
        "escalation": draw(fraction(-0.05, 0.03 if calm else 0.1)),
    }
    if draw(st.booleans()):
        costs["power"] = {
            "it_mw": gpus * 0.0014,  # about 1.4 kW of IT load per GPU
            "pue": draw(fraction(1.05, 1.6)),
            "price_per_mwh": draw(fraction(20.0, 120.0)),
        }
    cfads = max(revenue - opex - maintenance, 0.05 * gross)

    fees = []
    if draw(st.booleans()):
        fees.append({"name": "agent", "basis": {"type": "fixed", "annual": 12 * gross * 0.005}})
    if draw(st.booleans()):
        fees.append({"name": "servicer", "basis": {"type": "bps", "bps": draw(fraction(0, 100))}})

    count = draw(st.integers(1, 3))
    debt = cfads * draw(fraction(1.0, 10.0 if calm else 36.0))  # months of expected CFADS
    weights = draw(st.lists(fraction(0.1, 1.0), min_size=count, max_size=count))
    tranches = [
        draw(
            tranche_dicts(
                i, round(debt * w / sum(weights), 2), horizon, sculpted_ok=i == count - 1 and count > 1, calm=calm
            )
        )
        for i, w in enumerate(weights)
    ]
    names = [t["name"] for t in tranches]

    accounts: list[dict[str, Any]] = []
    dsra = draw(st.booleans())
    if dsra:
        closing = debt * draw(fraction(0.0, 0.05)) if draw(st.booleans()) else 0.0
        accounts.append(
            {
                "name": DSRA,
                "type": "dsra",
                "tranches": names[:1],
                "target_months": draw(fraction(0.5, 6.0)),
                "closing_balance": closing,
            }
        )
    trap = draw(st.booleans())
    if trap:
        accounts.append({"name": TRAP, "type": "lock_up"})

    sweep = None
    if draw(st.booleans()):
        sweep = {
            "type": "sweep",
            "tranches": names,
            "percent": draw(fraction(0.0, 1.0)),
            "percent_on_breach": draw(fraction(0.0, 1.0)),
        }

    return {
        "name": "generated",
        "calendar": {
            "start": month(0),
            "horizon_months": horizon,
            "payment_frequency": draw(st.sampled_from(["monthly", "quarterly"])),
            "day_count": draw(st.sampled_from(["30/360", "ACT/360", "ACT/365F"])),
            "rounding": draw(st.sampled_from(["none", "cents"])),
        },
        "fleets": [
            {
                "name": FLEET,
                "generation": GENERATION,
                "count": gpus,
                "cost_per_gpu": draw(fraction(10_000.0, 40_000.0)),
                "delivery": month(draw(st.integers(0, 3))),
                "useful_life_months": draw(st.integers(24, 84)),
                "salvage_pct": draw(fraction(0.0, 0.3)),
            }
        ],
        "leases": leases,
        "merchant": merchant,
        "costs": costs,
        "fees": fees,
        "accounts": accounts,
        "tranches": tranches,
        "equity": {"amount": debt * draw(fraction(0.0, 0.5))},
        "covenants": draw(covenant_dicts(names, cfads)),
        "enforcement": {
            "sale_lag_months": draw(st.one_of(st.just(0), st.integers(0, 9))),
            "haircut": draw(fraction(0.0, 0.9)),
        },
        "market": {
            "gpu_rent": {GENERATION: {"start": market_rent, "annual_change": draw(fraction(-0.4, 0.1))}},
            "index": {INDEX: {"points": [{"month": 0, "rate": draw(rates(0.0, 0.08))}]}},
            "credit_spread": {RATING: draw(rates(0.0, 0.08))},
        },
        "waterfall": waterfalls(names, [f["name"] for f in fees], dsra=dsra, trap=trap, sweep=sweep),
        **draw(terminal_values()),
    }


@st.composite
def terminal_values(draw: st.DrawFn) -> dict[str, Any]:
    """No terminal value, or the fleet sold or marked to equity at the horizon."""
    if not draw(st.booleans()):
        return {}
    treatment = draw(st.sampled_from(["sale", "mark_to_equity"]))
    return {
        "terminal_value": {"treatment": treatment, "haircut": draw(fraction(0, 1)), "costs": draw(fraction(0, 0.1))}
    }


def deals(calm: bool | None = None) -> st.SearchStrategy[Deal]:
    """Generated deals, structured and checked (``calm``: see the module docstring)."""
    return deal_dicts(calm).map(build)


# -- markets ---------------------------------------------------------------------------------


@st.composite
def rent_paths(draw: st.DrawFn, start: float, months: int, *, calm: bool) -> np.ndarray:
    """One path of GPU rent: a steady trend, or a stressed level and drift with a collapse,
    a crash to zero or a random walk."""
    t = np.arange(months, dtype=np.float64)
    shape = "steady" if calm else draw(st.sampled_from(["steady", "collapse", "crash", "walk"]))
    if shape == "steady":
        drift, level = draw(fraction(-0.2, 0.1)), draw(fraction(0.9, 1.2))
    else:
        drift, level = draw(fraction(-0.6, 0.15)), draw(fraction(0.5, 1.5))
    path = start * level * (1.0 + drift) ** (t / 12.0)
    if shape == "collapse":
        at = draw(st.integers(0, months - 1))
        path = np.where(t >= at, path * draw(fraction(0.0, 0.4)), path)
    elif shape == "crash":
        at = draw(st.integers(0, months - 1))
        path = np.where(t >= at, 0.0, path)
    elif shape == "walk":
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        vol = draw(fraction(0.02, 0.3))
        path = path * np.exp(np.cumsum(rng.normal(-0.5 * vol**2, vol, months)))
    return path


@st.composite
def index_paths(draw: st.DrawFn, months: int) -> np.ndarray:
    """One path of SOFR: a level, possibly jumping at some month."""
    path = np.full(months, draw(rates(0.0, 0.1)))
    if draw(st.booleans()):
        path[draw(st.integers(0, months - 1)) :] = draw(rates(0.0, 0.15))
    return path


@st.composite
def markets(draw: st.DrawFn, deal: Deal, paths: int | None = None, *, calm: bool = False) -> Market:
    """Rent and index arrays of shape (paths, months) for ``deal`` (steady rents if ``calm``).

    A stressed market may also carry tenant defaults and non-renewals, a rent-linked
    collateral value, a forced-sale haircut per path and an extra sale lag.
    """
    months = deal.calendar.horizon_months
    count = paths if paths is not None else draw(st.integers(1, 4))
    start = deal.market.gpu_rent[GENERATION].start
    rents = np.vstack([draw(rent_paths(start, months, calm=calm)) for _ in range(count)])
    index = np.vstack([draw(index_paths(months)) for _ in range(count)])
    events: dict[str, Any] = {}
    if not calm and draw(st.booleans()):
        tenants = sorted({lease.tenant for lease in deal.leases})
        default_months = st.lists(st.integers(-1, months - 1), min_size=count, max_size=count)
        events["tenant_default"] = {t: np.array(draw(default_months)) for t in tenants if draw(st.booleans())}
        renews = st.lists(st.booleans(), min_size=count, max_size=count)
        events["tenant_renews"] = {t: np.array(draw(renews)) for t in tenants if draw(st.booleans())}
        if draw(st.booleans()):  # fleet value moves with rent: book value x rent / rent at closing
            fleet = deal.fleets[0]
            age = np.arange(months) - deal.calendar.month_of(fleet.delivery)
            book = fleet.cost * np.clip(1.0 - age / fleet.useful_life_months, fleet.salvage_pct, 1.0) * (age >= 0)
            events["collateral"] = book * rents / start
        if draw(st.booleans()):
            haircuts = st.lists(fraction(0.0, 1.0), min_size=count, max_size=count)
            events["sale_haircut"] = np.repeat(np.array(draw(haircuts))[:, None], months, axis=1)
        events["sale_lag_months"] = draw(st.integers(0, 3))
        options = st.lists(st.booleans(), min_size=count, max_size=count)
        events["option_renews"] = {
            lease.name: np.array([draw(options) for _ in lease.renewals]).T.reshape(count, len(lease.renewals))
            for lease in deal.leases
            if lease.renewals
        }
    # campus market rent: a level, possibly a drift and a fall at some month
    events["campus_rent"] = {
        name: np.vstack([draw(campus_paths(months, calm=calm)) for _ in range(count)])
        for name in deal.campus_rent_factors
    }
    if any(t.refinancing is not None for t in deal.tranches):
        # spreads by path, jumping at some month; the window shut over a stretch of months, or never
        levels = np.vstack([np.full(months, draw(rates(0.0, 0.1))) for _ in range(count)])
        if draw(st.booleans()):
            levels[:, draw(st.integers(0, months - 1)) :] += draw(rates(0.0, 0.1))
        events["credit_spread"] = {RATING: levels}
        if not calm and draw(st.booleans()):
            shut = np.ones((count, months), dtype=bool)
            for p in range(count):
                a, b = sorted((draw(st.integers(0, months)), draw(st.integers(0, months))))
                shut[p, a:b] = False
            events["refinancing_open"] = shut
    return Market.from_arrays(gpu_rent={GENERATION: rents}, index={INDEX: index}, **events)


@st.composite
def campus_paths(draw: st.DrawFn, months: int, *, calm: bool) -> np.ndarray:
    """One path of a campus market rent factor (a multiple of contract rent): near 1 and
    steady if ``calm``, else a level, a drift and possibly a fall at some month."""
    t = np.arange(months, dtype=np.float64)
    if calm:
        return draw(fraction(0.9, 1.2)) * (1.0 + draw(fraction(-0.05, 0.05))) ** (t / 12.0)
    path = draw(fraction(0.3, 1.5)) * (1.0 + draw(fraction(-0.3, 0.1))) ** (t / 12.0)
    if draw(st.booleans()):
        path[draw(st.integers(0, months - 1)) :] *= draw(fraction(0.0, 0.8))
    return path


@st.composite
def cases(draw: st.DrawFn, paths: int | None = None) -> tuple[Deal, Market]:
    """A generated deal with a market for it, calm or stressed (half and half)."""
    calm = draw(st.booleans())
    raw = draw(deal_dicts(calm))
    deal = build(raw)
    market = draw(markets(deal, paths, calm=calm))
    # drawn last, so the deals and markets drawn before are those drawn without them
    fees = draw(dated_fees(raw["calendar"]["horizon_months"], _gross(raw)))
    cash = draw(maybe(reinvestments([a["name"] for a in raw["accounts"]])))
    if cash is not None:
        raw = {**raw, "reinvestment": cash}
    return (with_extras(raw, fees) if fees or cash is not None else deal), market


@st.composite
def held_cases(draw: st.DrawFn, paths: int | None = None) -> tuple[Deal, Market]:
    """A generated deal on the month grid whose collection periods end at the month end before
    each payment date: the collections of the payment month wait for the next one. Quarterly
    (a monthly deal on the month grid cannot: its first payment is in the closing month)."""
    calm = draw(st.booleans())
    raw = draw(deal_dicts(calm))
    calendar = {**raw["calendar"], "payment_frequency": "quarterly", "collection_period_end": {"type": "month_end"}}
    raw = {**raw, "calendar": calendar}
    deal = structure(raw, Deal, "<generated>")
    assume(not check_deal(deal))  # e.g. a sculpted tranche sized for a monthly grid
    return deal, draw(markets(deal, paths, calm=calm))


@st.composite
def accrual_cases(draw: st.DrawFn, paths: int | None = None) -> tuple[Deal, Market]:
    """A generated deal and market with a rounding policy (floor, half-up, half-even or none on
    each accrual; floor or none on each payment under cents) and interest on unpaid interest on
    some tranches."""
    calm = draw(st.booleans())
    raw = draw(deal_dicts(calm))
    market = draw(markets(build(raw), paths, calm=calm))
    calendar = {**raw["calendar"], "accrual_rounding": draw(st.sampled_from(["floor", "half_up", "half_even", "none"]))}
    if calendar["rounding"] == "cents":  # a payment floored to the cent needs balances in whole cents
        calendar["payment_rounding"] = draw(st.sampled_from(["floor", "none"]))
    tranches = [{**t, "interest_on_arrears": draw(st.booleans())} for t in raw["tranches"]]
    return build({**raw, "calendar": calendar, "tranches": tranches}), market


@st.composite
def reinvestments(draw: st.DrawFn, accounts: list[str]) -> dict[str, Any]:
    """Interest on cash: fixed, or the index plus a spread (floored), on some or all accounts."""
    if draw(st.booleans()):
        rate: dict[str, Any] = {"type": "fixed", "rate": draw(rates(0.0, 0.08))}
    else:
        rate = {"type": "index", "index": INDEX, "spread": draw(rates(-0.02, 0.01)), "floor": draw(rates(0.0, 0.02))}
    earning = draw(st.none() | st.lists(st.sampled_from(["operating", *accounts]), unique=True))
    return {"rate": rate} if earning is None else {"rate": rate, "accounts": earning}


def _gross(raw: dict[str, Any]) -> float:
    """Monthly revenue of the whole fleet at market rent (the scale fees are drawn on)."""
    return raw["fleets"][0]["count"] * raw["market"]["gpu_rent"][GENERATION]["start"] * HOURS


def with_extras(raw: dict[str, Any], fees: list[dict[str, Any]]) -> Deal:
    """The deal as ``raw`` has it, with more fees, each paid right after the deal's own in every mode."""
    raw = {**raw, "fees": [*raw["fees"], *fees]}
    waterfall = {}
    for mode, steps in raw["waterfall"].items():
        at = max((i + 1 for i, s in enumerate(steps) if s["type"] in ("pay_expenses", "pay_fee")), default=0)
        waterfall[mode] = [*steps[:at], *({"type": "pay_fee", "fee": f["name"]} for f in fees), *steps[at:]]
    return build({**raw, "waterfall": waterfall})


# -- dated calendars -------------------------------------------------------------------------


@st.composite
def calendars(draw: st.DrawFn, calendar: dict[str, Any]) -> dict[str, Any]:
    """``calendar`` (a month-grid calendar) dated: a payment day, a closing day in the start
    month, maybe a first payment date (a short or long first period), a business-day
    convention on a holiday calendar, adjusted or unadjusted accrual, any frequency."""
    frequency = draw(st.sampled_from(["monthly", "quarterly", "semiannual"]))
    day = draw(st.integers(1, 31))
    start = dt.date.fromisoformat(calendar["start"] + "-01")
    closing = start.replace(day=draw(st.integers(1, 28)))
    dated = {
        **calendar,
        "payment_frequency": frequency,
        "day_count": draw(st.sampled_from(["30/360", "30E/360", "ACT/360", "ACT/365F", "ACT/ACT"])),
        "payment_day": day,
        "end_of_month": day > 28,
        "closing_date": closing,
        "business_day": draw(st.sampled_from(["unadjusted", "modified_following", "preceding"])),
        "holidays": draw(st.sampled_from(["none", "US-settlement", "SIFMA", "NYSE"])),
        "accrual_dates": draw(st.sampled_from(["unadjusted", "adjusted"])),
        "stub": draw(st.sampled_from(["short", "long"])),
    }
    if draw(st.booleans()):  # a stated first payment, within two periods of closing
        step = {"monthly": 1, "quarterly": 3, "semiannual": 6}[frequency]
        months = draw(st.integers(1, 2 * step - 1))
        year, month0 = divmod(start.month - 1 + months, 12)
        last = cal.monthrange(start.year + year, month0 + 1)[1]
        dated["first_payment_date"] = dt.date(start.year + year, month0 + 1, min(day, last))
    return dated


@st.composite
def dated_cases(draw: st.DrawFn, paths: int | None = None) -> tuple[Deal, Market]:
    """A generated deal on a random dated calendar, with a market for it."""
    calm = draw(st.booleans())
    raw = draw(deal_dicts(calm))
    raw = {**raw, "calendar": draw(calendars(raw["calendar"]))}
    deal = structure(raw, Deal, "<generated>")
    assume(not check_deal(deal))  # e.g. a sculpted tranche may not fit a semiannual grid
    return deal, draw(markets(deal, paths, calm=calm))


@st.composite
def held_dated_cases(draw: st.DrawFn, paths: int | None = None) -> tuple[Deal, Market]:
    """A generated deal on a random dated calendar whose collection periods end before its
    payment dates: at the month end before each, or on a determination day."""
    calm = draw(st.booleans())
    raw = draw(deal_dicts(calm))
    calendar = draw(calendars(raw["calendar"]))
    end = draw(st.sampled_from(["month_end", "day"]))
    calendar["collection_period_end"] = {"type": end, **({"day": draw(st.integers(1, 28))} if end == "day" else {})}
    deal = structure({**raw, "calendar": calendar}, Deal, "<generated>")
    assume(not check_deal(deal))  # e.g. a first payment date before the first collection period ends
    return deal, draw(markets(deal, paths, calm=calm))


# -- scenario factors ------------------------------------------------------------------------


@st.composite
def stress_pairs(draw: st.DrawFn, low: float, high: float, harsher: int) -> tuple[float, float]:
    """Two levels of one stress factor within [low, high], as (milder, harsher).

    ``harsher`` is +1 when a larger level is harsher (a hazard, a haircut) and -1
    when a smaller one is (a rent drift).
    """
    a, b = sorted((draw(fraction(low, high)), draw(fraction(low, high))))
    return (a, b) if harsher > 0 else (b, a)


# -- the state a waterfall step meets --------------------------------------------------------

STEP_TRANCHES = ("senior", "junior")
STEP_ACCOUNTS = ("dsra", "maintenance", "trap", "redemption")


def _signed_amounts(paths: int) -> st.SearchStrategy[list[float]]:
    """Per-path cash that may be negative (an overdrawn account), zero or large."""
    amount = st.one_of(st.just(0.0), fraction(-2e6, 2e6), st.sampled_from([-100.0, -0.004, 0.004, 1e9]))
    return st.lists(amount, min_size=paths, max_size=paths)


def _owed(paths: int, high: float = 2e6) -> st.SearchStrategy[list[float]]:
    amount = st.one_of(st.just(0.0), fraction(0.0, high))
    return st.lists(amount, min_size=paths, max_size=paths)


@st.composite
def step_states(draw: st.DrawFn) -> dict[str, Any]:
    """Balances, dues and a mode mask over a few paths, for any step on a two-tranche deal.

    The operating account may start overdrawn: no step may then move a negative amount.
    """
    paths = draw(st.integers(1, 5))
    arrays = lambda strategy: np.array(draw(strategy))  # noqa: E731
    return {
        "paths": paths,
        "cents": draw(st.booleans()),
        "operating": arrays(_signed_amounts(paths)),
        "accounts": {name: arrays(_owed(paths)) for name in STEP_ACCOUNTS},
        "targets": {name: arrays(_owed(paths)) for name in STEP_ACCOUNTS},
        "balance": np.array([draw(_owed(paths, 5e6)) for _ in STEP_TRANCHES]),
        "interest_due": np.array([draw(_owed(paths)) for _ in STEP_TRANCHES]),
        "principal_share": np.array(
            [draw(st.lists(fraction(0.0, 1.0), min_size=paths, max_size=paths)) for _ in STEP_TRANCHES]
        ),
        "expenses_due": [arrays(_owed(paths)) for _ in range(3)],
        "fee_due": arrays(_owed(paths)),
        "hedge_due": arrays(_owed(paths)),
        "crypto_units": arrays(_owed(paths, 100.0)),
        "crypto_price": arrays(_owed(paths, 1e5)),
        "breach": np.array(draw(st.lists(st.booleans(), min_size=paths, max_size=paths))),
        "mask": np.array(draw(st.lists(st.booleans(), min_size=paths, max_size=paths))),
        "percent": draw(fraction(0.0, 1.0)),
        "percent_on_breach": draw(fraction(0.0, 1.0)),
    }


# -- extreme but valid deals -------------------------------------------------------------------------

BTC = "BTC"
CAMPUS = "campus"
EDGES = (1, 2, 3, 12, 120, 1200)  # horizons at and near the deal language's bounds (1 to 1200 months)


def amounts(*typical: float) -> st.SearchStrategy[float]:
    """Zero, a cent, the typical sizes given, and a hundred billion: the edges a term can sit at."""
    return st.sampled_from([0.0, 0.01, *typical, 1e11])


def extreme_rates(low: float = -0.05) -> st.SearchStrategy[float]:
    """Strike and index levels over the whole range the deal language allows (-5% to 100%), edges
    first; coupons from ``low`` = 0 (a negative coupon makes interest due negative: a lender paying
    the borrower, which the invariants of a loan do not describe)."""
    return st.one_of(st.sampled_from([low, 0.0, 0.3, 1.0]), rates(low, 1.0))


@st.composite
def extreme_deal_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """A valid deal at the edges of every feature: 1 to 1,200 months, no GPUs to a million, zero
    to $100bn balances, rates from -5% to 100%, every tranche kind and PIK mode, DSRA, maintenance
    and lock-up accounts, covenants, a campus under construction with overrun funding, lease
    backstops and residual value guarantees, swaps and caps, a BTC holding sold to pay debt,
    refinancing at maturity (from ``tranche_dicts``), renewal options and a terminal value."""
    horizon = draw(st.one_of(st.sampled_from(EDGES), st.integers(1, 1200)))
    gpus = draw(st.sampled_from([0, 1, 1_000, 1_000_000]))
    market_rent = draw(st.sampled_from([0.0, 0.01, 2.0, 50.0]))
    building = draw(st.booleans())
    leases: list[dict[str, Any]] = [
        {
            "name": "fixed_lease",
            "tenant": "fixed_tenant",
            "start": month(0),
            "term_months": draw(st.integers(1, horizon + 24)),
            "escalator": draw(st.sampled_from([-0.5, 0.0, 0.03, 0.5])),
            "take_or_pay": draw(st.booleans()),
            "rent": {"type": "fixed", "monthly": draw(amounts(1e6, 1e8))},
        }
    ]
    if gpus and draw(st.booleans()):
        lease = draw(gpu_leases(gpus, max(market_rent, 0.01), calm=False))
        lease["start"] = month(0)
        leases.append(lease)
    campuses: list[dict[str, Any]] = []
    construction = None
    if building:
        completion = draw(st.integers(0, horizon - 1))
        cost = draw(amounts(1e8, 1e9))
        campuses.append(
            {
                "name": CAMPUS,
                "mw": draw(st.sampled_from([0.0, 1.0, 100.0, 5_000.0])),
                "cost": cost,
                "completion": month(completion),
                "useful_life_months": draw(st.sampled_from([1, 240, 1200])),
                "salvage_pct": draw(fraction(0.0, 1.0)),
            }
        )
        leases.append(
            {
                "name": "campus_lease",
                "tenant": "hyperscaler",
                "start": month(completion),
                "term_months": draw(st.integers(1, 1200)),
                "escalator": 0.02,
                "take_or_pay": True,
                "rent": {
                    "type": "per_mw",
                    "campus": CAMPUS,
                    "mw": draw(st.sampled_from([0.0, 1.0, 100.0])),
                    "rate_per_mw_month": draw(amounts(1e5)),
                },
            }
        )
    count = draw(st.integers(1, 3))
    balances = [draw(amounts(1e6, 1e9)) for _ in range(count)]
    tranches = [
        draw(tranche_dicts(i, b, horizon, sculpted_ok=i == count - 1 and count > 1, calm=False))
        for i, b in enumerate(balances)
    ]
    piks = ["none", "always", "toggle", *(["construction"] if building else [])]
    for tranche in tranches:
        tranche["coupon"] = draw(
            st.one_of(
                st.builds(lambda r: {"type": "fixed", "rate": r}, extreme_rates(0.0)),
                st.builds(
                    lambda s, f: {"type": "floating", "index": INDEX, "spread": s, "floor": f},
                    extreme_rates(0.0),
                    extreme_rates(0.0),
                ),
            )
        )
        tranche["pik"] = draw(st.sampled_from(piks))
    names = [t["name"] for t in tranches]
    if building:
        funding = draw(
            st.sampled_from(
                [{"type": "equity"}, {"type": "sponsor", "sponsor": "sponsor"}, {"type": "debt", "tranche": names[0]}]
            )
        )
        construction = {"budget": campuses[0]["cost"], "overrun_funding": funding}

    accounts: list[dict[str, Any]] = []
    dsra, reserve, trap = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
    if dsra:
        accounts.append(
            {
                "name": DSRA,
                "type": "dsra",
                "tranches": names[:1],
                "target_months": draw(st.sampled_from([0.0, 0.5, 6.0, 120.0])),
                "closing_balance": draw(amounts(1e6)),
            }
        )
    if reserve:
        accounts.append({"name": "maintenance", "type": "maintenance_reserve", "target": draw(amounts(1e6))})
    if trap:
        accounts.append({"name": TRAP, "type": "lock_up"})

    hedges: list[dict[str, Any]] = []
    kinds = draw(st.lists(st.sampled_from(["swap", "cap"]), max_size=2, unique=True)) if horizon > 1 else []
    for kind in kinds:  # a hedge ends after it starts: a one-month deal has none
        hedge = {
            "name": f"{kind}_1",
            "type": kind,
            "index": INDEX,
            "notional": draw(amounts(1e8)),
            "fixed_rate" if kind == "swap" else "strike": draw(extreme_rates()),
            "start": month(0),
            "end": month(draw(st.integers(1, horizon - 1))),
        }
        if draw(st.booleans()):
            hedge["amortise_with"] = names[0]
        hedges.append(hedge)
    crypto = []
    if draw(st.booleans()):
        crypto.append({"name": "btc", "asset": BTC, "units": draw(st.sampled_from([0.0, 1.0, 1e6]))})
    guarantees = []
    guaranteed = draw(st.sampled_from([lease["name"] for lease in leases]))
    if draw(st.booleans()):
        guarantees.append(
            {
                "name": "backstop",
                "type": "lease_backstop",
                "guarantor": "guarantor",
                "lease": guaranteed,
                "cap": draw(amounts(1e8)),
            }
        )
    if draw(st.booleans()):
        guarantees.append(
            {
                "name": "rvg",
                "type": "residual_value",
                "guarantor": "guarantor",
                "lease": guaranteed,
                "floor": draw(fraction(0.0, 1.0)),
                "cap": draw(amounts(1e8)),
                "covers_months": draw(st.integers(1, 1200)),
            }
        )

    def steps(reserves: bool, end: dict[str, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [{"type": "pay_expenses"}]
        out += [{"type": "pay_hedge", "hedge": h["name"]} for h in hedges if h["type"] == "swap"]
        out += [{"type": "sell_crypto", "holding": c["name"], "tranches": names} for c in crypto]
        for i, name in enumerate(names):
            backed = {"reserve": DSRA} if reserves and dsra and i == 0 else {}
            out += [
                {"type": "pay_interest", "tranches": [name], **backed},
                {"type": "pay_principal", "tranches": [name], **backed},
            ]
        if reserves and dsra:
            out.append({"type": "fund_reserve", "account": DSRA})
        if reserves and reserve:
            out.append({"type": "fund_reserve", "account": "maintenance"})
        return [*out, end]

    equity = {"type": "pay_equity"}
    deal = {
        "name": "extreme",
        "calendar": {
            "start": month(0),
            "horizon_months": horizon,
            "payment_frequency": draw(st.sampled_from(["monthly", "quarterly"])),
            "day_count": draw(st.sampled_from(["30/360", "ACT/360", "ACT/365F"])),
            "rounding": draw(st.sampled_from(["none", "cents"])),
        },
        "fleets": [
            {
                "name": FLEET,
                "generation": GENERATION,
                "count": gpus,
                "cost_per_gpu": draw(st.sampled_from([0.0, 1.0, 30_000.0])),
                "delivery": month(draw(st.integers(0, horizon - 1))),
                "useful_life_months": draw(st.sampled_from([1, 60, 1200])),
                "salvage_pct": draw(fraction(0.0, 1.0)),
            }
        ],
        "campuses": campuses,
        "leases": leases,
        "merchant": [{"fleet": FLEET, "utilisation": draw(fraction(0.0, 1.0))}] if gpus and draw(st.booleans()) else [],
        "costs": {
            "fixed_opex_monthly": draw(amounts(1e6)),
            "maintenance_capex_monthly": draw(amounts(1e5)),
            "escalation": draw(st.sampled_from([-0.05, 0.0, 0.1])),
        },
        "accounts": accounts,
        "tranches": tranches,
        "equity": {"amount": draw(amounts(1e8))},
        "covenants": draw(covenant_dicts(names, 1e6)),
        "guarantees": guarantees,
        "hedges": hedges,
        "crypto": crypto,
        "enforcement": {"sale_lag_months": draw(st.integers(0, 12)), "haircut": draw(fraction(0.0, 1.0))},
        "market": {
            "gpu_rent": {
                GENERATION: {"start": market_rent, "annual_change": draw(st.sampled_from([-1.0, -0.3, 0.0, 1.0]))}
            },
            "index": {INDEX: {"points": [{"month": 0, "rate": draw(extreme_rates())}]}},
            # the spread a tranche refinances at, when ``tranche_dicts`` gives it a refinancing
            "credit_spread": {RATING: draw(extreme_rates(0.0))},
            **(
                {
                    "prices": {
                        BTC: {
                            "start": draw(st.sampled_from([0.0, 1.0, 60_000.0])),
                            "annual_change": draw(fraction(-1.0, 1.0)),
                        }
                    }
                }
                if crypto
                else {}
            ),
        },
        "waterfall": {
            "normal": steps(True, equity),
            "lock_up": steps(True, {"type": "trap", "account": TRAP} if trap else equity),
            "default": steps(False, equity),
        },
    }
    if construction is not None:
        deal["construction"] = construction
    if draw(st.booleans()):  # renewal options on the fixed lease, one after another
        leases[0]["renewals"] = draw(renewal_options(("fixed", "escalated")))
    if draw(st.booleans()):  # what is still owned at the horizon: sold or marked to equity
        terminal = {
            "treatment": draw(st.sampled_from(["sale", "mark_to_equity"])),
            "haircut": draw(fraction(0.0, 1.0)),
            "costs": draw(fraction(0.0, 1.0)),
        }
        if campuses:  # the deal owns a fleet too, so a campus is valued at book
            terminal["campus"] = {"type": "book"}
        deal["terminal_value"] = terminal
    for curves in (deal["market"]["gpu_rent"], deal["market"].get("prices", {})):
        for curve in curves.values():  # a curve compounding past 1e15 within the horizon is refused
            if curve["start"] * (1.0 + curve["annual_change"]) ** (horizon / 12) > 1e15:
                curve["annual_change"] = 0.0
    return deal


def extreme_deals() -> st.SearchStrategy[Deal]:
    """Extreme but valid deals (``extreme_deal_dicts``), structured and checked."""
    return extreme_deal_dicts().map(build)
