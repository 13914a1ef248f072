"""Declared ranges of deal terms, checked once at the edge with the term's path.

A field declares its range in attrs metadata (``field(metadata=at_least(0))``);
``waterfall.spec.checks`` walks the structured tree and reports every term out of
range as ``path: expected ..., found ...``.
"""

from __future__ import annotations

from typing import Any

BOUNDS_KEY = "bounds"
# the largest magnitude of any number in an input file, or of a price a curve compounds to: a
# quadrillion is beyond every real term (dollars, GPUs, months, rates as fractions), and past it
# float64 no longer holds cents (its spacing at 1e15 is 1/8) and products head for infinity
MAX_MAGNITUDE = 1e15


def at_least(low: float, *, strict: bool = False) -> dict[str, Any]:
    return {BOUNDS_KEY: (low, None, strict)}


def between(low: float, high: float) -> dict[str, Any]:
    return {BOUNDS_KEY: (low, high, False)}


def describe(bounds: tuple[float | None, float | None, bool]) -> str:
    low, high, strict = bounds
    if high is None:
        return f"a number {'>' if strict else '>='} {low:g}"
    return f"a number in [{low:g}, {high:g}]"


def holds(bounds: tuple[float | None, float | None, bool], value: float) -> bool:
    low, high, strict = bounds
    if low is not None and (value <= low if strict else value < low):
        return False
    return not (high is not None and value > high)
