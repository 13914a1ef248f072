"""The deal library under scenarios: one comparison table, and the result sections of the docs.

``waterfall library`` runs every deal file of a folder under each scenario,
writes each Monte Carlo's tables under ``out/<deal>/mc_<scenario>/``, prints a
table of deal, tranche, PD, EL and implied rating per scenario, and rewrites
the marked results sections of ``docs/deals/<deal>.md`` and ``docs/findings.md``
so the numbers in the docs are regenerated, never pasted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import polars as pl
from rich.markup import escape
from rich.table import Table

from waterfall.market.scenario import check_against, load_scenario
from waterfall.risk.montecarlo import MonteCarlo, run_monte_carlo
from waterfall.spec.load import load_deal

START, END = "<!-- results:start -->", "<!-- results:end -->"


def run_library(
    folder: Path,
    scenarios: list[str],
    paths: int,
    seed: int,
    out: Path,
    progress: Callable[[str], None] | None = None,
) -> pl.DataFrame:
    """Run every deal under every scenario; one row per (deal, scenario, tranche)."""
    rows = []
    for path in sorted(folder.glob("*.toml")):
        deal = load_deal(path)
        for name in scenarios:
            scenario = load_scenario(name)
            check_against(scenario, deal, name)
            if progress is not None:
                progress(f"{deal.name} x {scenario.name}")
            result = run_monte_carlo(deal, scenario, paths, seed)
            result.write(out / deal.name / f"mc_{scenario.name}")
            rows.append(_rows(result))
    return pl.concat(rows)


def _rows(result: MonteCarlo) -> pl.DataFrame:
    losing = result.tranches.filter(pl.col("loss") > 0.01)
    first_loss = (
        losing.group_by("tranche")
        .agg(
            first_loss_p10=pl.col("first_shortfall_period").quantile(0.10, interpolation="lower"),
            first_loss_p50=pl.col("first_shortfall_period").quantile(0.50, interpolation="lower"),
            first_loss_p90=pl.col("first_shortfall_period").quantile(0.90, interpolation="lower"),
        )
        .with_columns(pl.col("tranche").cast(pl.String))
    )
    return (
        result.summary.with_columns(pl.col("tranche", "kind").cast(pl.String))
        .join(first_loss, on="tranche", how="left")
        .select(
            pl.lit(result.deal.name).alias("deal"),
            pl.lit(result.scenario.name).alias("scenario"),
            "tranche",
            "kind",
            "pd",
            "el_pct",
            "implied_rating",
            "first_loss_p10",
            "first_loss_p50",
            "first_loss_p90",
        )
    )


def comparison(results: pl.DataFrame, scenarios: list[str]) -> pl.DataFrame:
    """Deal and tranche down the side; PD, EL and rating per scenario across."""
    wide = None
    for name in scenarios:
        part = results.filter(pl.col("scenario") == name).select(
            "deal",
            "tranche",
            pl.col("pd").alias(f"pd_{name}"),
            pl.col("el_pct").alias(f"el_{name}"),
            pl.col("implied_rating").alias(f"rating_{name}"),
        )
        wide = part if wide is None else wide.join(part, on=["deal", "tranche"], how="left", maintain_order="left")
    assert wide is not None
    return wide


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.2%}"


def table(wide: pl.DataFrame, scenarios: list[str]) -> Table:
    out = Table(title="Deal library: PD, EL (principal loss) and implied rating by scenario")
    out.add_column("deal")
    out.add_column("tranche")
    for name in scenarios:
        for column in ("PD", "EL", "rating"):
            out.add_column(f"{column} {name}", justify="right")
    for row in wide.iter_rows(named=True):
        cells = [escape(row["deal"]), escape(row["tranche"])]
        for name in scenarios:
            cells += [_pct(row[f"pd_{name}"]), _pct(row[f"el_{name}"]), row[f"rating_{name}"] or "-"]
        out.add_row(*cells)
    return out


def markdown(frame: pl.DataFrame) -> str:
    """A frame as a markdown table, percentages for PD and EL columns."""
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    lines = [header, rule]
    for row in frame.iter_rows(named=True):
        cells = []
        for column, value in row.items():
            if value is None:
                cells.append("-")
            elif column.startswith(("pd", "el")) and isinstance(value, float):
                cells.append(f"{value:.2%}")
            else:
                cells.append(str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def replace_section(path: Path, body: str) -> bool:
    """Rewrite the text between the results markers of ``path`` (or after '## Results')."""
    if not path.exists():
        return False
    text = path.read_text(encoding="utf-8")
    block = f"{START}\n{body}\n{END}"
    if START in text and END in text:
        text = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    elif "## Results" in text:
        head = text.split("## Results")[0]
        text = f"{head}## Results\n\n{block}\n"
    else:
        text = f"{text.rstrip()}\n\n## Results\n\n{block}\n"
    path.write_text(text, encoding="utf-8")
    return True


def write_docs(results: pl.DataFrame, wide: pl.DataFrame, docs: Path, paths: int, seed: int) -> list[Path]:
    """The regenerated results sections: one per deal page, and the comparison in findings.md."""
    note = (
        f"Monte Carlo with {paths:,} paths, seed {seed}; PD and EL of principal loss (written-down principal "
        "of principal lent; equity: capital not returned); first-loss months are of the paths that lose."
    )
    written = []
    for deal in results["deal"].unique(maintain_order=True):
        body = markdown(results.filter(pl.col("deal") == deal).drop("deal", "kind"))
        page = docs / "deals" / f"{deal}.md"
        if replace_section(page, f"{note}\n\n{body}"):
            written.append(page)
    findings = docs / "findings.md"
    if replace_section(findings, f"{note}\n\n{markdown(wide)}"):
        written.append(findings)
    return written
