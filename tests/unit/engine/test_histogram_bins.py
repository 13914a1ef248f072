"""Period-stat histograms find each value's bin by arithmetic: it must agree with a binary search everywhere."""

from __future__ import annotations

import numpy as np
import pytest

from waterfall.risk.period_stats import DSCR_EDGES, LTV_EDGES, Histogram


@pytest.mark.parametrize("edges", [DSCR_EDGES, LTV_EDGES, np.linspace(-1.3e8, 1.3e8, 10_001)])
def test_bins_match_searchsorted(edges: np.ndarray) -> None:
    rng = np.random.default_rng(5)
    span = edges[-1] - edges[0]
    values = np.concatenate(
        [
            rng.uniform(edges[0] - span, edges[-1] + span, 20_000),
            edges,  # exactly on an edge: counted in the bin above it
            np.nextafter(edges, -np.inf),
            np.nextafter(edges, np.inf),
            [np.inf, -np.inf, 1e308, -1e308, 0.0, -0.0],
        ]
    )
    histogram = Histogram(edges, 1)
    assert np.array_equal(histogram._bins(values), np.searchsorted(edges, values, side="right"))


def test_add_counts_every_measured_value_once() -> None:
    histogram = Histogram(LTV_EDGES, 2)
    values = np.array([[0.5, np.nan, 9.0, -1.0], [LTV_EDGES[10], LTV_EDGES[10], np.nan, np.nan]])
    histogram.add(values)
    assert histogram.counts.sum(axis=1).tolist() == [3, 2]
    assert histogram.counts[1, 11] == 2  # an edge value sits in the bin that starts at it
    assert histogram.counts[0, 0] == 1 and histogram.counts[0, -1] == 1  # under- and overflow
