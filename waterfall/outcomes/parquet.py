"""Writing result files: each parquet table (or text record) appears whole or not at all."""

from __future__ import annotations

from pathlib import Path

import polars as pl


def write_tables(directory: str | Path, tables: dict[str, pl.DataFrame]) -> list[Path]:
    """Write ``name.parquet`` for each table: to a hidden partial file first, then renamed,
    so a crash or a full disk never leaves a half-written file under the final name."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        target = directory / f"{name}.parquet"
        partial = directory / f".{name}.parquet.partial"
        try:
            frame.write_parquet(partial)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)  # a failed write (a full disk) leaves nothing behind
        written.append(target)
    return written


def write_text(target: str | Path, text: str) -> Path:
    """Write a text file (a deal copy, a report) atomically: whole under its name, or not at all."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)
    return target
