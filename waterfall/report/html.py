"""The HTML report: one self-contained page per results directory.

The page carries plotly.js once, inlined in the head, and each chart's data
inline, so it opens offline and makes no network request. Sections: deal
summary, capital structure, where the cash went, tranche run-off (from a run's
tables), one section per Monte Carlo scenario (risk summary, DSCR fan, loss
distribution), breakevens, sensitivity heat maps, the GPU-rent calibration,
and the deal's terms with their sources. Optional inputs that are absent are named with the command that
makes them.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
from plotly.offline import get_plotlyjs

from waterfall.analytics.bond import tranche_metrics
from waterfall.analytics.quote import Quote, own_quote
from waterfall.outcomes.parquet import write_text
from waterfall.report import charts, sections
from waterfall.report.directory import MonteCarloTables, ResultsDirectory
from waterfall.spec.deal import Deal

PERCENT_METRICS = {"pd", "el_pct", "lgd", "var_99", "es_99", "irr_mean", "irr_p05", "default_share"}
LOSS_METRICS = {"pd", "el_pct", "lgd", "var_99", "es_99", "default_share"}  # higher is worse: drawn in reds
METRIC_ORDER = ["pd", "el_pct", "lgd", "var_99", "es_99", "default_share", "irr_mean", "irr_p05", "wal_mean"]

STYLE = """
body { font-family: Helvetica, Arial, sans-serif; color: #222; max-width: 1180px; margin: 0 auto; padding: 1.5em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #1f77b4; padding-bottom: 0.2em;
margin-top: 2em; } h3 { margin-top: 1.4em; } h4 { margin: 1.2em 0 0.3em; }
.lede { color: #555; margin-top: 0; } .note { color: #555; font-size: 0.9em; margin: 0.2em 0 0.5em; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.88em; }
th, td { padding: 4px 9px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
th { background: #f2f5f9; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.terms { width: 100%; } table.terms td:first-child { width: 18%; }
table.terms td:nth-child(2) { font-family: Menlo, Consolas, monospace; font-size: 0.92em; max-width: 380px;
overflow-wrap: anywhere; } table.terms td:nth-child(3) { color: #444; max-width: 520px; overflow-wrap: anywhere; }
table.facts td:first-child { font-weight: bold; white-space: nowrap; }
figure.chart { margin: 0.5em 0 1.5em; } .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1.5em; }
figure.chart figcaption { color: #555; font-size: 0.85em; }
.missing { background: #fff8e1; border-left: 4px solid #ffb300; padding: 0.5em 0.8em; }
nav a { margin-right: 1em; }
@media print { body { max-width: none; padding: 0; } nav { display: none; }
  figure.chart, table { page-break-inside: avoid; } h2 { page-break-after: avoid; }
  /* charts keep the width they were drawn at on screen: scale them to an A4 or Letter page */
  figure.chart { zoom: 0.6; } .grid { grid-template-columns: 1fr; } table { font-size: 0.75em; } }
"""


class Page:
    """Sections and charts in order; each chart gets a numbered container."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.toc: list[tuple[str, str]] = []
        self.charts = 0

    def section(self, anchor: str, title: str) -> None:
        self.toc.append((anchor, title))
        self.parts.append(f'<h2 id="{escape(anchor)}">{escape(title)}</h2>')

    def add(self, html: str) -> None:
        self.parts.append(html)

    def text(self, text: str, css: str = "note") -> None:
        self.parts.append(f'<p class="{css}">{escape(text)}</p>')

    def chart(self, name: str, figure: go.Figure, caption: str) -> None:
        self.charts += 1
        div = pio.to_html(
            figure,
            full_html=False,
            include_plotlyjs=False,
            div_id=f"chart-{self.charts}",
            config={"displaylogo": False, "responsive": True},
        )
        caption_html = f"<figcaption>{escape(caption)}</figcaption>"
        self.parts.append(f'<figure class="chart" data-chart="{escape(name)}">{div}{caption_html}</figure>')


def _monte_carlo(page: Page, results: ResultsDirectory, mc: MonteCarloTables) -> None:
    paths = mc.summary["paths"][0]
    page.section(f"mc-{mc.scenario}", f"Monte Carlo: scenario {mc.scenario}")
    page.text(
        f"{paths:,} paths, from {mc.directory.name}/. Debt losses are principal written down as shares of "
        "principal lent; equity's, capital not returned."
    )
    page.add(sections.risk_summary(mc))
    if mc.period_stats["dscr_p50"].drop_nulls().len():
        page.chart(
            f"dscr-{mc.scenario}",
            charts.dscr_fan(results.deal, mc),
            "Quantiles over paths of the period DSCR (period CFADS / scheduled debt service) on payment dates, "
            "from period_stats.parquet; the covenant lines are tested on the trailing DSCR they name. "
            "Quantiles are read from histograms exact to 0.005x and capped at -5x and 20x; the y-axis shows up to "
            "twice the median p95 (zoom out to see more).",
        )
    else:
        page.text("No path has a measured DSCR (no scheduled debt service on any payment date).", "missing")
    page.chart(
        f"modes-{mc.scenario}",
        charts.mode_shares(mc),
        "share_lock_up (paths in lock-up at the end of the month) and share_default (paths at or after their "
        "event of default, including those already sold and wound up) from period_stats.parquet.",
    )
    page.chart(
        f"losses-{mc.scenario}",
        charts.loss_distribution(mc),
        "Share of paths (log scale) per 2% bin of loss_pct from tranches.parquet; the bar at 0 is the paths "
        "without loss.",
    )


def _sensitivity(page: Page, deal: Deal, grid: pl.DataFrame) -> None:
    """Heat maps two to a row, tranches in deal order, loss metrics before return and life."""
    tranches = [t.name for t in deal.tranches]
    grid = grid.with_columns(
        pl.col("tranche").replace_strict(tranches, list(range(len(tranches))), default=len(tranches)).alias("_t"),
        pl.col("metric").replace_strict(METRIC_ORDER, list(range(len(METRIC_ORDER))), default=99).alias("_m"),
    ).sort("scenario", "x_factor", "y_factor", "_t", "_m", maintain_order=True)
    keys = ["scenario", "x_factor", "y_factor", "tranche", "metric"]
    page.add('<div class="grid">')
    for group in grid.partition_by(keys, maintain_order=True):
        first = group.row(0, named=True)
        metric = first["metric"]
        page.chart(
            "-".join(["sensitivity", *(str(first[k]) for k in keys)]),
            charts.heat_map(
                group,
                f"{metric} of {first['tranche']} under {first['scenario']}",
                metric in PERCENT_METRICS,
                worse_up=metric in LOSS_METRICS,
            ),
            f"{metric} over {first['x_factor']} (columns) x {first['y_factor']} (rows); "
            f"{first['paths']:,} paths per cell, seed {first['seed']}.",
        )
    page.add("</div>")


def _calibration(page: Page, results: ResultsDirectory) -> None:
    """The rent factor fitted to observed rents, when the directory holds the fit (docs/scenarios.md)."""
    page.section("calibration", "GPU rent calibration")
    calibration = results.calibration
    if calibration is None:
        page.text(
            f"not computed — run `waterfall calibrate --out {results.directory.name}/calibration.parquet`.",
            "missing",
        )
        return
    page.chart(
        "calibration",
        charts.calibration_fit(calibration),
        "On-demand $/GPU-hour from calibration.parquet (the data waterfall calibrate read): market vendors' "
        "prices filled, hyperscaler list prices hollow (not fitted), the fitted curve per generation (level, "
        "drift and fitted launch steps), launch volume months dotted.",
    )
    page.add(sections.calibration_parameters(calibration))
    page.add(sections.calibration_launches(calibration))
    page.text(
        "Fitted rent parameters (log units per year) with bootstrap standard errors beside the base and bust "
        "presets; the presets are not changed by the fit. Estimators and what the figures say about the presets: "
        "docs/scenarios.md, Calibration."
    )


def build_report(results: ResultsDirectory, quote: Quote | None = None) -> str:
    """The whole page as one HTML string; yields and durations on ``quote`` (default: the
    tranche's own, ``own_quote``)."""
    deal = results.deal
    quote = quote if quote is not None else own_quote(deal)
    page = Page()
    page.section("summary", "Deal summary")
    if deal.description:
        page.text(deal.description, "lede")
    page.add(sections.deal_summary(deal))
    page.section("capital", "Capital structure")
    page.add(sections.capital_structure(deal))
    if results.run is None:
        page.text(
            "Base-case tables not in this directory: run `waterfall run DEAL.toml` for the cash uses, "
            "the run-off and the base-case outcomes.",
            "missing",
        )
    else:
        page.add("<h3>Base case</h3>")
        metrics = tranche_metrics(deal, results.run.cashflows, quote=quote)
        page.add(sections.base_case_outcomes(results.run, metrics))
        page.text(
            "Amounts in $ millions; outcomes are the deal's deterministic base case "
            f"(tranches.parquet, path 0). Yield and durations (quoted {quote}), MOIC, price per 100 on the "
            "benchmark curve (the deal's index curve, no spread) and Z-spread over it are "
            "waterfall.analytics.bond.tranche_metrics of the base-case cash flows (docs/analytics.md)."
        )
        page.section("cash", "Where the cash went")
        page.chart(
            "cash-uses",
            charts.cash_use_bars(deal, results.run),
            "Payments per payment month: costs (opex, power, maintenance capex), fees and hedge payments from the "
            "ledger; interest and principal from cashflows; reserves = top-ups and traps paid into reserve "
            "accounts; equity = periods.equity_distribution.",
        )
        page.section("runoff", "Tranche balance run-off")
        page.chart("balances", charts.balance_lines(results.run), "cashflows.balance_end per tranche, base case.")
    if not results.monte_carlo:
        page.section("monte-carlo", "Monte Carlo")
        page.text("not computed — run `waterfall mc DEAL.toml --scenario base` (results in mc_base/).", "missing")
    for mc in results.monte_carlo:
        _monte_carlo(page, results, mc)
    page.section("breakevens", "Breakevens")
    if results.breakevens is None:
        page.text(
            f"not computed — run `waterfall breakeven DEAL.toml --all --out {results.directory.name}/"
            "breakevens.parquet`.",
            "missing",
        )
    else:
        page.add(sections.breakeven_table(results.breakevens))
        page.text(
            "The level of one stress at which a tranche first loses a dollar (or its IRR falls below the hurdle "
            "named in the metric), on the deal's deterministic path; first loss is the deal month the loss appears "
            "at that level. Status: found; no_crossing (the tranche holds over the whole search range); "
            "lost_at_base (it already breaks at the range's benign end); not_applicable (the factor cannot move "
            "this deal). From breakevens.parquet; the stresses are described in docs/analytics.md."
        )
    page.section("sensitivity", "Sensitivity")
    if results.sensitivity is None:
        page.text("not computed — run `waterfall sensitivity` to write sensitivity.parquet here.", "missing")
    else:
        _sensitivity(page, deal, results.sensitivity)
    _calibration(page, results)
    page.section("terms", "Assumptions and sources")
    page.text(
        "Every term of deal.toml, the copy of the deal file these results came from, with the comments "
        "that source it (tags such as S12 refer to the deal's research notes)."
    )
    page.add(sections.terms_and_sources(results.deal_text))
    return _document(results, page)


def _document(results: ResultsDirectory, page: Page) -> str:
    nav = "".join(f'<a href="#{escape(a)}">{escape(t)}</a>' for a, t in page.toc)
    title = f"{results.deal.name}: waterfall report"
    made = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style><script>{get_plotlyjs()}</script></head><body>"
        f'<h1>{escape(title)}</h1><p class="lede">Results in {escape(results.directory.name)}/, '
        f"report made {made}.</p><nav>{nav}</nav>{''.join(page.parts)}</body></html>\n"
    )


def write_report(html: str, target: str | Path) -> Path:
    """Write the page under a temporary name and rename it, so it appears whole or not at all."""
    return write_text(target, html)
