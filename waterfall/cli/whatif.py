"""``waterfall whatif``: a deal or portfolio run unconditionally and given events, side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from waterfall.cli.app import PROGRESS_COLUMNS, app, err, fail, out, say
from waterfall.cli.montecarlo import LossMeasure
from waterfall.errors import InputError, Problem, unwritable
from waterfall.market.conditioning import GIVEN_FORMS, Given, check_given, load_given, parse_given
from waterfall.market.scenario import check_against, load_scenario, run_obligors, with_registry
from waterfall.report.whatif_tables import obligor_table, whatif_table
from waterfall.risk.montecarlo import DEFAULT_CHUNK
from waterfall.risk.whatif import WhatIf, whatif_deal, whatif_portfolio
from waterfall.spec.load import load_deal
from waterfall.spec.portfolio import is_portfolio, load_portfolio


@app.command()
def whatif(
    deal_file: Annotated[Path, typer.Argument(help="deal or portfolio TOML file")],
    scenario: Annotated[
        str, typer.Option("--scenario", help="preset (base, bust, rates_high, slow_build) or scenario file")
    ],
    given: Annotated[list[str] | None, typer.Option("--given", help=f"an event (repeat): {GIVEN_FORMS}")] = None,
    given_file: Annotated[
        Path | None, typer.Option("--given-file", help="TOML file of [[given]] events (type = ...)")
    ] = None,
    paths: Annotated[int, typer.Option("--paths", min=1, help="number of scenario paths")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="random seed")] = 0,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="results directory (default out/<deal>/whatif_<scenario>/)")
    ] = None,
    chunk_size: Annotated[int, typer.Option("--chunk-size", min=1, help="paths simulated at once")] = DEFAULT_CHUNK,
    loss_measure: Annotated[
        LossMeasure, typer.Option("--loss-measure", help="debt loss the PD and EL read")
    ] = LossMeasure.principal,
) -> None:
    """PD and EL of every tranche unconditionally and given events, on the same paths."""
    try:
        typed = [parse_given(text) for text in given or []]
        filed = load_given(given_file) if given_file is not None else []
        events = typed + filed
        if not events:
            raise InputError("--given", [Problem("", f"expected at least one event ({GIVEN_FORMS}), found none")])
        # a question about a default chain is asked in the obligor registry's world: upstream obligors
        # and contagion on (docs/obligors.md), in the unconditional run as in the conditional one
        world = with_registry(load_scenario(scenario))
        portfolio = deal_file.suffix == ".toml" and deal_file.exists() and is_portfolio(deal_file)
        loaded = load_portfolio(deal_file) if portfolio else None
        deals = loaded.deals if loaded is not None else [load_deal(deal_file)]
        for deal in deals:
            check_against(world, deal, scenario)
        start = min(d.calendar.start for d in deals)
        end = max(-d.calendar.month_of(start) + d.calendar.horizon_months for d in deals)
        upstream = run_obligors(world, deals)
        check_given(typed, deals, start, end, "--given", upstream)
        check_given(filed, deals, start, end, str(given_file), upstream)
    except InputError as error:
        fail(error)
        return
    name = loaded.portfolio.name if loaded is not None else deals[0].name
    conditions = Given(tuple(events))
    target = out_dir if out_dir is not None else Path("out") / name / f"whatif_{world.name}"
    with Progress(*PROGRESS_COLUMNS, console=err, transient=True) as progress:
        task = progress.add_task(f"{name} x {world.name} (twice: unconditional, given)", total=2 * paths)
        step = lambda n: progress.advance(task, n)  # noqa: E731
        if loaded is not None:
            result: WhatIf = whatif_portfolio(
                loaded, world, conditions, paths, seed, loss_measure.value, chunk_size, step
            )
        else:
            result = whatif_deal(deals[0], world, conditions, paths, seed, loss_measure.value, chunk_size, step)
    try:
        written = result.write(target)
    except OSError as exc:
        fail(unwritable(target, exc))
        return
    out.print(whatif_table(result))
    if result.obligors is not None:
        out.print(obligor_table(result))
    say(f"wrote {', '.join(p.name for p in written)} to {target}/")
