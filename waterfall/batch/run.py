"""Running a grid: skip the cells already finished, run the rest on an executor, record each as it ends.

Every cell's paths are cut into tasks (``waterfall.risk.montecarlo.plan``); the
executor runs the tasks of all pending cells, a bounded number at a time, and a
cell is written the moment its last task is back. A cell whose task raises is
recorded as failed with its error, and the others go on. The order cells finish
in never shows in the results: a cell's tasks are put back in path order before
its tables are made.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import platform
import socket
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import simpy
from attrs import frozen

from waterfall import __version__
from waterfall.batch.dataset import FORMAT, cell_is_whole, read_manifest, remove_partials, write_cell, write_manifest
from waterfall.batch.grid import Cell, LoadedGrid
from waterfall.batch.lock import writing
from waterfall.engine.simulation import sculpted_schedule
from waterfall.errors import InputError, Problem, unwritable
from waterfall.risk.executors import Executor
from waterfall.risk.montecarlo import Chunk, plan, simulate_paths
from waterfall.risk.summary import summarise


@frozen
class CellResult:
    key: str
    status: str  # done, skipped or failed
    error: str | None = None


@frozen
class BatchEvents:
    """What a progress display is told: the plan, then paths and cells as they finish."""

    planned: Callable[[int, int, int], None] = lambda cells, pending, paths: None
    paths_done: Callable[[int], None] = lambda count: None
    cell_done: Callable[[CellResult], None] = lambda result: None


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def run_batch(
    loaded: LoadedGrid, root: Path, executor: Executor, events: BatchEvents | None = None
) -> list[CellResult]:
    """Run every cell of ``loaded`` not already finished in ``root``; returns each cell's result.
    ``root`` is locked for the run: a second run on it is refused (``waterfall.batch.lock``)."""
    with writing(root, f"a batch of grid {loaded.grid.name!r}"):
        return _run(loaded, root, executor, events or BatchEvents())


def _run(loaded: LoadedGrid, root: Path, executor: Executor, events: BatchEvents) -> list[CellResult]:
    manifest = _open(loaded, root, executor)
    record = manifest["runs"][-1]
    cells: dict[str, Any] = manifest["cells"]
    results: list[CellResult] = []
    pending: list[Cell] = []
    for cell in loaded.cells:
        if cell_is_whole(root, cells.get(cell.key), cell.fingerprint):
            results.append(CellResult(cell.key, "skipped"))
        else:
            cells[cell.key] = _entry(cell, "pending")
            pending.append(cell)
    write_manifest(root, manifest)
    events.planned(len(loaded.cells), len(pending), len(pending) * loaded.grid.paths)
    for result in results:
        events.cell_done(result)
    try:
        for result in _run_cells(loaded, pending, root, executor, manifest, events):
            results.append(result)
            events.cell_done(result)
        record["status"] = "complete"
    except KeyboardInterrupt:
        record["status"] = "interrupted"
        raise
    except BaseException:
        record["status"] = "stopped by an error"
        raise
    finally:
        record["finished"] = now()
        record["counts"] = dict(Counter(r.status for r in results))
        with contextlib.suppress(OSError):  # on a full disk the last manifest written stands
            write_manifest(root, manifest)
    return results


def _run_cells(
    loaded: LoadedGrid, pending: list[Cell], root: Path, executor: Executor, manifest: dict, events: BatchEvents
):
    grid = loaded.grid
    sculpted: dict[str, dict[str, np.ndarray]] = {}
    tasks, owner = [], []
    for i, cell in enumerate(pending):
        if cell.deal.name not in sculpted:
            sculpted[cell.deal.name] = sculpted_schedule(cell.deal)
        for first, count in plan(grid.paths, grid.chunk_size, executor.workers):
            tasks.append(
                (cell.deal, cell.scenario, grid.seed, first, count, grid.chunk_size, sculpted[cell.deal.name], None)
            )
            owner.append(i)
    remaining = Counter(owner)
    parts: dict[int, list[Chunk]] = defaultdict(list)
    errors: dict[int, str] = {}
    for index, result in executor.map_unordered(simulate_paths, tasks):
        i = owner[index]
        if isinstance(result, BaseException):
            errors.setdefault(i, f"{type(result).__name__}: {result}")
        else:
            parts[i].append(result)
        events.paths_done(tasks[index][4])
        remaining[i] -= 1
        if remaining[i] == 0:
            yield _finish(pending[i], parts.pop(i, []), errors.get(i), root, manifest)


def _finish(cell: Cell, chunks: list[Chunk], error: str | None, root: Path, manifest: dict) -> CellResult:
    entry = manifest["cells"][cell.key]
    entry["finished"] = now()
    if error is not None:
        entry.update(status="failed", error=error)
        write_manifest(root, manifest)
        return CellResult(cell.key, "failed", error)
    tables = cell_tables(cell, chunks)
    try:
        entry["files"] = write_cell(root, cell.key, tables)
    except OSError as exc:
        entry.update(status="failed", error=f"cannot write results: {exc.strerror or exc}")
        raise unwritable(root, exc, expected="a writable directory with free space") from None
    entry.update(status="done", error=None)
    write_manifest(root, manifest)
    return CellResult(cell.key, "done")


def cell_tables(cell: Cell, chunks: list[Chunk]) -> dict[str, pl.DataFrame]:
    """The cell's per-path outcomes (in path order) and its per-tranche summary, with its parameters."""
    chunks = sorted(chunks, key=lambda c: c.first)
    outcomes = pl.concat([c.outcomes for c in chunks], rechunk=True)
    deal = cell.deal
    lives = {t.name: (deal.calendar.month_of(t.legal_maturity) + 1) / 12 for t in deal.tranches}
    summary = summarise(outcomes, lives)
    # enums differ from deal to deal: strings let every cell's rows sit in one dataset
    text = [pl.col("tranche").cast(pl.String), pl.col("kind").cast(pl.String)]
    parameters = [pl.lit(v, dtype=pl.Float64).alias(name) for name, v in cell.parameters.items()]
    return {
        "summary": summary.with_columns(*text, *parameters),
        "paths": outcomes.with_columns(*text, *parameters),
    }


