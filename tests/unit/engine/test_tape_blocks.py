"""A worker recycles the block of a finished chunk's tape; a tape still in use is never overwritten."""

from __future__ import annotations

import weakref

import numpy as np
import pytest

from tests.properties.test_invariants import _assert_tapes_equal
from waterfall.engine import run, tape
from waterfall.market.generate import generate
from waterfall.market.scenario import load_scenario


@pytest.fixture
def recycling():
    tape.recycle_blocks(True)
    yield
    tape.recycle_blocks(False)


def _market(deal, first: int):
    return generate(load_scenario("bust"), deal, 7, first, 64)


def test_a_recycled_block_gives_the_same_tape_as_a_fresh_one(example_deal, recycling) -> None:
    fresh = [run(example_deal, _market(example_deal, first)) for first in (0, 1024)]
    last = weakref.ref(fresh[1].tranche["interest_paid"].base)
    del fresh
    again = run(example_deal, _market(example_deal, 0))
    assert again.tranche["interest_paid"].base is last()  # the last run's block, zeroed and reused
    tape.recycle_blocks(False)
    _assert_tapes_equal(again, run(example_deal, _market(example_deal, 0)))


def test_a_tape_still_in_use_keeps_its_block(example_deal, recycling) -> None:
    kept = run(example_deal, _market(example_deal, 0))
    revenue = kept.period["revenue"].copy()
    other = run(example_deal, _market(example_deal, 1024))
    assert other.period["revenue"].base is not kept.period["revenue"].base
    np.testing.assert_array_equal(kept.period["revenue"], revenue)
    # only a record kept, not its tape: still in use
    record = kept.tranche["balance_end"]
    balance = record.copy()
    del kept, other
    run(example_deal, _market(example_deal, 2048))
    np.testing.assert_array_equal(record, balance)
