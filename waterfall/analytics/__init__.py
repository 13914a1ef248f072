"""Analytics on a deal's results: what a tranche earns (yield, WAL, duration, price, spread)
and what breaks it (breakevens). Conventions are documented in ``docs/analytics.md``."""

from waterfall.analytics.bond import tranche_metrics

__all__ = ["tranche_metrics"]
