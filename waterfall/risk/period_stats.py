"""Per-period quantiles across paths, accumulated chunk by chunk in fixed histograms.

Exact quantiles need every path's value kept until the end, which breaks the
memory bound of a million-path run. Counts in fixed bins add up across chunks
in any order, so the result does not depend on the chunk size; a quantile is
read off the cumulative counts and interpolated within its bin, so it is exact
to the bin width (stated per measure below).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from waterfall.compiled import kernel, use_kernels
from waterfall.engine.tape import LOCK_UP, Tape

QUANTILES = (0.01, 0.05, 0.50, 0.95)
DSCR_EDGES = np.linspace(-5.0, 20.0, 5001)  # 0.005x bins
LTV_EDGES = np.linspace(0.0, 5.0, 5001)  # 0.001 bins


class Histogram:
    """Counts of one measure per period in fixed bins, with under- and overflow bins."""

    def __init__(self, edges: np.ndarray, months: int) -> None:
        self.edges = edges
        self.counts = np.zeros((months, len(edges) + 1), dtype=np.int64)

    def add(self, values: np.ndarray) -> None:
        """Add a chunk's values (months, paths); NaN (not measured) is skipped."""
        if use_kernels(values.shape[1]):
            kernel("waterfall.risk.histogram_kernel", "add_counts")(self.counts, self.edges, values)
            return
        months = values.shape[0]
        seen = ~np.isnan(values)
        bins = self._bins(np.where(seen, values, self.edges[0]))  # 0 underflow .. len(edges) overflow
        bins += np.arange(months)[:, None] * self.counts.shape[1]  # each period's own row of counts
        self.counts += np.bincount(bins[seen], minlength=self.counts.size).reshape(self.counts.shape)

    def _bins(self, values: np.ndarray) -> np.ndarray:
        """``searchsorted(edges, values, side="right")``, without a binary search per value.

        The edges are evenly spaced, so arithmetic finds each value's bin to within
        one; comparing with the edges themselves then settles it exactly.
        """
        edges, last = self.edges, len(self.edges)
        with np.errstate(over="ignore"):  # a value near the float limit overflows here, and is clipped
            guess = (values - edges[0]) * ((last - 1) / (edges[-1] - edges[0])) + 1.0
        bins = np.clip(np.floor(guess), 0, last).astype(np.int64)  # clipped first: +-inf and huge values
        while True:
            high = (bins > 0) & (edges.take(np.maximum(bins - 1, 0)) > values)  # an edge above the value counted
            low = (bins < last) & (edges.take(np.minimum(bins, last - 1)) <= values)  # an edge at or below it missed
            if not (high.any() or low.any()):
                return bins
            bins += low.astype(np.int64) - high

    def quantile(self, q: float) -> np.ndarray:
        total = self.counts.sum(axis=1)
        cumulative = np.cumsum(self.counts, axis=1)
        target = q * total
        index = (cumulative < target[:, None]).sum(axis=1)  # first bin reaching the target
        index = np.minimum(index, self.counts.shape[1] - 1)
        below = np.where(index > 0, np.take_along_axis(cumulative, np.maximum(index - 1, 0)[:, None], 1)[:, 0], 0)
        inside = np.take_along_axis(self.counts, index[:, None], 1)[:, 0]
        fraction = np.divide(target - below, inside, out=np.zeros(len(total)), where=inside > 0)
        padded = np.concatenate([[self.edges[0]], self.edges, [self.edges[-1]]])
        low, high = padded[index], padded[index + 1]
        return np.where(total > 0, low + fraction * (high - low), np.nan)


class PeriodStats:
    def __init__(self, months: int, cfads_scale: float) -> None:
        self.months = months
        scale = max(cfads_scale, 1.0)
        self.measures = {
            "dscr": Histogram(DSCR_EDGES, months),
            "ltv": Histogram(LTV_EDGES, months),
            # CFADS bins span +-4x the base case's largest month, in 10,000 bins
            "cfads": Histogram(np.linspace(-4 * scale, 4 * scale, 10_001), months),
        }
        self.paths = 0
        self.lock_up = np.zeros(months, dtype=np.int64)
        self.default = np.zeros(months, dtype=np.int64)

    def add(self, tape: Tape) -> None:
        for name, histogram in self.measures.items():
            histogram.add(tape.period[name])
        self.lock_up += (tape.mode == LOCK_UP).sum(axis=1)
        # in default from the event of default on, including after the collateral is sold
        months = np.arange(tape.months)[:, None]
        defaulted = (tape.default_month >= 0)[None, :] & (months >= tape.default_month[None, :])
        self.default += defaulted.sum(axis=1)
        self.paths += tape.paths

    def merge(self, other: PeriodStats | None) -> None:
        """Add another task's counts: histograms over disjoint paths add up, in any order."""
        if other is None:
            return
        for name, histogram in self.measures.items():
            histogram.counts += other.measures[name].counts
        self.lock_up += other.lock_up
        self.default += other.default
        self.paths += other.paths

    def table(self, dates: list) -> pl.DataFrame:
        columns: dict[str, object] = {"period": np.arange(self.months, dtype=np.int64), "date": dates}
        for name, histogram in self.measures.items():
            for q in QUANTILES:
                columns[f"{name}_p{round(q * 100):02d}"] = histogram.quantile(q)
        columns["share_lock_up"] = self.lock_up / self.paths
        columns["share_default"] = self.default / self.paths
        return pl.DataFrame(columns).with_columns(pl.col("date").cast(pl.Date), pl.selectors.float().fill_nan(None))
