"""Tranche metrics from a run's cash-flow table: what a lender earns on one path.

An investor's flows are the money it lends (the closing balance at time 0, later
draws when they are made) and what it receives (interest and principal paid).
A payment made in deal month m is received at its end, the first day of month
m + 1. The IRR, WAL and Z-spread count time in months from closing, t = (m + 1) / 12
years (the clock of the ``tranches`` table); yield, durations and a price at a flat
rate are quoted on a stated day count and compounding frequency (``quote.Quote``,
by default the tranche's own). Conventions, formulas and columns: ``docs/analytics.md``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from attrs import frozen

from waterfall.analytics.quote import Quote, flow_times, own_quote
from waterfall.engine.clock import Schedule
from waterfall.market.curves import base_case
from waterfall.outcomes.metrics import monthly_irr, wal_years
from waterfall.spec.deal import Deal
from waterfall.spec.tranche import FixedCoupon, Tranche

MONTHS_PER_YEAR = 12
# the Z-spread is searched in this range (annual, decimal); outside it the spread is null
SPREAD_RANGE = (-0.99, 10.0)
# the yield's continuously compounded equivalent is searched outward from the IRR's, up to this far
RATE_REACH = 20.0

SCHEMA = {
    "tranche": pl.String,
    "original_balance": pl.Float64,
    "coupon": pl.String,
    "legal_maturity": pl.Date,
    "benchmark": pl.String,
    "irr": pl.Float64,
    "yield": pl.Float64,
    "day_count": pl.String,
    "compounding": pl.String,
    "wal_years": pl.Float64,
    "macaulay_years": pl.Float64,
    "modified_duration": pl.Float64,
    "moic": pl.Float64,
    "price": pl.Float64,
    "spread_bp": pl.Float64,
    "loss": pl.Float64,
}


@frozen
class InvestorFlows:
    """One tranche's flows on one path, indexed by k = 0 .. months (time k / 12 years).

    ``lent[0]`` is the closing balance and ``lent[m + 1]`` what was drawn in month m;
    ``received[m + 1]`` the interest and principal paid in month m (``received[0]`` is 0).
    """

    tranche: str
    lent: np.ndarray
    received: np.ndarray
    principal: np.ndarray  # (months,) principal paid by month
    loss: float

    @property
    def net(self) -> np.ndarray:
        return self.received - self.lent

    @property
    def times(self) -> np.ndarray:
        return np.arange(self.lent.size, dtype=np.float64) / MONTHS_PER_YEAR


def investor_flows(cashflows: pl.DataFrame, tranche: str, path: int = 0) -> InvestorFlows:
    """The flows of ``tranche`` on ``path`` of a ``cashflows`` table."""
    rows = cashflows.filter((pl.col("path") == path) & (pl.col("tranche") == tranche)).sort("period")
    if rows.height == 0:
        raise ValueError(f"no cash flows for tranche {tranche!r} on path {path}")

    def column(name: str) -> np.ndarray:
        return rows[name].to_numpy().astype(np.float64)

    drawn, due, shortfall = column("drawn"), column("interest_due"), column("interest_shortfall")
    received = column("interest_paid") + column("principal_paid")
    # interest arrears still owed after the last date anything was due are forgiven at
    # the write-down or the wind-up; that date's shortfall is what was carried forward
    owing = np.flatnonzero((due > 0) | (shortfall > 0))
    forgiven = float(shortfall[owing[-1]]) if owing.size else 0.0
    loss = max(float(column("writedown").sum()) + forgiven, 0.0)  # float residue of a repaid balance is no loss
    return InvestorFlows(
        tranche=tranche,
        lent=np.concatenate([[column("balance_start")[0]], drawn]),
        received=np.concatenate([[0.0], received]),
        principal=column("principal_paid"),
        loss=loss,
    )


def flow_dates(deal: Deal, count: int) -> list[dt.date]:
    """The date of each investor flow k = 0 .. count - 1: closing, then the first day of
    the month after each deal month (when what is paid in that month is received), or,
    on a dated calendar, the closing date and each payment month's payment date."""
    calendar = deal.calendar
    if not calendar.dated:
        return [calendar.date_of(k) for k in range(count)]
    paid_on = Schedule(calendar).payment_date
    return [calendar.closing, *(paid_on.get(k - 1, calendar.date_of(k)) for k in range(1, count))]


