"""The ``waterfall`` command. Each module registers its commands on the one typer app."""

import waterfall.cli.report  # noqa: F401  (the report and export commands)
from waterfall.cli import batch, breakeven, calibrate, deal, montecarlo, new, whatif  # noqa: F401  (importing registers the commands)
from waterfall.cli.app import app


def main() -> None:
    app()
