"""Results in a notebook: the compact HTML summary Jupyter shows, and the report's charts on demand.

``Results``, ``MonteCarlo`` and ``PortfolioRun`` display as a title (deal, scenario,
paths), a few key figures and a table of tranche outcomes, formatted as in the HTML
report (``waterfall.report.sections``); their ``.plot`` offers the report's plotly
figures (``waterfall.report.charts``). A summary never raises: a result with no paths,
no tranches or a table it cannot read says what is missing instead, and so does a
chart with nothing to draw.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import plotly.graph_objects as go
import polars as pl

from waterfall.report import charts
from waterfall.report.console import covenant_summary
from waterfall.report.directory import MonteCarloTables, RunTables
from waterfall.report.sections import money, percent, ratio, table, years

if TYPE_CHECKING:
    from waterfall.results import Results
    from waterfall.risk.montecarlo import MonteCarlo
    from waterfall.risk.portfolio import PortfolioRun

STYLE = (
    "<style>.wf-summary table{border-collapse:collapse;margin:0.4em 0}"
    ".wf-summary th,.wf-summary td{padding:2px 8px;border-bottom:1px solid #ddd}"
    ".wf-summary td.num,.wf-summary th.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".wf-summary .missing{background:#fff8e1;border-left:4px solid #ffb300;padding:0.4em 0.8em}</style>"
)


def _page(title: str, body: str) -> str:
    return f'{STYLE}<div class="wf-summary"><h4>{escape(title)}</h4>{body}</div>'


def _missing(title: str, what: str) -> str:
    return _page(title, f'<p class="missing">Nothing to show: {escape(what)}.</p>')


def _safely(title: str, build: Callable[[], str]) -> str:
    """The summary ``build()`` makes, or a note of what stopped it (a display must not raise)."""
    try:
        return build()
    except Exception as exc:  # a notebook cell showing a traceback for a repr helps no one
        return _missing(title, f"the result could not be summarised ({type(exc).__name__}: {exc})")


def _facts(rows: list[tuple[str, str]]) -> str:
    return table(["", ""], rows, css="facts", align=False)


# -- one run ----------------------------------------------------------------------------------------


def results_title(results: Results) -> str:
    deal = results.deal
    paths = results.tape.paths
    start = f"{deal.calendar.start:%Y-%m}"
    return f"{deal.name}: {deal.calendar.horizon_months} months from {start}, {paths:,} path(s)"


def results_html(results: Results) -> str:
    title = _safely_title(lambda: results_title(results), "waterfall results")

    def build() -> str:
        if results.tape.paths == 0 or results.tape.months == 0:
            return _missing(title, "the run has no paths or no months")
        outcomes = results.tranches.filter(pl.col("path") == 0)
        if outcomes.height == 0:
            return _missing(title, "the run has no tranche outcomes")
        summary = covenant_summary(results)
        facts = [
            ("min DSCR", summary["min_dscr"]),
            ("first lock-up", summary["first_lock_up"]),
            ("first default", summary["first_default"]),
            ("debt at closing", money(float(results.tape.original_balance.sum())) + " $m"),
        ]
        headers = ["tranche", "kind", "original $m", "interest $m", "principal (equity: dist.) $m", "loss $m"]
        headers += ["IRR", "WAL (y)"]
        rows = [
            [
                row["tranche"],
                row["kind"],
                money(row["original_balance"]),
                money(row["interest_paid"]),
                money(row["principal_paid"]),
                money(row["loss"]),
                percent(row["irr"]),
                years(row["wal_years"]),
            ]
            for row in outcomes.iter_rows(named=True)
        ]
        note = "Path 0" + (f" of {results.tape.paths:,}" if results.tape.paths > 1 else "") + "; $ millions."
        plots = "Charts: <code>.plot.cash_uses()</code>, <code>.plot.balances()</code>."
        return _page(title, _facts(facts) + table(headers, rows) + f"<p>{note} {plots}</p>")

    return _safely(title, build)


def _safely_title(make: Callable[[], str], fallback: str) -> str:
    try:
        return make()
    except Exception:  # a result too broken to name still gets a summary saying so
        return fallback


class RunPlots:
    """The report's base-case charts of one run (path 0)."""

    def __init__(self, results: Results) -> None:
        self._results = results

    def _tables(self) -> RunTables:
        r = self._results
        return RunTables(cashflows=r.cashflows, periods=r.periods, ledger=r.ledger, tranches=r.tranches)

    def cash_uses(self) -> go.Figure:
        """Where the cash went, payment month by payment month."""
        if self._results.tape.paths == 0 or self._results.tape.months == 0:
            return empty_figure("no months or no paths to plot")
        return charts.cash_use_bars(self._results.deal, self._tables())

    def balances(self) -> go.Figure:
        """Tranche balances month by month."""
        if self._results.tape.paths == 0 or self._results.tape.months == 0:
            return empty_figure("no months or no paths to plot")
        return charts.balance_lines(self._tables())


# -- Monte Carlo ------------------------------------------------------------------------------------


def _mc_tables(mc: MonteCarlo) -> MonteCarloTables:
    return MonteCarloTables(
        scenario=mc.scenario.name,
        directory=Path(),
        summary=mc.summary,
        period_stats=mc.period_stats,
        tranches=mc.tranches,
        scenario_text=None,
    )


