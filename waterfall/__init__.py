"""waterfall: an event-driven cash-flow waterfall engine for AI data-centre and GPU debt."""

from waterfall.errors import InputError, Problem
from waterfall.market import Market, base_case
from waterfall.results import Results, simulate
from waterfall.spec.deal import Deal
from waterfall.spec.load import load_deal

__all__ = [
    "Deal",
    "InputError",
    "Market",
    "Problem",
    "Results",
    "base_case",
    "load_deal",
    "simulate",
]
__version__ = "0.1.0"
