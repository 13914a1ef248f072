"""``waterfall report`` and ``waterfall export``: a results directory as an HTML page or a workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from waterfall.analytics.quote import own_quote, quote_problems
from waterfall.cli.app import app, fail, say
from waterfall.cli.breakeven import DAY_COUNT_OPTION, FREQUENCY_OPTION
from waterfall.errors import InputError, Problem, unwritable
from waterfall.report.directory import read_results
from waterfall.report.excel import write_workbook
from waterfall.report.html import build_report, write_report

RESULTS_DIR = typer.Argument(help="results directory of `waterfall run` or `waterfall mc` (out/<deal>/)")


@app.command()
def report(
    results_dir: Annotated[Path, RESULTS_DIR],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="HTML file to write (default RESULTS_DIR/report.html)")
    ] = None,
    day_count: Annotated[str | None, DAY_COUNT_OPTION] = None,
    frequency: Annotated[str | None, FREQUENCY_OPTION] = None,
) -> None:
    """One self-contained HTML report (charts inline, opens offline) of a run and its Monte Carlo runs."""
    try:
        problems = quote_problems(day_count, frequency)
        if problems:
            raise InputError(str(results_dir), problems)
        results = read_results(results_dir)
    except InputError as error:
        fail(error)
        return
    target = out_file if out_file is not None else results_dir / "report.html"
    quote = own_quote(results.deal, day_count, frequency)
    try:
        written = write_report(build_report(results, quote), target)
    except OSError as exc:
        fail(unwritable(target, exc))
        return
    sections = ["base case" if results.run is not None else None] + [f"mc_{m.scenario}" for m in results.monte_carlo]
    sections.append("calibration" if results.calibration is not None else None)
    say(f"wrote {written} ({', '.join(s for s in sections if s)})")


@app.command()
def export(
    results_dir: Annotated[Path, RESULTS_DIR],
    xlsx: Annotated[Path, typer.Option("--xlsx", help="Excel workbook to write (.xlsx)")],
) -> None:
    """Every table of a results directory as formatted sheets of one Excel workbook."""
    try:
        if xlsx.suffix.lower() != ".xlsx":  # Excel refuses a workbook whose name says it is something else
            raise InputError(
                str(xlsx), [Problem("--xlsx", f"expected a file name ending in .xlsx, found {xlsx.name!r}")]
            )
        results = read_results(results_dir)
    except InputError as error:
        fail(error)
        return
    try:
        written, contents = write_workbook(results, xlsx)
    except OSError as exc:
        fail(unwritable(xlsx, exc, "--xlsx"))
        return
    for sheet, source, rows, note in contents:
        say(f"  {sheet}: {source}, {rows:,} rows" + (f" ({note})" if note else ""))
    say(f"wrote {written} ({sum(1 for c in contents if c[0] != '-')} sheets and contents)")
