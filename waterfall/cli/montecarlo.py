"""``waterfall mc`` and ``waterfall library``: deals and portfolios over scenario paths."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from waterfall.cli.app import PROGRESS_COLUMNS, app, err, fail, out, say
from waterfall.errors import InputError, unwritable
from waterfall.market.scenario import check_against, load_scenario, scenario_source
from waterfall.outcomes.parquet import write_text
from waterfall.report.console import portfolio_table, risk_table
from waterfall.report.library import comparison, run_library, write_docs
from waterfall.report.library import table as library_table
from waterfall.report.whatif_tables import exposure_table
from waterfall.risk.executors import available_cores, make_executor
from waterfall.risk.montecarlo import DEFAULT_CHUNK, run_monte_carlo
from waterfall.risk.portfolio import run_portfolio
from waterfall.spec.load import load_deal
from waterfall.spec.portfolio import is_portfolio, load_portfolio

# below this many paths, starting worker processes (about a second) costs more than it saves
PARALLEL_FROM = 16 * 1024


class LossMeasure(StrEnum):
    """The debt loss the risk summary's PD, EL, LGD, VaR and ES read (``waterfall.risk.summary``)."""

    principal = "principal"
    interest = "interest"
    economic = "economic"


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
    chunk_size: Annotated[
        int | None,
        typer.Option("--chunk-size", min=1, help="paths simulated at once (default: from the deal's width)"),
    ] = None,
    keep_paths: Annotated[
        int, typer.Option("--keep-paths", min=0, help="keep the full tapes of the first K paths")
    ] = 0,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help=f"worker processes (default: every core from {PARALLEL_FROM:,} paths)"),
    ] = None,
    loss_measure: Annotated[
        LossMeasure, typer.Option("--loss-measure", help="debt loss the PD, EL, LGD, VaR and ES read")
    ] = LossMeasure.principal,
) -> None:
    """Monte Carlo: a deal (or a portfolio of deals) under a scenario; risk summary and tables."""
    try:
        if deal_file.suffix == ".toml" and deal_file.exists() and is_portfolio(deal_file):
            _portfolio_mc(deal_file, scenario, paths, seed, out_dir, chunk_size or DEFAULT_CHUNK)
            return
        deal = load_deal(deal_file)
        world = load_scenario(scenario)
        check_against(world, deal, scenario)
    except InputError as error:
        fail(error)
        return
    target = out_dir if out_dir is not None else Path("out") / deal.name / f"mc_{world.name}"
    count = workers if workers is not None else (available_cores() if paths >= PARALLEL_FROM else 1)
    runner = make_executor("local", count)
    try:
        with Progress(*PROGRESS_COLUMNS, console=err, transient=True) as progress:
            task = progress.add_task(f"{deal.name} x {world.name}", total=paths)
            result = run_monte_carlo(
                deal,
                world,
                paths,
                seed,
                chunk_size,
                keep_paths,
                lambda n: progress.advance(task, n),
                runner,
                loss_measure.value,
            )
    finally:
        runner.close()
    try:
        written = result.write(target)
        written.append(write_text(target / "deal.toml", deal_file.read_text(encoding="utf-8")))
        written.append(write_text(target / "scenario.toml", scenario_source(scenario)))
    except OSError as exc:
        fail(unwritable(target, exc))
        return
    out.print(risk_table(result))
    names = ", ".join(p.name for p in written if p.parent == target)
    say(f"wrote {names} to {target}/")


def _portfolio_mc(file: Path, scenario: str, paths: int, seed: int, out_dir: Path | None, chunk: int) -> None:
    loaded = load_portfolio(file)
    world = load_scenario(scenario)
    target = out_dir if out_dir is not None else Path("out") / loaded.portfolio.name / f"mc_{world.name}"
    with Progress(*PROGRESS_COLUMNS, console=err, transient=True) as progress:
        task = progress.add_task(f"{loaded.portfolio.name} x {world.name}", total=paths)
        result = run_portfolio(loaded, world, paths, seed, chunk, progress=lambda n: progress.advance(task, n))
    try:
        written = result.write(target)
    except OSError as exc:
        raise unwritable(target, exc) from None
    out.print(portfolio_table(result))
    if result.obligors is not None:
        out.print(exposure_table(loaded.portfolio.name, result.obligors))
    names = ", ".join(p.name for p in written)
    say(f"wrote {names} to {target}/")


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
        fail(error)
        return
    wide = comparison(results, names)
    out.print(library_table(wide, names))
    results.write_parquet(out_dir / "library.parquet")
    if docs is not None:
        for page in write_docs(results, wide, docs, paths, seed):
            say(f"regenerated {page}")
