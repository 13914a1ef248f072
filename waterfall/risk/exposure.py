"""A lender's exposure and expected loss by ultimate obligor: whose credit its book rests on.

Each deal's held tranches are attributed to the ultimate parents of the deal's lease
tenants (the obligor registry's ``parent``), in equal parts when a deal has several (stated
assumption: the split by each tenant's share of contracted rent is finer). A deal
with no lease (merchant GPUs, a miner) is its own ``(merchant)`` obligor.
"""

from __future__ import annotations

import polars as pl

from waterfall.market.obligors import ultimate_parent as registry_parent
from waterfall.spec.deal import Deal
from waterfall.spec.portfolio import LoadedPortfolio

MERCHANT = "(merchant)"

OBLIGOR_COLUMNS = {
    "obligor": pl.String,
    "deals": pl.String,
    "exposure": pl.Float64,
    "el": pl.Float64,
    "el_pct": pl.Float64,
}


def ultimate_parent(name: str) -> str:
    """The obligor at the top of ``name``'s group in the shipped obligor registry
    (docs/obligors.md); a name the registry does not know is its own parent."""
    return registry_parent(name)


def deal_obligors(deal: Deal) -> dict[str, float]:
    """The ultimate obligors a deal's cash rests on, each with its share of the deal."""
    parents = sorted({ultimate_parent(lease.tenant) for lease in deal.leases})
    if not parents:
        return {MERCHANT: 1.0}
    return {p: 1.0 / len(parents) for p in parents}


def by_obligor(loaded: LoadedPortfolio, tranches: pl.DataFrame, loss: str = "loss") -> pl.DataFrame:
    """Per ultimate obligor: the held principal lent (``exposure``, mean over paths), the
    expected held ``loss`` in currency (``el``) and as a share of the exposure."""
    rows = [
        {"deal": d.name, "tranche": name, "weight": h.share * part, "obligor": obligor}
        for d, h in zip(loaded.deals, loaded.portfolio.holdings, strict=True)
        for obligor, part in deal_obligors(d).items()
        for name in h.tranches
    ]
    weights = pl.DataFrame(
        rows, schema={"deal": pl.String, "tranche": pl.String, "weight": pl.Float64, "obligor": pl.String}
    )
    paths = max(1, tranches["path"].n_unique())
    held = tranches.with_columns(pl.col("tranche").cast(pl.String)).join(weights, on=["deal", "tranche"])
    table = (
        held.group_by("obligor")
        .agg(
            deals=pl.col("deal").unique().sort().str.join(", "),
            exposure=(pl.col("principal_lent") * pl.col("weight")).sum() / paths,
            el=(pl.col(loss) * pl.col("weight")).sum() / paths,
        )
        .with_columns(el_pct=pl.col("el") / pl.col("exposure"))
        .sort("obligor")
    )
    return table.select(list(OBLIGOR_COLUMNS)).cast(OBLIGOR_COLUMNS)  # type: ignore[arg-type]
