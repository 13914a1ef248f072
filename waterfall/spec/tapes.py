"""Reading user cash-flow tapes (CSV or parquet of date, amount) into monthly amounts.

A tape is revenue: every amount must be a finite number at or above zero. A
negative amount would be a cost booked as income and overdraw the operating
account; costs belong in ``[costs]`` or ``[[fees]]``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path

import attrs
import polars as pl

from waterfall.errors import InputError, Problem
from waterfall.spec.deal import Deal
from waterfall.spec.lease import Tape


class BadAmountError(ValueError):
    """A readable tape with an amount no tape may hold (negative, NaN or infinite)."""


def _read(path: Path) -> pl.DataFrame:
    if path.suffix.lower() == ".parquet":
        return pl.read_parquet(path)
    return pl.read_csv(path, try_parse_dates=True)


def _monthly(tape: Tape, frame: pl.DataFrame, deal: Deal) -> tuple[float, ...]:
    missing = [c for c in (tape.date_column, tape.amount_column) if c not in frame.columns]
    if missing:
        raise ValueError(f"expected columns {missing}, found {frame.columns}")
    dates = frame[tape.date_column]
    if dates.dtype == pl.String:
        dates = dates.str.to_date(strict=False)
    if dates.dtype not in (pl.Date, pl.Datetime) or dates.null_count():
        raise ValueError(f"expected dates in column {tape.date_column!r}, found unreadable values")
    amounts = frame[tape.amount_column].cast(pl.Float64, strict=False)
    if amounts.null_count():
        raise ValueError(f"expected numbers in column {tape.amount_column!r}, found blanks or text")
    bad = amounts.is_nan() | amounts.is_infinite() | (amounts < 0)
    if bad.any():
        row = int(bad.arg_max())
        raise BadAmountError(
            f"expected amounts >= 0 in column {tape.amount_column!r} (a tape is revenue; costs go in "
            f"[costs] or [[fees]]), found {amounts[row]!r} on row {row + 1} ({dates[row]})"
        )
    horizon = deal.calendar.horizon_months
    monthly = [0.0] * horizon
    for date, amount in zip(dates.to_list(), amounts.to_list(), strict=True):
        month = deal.calendar.month_of(date if isinstance(date, dt.date) else date.date())
        if 0 <= month < horizon:
            monthly[month] += amount
    return tuple(monthly)


def tape_problems(tapes: tuple[Tape, ...]) -> Iterator[Problem]:
    """Monthly amounts no tape may hold, in a deal built in code rather than read from files
    (the loader refuses them in the file, with the row)."""
    for i, tape in enumerate(tapes):
        for month, amount in enumerate(tape.amounts):
            if not (math.isfinite(amount) and amount >= 0):
                yield Problem(
                    f"tapes[{i}].amounts[{month}]", f"expected an amount >= 0 (a tape is revenue), found {amount!r}"
                )
                break


def attach_tapes(deal: Deal, base: Path, file: str) -> Deal:
    """Return the deal with each tape's monthly amounts read from its file."""
    problems: list[Problem] = []
    tapes = []
    for i, tape in enumerate(deal.tapes):
        where = f"tapes[{i}].path"
        path = (base / tape.path).resolve()
        try:
            frame = _read(path)
            tapes.append(attrs.evolve(tape, amounts=_monthly(tape, frame, deal)))
        except BadAmountError as exc:
            problems.append(Problem(where, f"{exc} of {tape.path!r}"))
        except (OSError, pl.exceptions.PolarsError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            expected = "expected a readable CSV or parquet tape"
            problems.append(Problem(where, f"{expected}, found {tape.path!r} ({reason})"))
    if problems:
        raise InputError(file, problems)
    return attrs.evolve(deal, tapes=tuple(tapes))
