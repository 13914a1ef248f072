"""Argument checks shared by the factor generators (messages read 'expected ..., found ...')."""

from __future__ import annotations

import numpy as np


def require_loading(loading: float, name: str = "demand loading") -> None:
    if not -1.0 <= loading <= 1.0:
        raise ValueError(f"{name}: expected a number in [-1, 1], found {loading!r}")


def require_shape(name: str, array: np.ndarray, paths: int | None, months: int) -> None:
    if array.ndim != 2 or array.shape[1] != months or (paths is not None and array.shape[0] != paths):
        expected = f"({'paths' if paths is None else paths}, {months})"
        raise ValueError(f"{name}: expected shape {expected}, found {array.shape}")


def resolve_paths(paths: int | None, *arrays: np.ndarray | None) -> int:
    """The number of paths: ``paths`` if given, else the first given array's rows."""
    if paths is not None:
        return paths
    for array in arrays:
        if array is not None:
            return int(np.shape(array)[0])
    raise ValueError("expected paths (or an array of shocks or states to take them from), found neither")
