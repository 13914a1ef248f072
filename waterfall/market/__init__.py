"""Market inputs: arrays of shape (paths, months) the engine is driven by."""

from waterfall.market.curves import Market, base_case

__all__ = ["Market", "base_case"]