def _risk_rows(summary: pl.DataFrame, with_deal: bool = False) -> tuple[list[str], list[list[object]]]:
    headers = [*(["deal"] if with_deal else []), "tranche", "PD", "EL", "LGD", "VaR 99", "ES 99"]
    headers += ["IRR mean", "WAL (y)", "rating"]
    rows = []
    for row in summary.iter_rows(named=True):
        if row.get("kind") == "equity":
            continue
        rows.append(
            [
                *([row["deal"]] if with_deal else []),
                str(row["tranche"]),
                percent(row.get("pd")),
                percent(row.get("el_pct")),
                percent(row.get("lgd")),
                percent(row.get("var_99")),
                percent(row.get("es_99")),
                percent(row.get("irr_mean")),
                years(row.get("wal_mean")),
                row.get("implied_rating") or "-",
            ]
        )
    return headers, rows


def monte_carlo_title(mc: MonteCarlo) -> str:
    return f"{mc.deal.name} under {mc.scenario.name}: {mc.paths:,} paths, seed {mc.seed}"


def monte_carlo_html(mc: MonteCarlo) -> str:
    title = _safely_title(lambda: monte_carlo_title(mc), "waterfall Monte Carlo")

    def build() -> str:
        if mc.summary.height == 0 or mc.tranches.height == 0:
            return _missing(title, "no tranche outcomes (the run has no paths)")
        headers, rows = _risk_rows(mc.summary)
        debt = mc.summary.filter(pl.col("kind") == "debt")
        stats = mc.period_stats.drop_nulls("dscr_p50")
        facts = [
            ("scenario", mc.scenario.name + (f": {mc.scenario.description}" if mc.scenario.description else "")),
            ("paths with any debt loss", percent(float(debt["pd"].max())) if debt.height else "-"),
            ("median DSCR, worst payment date", ratio(float(stats["dscr_p50"].min())) if stats.height else "-"),
            ("paths in default by the horizon", percent(float(mc.period_stats["share_default"][-1]))),
        ]
        note = "PD: share of paths with any loss. EL, VaR/ES 99%: loss as % of original balance."
        plots = (
            "Charts: <code>.plot.dscr_fan()</code>, <code>.plot.loss_histogram()</code>, <code>.plot.modes()</code>."
        )
        return _page(title, _facts(facts) + table(headers, rows) + f"<p>{note} {plots}</p>")

    return _safely(title, build)


class MonteCarloPlots:
    """The report's Monte Carlo charts."""

    def __init__(self, mc: MonteCarlo) -> None:
        self._mc = mc

    def dscr_fan(self) -> go.Figure:
        """Period DSCR percentiles across paths, with the covenant levels."""
        if self._mc.period_stats.drop_nulls("dscr_p50").height == 0:
            return empty_figure("no payment date with scheduled debt service")
        return charts.dscr_fan(self._mc.deal, _mc_tables(self._mc))

    def loss_histogram(self) -> go.Figure:
        """Distribution of each tranche's loss as % of its original balance."""
        if self._mc.tranches.height == 0:
            return empty_figure("no tranche outcomes")
        return charts.loss_distribution(_mc_tables(self._mc))

    def modes(self) -> go.Figure:
        """Share of paths in lock-up and in default, month by month."""
        if self._mc.period_stats.height == 0:
            return empty_figure("no months")
        return charts.mode_shares(_mc_tables(self._mc))


# -- portfolios -------------------------------------------------------------------------------------


def portfolio_title(run: PortfolioRun) -> str:
    name = run.loaded.portfolio.name
    return f"{name} under {run.scenario.name}: {len(run.loaded.deals)} deals, {run.paths:,} paths, seed {run.seed}"


def portfolio_html(run: PortfolioRun) -> str:
    title = _safely_title(lambda: portfolio_title(run), "waterfall portfolio")

    def build() -> str:
        if run.summary.height == 0 or run.holdings.height == 0:
            return _missing(title, "no outcomes (the run has no paths or the lender holds no tranche)")
        headers, rows = _risk_rows(run.summary, with_deal=True)
        lender = run.summary.filter(pl.col("kind") == "portfolio")
        joint = lender["joint_loss_share"][0] if lender.height else None
        facts = [
            ("deals", ", ".join(d.name for d in run.loaded.deals)),
            ("lender's expected loss", percent(lender["el_pct"][0]) if lender.height else "-"),
            ("paths where several deals lose", percent(joint)),
        ]
        plots = "Chart: <code>.plot.loss_histogram()</code>."
        return _page(title, _facts(facts) + table(headers, rows) + f"<p>Shared paths. {plots}</p>")

    return _safely(title, build)


class PortfolioPlots:
    def __init__(self, run: PortfolioRun) -> None:
        self._run = run

    def loss_histogram(self) -> go.Figure:
        """Loss distribution of every held deal's tranches and of the lender's holdings."""
        run = self._run
        if run.tranches.height == 0:
            return empty_figure("no tranche outcomes")
        label = pl.concat_str(pl.col("deal"), pl.lit("/"), pl.col("tranche").cast(pl.String))
        debt = run.tranches.filter(pl.col("kind") == "debt").with_columns(label.alias("tranche"))
        held = run.holdings.select("path", pl.lit("holdings").alias("tranche"), "loss_pct")
        losses = pl.concat([debt.select("path", "tranche", "loss_pct"), held])
        names = losses["tranche"].unique(maintain_order=True)
        tables = MonteCarloTables(
            scenario=run.scenario.name,
            directory=Path(),
            summary=pl.DataFrame({"tranche": names}),
            period_stats=pl.DataFrame(),
            tranches=losses,
            scenario_text=None,
        )
        return charts.loss_distribution(tables)


def empty_figure(reason: str) -> go.Figure:
    """A blank figure that says why there is nothing to draw."""
    figure = go.Figure()
    figure.add_annotation(text=f"Nothing to plot: {reason}", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure
