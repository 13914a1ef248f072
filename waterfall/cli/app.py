"""The ``waterfall`` command's shared parts: the typer app, its consoles, and user errors.

User mistakes (a bad deal file, an unwritable output directory) print what is
wrong and where, and exit with status 2; they never print a traceback.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn

from waterfall.errors import InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Cash-flow waterfalls for AI data-centre and GPU-backed debt.",
)
# piped output (CI logs, make) gets a wide console instead of rich's 80 columns
out = Console() if sys.stdout.isatty() else Console(width=140)
err = Console(stderr=True) if sys.stderr.isatty() else Console(stderr=True, width=200)

USER_ERROR = 2
PROGRESS_COLUMNS = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())


def fail(error: InputError) -> None:
    """Print every problem of a user's mistake and exit with status 2."""
    # user text (file names, values) is printed verbatim, never read as rich markup
    err.print(f"error {error.file}: {len(error.problems)} problem(s)", markup=False, highlight=False, soft_wrap=True)
    for problem in error.problems:
        err.print(f"  {error.file}: {problem}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(USER_ERROR)


def say(text: str) -> None:
    """Print plain text (paths, names) without rich markup or wrapping."""
    out.print(text, markup=False, highlight=False, soft_wrap=True)
