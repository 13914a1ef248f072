"""Implied ratings: a tranche's modelled default probability against Moody's rating factors.

Moody's rating factors (the WARF scale of its CLO methodology) are its
idealised 10-year cumulative default probabilities, in units of 0.01%. The
values below are as published in the README of the open-source package
hsbc/pyratings (HSBC Global Asset Management, commit 0f1636c), checked
against two independent copies. A tranche's probability of any loss over its
life of T years is put on the same 10-year footing as 1 - (1 - pd)^(10 / T),
and the tranche gets the best rating whose factor is at least that.

Moody's idealised *expected-loss* table would be the closer yardstick for
expected loss; no copy of its figures with a verifiable source could be found,
so the mapping is by default probability alone and says so (docs/risk.md).
"""

from __future__ import annotations

import math

RATING_FACTORS: tuple[tuple[str, int], ...] = (
    ("Aaa", 1),
    ("Aa1", 10),
    ("Aa2", 20),
    ("Aa3", 40),
    ("A1", 70),
    ("A2", 120),
    ("A3", 180),
    ("Baa1", 260),
    ("Baa2", 360),
    ("Baa3", 610),
    ("Ba1", 940),
    ("Ba2", 1350),
    ("Ba3", 1766),
    ("B1", 2220),
    ("B2", 2720),
    ("B3", 3490),
    ("Caa1", 4770),
    ("Caa2", 6500),
    ("Caa3", 8070),
)
BELOW_SCALE = "Ca"
HORIZON_YEARS = 10.0


def ten_year_pd(pd: float, life_years: float) -> float:
    """The default probability over 10 years at the same constant annual rate."""
    if pd >= 1.0:
        return 1.0
    if life_years <= 0:
        return pd
    return 1.0 - math.exp(math.log1p(-pd) * HORIZON_YEARS / life_years)


def implied_rating(pd: float | None, life_years: float | None) -> str | None:
    """The best rating whose idealised 10-year default probability covers the tranche's."""
    if pd is None or life_years is None or math.isnan(pd):
        return None
    scaled = ten_year_pd(pd, life_years) * 10_000
    for rating, factor in RATING_FACTORS:
        if scaled <= factor:
            return rating
    return BELOW_SCALE
