"""Independent random streams keyed by name.

A scenario draws several factors from one seed. If every factor drew from the
same Generator in turn, adding a launch to the rent model or a tenant to a deal
would shift every later draw. ``named_streams`` avoids this: it takes one fixed
draw of 128 bits from ``rng`` (whatever the names are), then gives each name a
Generator seeded from those bits plus a stable hash of the name. A name's stream
depends only on ``rng``'s state and the name itself, never on which other names
are present or how they sort.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

ROOT_WORDS = 4  # 32-bit words drawn from the parent Generator per call


def _name_words(name: str) -> list[int]:
    """A stable 128-bit hash of ``name`` as four 32-bit words (Python's ``hash`` is salted per process)."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=16).digest()
    return [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]


def named_streams(rng: np.random.Generator, names: Iterable[str]) -> dict[str, np.random.Generator]:
    """One independent Generator per name, in sorted-name order.

    Consumes exactly four 32-bit words from ``rng`` however many names are given.
    """
    root = [int(w) for w in rng.integers(0, 2**32, size=ROOT_WORDS, dtype=np.uint64)]
    return {
        name: np.random.Generator(np.random.PCG64(np.random.SeedSequence([*root, *_name_words(name)])))
        for name in sorted(set(names))
    }
