"""The ``waterfall`` command: validate and run deal files.

User mistakes (a bad deal file, an unwritable output directory) print what is
wrong and where, and exit with status 2; they never print a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from waterfall.errors import InputError, Problem
from waterfall.report.console import run_table
from waterfall.results import simulate
from waterfall.spec.load import load_deal

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
# piped output (CI logs, make) gets a wide console instead of rich's 80 columns
out = Console() if sys.stdout.isatty() else Console(width=140)
err = Console(stderr=True) if sys.stderr.isatty() else Console(stderr=True, width=200)

USER_ERROR = 2


def _fail(error: InputError) -> None:
    err.print(f"[bold red]error[/] {error.file}: {len(error.problems)} problem(s)", highlight=False)
    for problem in error.problems:
        err.print(f"  {error.file}: {problem}", highlight=False, soft_wrap=True)
    raise typer.Exit(USER_ERROR)


@app.command()
def validate(deal_file: Annotated[Path, typer.Argument(help="deal TOML file")]) -> None:
    """Check a deal file; print a one-line summary or every problem found."""
    try:
        deal = load_deal(deal_file)
    except InputError as error:
        _fail(error)
        return
    debt = sum(t.balance for t in deal.tranches)
    out.print(
        f"{deal_file}: ok — {deal.name}: {len(deal.tranches)} tranche(s), ${debt / 1e6:,.1f}m debt, "
        f"{len(deal.leases)} lease(s), {deal.calendar.horizon_months} months from {deal.calendar.start:%Y-%m}",
        highlight=False,
    )


@app.command()
def run(
    deal_file: Annotated[Path, typer.Argument(help="deal TOML file")],
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="directory for the parquet results (default out/<deal>/)"),
    ] = None,
) -> None:
    """Run the deal's deterministic base case, write the four tables, print the summary."""
    try:
        deal = load_deal(deal_file)
    except InputError as error:
        _fail(error)
        return
    results = simulate(deal)
    target = out_dir if out_dir is not None else Path("out") / deal.name
    try:
        written = results.write(target)
    except OSError as exc:
        problem = Problem("--out", f"expected a writable directory, found {exc.strerror or exc}")
        _fail(InputError(str(target), [problem]))
        return
    out.print(run_table(results))
    out.print(f"wrote {', '.join(p.name for p in written)} to {target}/", highlight=False)


def main() -> None:
    app()
