"""``waterfall batch``: every cell of a grid into one resumable results dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from waterfall.batch.grid import load_grid
from waterfall.batch.run import BatchEvents, CellResult, run_batch
from waterfall.cli.app import app, err, fail, out, say
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
