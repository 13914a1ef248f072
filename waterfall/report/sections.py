"""The report's tables as HTML: deal summary, capital structure, risk summary,
breakevens, and the deal's terms with their sources.

Numbers are formatted here, once: money in $ millions with thousands
separators, shares and rates in percent, ratios with an ``x``. A value that does
not exist (null) shows as a dash.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from html import escape

import polars as pl

from waterfall.report.directory import MonteCarloTables, RunTables
from waterfall.report.terms import deal_terms
from waterfall.spec import tranche as spec
from waterfall.spec.deal import Deal

Cell = str | float | int | None
FIGURE = re.compile(r"^-?[$]?[\d,]*\.?\d+(%|x)?$|^-$")


def money(value: float | None) -> str:
    """$ millions, two decimals."""
    return "-" if value is None or math.isnan(value) else f"{value / 1e6:,.2f}"


def percent(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.2%}"


def ratio(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.2f}x"


def years(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.2f}"


def _is_figure(cell: Cell) -> bool:
    return cell is None or isinstance(cell, int | float) or bool(FIGURE.match(str(cell)))


def table(headers: Sequence[str], rows: Sequence[Sequence[Cell]], css: str = "", align: bool = True) -> str:
    """An HTML table; a column whose every cell is a figure (or a dash) is right-aligned."""
    numeric = [align and bool(rows) and all(_is_figure(row[i]) for row in rows) for i in range(len(headers))]
    head = "".join(f"<th{' class=num' if numeric[i] else ''}>{escape(h)}</th>" for i, h in enumerate(headers))
    body = []
    for row in rows:
        cells = "".join(
            f"<td{' class=num' if numeric[i] else ''}>{escape('-' if c is None else str(c))}</td>"
            for i, c in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    attribute = f' class="{css}"' if css else ""
    return f"<table{attribute}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def coupon_text(tranche: spec.Tranche) -> str:
    coupon = tranche.coupon
    if isinstance(coupon, spec.FixedCoupon):
        return f"fixed {coupon.rate:.2%}"
    return f"{coupon.index} + {coupon.spread:.2%} (floor {coupon.floor:.2%})"


def amortisation_text(tranche: spec.Tranche) -> str:
    plan = tranche.amortisation
    if isinstance(plan, spec.Bullet):
        return "bullet"
    if isinstance(plan, spec.LevelAnnuity):
        return f"level annuity, {plan.term_months} months"
    if isinstance(plan, spec.StraightLine):
        return f"straight line, {plan.term_months} months"
    if isinstance(plan, spec.Sculpted):
        return f"sculpted to {plan.target_dscr:.2f}x, {plan.term_months} months"
    return f"custom, {len(plan.schedule)} payments"


def deal_summary(deal: Deal) -> str:
    calendar = deal.calendar
    debt = sum(t.balance for t in deal.tranches)
    assets = [f"{f.count:,} {f.generation} GPUs (${f.cost / 1e6:,.1f}m)" for f in deal.fleets]
    assets += [f"{c.mw:,.1f} MW campus {c.name} (${c.cost / 1e6:,.1f}m)" for c in deal.campuses]
    assets += [f"crypto holding {c.name}" for c in deal.crypto]
    leases = [f"{lease.tenant}, {lease.term_months} months from {lease.start:%Y-%m}" for lease in deal.leases]
    rows = [
        ("closing", f"{calendar.start:%Y-%m}"),
        ("horizon", f"{calendar.horizon_months} months, {calendar.payment_frequency} payments, {calendar.day_count}"),
        ("assets", "; ".join(assets) or "-"),
        ("leases", "; ".join(leases) or "-"),
        ("debt at closing", f"${debt / 1e6:,.1f}m in {len(deal.tranches)} tranche(s)"),
        ("equity", f"${deal.equity.amount / 1e6:,.1f}m"),
        ("covenants", ", ".join(type(c).__name__ for c in deal.covenants) or "-"),
    ]
    return table(["", ""], rows, css="facts", align=False)


def capital_structure(deal: Deal) -> str:
    """Per tranche and equity: the terms of the deal file. Shares of capital are of the
    amounts at closing; a delayed-draw tranche's scheduled draws get their own column."""
    capital = sum(t.balance for t in deal.tranches) + deal.equity.amount
    draws = any(t.draws for t in deal.tranches)
    headers = ["tranche", "at closing $m", *(["scheduled draws $m"] if draws else []), "of capital at closing"]
    headers += ["coupon", "amortisation", "IO months", "legal maturity", "PIK"]
    rows: list[list[Cell]] = []
    for tranche in deal.tranches:
        drawn = [money(sum(d.amount for d in tranche.draws))] if draws else []
        share = percent(tranche.balance / capital if capital else None)
        terms = [coupon_text(tranche), amortisation_text(tranche), tranche.interest_only_months]
        maturity = f"{tranche.legal_maturity:%Y-%m}"
        rows.append([tranche.name, money(tranche.balance), *drawn, share, *terms, maturity, tranche.pik])
    share = percent(deal.equity.amount / capital if capital else None)
    none = ["-"] if draws else []
    rows.append(["equity", money(deal.equity.amount), *none, share, "residual", "-", "-", "-", "-"])
    return table(headers, rows)


