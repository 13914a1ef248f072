"""Sensitivity grids: one deal, one scenario, two parameters over a grid of values -> tranche metrics.

A sensitivity grid is a batch grid of one deal and one scenario with two sweeps,
so it runs on any executor, resumes where it stopped, and keeps its cells as a
dataset (``<out>/sensitivity/<x>__<y>/``). Its result is the long table
``sensitivity.parquet``: one row per (tranche, metric, x value, y value), which
the report draws as heat maps and the console prints as a matrix.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from waterfall.batch.dataset import scan
from waterfall.batch.grid import LoadedGrid, grid_from, sha256_bytes
from waterfall.batch.run import BatchEvents, run_batch
from waterfall.errors import InputError, Problem
from waterfall.market.parameters import column_name
from waterfall.outcomes.parquet import write_tables
from waterfall.risk.executors import Executor

METRICS = ("pd", "el_pct", "lgd", "var_99", "es_99", "irr_mean", "wal_mean")
SCHEMA = {
    "deal": pl.String,
    "scenario": pl.String,
    "tranche": pl.String,
    "metric": pl.String,
    "x_factor": pl.String,
    "x_value": pl.Float64,
    "y_factor": pl.String,
    "y_value": pl.Float64,
    "value": pl.Float64,
    "paths": pl.Int64,
    "seed": pl.Int64,
}


def parse_axis(text: str, option: str) -> tuple[str, list[float]]:
    """``rent_drift=-0.05,-0.15,-0.3`` -> ("rent_drift", [-0.05, -0.15, -0.3])."""
    name, sep, values = text.partition("=")
    try:
        if not sep or not name:
            raise ValueError
        numbers = [float(v) for v in values.split(",") if v.strip()]
    except ValueError:
        raise InputError(option, [Problem("", f"expected PARAMETER=V1,V2,..., found {text!r}")]) from None
    if not numbers:
        raise InputError(option, [Problem("", f"expected at least one value after '=', found {text!r}")])
    return name.strip(), numbers


def sensitivity_grid(
    deal_file: Path, scenario: str, x: tuple[str, list[float]], y: tuple[str, list[float]], paths: int, seed: int
) -> LoadedGrid:
    """The batch grid behind a sensitivity: checked (deal, scenario, every value) before any run."""
    if x[0] == y[0]:
        raise InputError("--y", [Problem("", f"expected a parameter other than --x's, found {y[0]!r} twice")])
    raw = {
        "name": f"sensitivity_{column_name(x[0])}__{column_name(y[0])}",
        "deals": [str(deal_file.resolve())],
        "scenarios": [scenario if Path(scenario).suffix != ".toml" else str(Path(scenario).resolve())],
        "paths": paths,
        "seed": seed,
        "sweep": [{"parameter": x[0], "values": x[1]}, {"parameter": y[0], "values": y[1]}],
    }
    text = json.dumps(raw, sort_keys=True)
    return grid_from(raw, Path("sensitivity grid"), sha256_bytes(text.encode()))


def run_sensitivity(
    loaded: LoadedGrid, out: Path, executor: Executor, events: BatchEvents | None = None
) -> tuple[pl.DataFrame, list]:
    """Run (or resume) the grid's cells under ``out/sensitivity/``; write and return the long table."""
    root = out / "sensitivity" / loaded.grid.name.removeprefix("sensitivity_")
    results = run_batch(loaded, root, executor, events)
    if any(r.status == "failed" for r in results):
        return pl.DataFrame(schema=SCHEMA), results
    grid = loaded.grid
    x, y = (column_name(s.parameter) for s in grid.sweep)
    summary = scan(root, "summary").collect().filter(pl.col("kind") == "debt")
    table = (
        summary.unpivot(index=["deal", "scenario", "tranche", x, y], on=list(METRICS), variable_name="metric")
        .select(
            "deal",
            "scenario",
            "tranche",
            "metric",
            pl.lit(grid.sweep[0].parameter).alias("x_factor"),
            pl.col(x).alias("x_value"),
            pl.lit(grid.sweep[1].parameter).alias("y_factor"),
            pl.col(y).alias("y_value"),
            pl.col("value").cast(pl.Float64),
            pl.lit(grid.paths, pl.Int64).alias("paths"),
            pl.lit(grid.seed, pl.Int64).alias("seed"),
        )
        .sort("tranche", "metric", "y_value", "x_value", maintain_order=True)
        .cast(SCHEMA)
    )
    _merge(out / "sensitivity.parquet", table)
    return table, results


def _merge(target: Path, table: pl.DataFrame) -> None:
    """Replace this factor pair's rows of an existing table, keep every other pair's."""
    if target.exists():
        old = pl.read_parquet(target).cast(SCHEMA)
        pair = (pl.col("x_factor") == table["x_factor"][0]) & (pl.col("y_factor") == table["y_factor"][0])
        same = pair & (pl.col("scenario") == table["scenario"][0])
        table = pl.concat([old.filter(~same), table])
    write_tables(target.parent, {target.stem: table})


def matrix(table: pl.DataFrame, tranche: str, metric: str) -> pl.DataFrame:
    """One tranche metric as rows of y values and columns of x values."""
    chosen = table.filter(tranche=tranche, metric=metric)
    return chosen.pivot(on="x_value", index="y_value", values="value", sort_columns=True).sort("y_value")
