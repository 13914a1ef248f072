"""``waterfall new``: start a deal file from a commented skeleton of a chosen shape."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from waterfall.cli.app import app, fail, say
from waterfall.errors import InputError, Problem, unwritable
from waterfall.outcomes.parquet import write_text
from waterfall.templates import SHAPES, check_shape, deal_name, skeleton


@app.command()
def new(
    shape: Annotated[str, typer.Argument(help=f"deal shape: {', '.join(SHAPES)}")],
    deal_file: Annotated[
        Path | None, typer.Argument(help="deal file to write (default <shape>.toml here)", show_default=False)
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="overwrite the file if it exists")] = False,
) -> None:
    """Write a commented deal-file skeleton of a shape, one that validates and runs as written.

    Every key is annotated with its unit and where its value comes from; the deal is named after the file.
    """
    target = deal_file if deal_file is not None else Path(f"{shape}.toml")
    try:
        check_shape(shape)
        if target.is_dir():
            raise InputError(str(target), [Problem("DEAL_FILE", "expected a file name, found a directory")])
        if target.exists() and not force:
            raise InputError(
                str(target),
                [Problem("DEAL_FILE", "expected a new file (or --force to overwrite), found an existing file")],
            )
    except InputError as error:
        fail(error)
        return
    name = deal_name(target, shape)
    try:
        write_text(target, skeleton(shape, name))
    except OSError as exc:
        fail(unwritable(target, exc, "DEAL_FILE", "a writable location"))
        return
    say(f"wrote {target}: {SHAPES[shape]} (deal {name!r})")
    say(f"next: waterfall validate {target}; waterfall run {target}; then put your deal's terms in place of ours")