def base_case_outcomes(run: RunTables, metrics: pl.DataFrame) -> str:
    """Per tranche: base-case outcomes (``tranches.parquet``, path 0) and the bond metrics of
    its cash flows (``waterfall.analytics.bond.tranche_metrics``; none for equity)."""
    measures = {row["tranche"]: row for row in metrics.iter_rows(named=True)}
    headers = ["tranche", "interest paid $m", "principal paid (equity: distributions) $m", "loss $m", "IRR", "WAL (y)"]
    headers += ["yield", "Macaulay (y)", "mod. duration", "MOIC", "price", "Z-spread (bp)"]
    rows = [
        [row["tranche"], *_outcome(row), *_measures(measures, row["tranche"])]
        for row in run.tranches.filter(pl.col("path") == 0).iter_rows(named=True)
    ]
    return table(headers, rows)


def _outcome(row: dict) -> list[Cell]:
    paid = [money(row["interest_paid"]), money(row["principal_paid"]), money(row["loss"])]
    return [*paid, percent(row["irr"]), years(row["wal_years"])]


def _measures(measures: dict, name: str) -> list[Cell]:
    row = measures.get(name)
    if row is None:
        return ["-"] * 6
    spread, price = row.get("spread_bp"), row.get("price")
    return [
        percent(row.get("yield")),
        years(row.get("macaulay_years")),
        years(row.get("modified_duration")),
        ratio(row.get("moic")),
        "-" if price is None or math.isnan(price) else f"{price:.2f}",
        "-" if spread is None or math.isnan(spread) else f"{spread:,.0f}",
    ]


def risk_summary(mc: MonteCarloTables) -> str:
    headers = ["tranche", "PD", "EL", "LGD", "VaR 99", "ES 99", "IRR mean", "IRR p05", "WAL (y)", "rating"]
    rows = [
        [
            str(r["tranche"]),
            percent(r["pd"]),
            percent(r["el_pct"]),
            percent(r["lgd"]),
            percent(r["var_99"]),
            percent(r["es_99"]),
            percent(r["irr_mean"]),
            percent(r["irr_p05"]),
            years(r["wal_mean"]),
            r["implied_rating"] or "-",
        ]
        for r in mc.summary.iter_rows(named=True)
    ]
    return table(headers, rows)


def _level(value: float | None, unit: str | None) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:,.4g} {unit or ''}".strip()


def breakeven_table(breakevens: pl.DataFrame) -> str:
    headers = ["tranche", "factor", "metric", "breakeven level", "first loss", "search range", "status"]
    rows = []
    for r in breakevens.iter_rows(named=True):
        first = r.get("first_loss_date")
        rows.append(
            [
                r["tranche"],
                r["factor"],
                r["metric"],
                _level(r["level"], r["unit"]),
                "-" if first is None else f"{first:%Y-%m} (month {r['first_loss_period']})",
                f"{_level(r['low'], None)} to {_level(r['high'], None)}",
                r["status"],
            ]
        )
    return table(headers, rows)


def terms_and_sources(deal_text: str) -> str:
    """Every term of the copied deal file, section by section, with its source comments."""
    parts = []
    for section in deal_terms(deal_text):
        title = section.name or "deal"
        note = f'<p class="note">{escape(section.note)}</p>' if section.note else ""
        rows = [[term.key, term.value, term.source] for term in section.terms]
        terms = table(["term", "value", "source"], rows, "terms", align=False) if rows else ""
        parts.append(f"<h4>{escape(title)}</h4>{note}{terms}")
    return "".join(parts)


def _fit_figure(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.3f}"


def calibration_parameters(calibration: pl.DataFrame) -> str:
    """The fitted rent parameters beside the base and bust presets' values."""
    headers = ["parameter", "fitted", "s.e.", "base", "bust", "n", "estimator"]
    rows = [
        [
            r["name"],
            *(_fit_figure(r[c]) for c in ("fitted", "se", "base", "bust")),
            "-" if r["n"] is None else f"{r['n']:,}",
            r["note"] or "-",
        ]
        for r in calibration.filter(pl.col("section") == "parameter").iter_rows(named=True)
    ]
    return table(headers, rows)


def calibration_launches(calibration: pl.DataFrame) -> str:
    headers = ["launch", "volume month", "fitted step (log)", "s.e.", "note"]
    rows = [
        [r["name"], f"{r['date']:%Y-%m}", _fit_figure(r["fitted"]), _fit_figure(r["se"]), r["note"] or "-"]
        for r in calibration.filter(pl.col("section") == "launch").iter_rows(named=True)
    ]
    return table(headers, rows)