def _entry(cell: Cell, status: str) -> dict[str, Any]:
    return {
        "deal": cell.deal.name,
        "scenario": cell.scenario.name,
        "cell": cell.label,
        "parameters": cell.parameters,
        "fingerprint": cell.fingerprint,
        "status": status,
    }


def _open(loaded: LoadedGrid, root: Path, executor: Executor) -> dict[str, Any]:
    """The manifest to continue (or a new one); the output directory is proven writable here,
    before any work (the lock has created it)."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        manifest = read_manifest(root)
        remove_partials(root)
    except OSError as exc:
        raise unwritable(root, exc) from None
    grid = loaded.grid
    if manifest is not None and manifest["grid"]["name"] != grid.name:
        found = manifest["grid"]["name"]
        raise InputError(
            str(root),
            [Problem("--out", f"expected a dataset of grid {grid.name!r} (or a new directory), found grid {found!r}")],
        )
    manifest = manifest or {"format": FORMAT, "cells": {}, "runs": []}
    _drop_stale(root, manifest, {c.key for c in loaded.cells})
    manifest["engine"] = {
        "waterfall": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "polars": pl.__version__,
        "simpy": simpy.__version__,
    }
    manifest["grid"] = {"name": grid.name, "file": str(loaded.file), "sha256": loaded.sha256, "content": loaded.raw}
    manifest["seed"], manifest["paths"] = grid.seed, grid.paths
    manifest["inputs"] = {
        "deals": {name: {"file": str(file), "sha256": sha} for name, (file, sha) in loaded.deal_files.items()},
        "scenarios": {name: {"source": label, "sha256": sha} for name, (label, sha) in loaded.scenario_sources.items()},
    }
    manifest["runs"].append(
        {
            "started": now(),
            "host": socket.gethostname(),
            "executor": type(executor).__name__,
            "workers": executor.workers,
            "status": "running",
        }
    )
    try:
        write_manifest(root, manifest)
    except OSError as exc:
        raise unwritable(root, exc) from None
    return manifest


def _drop_stale(root: Path, manifest: dict[str, Any], keys: set[str]) -> None:
    """Cells the grid no longer has (its sweep or deals changed): their files go, so the dataset
    is always the grid's current cells and nothing else."""
    for key in [k for k in manifest["cells"] if k not in keys]:
        for record in manifest["cells"][key].get("files", {}).values():
            (root / record["file"]).unlink(missing_ok=True)
        del manifest["cells"][key]
