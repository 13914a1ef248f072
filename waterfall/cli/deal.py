"""``waterfall validate`` and ``waterfall run``: one deal file, its deterministic base case."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from waterfall.cli.app import app, fail, out, say
from waterfall.errors import InputError, unwritable
from waterfall.outcomes.parquet import write_text
from waterfall.report.console import run_table
from waterfall.results import simulate
from waterfall.spec.load import load_deal


@app.command()
def validate(deal_file: Annotated[Path, typer.Argument(help="deal TOML file")]) -> None:
    """Check a deal file; print a one-line summary or every problem found."""
    try:
        deal = load_deal(deal_file)
    except InputError as error:
        fail(error)
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
        fail(error)
        return
    results = simulate(deal)
    target = out_dir if out_dir is not None else Path("out") / deal.name
    try:
        written = results.write(target)
        written.append(write_text(target / "deal.toml", deal_file.read_text(encoding="utf-8")))
    except OSError as exc:
        fail(unwritable(target, exc))
        return
    out.print(run_table(results))
    say(f"wrote {', '.join(p.name for p in written)} to {target}/")
