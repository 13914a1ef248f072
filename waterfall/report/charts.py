"""The report's plotly figures: where the cash went, tranche run-off, the DSCR fan,
loss distributions and sensitivity heat maps.

Each function takes result tables and returns a ``plotly.graph_objects.Figure``;
the page (``html.py``) embeds them. Data are reduced before plotting (losses are
binned here, not in the browser) so that a report on a million-path run stays a
few megabytes.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from waterfall.engine.terminal import TERMINAL_MARK
from waterfall.report.directory import MonteCarloTables, RunTables
from waterfall.spec.covenant import DscrTest
from waterfall.spec.deal import Deal

# one colour per use of cash, the same in every report
CASH_USES = {
    "opex": "#8c8c8c",
    "fees": "#bcbd22",
    "hedges": "#9467bd",
    "interest": "#d62728",
    "principal": "#1f77b4",
    "reserves": "#ff7f0e",
    "equity": "#2ca02c",
}
COST_NODES = ("opex", "power", "maintenance_capex")
LOSS_BIN = 0.02  # loss histograms in bins of 2% of principal lent (equity: of capital in)


def _layout(figure: go.Figure, title: str, height: int = 380) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0.0, "font": {"size": 15}},
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        template="plotly_white",
        legend={"orientation": "h", "y": -0.15},
        font={"family": "Helvetica, Arial, sans-serif", "size": 12},
    )
    return figure


def cash_uses(deal: Deal, run: RunTables) -> pl.DataFrame:
    """Per month of path 0 with any payment, the cash paid out by use ($).

    Costs and fees are read from the ledger by destination (``opex``, ``power``,
    ``maintenance_capex``; each fee's name; each hedge's name); interest and
    principal from ``cashflows`` (the ledger sums them into one row per tranche);
    reserves are the ledger's payments from ``operating`` into reserve and lock-up
    accounts (top-ups and traps; releases are a source of cash, not a use); equity
    is ``periods.equity_distribution`` less a terminal value marked to equity (a
    valuation, not cash paid).
    """
    ledger = run.ledger.filter(pl.col("path") == 0)
    groups = {
        "opex": pl.col("destination").is_in(COST_NODES),
        "fees": pl.col("destination").is_in([fee.name for fee in deal.fees]),
        "hedges": pl.col("destination").is_in([hedge.name for hedge in deal.hedges])
        & (pl.col("source") == "operating"),
        "reserves": pl.col("destination").is_in(list(deal.account_names)) & (pl.col("source") == "operating"),
        "marked": pl.col("source") == TERMINAL_MARK,
    }
    by_use = ledger.group_by("period").agg(
        [pl.col("amount").filter(test).sum().alias(name) for name, test in groups.items()]
    )
    debt = (
        run.cashflows.filter(pl.col("path") == 0)
        .group_by("period")
        .agg(pl.col("interest_paid").sum().alias("interest"), pl.col("principal_paid").sum().alias("principal"))
    )
    periods = run.periods.filter(pl.col("path") == 0).select(
        "period", "date", pl.col("equity_distribution").alias("equity")
    )
    table = (
        periods.join(by_use, on="period", how="left")
        .join(debt, on="period", how="left")
        .with_columns(pl.col("equity") - pl.col("marked").fill_null(0.0))
        .select("period", "date", *(pl.col(name).fill_null(0.0) for name in CASH_USES))
        .sort("period")
    )
    paid = pl.sum_horizontal(*CASH_USES)
    return table.filter(paid > 0.005)


def cash_use_bars(deal: Deal, run: RunTables) -> go.Figure:
    table = cash_uses(deal, run)
    figure = go.Figure()
    months = [f"{d:%Y-%m}" for d in table["date"]]
    for name, colour in CASH_USES.items():
        if table[name].abs().max() > 0.005:  # a use the deal never makes gets no legend entry
            figure.add_bar(x=months, y=table[name] / 1e6, name=name, marker_color=colour)
    figure.update_layout(barmode="stack", xaxis_title="payment month", yaxis_title="$ millions")
    return _layout(figure, "Where the cash went, payment month by payment month (base case)")


def balance_lines(run: RunTables) -> go.Figure:
    cashflows = run.cashflows.filter(pl.col("path") == 0).sort("period")
    figure = go.Figure()
    for name in cashflows["tranche"].unique(maintain_order=True):
        rows = cashflows.filter(pl.col("tranche") == name)
        figure.add_scatter(x=[f"{d:%Y-%m}" for d in rows["date"]], y=rows["balance_end"] / 1e6, name=name, mode="lines")
    figure.update_layout(xaxis_title="month", yaxis_title="balance at month end, $ millions")
    return _layout(figure, "Tranche balances (base case)")


def dscr_thresholds(deal: Deal) -> list[tuple[str, float]]:
    """The lock-up and default levels of the deal's DSCR covenants."""
    lines = []
    for covenant in deal.covenants:
        if isinstance(covenant, DscrTest):
            window = f"{covenant.trailing_months}-month trailing"
            if covenant.lock_up is not None:
                lines.append((f"lock-up {covenant.lock_up:.2f}x ({window})", covenant.lock_up))
            if covenant.default is not None:
                lines.append((f"default {covenant.default:.2f}x ({window})", covenant.default))
    return lines


