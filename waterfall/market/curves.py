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
    """Everything the engine reads about the world a deal lives in, over (paths, months).

    - ``gpu_rent``: $/GPU-hour by generation; ``index``: annual rates by name.
    - ``tenant_default``: month each named tenant defaults, (paths,), -1 for never.
    - ``tenant_renews``: whether each named tenant renews at a lease's end, (paths,).
    - ``collateral``: the GPU fleets' value, (paths, months); None means their book value
      (campuses are always valued by the engine at book value).
    - ``sale_haircut``: the fleets' forced-sale haircut, (paths, months); None means the deal's.
    - ``sale_lag_months``: months from the deal's sale date until cash arrives.
    - ``prices``: $ per unit of crypto assets (e.g. BTC) by name, (paths, months).
    - ``construction_delay``: months of delay to every asset still to be built, (paths,).
    - ``construction_overrun``: cost overrun as a share of the construction budget, (paths,).
    - ``credit_spread``: the annual spread over the index at which each rating class
      refinances, by class, (paths, months).
    - ``refinancing_open``: whether the credit market is open to refinance, bool
      (paths, months); None means open throughout.
    - ``exit_cap_rate``: the campus exit cap rate (annual), (paths, months); None when
      the scenario does not model it (nothing in the engine reads it yet).
    """

    gpu_rent: dict[str, np.ndarray] = field(factory=dict)
    index: dict[str, np.ndarray] = field(factory=dict)
    paths: int = field(default=1)
    tenant_default: dict[str, np.ndarray] = field(factory=dict)
    tenant_renews: dict[str, np.ndarray] = field(factory=dict)
    collateral: np.ndarray | None = None
    sale_haircut: np.ndarray | None = None
    sale_lag_months: int = 0
    prices: dict[str, np.ndarray] = field(factory=dict)
    construction_delay: np.ndarray | None = None
    construction_overrun: np.ndarray | None = None
    credit_spread: dict[str, np.ndarray] = field(factory=dict)
    refinancing_open: np.ndarray | None = None
    exit_cap_rate: np.ndarray | None = None

    def __attrs_post_init__(self) -> None:
        window = self.refinancing_open
        if window is not None and (np.ndim(window) != 2 or np.shape(window)[0] != self.paths):
            shape = np.shape(window)
            raise ValueError(f"market refinancing_open: expected shape ({self.paths}, months), found {shape}")
        for kind in (self.gpu_rent, self.index, self.prices, self.credit_spread):
            for name, array in kind.items():
                kind[name] = _check(name, array)
                if kind[name].shape[0] != self.paths:
                    raise ValueError(f"market array {name!r}: expected {self.paths} paths, found {kind[name].shape[0]}")
        for kind in (self.tenant_default, self.tenant_renews):
            for name, array in kind.items():
                if np.shape(array) != (self.paths,):
                    raise ValueError(f"market tenant {name!r}: expected shape ({self.paths},), found {np.shape(array)}")

    @classmethod
    def from_arrays(
        cls,
        gpu_rent: dict[str, np.ndarray] | None = None,
        index: dict[str, np.ndarray] | None = None,
        **events: object,
    ) -> Market:
        """A market from rent and index arrays (paths, months); other fields by keyword."""
        arrays = [*(gpu_rent or {}).values(), *(index or {}).values()]
        paths = np.asarray(arrays[0]).shape[0] if arrays else 1
        return cls(gpu_rent=dict(gpu_rent or {}), index=dict(index or {}), paths=paths, **events)  # type: ignore[arg-type]

    def take(self, rows: slice) -> Market:
        """The same market on a block of paths."""
        paths = len(range(self.paths)[rows])
        return Market(
            gpu_rent={k: v[rows] for k, v in self.gpu_rent.items()},
            index={k: v[rows] for k, v in self.index.items()},
            paths=paths,
            tenant_default={k: v[rows] for k, v in self.tenant_default.items()},
            tenant_renews={k: v[rows] for k, v in self.tenant_renews.items()},
            collateral=None if self.collateral is None else self.collateral[rows],
            sale_haircut=None if self.sale_haircut is None else self.sale_haircut[rows],
            sale_lag_months=self.sale_lag_months,
            prices={k: v[rows] for k, v in self.prices.items()},
            construction_delay=None if self.construction_delay is None else self.construction_delay[rows],
            construction_overrun=None if self.construction_overrun is None else self.construction_overrun[rows],
            credit_spread={k: v[rows] for k, v in self.credit_spread.items()},
            refinancing_open=None if self.refinancing_open is None else self.refinancing_open[rows],
            exit_cap_rate=None if self.exit_cap_rate is None else self.exit_cap_rate[rows],
        )

    def window(self, offset: int, months: int) -> Market:
        """The months ``offset .. offset + months`` of a market on a longer clock, as a
        deal closing ``offset`` months after the clock's start sees them (its month 0)."""

        def cut(array: np.ndarray) -> np.ndarray:
            return np.ascontiguousarray(array[:, offset : offset + months])

        def moved(default: np.ndarray) -> np.ndarray:
            # a party that failed before the deal closed has failed by its month 0
            return np.where(default >= 0, np.maximum(default - offset, 0), default)

        return Market(
            gpu_rent={k: cut(v) for k, v in self.gpu_rent.items()},
            index={k: cut(v) for k, v in self.index.items()},
            paths=self.paths,
            tenant_default={k: moved(v) for k, v in self.tenant_default.items()},
            tenant_renews=dict(self.tenant_renews),
            collateral=None if self.collateral is None else cut(self.collateral),
            sale_haircut=None if self.sale_haircut is None else cut(self.sale_haircut),
            sale_lag_months=self.sale_lag_months,
            prices={k: cut(v) for k, v in self.prices.items()},
            construction_delay=self.construction_delay,
            construction_overrun=self.construction_overrun,
            credit_spread={k: cut(v) for k, v in self.credit_spread.items()},
            refinancing_open=None if self.refinancing_open is None else cut(self.refinancing_open),
            exit_cap_rate=None if self.exit_cap_rate is None else cut(self.exit_cap_rate),
        )

    @classmethod
    def concat(cls, parts: list[Market]) -> Market:
        """Blocks of paths of one run, in order."""
        first = parts[0]

        def join(get):
            return np.concatenate([get(p) for p in parts])

        return Market(
            gpu_rent={k: join(lambda p, k=k: p.gpu_rent[k]) for k in first.gpu_rent},
            index={k: join(lambda p, k=k: p.index[k]) for k in first.index},
            paths=sum(p.paths for p in parts),
            tenant_default={k: join(lambda p, k=k: p.tenant_default[k]) for k in first.tenant_default},
            tenant_renews={k: join(lambda p, k=k: p.tenant_renews[k]) for k in first.tenant_renews},
            collateral=None if first.collateral is None else join(lambda p: p.collateral),
            sale_haircut=None if first.sale_haircut is None else join(lambda p: p.sale_haircut),
            sale_lag_months=first.sale_lag_months,
            prices={k: join(lambda p, k=k: p.prices[k]) for k in first.prices},
            construction_delay=None if first.construction_delay is None else join(lambda p: p.construction_delay),
            construction_overrun=None if first.construction_overrun is None else join(lambda p: p.construction_overrun),
            credit_spread={k: join(lambda p, k=k: p.credit_spread[k]) for k in first.credit_spread},
            refinancing_open=None if first.refinancing_open is None else join(lambda p: p.refinancing_open),
            exit_cap_rate=None if first.exit_cap_rate is None else join(lambda p: p.exit_cap_rate),
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
        prices={a: tile(rent_curve(c, months)) for a, c in deal.market.prices.items()},
        # the credit market open throughout, each class at the deal's own stated spread
        credit_spread={r: np.full((paths, months), s) for r, s in deal.market.credit_spread.items()},
    )