def flat_discount(rate: float, frequency: int, times: np.ndarray) -> np.ndarray:
    """Discount factors at an annual ``rate`` compounded ``frequency`` times a year."""
    return (1.0 + rate / frequency) ** (-frequency * times)


def curve_discount(forwards: np.ndarray, spread: float = 0.0) -> np.ndarray:
    """Discount factors at k = 0 .. len(forwards) months on a benchmark curve plus a Z-spread.

    The benchmark's rate in month j is read as that month's forward, compounded monthly:
    DF(k) = prod_{j < k} 1 / (1 + rate_j / 12). Its zero rate z_k, compounded monthly,
    solves DF(k) = (1 + z_k / 12)^-k; the spread is added to it: (1 + (z_k + spread) / 12)^-k.
    """
    growth = np.cumprod(1.0 + np.asarray(forwards, dtype=np.float64) / MONTHS_PER_YEAR)
    k = np.arange(1, growth.size + 1, dtype=np.float64)
    zero = MONTHS_PER_YEAR * (growth ** (1.0 / k) - 1.0)
    return np.concatenate([[1.0], (1.0 + (zero + spread) / MONTHS_PER_YEAR) ** -k])


def price_per_100(flows: InvestorFlows, discount: np.ndarray) -> float:
    """Value of what is received per 100 of what is lent, both discounted the same way."""
    outlay = float(flows.lent @ discount)
    return 100.0 * float(flows.received @ discount) / outlay if outlay > 0 else float("nan")


def z_spread(flows: InvestorFlows, forwards: np.ndarray) -> float:
    """The spread over ``forwards`` at which the flows' value is nil (price 100); NaN when none."""

    def npv(spread: float) -> float:
        return float(flows.net @ curve_discount(forwards, spread))

    low, high = SPREAD_RANGE
    if not (np.isfinite(npv(low)) and np.isfinite(npv(high))) or np.sign(npv(low)) == np.sign(npv(high)):
        return float("nan")
    from scipy.optimize import brentq  # noqa: PLC0415  (here: importing scipy.optimize costs every run 0.3 s)

    return float(brentq(npv, low, high, xtol=1e-12, rtol=1e-14))


def quoted_yield(flows: InvestorFlows, times: np.ndarray, frequency: int, monthly_rate: float) -> float:
    """The annual rate y compounded ``frequency`` times a year at which the flows, timed at
    ``times`` years, are worth nothing: sum net_k (1 + y / f)^(-f t_k) = 0.

    Solved for its continuous equivalent c = f ln(1 + y / f), searched outward from the
    monthly IRR's (the root on the months / 12 clock): on that clock the two are one rate.
    NaN when no root lies within ``RATE_REACH`` of it.
    """
    net = flows.net

    def npv(c: float) -> float:
        return float(net @ np.exp(-c * times))

    guess = MONTHS_PER_YEAR * np.log1p(monthly_rate)
    value = npv(guess)
    if value == 0.0:
        return frequency * np.expm1(guess / frequency)
    step = 1e-4
    while step <= RATE_REACH:
        for other in (guess - step, guess + step):
            if np.sign(npv(other)) != np.sign(value):
                low, high = sorted((guess, other))
                from scipy.optimize import brentq  # noqa: PLC0415  (as above)

                root = brentq(npv, low, high, xtol=1e-15, rtol=4 * np.finfo(float).eps)
                return float(frequency * np.expm1(root / frequency))
        step *= 2.0
    return float("nan")


def macaulay_years(flows: InvestorFlows, times: np.ndarray, yield_: float, frequency: int) -> float:
    """PV-weighted mean time of what is received less that of what is lent, at the yield.

    Without later draws this is the textbook Macaulay duration (the money is lent at
    t = 0); with draws it measures from when the money was lent on average, so that
    modified duration = macaulay / (1 + y / f) is still -dP/dy / P of the price per
    100 lent. NaN when the yield leaves nothing to discount with.
    """
    if not np.isfinite(yield_) or 1.0 + yield_ / frequency <= 0:
        return float("nan")
    discount = flat_discount(yield_, frequency, times)

    def mean_time(amounts: np.ndarray) -> float:
        value = amounts @ discount
        return float((amounts * times) @ discount / value) if value > 0 else float("nan")

    return mean_time(flows.received) - mean_time(flows.lent)


