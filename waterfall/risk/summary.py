"""Loss statistics per tranche over paths: PD, EL, LGD, VaR and ES of loss, IRR, WAL, rating.

``pd`` is the share of paths where the tranche loses anything (a cent or
more); ``el_pct`` the mean loss over the original balance; ``lgd`` the mean
loss share on the paths that lose; ``var_99`` and ``es_99`` the 99th
percentile of ``loss_pct`` and the mean of the worst 1% of paths; ``refinanced_share``
the share of paths on which the tranche was refinanced at a maturity; ``implied_rating`` maps
``pd`` over the tranche's life to Moody's idealised default rates
(``waterfall.risk.ratings``).
"""

from __future__ import annotations

import math

import polars as pl

from waterfall.risk.ratings import implied_rating

LOSS_TOLERANCE = 0.01  # dollars: a loss below a cent is rounding, not a loss


def summarise(tranches: pl.DataFrame, lives: dict[str, float]) -> pl.DataFrame:
    """One row per tranche; ``lives`` gives each debt tranche's life in years (to legal maturity)."""
    loses = pl.col("loss") > LOSS_TOLERANCE
    paths = tranches["path"].n_unique()
    tail = max(1, math.ceil(0.01 * paths))  # the worst 1% of paths
    table = (
        tranches.lazy()
        .group_by("tranche", "kind", maintain_order=True)
        .agg(
            paths=pl.len(),
            original_balance=pl.col("original_balance").mean(),  # draws and overruns vary by path
            pd=loses.mean(),
            el_pct=pl.col("loss_pct").mean(),
            lgd=pl.col("loss_pct").filter(loses).mean(),
            var_99=pl.col("loss_pct").quantile(0.99, interpolation="higher"),
            es_99=pl.col("loss_pct").top_k(tail).mean(),
            irr_mean=pl.col("irr").mean(),
            irr_p05=pl.col("irr").quantile(0.05, interpolation="lower"),
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
    return table.with_columns(implied_rating=pl.Series(ratings, dtype=pl.String))
