"""Loss statistics per tranche over paths: PD, EL, LGD, VaR and ES of loss, IRR, WAL, rating.

The loss the statistics read is named in ``loss_measure``: for debt, principal loss
by default (``waterfall.outcomes.losses``; ``interest`` and ``economic`` on request),
for equity always capital not returned. ``pd`` is the share of paths where that loss
is more than a cent; ``el_pct`` its mean share; ``lgd`` the mean share on the paths
that lose; ``var_99`` and ``es_99`` the 99th percentile of the share and the mean of
the worst 1% of paths. Beside them, the expected interest and economic losses, and
for equity its MOIC, NPV at the hurdle rate and terminal value; ``refinanced_share`` the
share of paths on which the tranche was refinanced at a maturity. ``implied_rating``
maps ``pd`` over the tranche's life to Moody's idealised default rates
(``waterfall.risk.ratings``).
"""

from __future__ import annotations

import math

import polars as pl

from waterfall.risk.ratings import implied_rating

LOSS_TOLERANCE = 0.01  # dollars: a loss below a cent is rounding, not a loss
# measure -> (loss in currency, loss as a share) columns of the tranche outcomes
MEASURES = {
    "principal": ("loss", "loss_pct"),
    "interest": ("interest_loss", "interest_loss_pct"),
    "economic": ("economic_loss", "economic_loss_pct"),
}
DEFAULT_MEASURE = "principal"
EQUITY_MEASURE = "capital"  # equity's loss: capital not returned, terminal value counted


# the statistics of each (tranche, kind), in the order of the summary's columns
STATISTICS = (
    "original_balance",
    "principal_lent",
    "pd",
    "el_pct",
    "lgd",
    "var_99",
    "es_99",
    "el_principal_pct",
    "el_interest_pct",
    "el_economic_pct",
    "irr_mean",
    "irr_p05",
    "moic_mean",
    "npv_mean",
    "terminal_value_mean",
    "wal_mean",
    "default_share",
    "refinanced_share",
)


def _statistics(tranches: pl.DataFrame, name: str, kind: str, amount: str, share: str) -> tuple:
    """(tranche, kind, paths, *STATISTICS) over the rows of one tranche.

    Each statistic reads one column of those rows, copied out whole (a group-by gathered
    the whole table by group first: half a GB on a million paths); the copy is one
    contiguous piece, so every sum is taken in the same order however the table is split."""
    rows = (tranches["tranche"] == name) & (tranches["kind"] == kind)

    def column(key: str) -> pl.Series:
        return tranches[key].filter(rows).rechunk()

    debt = kind == "debt"
    # debt's loss is the measure chosen; equity's is always capital not returned
    loses = column(amount if debt else "loss") > LOSS_TOLERANCE
    losses = column(share if debt else "loss_pct")
    paths = losses.len()
    tail = max(1, math.ceil(0.01 * paths))  # the worst 1% of paths
    irr = column("irr")
    return (
        name,
        kind,
        paths,
        column("original_balance").mean(),  # draws and overruns vary by path
        column("principal_lent").mean(),
        loses.mean(),
        losses.mean(),
        losses.filter(loses).mean(),
        losses.quantile(0.99, interpolation="higher"),
        losses.top_k(tail).mean(),
        column("loss_pct").mean(),
        column("interest_loss_pct").mean(),
        column("economic_loss_pct").mean(),
        irr.mean(),
        irr.quantile(0.05, interpolation="lower"),
        column("moic").mean(),
        column("npv").mean(),
        column("terminal_value").mean(),
        column("wal_years").mean(),
        column("default_period").is_not_null().mean(),
        column("refinanced").mean(),
    )


def check_measure(measure: str) -> None:
    if measure not in MEASURES:
        raise ValueError(f"loss measure: expected one of {', '.join(MEASURES)}, found {measure!r}")


def summarise(tranches: pl.DataFrame, lives: dict[str, float], measure: str = DEFAULT_MEASURE) -> pl.DataFrame:
    """One row per tranche; ``lives`` gives each debt tranche's life in years (to legal maturity)."""
    check_measure(measure)
    amount, share = MEASURES[measure]
    keys = tranches.select("tranche", "kind").unique(maintain_order=True)
    rows = [_statistics(tranches, name, kind, amount, share) for name, kind in keys.iter_rows()]
    schema = {"tranche": tranches.schema["tranche"], "kind": tranches.schema["kind"], "paths": pl.UInt32}
    schema |= dict.fromkeys(STATISTICS, pl.Float64)
    table = pl.DataFrame(rows, schema=schema, orient="row")
    ratings = [
        implied_rating(pd, lives.get(name)) if kind == "debt" else None
        for name, pd, kind in zip(table["tranche"], table["pd"], table["kind"], strict=True)
    ]
    named = pl.when(pl.col("kind") == "debt").then(pl.lit(measure)).otherwise(pl.lit(EQUITY_MEASURE))
    table = table.with_columns(
        # the principal measure of equity is its capital measure: one EL, not two
        pl.when(pl.col("kind") == "debt").then(pl.col("el_principal_pct")).otherwise(None).alias("el_principal_pct"),
        loss_measure=named.cast(pl.String),
        implied_rating=pl.Series(ratings, dtype=pl.String),
    )
    return table.select(
        "tranche", "kind", "paths", "loss_measure", pl.exclude("tranche", "kind", "paths", "loss_measure")
    )
