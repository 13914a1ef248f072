"""Reading a results directory for the HTML report and the Excel export.

A results directory is what ``waterfall run`` writes (four tables and the deal
file), what ``waterfall mc`` writes (three tables, the deal and the scenario
files), or a run directory holding ``mc_*`` subdirectories and the optional
``breakevens.parquet`` and ``sensitivity.parquet``. Anything missing is named,
file by file, as a user error: a report silently short of a section would be
read as a deal without that risk.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from attrs import frozen

from waterfall.errors import InputError, Problem
from waterfall.market.calibration_table import SCHEMA as CALIBRATION_SCHEMA
from waterfall.spec.deal import Deal
from waterfall.spec.load import load_deal, read_toml, structure

RUN_FILES = ("cashflows.parquet", "periods.parquet", "ledger.parquet", "tranches.parquet", "deal.toml")
MC_FILES = ("summary.parquet", "period_stats.parquet", "tranches.parquet")
OPTIONAL_FILES = ("breakevens.parquet", "sensitivity.parquet", "calibration.parquet")
# a file found only in one kind of directory tells which kind the user meant
RUN_MARKERS = ("cashflows.parquet", "periods.parquet", "ledger.parquet")
MC_MARKERS = ("summary.parquet", "period_stats.parquet")


@frozen
class RunTables:
    """The four tables of ``waterfall run`` (the deal's base case, path 0)."""

    cashflows: pl.DataFrame
    periods: pl.DataFrame
    ledger: pl.DataFrame
    tranches: pl.DataFrame


@frozen
class MonteCarloTables:
    """One ``waterfall mc`` directory: its scenario name and three tables."""

    scenario: str
    directory: Path
    summary: pl.DataFrame
    period_stats: pl.DataFrame
    tranches: pl.DataFrame
    scenario_text: str | None


@frozen
class ResultsDirectory:
    """Everything the report and the export read from one directory."""

    directory: Path
    deal: Deal
    deal_text: str
    run: RunTables | None
    monte_carlo: tuple[MonteCarloTables, ...]
    breakevens: pl.DataFrame | None
    sensitivity: pl.DataFrame | None
    calibration: pl.DataFrame | None = None  # `waterfall calibrate --out DIR/calibration.parquet`


def _missing(directory: Path, names: tuple[str, ...]) -> list[str]:
    return [name for name in names if not (directory / name).is_file()]


def _read(path: Path, problems: list[Problem]) -> pl.DataFrame:
    try:
        return pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as exc:
        problems.append(Problem(path.name, f"expected a readable parquet table, found an unreadable file ({exc})"))
        return pl.DataFrame()


def _deal(path: Path) -> Deal:
    """The deal a result came from. A copied deal whose tape files are not beside it is
    still read for its terms (the report needs the terms, not the tape amounts)."""
    try:
        return load_deal(path)
    except InputError as error:
        if error.problems and all(p.path.startswith("tapes[") for p in error.problems):
            return structure(read_toml(path), Deal, str(path))
        raise


def _kind_problems(directory: Path) -> list[Problem]:
    """Why ``directory`` is neither a run nor a Monte Carlo results directory."""
    present = sorted(p.name for p in directory.iterdir()) if directory.is_dir() else []
    found = ", ".join(present[:8]) + (", ..." if len(present) > 8 else "") if present else "an empty directory"
    run_files = ", ".join(RUN_FILES)
    mc_files = ", ".join((*MC_FILES, "deal.toml"))
    expected = f"the results of `waterfall run` ({run_files}) or of `waterfall mc` ({mc_files}) or mc_* subdirectories"
    return [Problem("RESULTS_DIR", f"expected {expected}, found {found}")]


def _monte_carlo(directory: Path, problems: list[Problem], prefix: str = "") -> MonteCarloTables | None:
    missing = _missing(directory, MC_FILES)
    if missing:
        what = ", ".join(missing)
        problems.append(Problem(f"{prefix}{what}", f"expected the files `waterfall mc` writes, found {what} missing"))
        return None
    local: list[Problem] = []
    tables = {name: _read(directory / f"{name}.parquet", local) for name in ("summary", "period_stats", "tranches")}
    problems += [Problem(f"{prefix}{p.path}", p.message) for p in local]
    if local:
        return None
    scenario_file = directory / "scenario.toml"
    name = directory.name.removeprefix("mc_") if directory.name.startswith("mc_") else directory.name
    return MonteCarloTables(
        scenario=name,
        directory=directory,
        summary=tables["summary"],
        period_stats=tables["period_stats"],
        tranches=tables["tranches"],
        scenario_text=scenario_file.read_text(encoding="utf-8") if scenario_file.is_file() else None,
    )


def read_results(directory: str | Path) -> ResultsDirectory:
    """Read a run or Monte Carlo results directory; every missing or unreadable file is an ``InputError``."""
    directory = Path(directory)
    if not directory.is_dir():
        what = "a file" if directory.exists() else "nothing at this path"
        raise InputError(str(directory), [Problem("RESULTS_DIR", f"expected a results directory, found {what}")])
    problems: list[Problem] = []
    is_run = any((directory / name).is_file() for name in RUN_MARKERS)
    is_mc = any((directory / name).is_file() for name in MC_MARKERS)
    subdirectories = sorted(p for p in directory.glob("mc_*") if p.is_dir())
    if not (is_run or is_mc or subdirectories):
        raise InputError(str(directory), _kind_problems(directory))
    run = None
    if is_run:
        missing = _missing(directory, RUN_FILES)
        if missing:
            what = ", ".join(missing)
            problems.append(Problem(what, f"expected the files `waterfall run` writes, found {what} missing"))
        else:
            names = ("cashflows", "periods", "ledger", "tranches")
            run = RunTables(**{name: _read(directory / f"{name}.parquet", problems) for name in names})
    monte_carlo = []
    if is_mc and not is_run:
        found = _monte_carlo(directory, problems)
        monte_carlo += [found] if found is not None else []
    for sub in subdirectories:
        found = _monte_carlo(sub, problems, prefix=f"{sub.name}/")
        monte_carlo += [found] if found is not None else []
    deal_file = directory / "deal.toml"
    if not deal_file.is_file():
        copies = (mc.directory / "deal.toml" for mc in monte_carlo if (mc.directory / "deal.toml").is_file())
        deal_file = next(copies, deal_file)
    if not deal_file.is_file() and not any("deal.toml" in p.path for p in problems):
        problems.append(Problem("deal.toml", "expected the copy of the deal file the run writes, found none"))
    optional = {name: _read(directory / name, problems) for name in OPTIONAL_FILES if (directory / name).is_file()}
    calibration = optional.get("calibration.parquet")
    if calibration is not None and calibration.width:
        missing = [c for c in CALIBRATION_SCHEMA if c not in calibration.columns]
        if missing:
            found = ", ".join(calibration.columns)
            problems.append(
                Problem("calibration.parquet", f"expected the columns `waterfall calibrate` writes, found {found}")
            )
    if problems:
        raise InputError(str(directory), problems)
    return ResultsDirectory(
        directory=directory,
        deal=_deal(deal_file),
        deal_text=deal_file.read_text(encoding="utf-8"),
        run=run,
        monte_carlo=tuple(monte_carlo),
        breakevens=optional.get("breakevens.parquet"),
        sensitivity=optional.get("sensitivity.parquet"),
        calibration=calibration,
    )
