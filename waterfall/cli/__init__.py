"""The ``waterfall`` command. Each module registers its commands on the one typer app."""

from waterfall.cli import deal, montecarlo  # noqa: F401  (importing registers the commands)
from waterfall.cli.app import app


def main() -> None:
    app()
