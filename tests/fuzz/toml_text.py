"""A parsed TOML document written back as TOML text, whatever was put in it.

Mutated documents hold values no shipped file has (NaN, control characters,
huge integers, empty tables), so the writer is total: every str, int, float,
bool, date, list and dict becomes valid TOML that ``tomllib`` reads back as the
same value. Tables are written inline, one top-level key per line, which keeps
the writer small; the loader sees the same dict either way.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

# TOML basic strings escape these by name; every other control character as \\uXXXX
ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in ESCAPES:
            out.append(ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _key(key: str) -> str:
    bare = key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key)
    return key if bare else _string(key)


def _float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)  # repr always has a '.' or an exponent: read back as a float


def value(item: Any) -> str:
    """One TOML value (inline)."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, float):
        return _float(item)
    if isinstance(item, str):
        return _string(item)
    if isinstance(item, dt.datetime):
        return item.isoformat()
    if isinstance(item, dt.date):
        return item.isoformat()
    if isinstance(item, list | tuple):
        return "[" + ", ".join(value(x) for x in item) + "]"
    if isinstance(item, dict):
        return "{" + ", ".join(f"{_key(str(k))} = {value(v)}" for k, v in item.items()) + "}"
    raise TypeError(f"no TOML form for {type(item).__name__}")


def dumps(document: dict[str, Any]) -> str:
    """A whole document: one ``key = value`` line per top-level key."""
    return "".join(f"{_key(str(k))} = {value(v)}\n" for k, v in document.items())
