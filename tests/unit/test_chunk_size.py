"""The engine's own chunk size: whole blocks, bounded, smaller for wider or longer deals."""

from __future__ import annotations

import attrs

from waterfall.market.generate import BLOCK
from waterfall.risk.montecarlo import MAX_CHUNK, chunk_for


def test_the_chunk_is_whole_blocks_within_bounds(example_deal) -> None:
    chunk = chunk_for(example_deal)
    assert chunk % BLOCK == 0
    assert BLOCK <= chunk <= MAX_CHUNK


def test_a_wider_or_longer_deal_never_gets_a_larger_chunk(example_deal) -> None:
    wider = attrs.evolve(example_deal, tranches=example_deal.tranches * 8)
    longer = attrs.evolve(
        example_deal,
        calendar=attrs.evolve(example_deal.calendar, horizon_months=example_deal.calendar.horizon_months * 6),
    )
    assert chunk_for(wider) < chunk_for(example_deal) or chunk_for(example_deal) == BLOCK
    assert chunk_for(longer) <= chunk_for(example_deal)
    assert chunk_for(wider) >= BLOCK
