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
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from waterfall.errors import InputError, Problem
from waterfall.market.scenario import check_against, load_scenario
from waterfall.report.console import portfolio_table, risk_table, run_table
from waterfall.report.library import comparison, run_library, write_docs
from waterfall.report.library import table as library_table
from waterfall.results import simulate
from waterfall.risk.montecarlo import DEFAULT_CHUNK, run_monte_carlo
from waterfall.risk.portfolio import run_portfolio
from waterfall.spec.load import load_deal
from waterfall.spec.portfolio import is_portfolio, load_portfolio

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
# piped output (CI logs, make) gets a wide console instead of rich's 80 columns
out = Console() if sys.stdout.isatty() else Console(width=140)
err = Console(stderr=True) if sys.stderr.isatty() else Console(stderr=True, width=200)

USER_ERROR = 2


def _fail(error: InputError) -> None:
    # user text (file names, values) is printed verbatim, never read as rich markup
    err.print(f"error {error.file}: {len(error.problems)} problem(s)", markup=False, highlight=False, soft_wrap=True)
    for problem in error.problems:
        err.print(f"  {error.file}: {problem}", markup=False, highlight=False, soft_wrap=True)
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
        markup=False,
        highlight=False,
        soft_wrap=True,
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
    out.print(f"wrote {', '.join(p.name for p in written)} to {target}/", markup=False, highlight=False, soft_wrap=True)


@app.command()
def mc(
    deal_file: Annotated[Path, typer.Argument(help="deal TOML file")],
    scenario: Annotated[
        str, typer.Option("--scenario", help="preset (base, bust, rates_high, slow_build) or scenario file")
    ],
    paths: Annotated[int, typer.Option("--paths", min=1, help="number of scenario paths")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="random seed")] = 0,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="results directory (default out/<deal>/mc_<scenario>/)")
    ] = None,
    chunk_size: Annotated[int, typer.Option("--chunk-size", min=1, help="paths simulated at once")] = DEFAULT_CHUNK,
    keep_paths: Annotated[
        int, typer.Option("--keep-paths", min=0, help="keep the full tapes of the first K paths")
    ] = 0,
) -> None:
    """Monte Carlo: a deal (or a portfolio of deals) under a scenario; risk summary and tables."""
    try:
        if deal_file.suffix == ".toml" and deal_file.exists() and is_portfolio(deal_file):
            _portfolio_mc(deal_file, scenario, paths, seed, out_dir, chunk_size)
            return
        deal = load_deal(deal_file)
        world = load_scenario(scenario)
        check_against(world, deal, scenario)
    except InputError as error:
        _fail(error)
        return
    target = out_dir if out_dir is not None else Path("out") / deal.name / f"mc_{world.name}"
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(f"{deal.name} x {world.name}", total=paths)
        result = run_monte_carlo(
            deal, world, paths, seed, chunk_size, keep_paths, progress=lambda n: progress.advance(task, n)
        )
    try:
        written = result.write(target)
    except OSError as exc:
        _fail(
            InputError(str(target), [Problem("--out", f"expected a writable directory, found {exc.strerror or exc}")])
        )
        return
    out.print(risk_table(result))
    names = ", ".join(p.name for p in written if p.parent == target)
    out.print(f"wrote {names} to {target}/", markup=False, highlight=False, soft_wrap=True)


def _portfolio_mc(file: Path, scenario: str, paths: int, seed: int, out_dir: Path | None, chunk: int) -> None:
    loaded = load_portfolio(file)
    world = load_scenario(scenario)
    target = out_dir if out_dir is not None else Path("out") / loaded.portfolio.name / f"mc_{world.name}"
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(f"{loaded.portfolio.name} x {world.name}", total=paths)
        result = run_portfolio(loaded, world, paths, seed, chunk, progress=lambda n: progress.advance(task, n))
    try:
        written = result.write(target)
    except OSError as exc:
        raise InputError(
            str(target), [Problem("--out", f"expected a writable directory, found {exc.strerror or exc}")]
        ) from None
    out.print(portfolio_table(result))
    names = ", ".join(p.name for p in written)
    out.print(f"wrote {names} to {target}/", markup=False, highlight=False, soft_wrap=True)


@app.command()
def library(
    folder: Annotated[Path, typer.Argument(help="folder of deal files")] = Path("deals"),
    scenario: Annotated[list[str] | None, typer.Option("--scenario", help="presets or files (repeat)")] = None,
    paths: Annotated[int, typer.Option("--paths", min=1)] = 20_000,
    seed: Annotated[int, typer.Option("--seed", min=0)] = 2026,
    out_dir: Annotated[Path, typer.Option("--out")] = Path("out"),
    docs: Annotated[
        Path | None, typer.Option("--docs", help="docs folder whose results sections to regenerate")
    ] = None,
) -> None:
    """Run the deal library under scenarios and print one comparison table."""
    names = scenario or ["base", "bust"]
    try:
        with err.status("running the library") as status:
            results = run_library(folder, names, paths, seed, out_dir, progress=status.update)
    except InputError as error:
        _fail(error)
        return
    wide = comparison(results, names)
    out.print(library_table(wide, names))
    results.write_parquet(out_dir / "library.parquet")
    if docs is not None:
        for page in write_docs(results, wide, docs, paths, seed):
            out.print(f"regenerated {page}", markup=False, highlight=False, soft_wrap=True)


def main() -> None:
    app()
