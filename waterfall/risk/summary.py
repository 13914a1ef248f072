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


def check_measure(measure: str) -> None:
    if measure not in MEASURES:
        raise ValueError(f"loss measure: expected one of {', '.join(MEASURES)}, found {measure!r}")


def summarise(tranches: pl.DataFrame, lives: dict[str, float], measure: str = DEFAULT_MEASURE) -> pl.DataFrame:
    """One row per tranche; ``lives`` gives each debt tranche's life in years (to legal maturity)."""
    check_measure(measure)
    amount, share = MEASURES[measure]
    debt = pl.col("kind") == "debt"
    chosen = tranches.lazy().with_columns(
        _loss=pl.when(debt).then(pl.col(amount)).otherwise(pl.col("loss")),
        _loss_pct=pl.when(debt).then(pl.col(share)).otherwise(pl.col("loss_pct")),
    )
    loses = pl.col("_loss") > LOSS_TOLERANCE
    paths = tranches["path"].n_unique()
    tail = max(1, math.ceil(0.01 * paths))  # the worst 1% of paths
    table = (
        chosen.group_by("tranche", "kind", maintain_order=True)
        .agg(
            paths=pl.len(),
            original_balance=pl.col("original_balance").mean(),  # draws and overruns vary by path
            principal_lent=pl.col("principal_lent").mean(),
            pd=loses.mean(),
            el_pct=pl.col("_loss_pct").mean(),
            lgd=pl.col("_loss_pct").filter(loses).mean(),
            var_99=pl.col("_loss_pct").quantile(0.99, interpolation="higher"),
            es_99=pl.col("_loss_pct").top_k(tail).mean(),
            el_principal_pct=pl.col("loss_pct").mean(),
            el_interest_pct=pl.col("interest_loss_pct").mean(),
            el_economic_pct=pl.col("economic_loss_pct").mean(),
            irr_mean=pl.col("irr").mean(),
            irr_p05=pl.col("irr").quantile(0.05, interpolation="lower"),
            moic_mean=pl.col("moic").mean(),
            npv_mean=pl.col("npv").mean(),
            terminal_value_mean=pl.col("terminal_value").mean(),
            wal_mean=pl.col("wal_years").mean(),
            default_share=pl.col("default_period").is_not_null().mean(),
            refinanced_share=pl.col("refinanced").mean(),
        )
        .collect()
    )
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
