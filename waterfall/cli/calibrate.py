"""``waterfall calibrate``: the GPU-rent factor fitted to observed rents, beside the presets.

Prints the fitted parameters with their standard errors next to the ``base``
and ``bust`` presets' values, then each launch's fitted step, and writes the
whole fit (parameters, steps, the data with the fitted curve) as one parquet
table. A missing or malformed data file exits 2 naming the file and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.table import Table

from waterfall.cli.app import app, fail, out, say
from waterfall.errors import InputError, Problem, unwritable
from waterfall.market.calibration import BOOTSTRAP_REPLICATES, BOOTSTRAP_SEED, fit_rent
from waterfall.market.calibration_table import calibration_table
from waterfall.market.rent_data import load_rent_data
from waterfall.market.scenario import load_scenario
from waterfall.outcomes.parquet import write_tables

PRESETS = ("base", "bust")


def _figure(value: float | None, name: str = "") -> str:
    if value is None:
        return "-"
    if name == "start":
        return f"{value:.2f}"
    return f"{value:.3f}"


def _parameters(table: pl.DataFrame) -> Table:
    grid = Table(title="GPU rent factor: fitted vs presets", title_justify="left")
    for column in ("parameter", "fitted", "s.e.", *PRESETS, "n"):
        grid.add_column(column, justify="left" if column == "parameter" else "right")
    for row in table.filter(section="parameter").iter_rows(named=True):
        n = "-" if row["n"] is None else f"{row['n']:,}"
        figures = [_figure(row[c], row["name"]) for c in ("fitted", "se", *PRESETS)]
        grid.add_row(row["name"], *figures, n)
    return grid


def _launches(table: pl.DataFrame) -> Table:
    grid = Table(title="Launch steps (log change of the generations hit)", title_justify="left")
    for column in ("launch", "volume month", "step", "s.e.", "note"):
        grid.add_column(column, justify="right" if column in ("step", "s.e.") else "left")
    for row in table.filter(section="launch").iter_rows(named=True):
        grid.add_row(row["name"], f"{row['date']:%Y-%m}", _figure(row["fitted"]), _figure(row["se"]), row["note"])
    return grid


@app.command()
def calibrate(
    data: Annotated[
        Path | None,
        typer.Option("--data", help="directory of the rent data files (default: the copy shipped in the package)"),
    ] = None,
    out_file: Annotated[Path, typer.Option("--out", help="parquet file to write the fit to")] = Path(
        "out/calibration.parquet"
    ),
    mean_reversion: Annotated[
        float, typer.Option("--mean-reversion", help="rent cycle speed per year, held fixed in the fit")
    ] = 1.2,
    replicates: Annotated[
        int, typer.Option("--replicates", help="simulated histories for the standard errors")
    ] = BOOTSTRAP_REPLICATES,
    seed: Annotated[int, typer.Option("--seed", help="seed of the simulated histories")] = BOOTSTRAP_SEED,
) -> None:
    """Fit the GPU-rent factor (trend, volatility, launch steps, generation ratios) to observed rents."""
    try:
        problems = []
        if out_file.suffix != ".parquet":
            problems.append(Problem("--out", f"expected a file name ending in .parquet, found {out_file.name!r}"))
        if not mean_reversion >= 0:
            problems.append(Problem("--mean-reversion", f"expected a number >= 0, found {mean_reversion!r}"))
        if replicates < 2:
            problems.append(Problem("--replicates", f"expected a whole number >= 2, found {replicates}"))
        if problems:
            raise InputError("waterfall calibrate", problems)
        rent_data = load_rent_data(data)
        fit = fit_rent(rent_data, mean_reversion, replicates, seed)
    except InputError as error:
        fail(error)
        return
    table = calibration_table(fit, {name: load_scenario(name) for name in PRESETS})
    say(f"data: {rent_data.prices_file} and {rent_data.launches_file}")
    out.print(_parameters(table))
    out.print(_launches(table))
    try:
        written = write_tables(out_file.parent, {out_file.stem: table})[0]
    except OSError as exc:
        fail(unwritable(out_file, exc, expected="a writable file path"))
        return
    say(f"wrote {written} ({table.height:,} rows; s.e. from {replicates} simulated histories, seed {seed})")
