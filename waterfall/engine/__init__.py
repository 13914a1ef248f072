"""The engine: a SimPy environment whose processes act on all scenario paths at once."""

from waterfall.engine.simulation import run

__all__ = ["run"]
