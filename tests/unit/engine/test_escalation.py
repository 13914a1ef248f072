"""Lease escalators stepped each year or more often, against a hand computation.

A fixed-rent lease of 100,000 a month escalating 6% a year: annual steps give
100,000 x 1.06^(whole years); monthly steps 100,000 x 1.06^(m / 12); quarterly
100,000 x 1.06^(whole quarters / 4).
"""

from __future__ import annotations

import pytest

from tests.builders import build, rent_only_deal, run_deal

RENT, ESCALATOR, HORIZON = 100_000.0, 0.06, 30


def _rents(frequency: str | None) -> list[float]:
    raw = rent_only_deal(horizon=HORIZON, monthly_rent=RENT)
    raw["leases"][0]["escalator"] = ESCALATOR
    if frequency is not None:
        raw["leases"][0]["escalator_frequency"] = frequency
    return run_deal(build(raw)).period["revenue"][:, 0].tolist()


def test_annual_steps_on_each_anniversary_by_default() -> None:
    expected = [RENT * 1.06 ** (m // 12) for m in range(HORIZON)]
    assert _rents(None) == pytest.approx(expected, rel=1e-14)
    assert _rents("annual") == _rents(None)  # bit for bit


def test_monthly_steps_every_month_at_the_same_yearly_growth() -> None:
    rents = _rents("monthly")
    assert rents == pytest.approx([RENT * 1.06 ** (m / 12) for m in range(HORIZON)], rel=1e-14)
    assert rents[12] == pytest.approx(RENT * 1.06, rel=1e-14)  # a year on, where annual steps are
    assert rents[1] == pytest.approx(100_486.755056, rel=1e-10)  # 100,000 x 1.06^(1/12)


def test_quarterly_steps_every_three_months() -> None:
    rents = _rents("quarterly")
    assert rents[:3] == [RENT] * 3
    assert rents[3] == pytest.approx(RENT * 1.06**0.25, rel=1e-14)
    assert rents[5] == rents[3]
    assert rents[29] == pytest.approx(RENT * 1.06 ** (9 / 4), rel=1e-14)
