"""Observed GPU rents and Nvidia launch dates: the data the rent calibration is fitted to.

Two CSV files in one directory (by default the copy shipped in
``waterfall/market/data/``, whose README gives sources, commits and licences):

* ``epoch_hardware_prices_A100_H100_H200_B200.csv``: Epoch AI's hardware-price
  rows. Only rows with an on-demand $/chip-hour price are read (purchase prices
  and rows without a price are skipped); each needs a date and a hardware model.
* ``gpu_launches.csv``: one row per new generation reaching volume, the month
  it did, and the older generations whose rent it may have stepped down.

Every problem is an ``InputError`` naming the file, the column and the line,
so a user's own data directory gets the same errors as a deal file.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from importlib import resources
from pathlib import Path

import polars as pl
from attrs import frozen

from waterfall.errors import InputError, Problem

PRICES_FILE = "epoch_hardware_prices_A100_H100_H200_B200.csv"
LAUNCHES_FILE = "gpu_launches.csv"
DATE, MODEL, VENDOR, ON_DEMAND = (
    "Price date",
    "Hardware model",
    "Vendor",
    "Price per chip-hour (on-demand)",
)
PRICE_COLUMNS = (DATE, MODEL, VENDOR, ON_DEMAND)
LAUNCH_COLUMNS = ("generation", "volume_month", "hits", "spread_months")
# Hyperscaler list prices barely move (A100 $3.40-4.10 from 2021 to 2025, gpu_rent.md §1): they are
# a posted ceiling, not the market rent the model describes, so the trend and volatility fits leave
# them out. Their same-date ratios between generations are still read (the vendor's markup cancels).
HYPERSCALERS = frozenset({"Amazon Web Services", "Microsoft Azure", "Google Cloud", "Oracle Cloud"})
GENERATION = re.compile(r"\b(A100|H100|H200|B200|GH200)\b")
EPOCH = dt.date(2020, 1, 1)  # time origin of the fit, in years (any fixed date would do)


@frozen
class LaunchEvent:
    """A generation reaching volume in ``month``: the rents of ``hits`` may step down."""

    generation: str
    month: dt.date
    hits: tuple[str, ...]
    spread_months: int = 1


@frozen
class RentData:
    """On-demand rent observations and the launches that may have moved them.

    ``observations`` has one row per price row: ``date``, ``t`` (years since
    2020-01-01), ``generation`` (A100, H100, ...), ``form`` (``SXM`` or ``PCIe``;
    NVL cards count as PCIe, a model naming neither as SXM), ``product`` (the
    hardware model as written), ``vendor``, ``price`` ($/chip-hour) and
    ``market`` (False for the hyperscalers' list prices).
    """

    observations: pl.DataFrame
    launches: tuple[LaunchEvent, ...]
    prices_file: str
    launches_file: str


def years_since_epoch(date: dt.date) -> float:
    return (date - EPOCH).days / 365.25


def shipped_directory() -> Path:
    """The data shipped with the package (waterfall/market/data)."""
    return Path(str(resources.files("waterfall.market").joinpath("data")))


def _rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        what = "a directory" if path.exists() else "no such file"
        raise InputError(
            str(path), [Problem("", f"expected a CSV file with columns {', '.join(columns)}, found {what}")]
        )
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            lines = handle.readlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), [Problem("", f"expected a readable UTF-8 CSV file, found {exc}")]) from None
    # comment lines before the header are dropped, later ones blanked (the reader skips blank rows),
    # so that line numbers stay those an editor shows
    first = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    reader = csv.DictReader(["\n" if line.startswith("#") else line for line in lines[first:]])
    header = reader.fieldnames or []
    missing = [c for c in columns if c not in header]
    if missing:
        found = ", ".join(repr(h) for h in header) or "no header"
        raise InputError(str(path), [Problem(c, f"expected a column {c!r}, found columns {found}") for c in missing])
    return [(first + reader.line_num, row) for row in reader]


def _date(text: str, fmt: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text.strip(), fmt).date()
    except ValueError:
        return None


def _observations(path: Path) -> pl.DataFrame:
    problems: list[Problem] = []
    records = []
    for line, row in _rows(path, PRICE_COLUMNS):
        price_text = (row[ON_DEMAND] or "").strip()
        if not price_text:
            continue  # a purchase price or an empty row: not a rent
        try:
            price = float(price_text)
        except ValueError:
            price = float("nan")
        if not price > 0:
            problems.append(Problem(f"{ON_DEMAND} (line {line})", f"expected a price > 0, found {price_text!r}"))
            continue
        date = _date(row[DATE] or "", "%Y-%m-%d")
        if date is None:
            problems.append(Problem(f"{DATE} (line {line})", f"expected a date YYYY-MM-DD, found {row[DATE]!r}"))
            continue
        model = (row[MODEL] or "").strip()
        generation = GENERATION.search(model)
        if generation is None:
            found = repr(model)
            problems.append(
                Problem(f"{MODEL} (line {line})", f"expected a model naming A100, H100, ..., found {found}")
            )
            continue
        vendor = (row[VENDOR] or "").strip()
        if not vendor:
            problems.append(Problem(f"{VENDOR} (line {line})", "expected the vendor of an on-demand price, found none"))
            continue
        form = "PCIe" if ("PCIe" in model or "NVL" in model) else "SXM"
        records.append((date, years_since_epoch(date), generation.group(1), form, model, vendor, price))
    if problems:
        raise InputError(str(path), problems)
    schema = {
        "date": pl.Date,
        "t": pl.Float64,
        "generation": pl.String,
        "form": pl.String,
        "product": pl.String,
        "vendor": pl.String,
        "price": pl.Float64,
    }
    frame = pl.DataFrame(records, schema=schema, orient="row")
    return frame.with_columns((~pl.col("vendor").is_in(list(HYPERSCALERS))).alias("market")).sort("date", "vendor")


def _launches(path: Path) -> tuple[LaunchEvent, ...]:
    problems: list[Problem] = []
    launches = []
    for line, row in _rows(path, LAUNCH_COLUMNS):
        generation = (row["generation"] or "").strip()
        month = _date(row["volume_month"] or "", "%Y-%m")
        if month is None:
            found = row["volume_month"]
            problems.append(Problem(f"volume_month (line {line})", f"expected a month YYYY-MM, found {found!r}"))
        hits = tuple((row["hits"] or "").split())
        if not hits:
            problems.append(Problem(f"hits (line {line})", "expected the generations it hits, found none"))
        spread = (row["spread_months"] or "").strip()
        if not spread.isdigit() or int(spread) < 1:
            problems.append(Problem(f"spread_months (line {line})", f"expected a whole number >= 1, found {spread!r}"))
        if not generation:
            problems.append(Problem(f"generation (line {line})", "expected a generation name, found none"))
        if month is not None and hits and spread.isdigit() and int(spread) >= 1 and generation:
            launches.append(LaunchEvent(generation, month, hits, int(spread)))
    if problems:
        raise InputError(str(path), problems)
    return tuple(sorted(launches, key=lambda launch: launch.month))


def load_rent_data(directory: str | Path | None = None) -> RentData:
    """The rent observations and launches in ``directory`` (the shipped copy by default)."""
    base = shipped_directory() if directory is None else Path(directory)
    if directory is not None and not base.is_dir():
        what = "a file" if base.exists() else "nothing at this path"
        raise InputError(str(base), [Problem("--data", f"expected a directory holding {PRICES_FILE}, found {what}")])
    prices, launches = base / PRICES_FILE, base / LAUNCHES_FILE
    observations = _observations(prices)
    if observations.filter(pl.col("market")).height < 2:
        raise InputError(str(prices), [Problem(ON_DEMAND, "expected two or more non-hyperscaler prices, found fewer")])
    return RentData(observations, _launches(launches), str(prices), str(launches))