def dscr_fan(deal: Deal, mc: MonteCarloTables) -> go.Figure:
    stats = mc.period_stats.drop_nulls("dscr_p50").sort("period")
    months = [f"{d:%Y-%m}" for d in stats["date"]]
    figure = go.Figure()
    band = {"mode": "lines", "line": {"width": 0}, "hoverinfo": "x+y"}
    figure.add_scatter(x=months, y=stats["dscr_p95"], name="p95", showlegend=False, **band)
    figure.add_scatter(
        x=months, y=stats["dscr_p01"], name="p01 to p95", fill="tonexty", fillcolor="rgba(31,119,180,0.15)", **band
    )
    figure.add_scatter(x=months, y=stats["dscr_p95"], name="p95", showlegend=False, **band)
    figure.add_scatter(
        x=months, y=stats["dscr_p05"], name="p05 to p95", fill="tonexty", fillcolor="rgba(31,119,180,0.30)", **band
    )
    figure.add_scatter(x=months, y=stats["dscr_p50"], name="median", mode="lines", line={"color": "#1f77b4"})
    styles = {"lock-up": ("#ff7f0e", "dash"), "default": ("#d62728", "dot")}
    for label, level in dscr_thresholds(deal):
        colour, dash = styles[label.split(" ")[0]]
        figure.add_hline(y=level, line={"color": colour, "dash": dash, "width": 1.5})
        # an invisible trace gives each threshold a legend entry
        figure.add_scatter(x=months[:1], y=[level], mode="lines", name=label, line={"color": colour, "dash": dash})
    figure.update_layout(xaxis_title="payment month", yaxis_title="period DSCR (x)", yaxis_range=dscr_range(deal, mc))
    return _layout(figure, f"Period DSCR across {mc.summary['paths'][0]:,} paths, scenario {mc.scenario}")


def mode_shares(mc: MonteCarloTables) -> go.Figure:
    """Share of paths in lock-up and at or after their event of default, month by month."""
    stats = mc.period_stats.sort("period")
    months = [f"{d:%Y-%m}" for d in stats["date"]]
    figure = go.Figure()
    figure.add_scatter(x=months, y=stats["share_lock_up"] * 100, name="in lock-up", line={"color": "#ff7f0e"})
    figure.add_scatter(x=months, y=stats["share_default"] * 100, name="defaulted", line={"color": "#d62728"})
    figure.update_layout(xaxis_title="month", yaxis_title="% of paths", yaxis_rangemode="tozero")
    return _layout(figure, f"Paths in lock-up and in default, scenario {mc.scenario}", height=300)


def dscr_range(deal: Deal, mc: MonteCarloTables) -> list[float]:
    """A y-range that shows the covenant levels and the bulk of the fan: a last payment
    date with little debt left can put the p95 at the 20x cap and flatten everything else."""
    stats = mc.period_stats.drop_nulls("dscr_p50")
    levels = [level for _, level in dscr_thresholds(deal)]
    typical = float(stats["dscr_p95"].median()) if stats.height else 2.0
    top = max([2.0 * typical, 1.5 * max(levels, default=1.0), 2.0])
    bottom = min(0.0, float(stats["dscr_p01"].min()) if stats.height else 0.0)
    return [max(bottom, -2.0), min(top, 20.0)]


def loss_histogram(mc: MonteCarloTables) -> pl.DataFrame:
    """Share of paths per 2% bin of ``loss_pct``, per tranche (bins with no path left out)."""
    tranches = mc.tranches.with_columns(pl.col("tranche").cast(pl.String))
    totals = tranches.group_by("tranche").len("paths")
    binned = tranches.with_columns(
        (pl.col("loss_pct").clip(lower_bound=0.0) / LOSS_BIN).floor().cast(pl.Int64).alias("bin")
    )
    counts = binned.group_by("tranche", "bin").len("count").join(totals, on="tranche")
    return counts.with_columns(
        (pl.col("bin") * LOSS_BIN).alias("loss_from"), (pl.col("count") / pl.col("paths")).alias("share")
    ).sort("tranche", "bin")


