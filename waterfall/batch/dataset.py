"""The batch results dataset on disk: hive-partitioned parquet tables and the manifest.

    OUT/manifest.json                                     what ran, from what, when, and each cell's status
    OUT/summary/deal=D/scenario=S/cell=cNNN/0.parquet    one row per tranche (and equity) of the cell
    OUT/paths/deal=D/scenario=S/cell=cNNN/0.parquet      one row per path x tranche (and equity)

The tables hold results only (no times, no host names), so a resumed run's
dataset equals a clean run's row for row. Every file is written to a hidden
partial name and renamed, and the manifest is rewritten the same way after each
cell: a run killed at any moment leaves whole files, and a cell counts as
finished only once the manifest records it with the hashes of its files.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import polars as pl

from waterfall.errors import InputError, Problem
from waterfall.outcomes.parquet import write_tables

TABLES = ("summary", "paths")
MANIFEST = "manifest.json"
FORMAT = 1
PART = "0"  # each cell is one file of each table


def table_file(root: Path, table: str, key: str) -> Path:
    return root / table / key / f"{PART}.parquet"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_cell(root: Path, key: str, tables: dict[str, pl.DataFrame]) -> dict[str, dict[str, Any]]:
    """Write a cell's tables atomically; returns each file's relative path, hash and row count."""
    record = {}
    for table, frame in tables.items():
        (target,) = write_tables(table_file(root, table, key).parent, {PART: frame})
        record[table] = {"file": str(target.relative_to(root)), "sha256": file_sha256(target), "rows": frame.height}
    return record


def cell_is_whole(root: Path, entry: dict[str, Any] | None, fingerprint: str) -> bool:
    """A finished cell of the same inputs, whose files are all there and hash to what was recorded."""
    if not entry or entry.get("status") != "done" or entry.get("fingerprint") != fingerprint:
        return False
    for table in TABLES:
        record = entry.get("files", {}).get(table)
        if record is None:
            return False
        path = root / record["file"]
        if not path.is_file() or file_sha256(path) != record["sha256"]:
            return False
    return True


def read_manifest(root: Path) -> dict[str, Any] | None:
    path = root / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(str(path), [Problem("", f"expected a readable batch manifest, found {exc}")]) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(str(path), [Problem("format", f"expected a batch manifest of format {FORMAT}, found another")])
    return manifest


def write_manifest(root: Path, manifest: dict[str, Any]) -> None:
    path = root / MANIFEST
    partial = path.with_name(f".{MANIFEST}.partial")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            json.dump(manifest, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def remove_partials(root: Path) -> int:
    """Files a killed run was writing when it died: never counted, removed before a new run.
    Only the dataset's own files: a directory above another run's output must not touch its files."""
    count = 0
    found = [*root.glob(".*.partial"), *(p for t in TABLES for p in (root / t).rglob(".*.partial"))]
    for partial in found:
        partial.unlink(missing_ok=True)
        count += 1
    return count


def scan(root: str | Path, table: str = "summary") -> pl.LazyFrame:
    """Every cell of one table, with ``deal``, ``scenario`` and ``cell`` columns from the partitions."""
    if table not in TABLES:
        raise ValueError(f"table: expected one of {TABLES}, found {table!r}")
    return pl.scan_parquet(Path(root) / table, hive_partitioning=True)
