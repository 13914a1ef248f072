"""A floating level annuity's principal is fixed at closing: the index path does not move it.

Two markets that differ only in the index path give the same scheduled principal
on every payment date, unless the tranche says ``reamortise = true``, when the
annuity is re-solved at each period's coupon and the schedules part.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import build, month, one_tranche_deal, run_deal
from tests.properties.strategies import rates
from waterfall.engine.tape import DEFAULT
from waterfall.market.curves import Market

BALANCE = 50_000_000.0


@st.composite
def floating_annuities(draw: st.DrawFn, *, reamortise: bool) -> tuple[Any, int]:
    """A floating level annuity on ample rent (every amount due is paid), maybe hedged."""
    frequency = draw(st.sampled_from(["monthly", "quarterly"]))
    step = 1 if frequency == "monthly" else 3
    io = step * draw(st.integers(0, 4))
    term = step * draw(st.integers(3, 30))
    horizon = io + term + step * draw(st.integers(0, 3))
    floor = draw(rates(0.0, 0.02))
    amortisation: dict[str, Any] = {"type": "level_annuity", "term_months": term}
    if reamortise:
        amortisation["reamortise"] = True
    else:
        sizing = draw(st.sampled_from(["unset", "closing", "number"]))
        if sizing == "closing":
            amortisation["sizing_rate"] = "closing"
        elif sizing == "number":
            amortisation["sizing_rate"] = draw(rates(0.0, 0.15))
    raw = one_tranche_deal(
        {
            "balance": BALANCE,
            "coupon": {"type": "floating", "index": "SOFR", "spread": draw(rates(0.0, 0.06)), "floor": floor},
            "amortisation": amortisation,
            "legal_maturity": month(horizon - 1),
            "interest_only_months": io,
        },
        horizon=horizon,
        monthly_rent=BALANCE,
        frequency=frequency,
        day_count=draw(st.sampled_from(["30/360", "ACT/360"])),
    )
    raw["market"]["index"]["SOFR"]["points"][0]["rate"] = draw(rates(0.0, 0.08))
    if draw(st.booleans()):  # a pay-fixed swap over the tranche's whole life
        raw["hedges"] = [
            {
                "type": "swap",
                "name": "swap",
                "index": "SOFR",
                "notional": BALANCE,
                "fixed_rate": draw(rates(0.0, 0.08)),
                "start": month(0),
                "end": month(horizon),
                "amortise_with": "loan",
            }
        ]
        for steps in raw["waterfall"].values():
            steps.insert(1, {"type": "pay_hedge", "hedge": "swap"})
    return build(raw), floor


@st.composite
def index_pairs(draw: st.DrawFn, months: int, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Two SOFR paths at least 50bp apart in every month, both above the floor."""
    low = draw(rates(floor, 0.08))
    a = np.full(months, low)
    if draw(st.booleans()):
        a[draw(st.integers(0, months - 1)) :] = draw(rates(floor, 0.08))
    b = a + draw(rates(0.005, 0.08))
    return a, b


def _scheduled_principal(deal, sofr: np.ndarray) -> np.ndarray:
    tape = run_deal(deal, Market.from_arrays(index={"SOFR": sofr[None, :]}))
    assert not (tape.mode == DEFAULT).any(), "the test bed pays everything: nothing defaults"
    return tape.tranche["principal_scheduled"][:, 0, 0]


@given(st.data())
def test_sized_annuity_principal_does_not_depend_on_the_index_path(data: st.DataObject) -> None:
    deal, floor = data.draw(floating_annuities(reamortise=False))
    a, b = data.draw(index_pairs(deal.calendar.horizon_months, floor))
    first, second = _scheduled_principal(deal, a), _scheduled_principal(deal, b)
    assert first.sum() > 0
    np.testing.assert_array_equal(first, second)


@given(st.data())
def test_reamortised_annuity_principal_follows_the_index_path(data: st.DataObject) -> None:
    deal, floor = data.draw(floating_annuities(reamortise=True))
    a, b = data.draw(index_pairs(deal.calendar.horizon_months, floor))
    first, second = _scheduled_principal(deal, a), _scheduled_principal(deal, b)
    # the first instalment of an annuity with payments left after it is re-solved at a higher
    # coupon on the same balance: a larger level payment, a smaller principal part
    io = deal.tranches[0].interest_only_months
    amortising = np.flatnonzero(first)[0]
    assert amortising >= io
    assert second[amortising] < first[amortising]
