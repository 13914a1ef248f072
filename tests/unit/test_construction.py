"""Construction: delays move leases, overruns are funded as the deal says, draws, PIK while building."""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import pytest

from waterfall.engine import run
from waterfall.market import base_case
from waterfall.market.generate import generate
from waterfall.market.scenario import load_scenario
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.spec.construction import Construction, DebtFunds, EquityFunds, SponsorFunds
from waterfall.spec.load import load_deal
from waterfall.spec.tranche import ScheduleEntry


@pytest.fixture(scope="module")
def building(deals_dir):
    """The campus deal with the campus finished a year after closing and the lease starting then."""
    deal = load_deal(deals_dir / "campus_15y.toml")
    campus = attrs.evolve(deal.campuses[0], completion=dt.date(2027, 1, 1))
    lease = attrs.evolve(deal.leases[0], start=dt.date(2027, 1, 1), term_months=156)
    # sized well inside the shorter lease, so no path defaults in these checks
    senior = attrs.evolve(deal.tranches[0], balance=600e6, pik="construction")
    return attrs.evolve(
        deal,
        campuses=(campus,),
        leases=(lease,),
        tranches=(senior,),
        construction=Construction(budget=campus.cost, overrun_funding=DebtFunds("senior")),
    )


def _market(deal, delays, overruns):
    base = base_case(deal, paths=len(delays))
    return attrs.evolve(base, construction_delay=np.array(delays), construction_overrun=np.array(overruns))


def test_a_delay_moves_the_first_rent_and_the_whole_term(building) -> None:
    tape = run(building, _market(building, [0, 6], [0.0, 0.0]))
    rent = tape.ledger.flows[("Hyperscaler A", "operating")]
    first = [int(np.argmax(rent[:, p] > 0)) for p in range(2)]
    assert first == [12, 18]
    assert (rent[:, 0] > 0).sum() == (rent[:, 1] > 0).sum() == 156  # the full term, from each start
    assert tape.default_month[0] < 0  # on time, the senior is repaid within the lease


def test_interest_is_capitalised_until_completion_only(building) -> None:
    tape = run(building, _market(building, [0, 6], [0.0, 0.0]))
    pik = tape.tranche["pik"][:, 0, :]
    assert (pik[:12, 0] > 0).all() and (pik[12:, 0] == 0).all()
    assert (pik[:18, 1] > 0).all() and (pik[18:, 1] == 0).all()


def test_an_overrun_funded_by_debt_is_drawn_at_completion(building) -> None:
    tape = run(building, _market(building, [3, 3], [0.0, 0.2]))
    drawn = tape.tranche["drawn"][:, 0, :]
    assert drawn[:, 0].sum() == 0
    assert drawn[:, 1].sum() == pytest.approx(0.2 * building.campuses[0].cost)
    assert int(np.argmax(drawn[:, 1] > 0)) == 15  # completion, month 12 + 3
    outcomes = tranche_outcomes(tape).filter(tranche="senior")
    assert outcomes["original_balance"][1] == pytest.approx(building.tranches[0].balance + 0.2 * 1.2e9)


@pytest.mark.parametrize("funding", [EquityFunds(), SponsorFunds("Builder Co")])
def test_an_overrun_funded_outside_the_debt_leaves_it_alone(building, funding) -> None:
    deal = attrs.evolve(building, construction=Construction(building.campuses[0].cost, funding))
    tape = run(deal, _market(deal, [0, 0], [0.0, 0.2]))
    assert tape.tranche["drawn"].sum() == 0
    paid = sum(f[:, 1].sum() for (src, dst), f in tape.ledger.flows.items() if dst == "capex")
    assert paid == pytest.approx(0.2 * 1.2e9)
    equity = tranche_outcomes(tape).filter(tranche="equity")
    if isinstance(funding, EquityFunds):
        assert equity["original_balance"][1] == pytest.approx(deal.equity.amount + 0.2 * 1.2e9)
        assert equity["irr"][1] < equity["irr"][0]
    else:
        assert equity["irr"][1] == pytest.approx(equity["irr"][0])


def test_scheduled_draws_are_lent_on_their_dates(building) -> None:
    half = building.tranches[0].balance / 2  # 300m at closing, 300m six months on
    senior = attrs.evolve(building.tranches[0], balance=half, draws=(ScheduleEntry(dt.date(2026, 7, 1), half),))
    deal = attrs.evolve(building, tranches=(senior,))
    tape = run(deal, _market(deal, [0], [0.0]))
    drawn = tape.tranche["drawn"][:, 0, 0]
    assert drawn[6] == pytest.approx(half) and drawn.sum() == pytest.approx(half)
    assert tape.tranche["balance_end"][6, 0, 0] > tape.tranche["balance_start"][6, 0, 0] + half - 1


def test_slow_build_hurts_a_deal_still_being_built(building) -> None:
    def el(name: str) -> float:
        market = generate(load_scenario(name), building, seed=9, first_path=0, paths=2048)
        return float(tranche_outcomes(run(building, market)).filter(tranche="senior")["loss_pct"].mean())

    assert el("slow_build") > el("base")
