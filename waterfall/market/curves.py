"""The market a deal runs in, as arrays over (paths, months), and the deal's base case.

The engine reads only this: GPU rent per GPU-hour by generation and rate
indices (annual rates) by name. A deterministic run is the same arrays with
one path; tests and scenario generators hand in path-varying ones.
"""

from __future__ import annotations

import numpy as np
from attrs import field, frozen

from waterfall.spec.deal import Deal
from waterfall.spec.market import IndexCurve, RentCurve


def _check(name: str, array: np.ndarray) -> np.ndarray:
    array = np.asarray(array, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"market array {name!r}: expected shape (paths, months), found {array.shape}")
    return array


@frozen
class Market:
    """GPU rent ($/GPU-hour) by generation and rate indices by name, each (paths, months)."""

    gpu_rent: dict[str, np.ndarray] = field(factory=dict)
    index: dict[str, np.ndarray] = field(factory=dict)
    paths: int = field(default=1)

    def __attrs_post_init__(self) -> None:
        for kind in (self.gpu_rent, self.index):
            for name, array in kind.items():
                kind[name] = _check(name, array)
                if kind[name].shape[0] != self.paths:
                    raise ValueError(f"market array {name!r}: expected {self.paths} paths, found {kind[name].shape[0]}")

    @classmethod
    def from_arrays(
        cls,
        gpu_rent: dict[str, np.ndarray] | None = None,
        index: dict[str, np.ndarray] | None = None,
    ) -> Market:
        arrays = [*(gpu_rent or {}).values(), *(index or {}).values()]
        paths = np.asarray(arrays[0]).shape[0] if arrays else 1
        return cls(gpu_rent=dict(gpu_rent or {}), index=dict(index or {}), paths=paths)

    def take(self, rows: slice) -> Market:
        """The same market on a block of paths."""
        return Market.from_arrays(
            {k: v[rows] for k, v in self.gpu_rent.items()},
            {k: v[rows] for k, v in self.index.items()},
        )


def rent_curve(curve: RentCurve, months: int) -> np.ndarray:
    """Rent compounding monthly at ``annual_change`` a year."""
    monthly = (1.0 + curve.annual_change) ** (1.0 / 12.0)
    return curve.start * monthly ** np.arange(months, dtype=np.float64)


def index_curve(curve: IndexCurve, months: int) -> np.ndarray:
    """Linear between the points, flat before the first and after the last."""
    points = sorted(curve.points, key=lambda p: p.month)
    return np.interp(
        np.arange(months, dtype=np.float64),
        [p.month for p in points],
        [p.rate for p in points],
    )


def base_case(deal: Deal, paths: int = 1) -> Market:
    """The deal's own deterministic market, repeated over ``paths`` identical paths."""
    months = deal.calendar.horizon_months

    def tile(row: np.ndarray) -> np.ndarray:
        return np.tile(row, (paths, 1))

    return Market(
        gpu_rent={g: tile(rent_curve(c, months)) for g, c in deal.market.gpu_rent.items()},
        index={i: tile(index_curve(c, months)) for i, c in deal.market.index.items()},
        paths=paths,
    )
