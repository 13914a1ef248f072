"""``waterfall batch`` (every cell of a grid into one resumable dataset) and ``waterfall sensitivity``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from waterfall.batch.grid import LoadedGrid, load_grid
from waterfall.batch.run import BatchEvents, CellResult, run_batch
from waterfall.batch.sensitivity import METRICS, matrix, parse_axis, run_sensitivity, sensitivity_grid
from waterfall.cli.app import PROGRESS_COLUMNS, app, err, fail, out, say
from waterfall.errors import InputError, Problem
from waterfall.risk.executors import make_executor

INTERRUPTED = 130  # the shell's code for a run stopped by Ctrl-C
CELLS_FAILED = 1


@app.command()
def batch(
    grid_file: Annotated[Path, typer.Argument(help="grid TOML file")],
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="dataset directory (default out/batch/<grid name>/)")
    ] = None,
    executor: Annotated[str, typer.Option("--executor", help="local (processes), dask, or serial")] = "local",
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="worker processes (default: every core)")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="address of a Dask scheduler, e.g. tcp://host:8786")
    ] = None,
) -> None:
    """Run every cell of a grid; cells already finished (same inputs, files intact) are skipped."""
    try:
        if executor not in ("local", "dask", "serial"):
            raise InputError("--executor", [Problem("", f"expected local, dask or serial, found {executor!r}")])
        loaded = load_grid(grid_file)
    except InputError as error:
        fail(error)
        return
    target = out_dir if out_dir is not None else Path("out") / "batch" / loaded.grid.name
    runner = make_executor(executor, workers, scheduler)
    columns = (
        TextColumn("{task.description:<6}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    results: list[CellResult] = []
    try:
        with Progress(*columns, console=err) as progress:
            cells = progress.add_task("cells", total=None)
            paths = progress.add_task("paths", total=None)

            def planned(total: int, pending: int, path_count: int) -> None:
                progress.update(cells, total=total)
                progress.update(paths, total=path_count)

            def cell_done(result: CellResult) -> None:
                results.append(result)
                progress.advance(cells)

            events = BatchEvents(planned, lambda n: progress.advance(paths, n), cell_done)
            run_batch(loaded, target, runner, events)
    except InputError as error:
        fail(error)
    except KeyboardInterrupt:
        err.print(f"interrupted: {sum(r.status == 'done' for r in results)} cell(s) finished and kept; rerun to finish")
        raise typer.Exit(INTERRUPTED) from None
    finally:
        runner.close()
    out.print(_table(results))
    failed = [r for r in results if r.status == "failed"]
    for result in failed:
        say(f"failed {result.key}: {result.error}")
    say(f"dataset in {target}/ (summary/, paths/, manifest.json)")
    if failed:
        raise typer.Exit(CELLS_FAILED)


def _table(results: list[CellResult]) -> Table:
    table = Table(title="cells")
    for status in ("done", "skipped", "failed"):
        table.add_column(status, justify="right")
    table.add_row(*(str(sum(r.status == s for r in results)) for s in ("done", "skipped", "failed")))
    return table


@app.command()
def sensitivity(
    deal_file: Annotated[Path, typer.Argument(help="deal TOML file")],
    x: Annotated[str, typer.Option("--x", help="columns: PARAMETER=V1,V2,... (e.g. rent_drift=-0.05,-0.15,-0.3)")],
    y: Annotated[str, typer.Option("--y", help="rows: PARAMETER=V1,V2,... (e.g. useful_life_years=3,4,6)")],
    scenario: Annotated[str, typer.Option("--scenario", help="preset or scenario file")] = "base",
    tranche: Annotated[str | None, typer.Option("--tranche", help="tranche to print (default: the first)")] = None,
    metric: Annotated[str, typer.Option("--metric", help=f"metric to print: {', '.join(METRICS)}")] = "el_pct",
    paths: Annotated[int, typer.Option("--paths", min=1, help="paths per cell")] = 4096,
    seed: Annotated[int, typer.Option("--seed", min=0)] = 2026,
    out_dir: Annotated[Path | None, typer.Option("--out", help="results directory (default out/<deal>/)")] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="worker processes (default: every core)")
    ] = None,
) -> None:
    """A tranche metric over two scenario parameters: every cell a Monte Carlo run, one table."""
    try:
        if metric not in METRICS:
            raise InputError("--metric", [Problem("", f"expected one of {', '.join(METRICS)}, found {metric!r}")])
        loaded = sensitivity_grid(deal_file, scenario, parse_axis(x, "--x"), parse_axis(y, "--y"), paths, seed)
        deal = loaded.cells[0].deal
        names = [t.name for t in deal.tranches]
        chosen = tranche or names[0]
        if chosen not in names:
            raise InputError("--tranche", [Problem("", f"expected one of {', '.join(names)}, found {chosen!r}")])
    except InputError as error:
        fail(error)
        return
    target = out_dir if out_dir is not None else Path("out") / deal.name
    runner = make_executor("local", workers)
    try:
        with Progress(*PROGRESS_COLUMNS, console=err, transient=True) as progress:
            task = progress.add_task(f"{deal.name} sensitivity", total=None)
            events = BatchEvents(
                planned=lambda cells, pending, count: progress.update(task, total=count),
                paths_done=lambda n: progress.advance(task, n),
            )
            table, results = run_sensitivity(loaded, target, runner, events)
    except InputError as error:
        fail(error)
        return
    finally:
        runner.close()
    failed = [r for r in results if r.status == "failed"]
    for result in failed:
        say(f"failed {result.key}: {result.error}")
    if failed:
        raise typer.Exit(CELLS_FAILED)
    out.print(_matrix_table(matrix(table, chosen, metric), loaded, chosen, metric))
    say(f"wrote sensitivity.parquet to {target}/ (cells in {target}/sensitivity/)")


def _matrix_table(frame: pl.DataFrame, loaded: LoadedGrid, tranche: str, metric: str) -> Table:
    x, y = (s.parameter for s in loaded.grid.sweep)
    table = Table(title=f"{loaded.cells[0].deal.name} {tranche} {metric} ({loaded.cells[0].scenario.name})")
    table.add_column(f"{y} \\ {x}")
    for column in frame.columns[1:]:
        table.add_column(f"{float(column):g}", justify="right")
    percent = metric in ("pd", "el_pct", "lgd", "var_99", "es_99", "irr_mean")
    for row in frame.iter_rows():
        cells = ["-" if v is None else f"{v:.2%}" if percent else f"{v:.2f}" for v in row[1:]]
        table.add_row(f"{row[0]:g}", *cells)
    return table