def loss_distribution(mc: MonteCarloTables) -> go.Figure:
    histogram = loss_histogram(mc)
    names = [str(t) for t in mc.summary["tranche"]]
    figure = make_subplots(rows=1, cols=len(names), subplot_titles=names, shared_yaxes=True)
    for column, name in enumerate(names, start=1):
        rows = histogram.filter(pl.col("tranche") == name)
        figure.add_bar(
            x=(rows["loss_from"] + LOSS_BIN / 2) * 100,
            y=rows["share"] * 100,
            width=LOSS_BIN * 100,
            name=name,
            showlegend=False,
            marker_color="#d62728",
            row=1,
            col=column,
        )
        figure.update_xaxes(title_text="loss, % of principal lent", row=1, col=column)
    # most paths lose nothing: a log scale keeps the tail visible beside the zero bar
    figure.update_yaxes(type="log", dtick=1)
    figure.update_yaxes(title_text="% of paths", row=1, col=1)
    return _layout(figure, f"Loss distribution per tranche, scenario {mc.scenario}", height=340)


def heat_map(grid: pl.DataFrame, title: str, percent: bool, worse_up: bool = True) -> go.Figure:
    """One sensitivity grid: ``value`` over ``x_value`` (columns) by ``y_value`` (rows); reds
    where a higher value is worse (losses), blues where it is not (returns, life)."""
    xs = sorted(grid["x_value"].unique().to_list())
    ys = sorted(grid["y_value"].unique().to_list())
    cells = {(row["x_value"], row["y_value"]): row["value"] for row in grid.iter_rows(named=True)}
    z = np.array([[cells.get((x, y), np.nan) for x in xs] for y in ys], dtype=float)
    scale = 100.0 if percent else 1.0
    text = [[("" if np.isnan(v) else f"{v * scale:.2f}{'%' if percent else ''}") for v in row] for row in z]
    figure = go.Figure(
        go.Heatmap(
            x=[f"{x:g}" for x in xs],
            y=[f"{y:g}" for y in ys],
            z=z * scale,
            text=text,
            texttemplate="%{text}",
            colorscale="Reds" if worse_up else "Blues",
            colorbar={"title": "%" if percent else ""},
        )
    )
    figure.update_layout(xaxis_title=grid["x_factor"][0], yaxis_title=grid["y_factor"][0])
    return _layout(figure, title, height=320)


# one colour per GPU generation in the calibration chart
GENERATION_COLOURS = {"A100": "#2ca02c", "H100": "#1f77b4", "H200": "#9467bd", "B200": "#d62728", "GH200": "#8c564b"}


def calibration_fit(calibration: pl.DataFrame) -> go.Figure:
    """The rent data ($/GPU-hour, log scale) by generation, market prices filled and hyperscaler lists
    hollow, with each generation's fitted curve and the launch months as dotted lines."""
    points = calibration.filter(pl.col("section") == "observation")
    curve = calibration.filter(pl.col("section") == "curve")
    figure = go.Figure()
    for generation in sorted(set(points["generation"])):
        colour = GENERATION_COLOURS.get(generation, "#7f7f7f")
        for note, symbol in (("market", "circle"), ("hyperscaler list", "circle-open")):
            rows = points.filter((pl.col("generation") == generation) & (pl.col("note") == note))
            if rows.height:
                figure.add_scatter(
                    x=rows["date"].to_list(),
                    y=rows["value"].to_list(),
                    mode="markers",
                    name=f"{generation} {note}",
                    marker={"color": colour, "symbol": symbol, "size": 7},
                    text=[f"{v}: {p}" for v, p in zip(rows["vendor"], rows["name"], strict=True)],
                    hovertemplate="%{text}<br>%{x|%Y-%m-%d}: $%{y:.2f}<extra></extra>",
                )
        line = curve.filter(pl.col("generation") == generation).sort("date")
        if line.height:
            figure.add_scatter(
                x=line["date"].to_list(),
                y=line["fitted"].to_list(),
                mode="lines",
                name=f"{generation} fitted",
                line={"color": colour, "width": 2.5},
            )
    for row in calibration.filter(pl.col("section") == "launch").iter_rows(named=True):
        figure.add_vline(x=row["date"], line={"color": "#999", "dash": "dot", "width": 1})
        figure.add_annotation(x=row["date"], y=1.0, yref="paper", text=f"{row['name']} volume", showarrow=False)
    figure.update_layout(xaxis_title="price date", yaxis_title="on-demand $ per GPU-hour (log scale)")
    figure.update_yaxes(type="log")
    return _layout(figure, "GPU rent: the fitted factor against the data", height=420)