def coupon_text(tranche: Tranche) -> str:
    """The coupon as a term sheet writes it: "6.58%" or "SOFR+250bp" (with a non-zero floor)."""
    coupon = tranche.coupon
    if isinstance(coupon, FixedCoupon):
        return f"{coupon.rate * 100:.4g}%"
    text = f"{coupon.index}{coupon.spread * 1e4:+.4g}bp"
    return text if coupon.floor == 0 else f"{text} (floor {coupon.floor * 100:.4g}%)"


def benchmark_index(deal: Deal, tranche: Tranche) -> str | None:
    """A floating tranche's own index; for a fixed tranche, the deal's only index, if it has one."""
    if not isinstance(tranche.coupon, FixedCoupon):
        return tranche.coupon.index
    names = sorted(deal.market.index)
    return names[0] if len(names) == 1 else None


def tranche_row(
    deal: Deal,
    tranche: Tranche,
    flows: InvestorFlows,
    discount_rate: float | None,
    forwards: np.ndarray | None,
    quote: Quote,
) -> dict[str, object]:
    frequency = quote.per_year
    times = flow_times(flow_dates(deal, flows.lent.size), flows.lent + flows.received, quote.day_count)
    lent = float(flows.lent.sum())
    monthly = float(monthly_irr(flows.net[:, None])[0]) if lent > 0 else float("nan")
    settled = np.isfinite(monthly) and monthly > -1.0
    yield_ = quoted_yield(flows, times, frequency, monthly) if settled else float("nan")
    macaulay = macaulay_years(flows, times, yield_, frequency) if settled else float("nan")
    if discount_rate is not None:
        price = price_per_100(flows, flat_discount(discount_rate, frequency, times))
    elif forwards is not None:
        price = price_per_100(flows, curve_discount(forwards))
    else:
        price = float("nan")
    spread = z_spread(flows, forwards) if forwards is not None and lent > 0 else float("nan")
    return {
        "tranche": tranche.name,
        "original_balance": lent,
        "coupon": coupon_text(tranche),
        "legal_maturity": tranche.legal_maturity,
        "benchmark": benchmark_index(deal, tranche),
        "irr": (1.0 + monthly) ** MONTHS_PER_YEAR - 1.0 if np.isfinite(monthly) else float("nan"),
        "yield": yield_,
        "day_count": quote.day_count,
        "compounding": quote.frequency,
        "wal_years": float(wal_years(flows.principal[:, None])[0]),
        "macaulay_years": macaulay,
        "modified_duration": macaulay / (1.0 + yield_ / frequency),
        "moic": float(flows.received.sum()) / lent if lent > 0 else float("nan"),
        "price": price,
        "spread_bp": spread * 1e4,
        "loss": flows.loss,
    }


def tranche_metrics(
    deal: Deal,
    cashflows: pl.DataFrame,
    discount_rate: float | None = None,
    *,
    path: int = 0,
    quote: Quote | None = None,
) -> pl.DataFrame:
    """One row per debt tranche of ``deal`` from path ``path`` of a run's ``cashflows`` table.

    Yield, durations and the price at ``discount_rate`` are quoted on ``quote`` (default:
    the tranche's own day count and payment frequency, ``own_quote``). ``discount_rate``
    (annual, compounded as quoted) prices each tranche; without it the price is on the
    benchmark curve (the deal's own index curve, spread 0), null when the tranche has no
    benchmark. Columns: ``docs/analytics.md``.
    """
    quote = quote if quote is not None else own_quote(deal)
    curves = base_case(deal).index
    rows = []
    for tranche in deal.tranches:
        index = benchmark_index(deal, tranche)
        forwards = curves[index][0] if index is not None and index in curves else None
        flows = investor_flows(cashflows, tranche.name, path)
        rows.append(tranche_row(deal, tranche, flows, discount_rate, forwards, quote))
    frame = pl.DataFrame(rows, schema=SCHEMA, orient="row") if rows else pl.DataFrame(schema=SCHEMA)
    floats = [name for name, dtype in SCHEMA.items() if dtype == pl.Float64]
    return frame.with_columns(pl.col(floats).fill_nan(None))
