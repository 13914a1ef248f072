"""Conditioning events: parsing, checks, and what they do to generated paths."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from waterfall.errors import InputError
from waterfall.market.conditioning import (
    DefaultEvent,
    Given,
    RefinancingClosed,
    RentEvent,
    check_given,
    force_default,
    load_given,
    parse_given,
)
from waterfall.market.generate import generate
from waterfall.market.scenario import load_scenario
from waterfall.spec.load import load_deal

DEALS = Path(__file__).resolve().parents[3] / "deals"


@pytest.fixture(scope="module")
def lease_spv():
    return load_deal(DEALS / "gpu_lease_spv.toml")


def test_parse_the_three_forms() -> None:
    assert parse_given("default:Nimbus AI@2027-06") == DefaultEvent("Nimbus AI", dt.date(2027, 6, 1))
    assert parse_given("rent:H100<=0.80@2028-01") == RentEvent("H100", 0.80, dt.date(2028, 1, 1))
    assert parse_given("refinancing_closed:2030") == RefinancingClosed(dt.date(2030, 1, 1), dt.date(2030, 12, 1))
    closed = parse_given("refinancing_closed:2030-03..2030-09")
    assert closed == RefinancingClosed(dt.date(2030, 3, 1), dt.date(2030, 9, 1))


@pytest.mark.parametrize(
    "text",
    [
        "default:Oracle",
        "default:@2027-06",
        "rent:H100@2028-01",
        "rent:H100<=-1@2028-01",
        "walk:X@2027-01",
        "default:Oracle@2027-13",
        "refinancing_closed:2031..2030",
        "nothing",
    ],
)
def test_malformed_given_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_given(text)
    assert caught.value.file == "--given"
    assert "expected" in caught.value.render()


def test_check_names_unknown_tenant_generation_and_month(lease_spv) -> None:
    events = [
        parse_given("default:Nobody@2027-06"),
        parse_given("rent:B200<=1@2027-01"),
        parse_given("default:Nimbus AI@2025-06"),  # before closing
        parse_given("refinancing_closed:2040"),  # after the horizon
    ]
    calendar = lease_spv.calendar
    with pytest.raises(InputError) as caught:
        check_given(events, [lease_spv], calendar.start, calendar.horizon_months)
    text = caught.value.render()
    assert len(caught.value.problems) == 4
    assert "'Nobody'" in text and "'B200'" in text and "found 2025-06" in text and "found 2040-01" in text


def test_force_default_keeps_an_earlier_default_and_forces_the_rest() -> None:
    before = np.array([-1, 3, 10, 20])
    after = force_default({"T": before}, "T", 10)["T"]
    np.testing.assert_array_equal(after, [10, 3, 10, 10])
    assert force_default({"T": before}, "U", 10)["T"] is before


def test_a_default_already_happening_leaves_those_paths_unchanged(lease_spv) -> None:
    world = load_scenario("bust")
    plain = generate(world, lease_spv, 5, 0, 1024)
    month = 30
    given = Given((DefaultEvent("Nimbus AI", lease_spv.calendar.date_of(month)),))
    forced = generate(world, lease_spv, 5, 0, 1024, given)
    before = plain.tenant_default["Nimbus AI"]
    already = (before >= 0) & (before <= month)
    assert already.any() and (~already).any()
    np.testing.assert_array_equal(forced.tenant_default["Nimbus AI"][already], before[already])
    assert (forced.tenant_default["Nimbus AI"][~already] == month).all()
    # nothing else of the market moves: the same unconditional draws
    np.testing.assert_array_equal(forced.gpu_rent["H100"], plain.gpu_rent["H100"])


def test_rent_conditioning_holds_the_level_and_leaves_lower_paths_alone(lease_spv) -> None:
    world = load_scenario("base")
    month, level = 24, 1.0
    plain = generate(world, lease_spv, 3, 0, 1024)
    given = Given((RentEvent("H100", level, lease_spv.calendar.date_of(month)),))
    cond = generate(world, lease_spv, 3, 0, 1024, given)
    rent, before = cond.gpu_rent["H100"], plain.gpu_rent["H100"]
    assert (rent[:, month] <= level * (1 + 1e-12)).all()
    low = before[:, month] <= level
    assert low.any() and (~low).any()
    np.testing.assert_array_equal(rent[low], before[low])
    np.testing.assert_array_equal(rent[:, :month], before[:, :month])
    # the fleet's value follows the conditioned rent
    assert (cond.collateral[~low, month:] <= plain.collateral[~low, month:] + 1e-6).all()


def test_refinancing_closed_in_the_range_only(lease_spv) -> None:
    world = load_scenario("base")
    given = Given((RefinancingClosed(dt.date(2028, 1, 1), dt.date(2028, 12, 1)),))
    window = generate(world, lease_spv, 1, 0, 1024, given).refinancing_open
    first = lease_spv.calendar.month_of(dt.date(2028, 1, 1))
    assert not window[:, first : first + 12].any()
    assert window[:, :first].all() and window[:, first + 12 :].all()


def test_conditioning_is_chunk_invariant(lease_spv) -> None:
    world = load_scenario("bust")
    given = Given((parse_given("default:Nimbus AI@2027-06"), parse_given("rent:H100<=1.2@2027-01")))
    whole = generate(world, lease_spv, 9, 0, 2048, given)
    second = generate(world, lease_spv, 9, 1024, 1024, given)
    np.testing.assert_array_equal(whole.tenant_default["Nimbus AI"][1024:], second.tenant_default["Nimbus AI"])
    np.testing.assert_array_equal(whole.gpu_rent["H100"][1024:], second.gpu_rent["H100"])


def test_given_file(tmp_path) -> None:
    file = tmp_path / "given.toml"
    file.write_text(
        '[[given]]\ntype = "default"\nname = "Oracle"\nmonth = "2027-06"\n'
        '[[given]]\ntype = "rent"\ngeneration = "H100"\nlevel = 0.8\nmonth = "2028-01"\n'
        '[[given]]\ntype = "refinancing_closed"\nfirst = "2030-01"\nlast = "2030-12"\n',
        encoding="utf-8",
    )
    assert [str(e) for e in load_given(file)] == [
        "default:Oracle@2027-06",
        "rent:H100<=0.8@2028-01",
        "refinancing_closed:2030-01..2030-12",
    ]
    file.write_text('[[given]]\ntype = "rent"\ngeneration = "H100"\nmonth = "2028-01"\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_given(file)
    assert caught.value.problems[0].path == "given[0].level"


def test_a_portfolio_default_falls_in_the_same_calendar_month_in_every_deal() -> None:
    from waterfall.market.generate import on_clock

    abilene, frontier = (load_deal(DEALS / f"{n}.toml") for n in ("crusoe_abilene", "vantage_frontier"))
    start, months = abilene.calendar.start, 400
    given = Given((parse_given("default:Oracle@2027-06"),))
    world = load_scenario("base")
    for deal in (abilene, frontier):
        offset = -deal.calendar.month_of(start)
        market = generate(world, on_clock(deal, start, months), 2, 0, 1024, given)
        market = market.window(offset, deal.calendar.horizon_months)
        default = market.tenant_default["Oracle"]
        assert (default >= 0).all()
        assert (default <= deal.calendar.month_of(dt.date(2027, 6, 1))).all()
        assert (default == deal.calendar.month_of(dt.date(2027, 6, 1))).mean() > 0.9


def test_a_forced_upstream_default_reaches_its_dependents_through_the_registry() -> None:
    # OpenAI is no party of Abilene; in the registry's world its forced default raises Oracle's hazard
    from waterfall.market.conditioning import DefaultEvent, Given, check_given
    from waterfall.market.scenario import run_obligors, with_registry

    deal = load_deal(Path(__file__).resolve().parents[3] / "deals" / "crusoe_abilene.toml")
    world = with_registry(load_scenario("bust"))
    event = DefaultEvent("OpenAI", dt.date(2027, 6, 1))
    check_given(
        [event], [deal], deal.calendar.start, deal.calendar.horizon_months, upstream=run_obligors(world, [deal])
    )
    with pytest.raises(InputError):  # without the registry OpenAI is not a party of the run
        check_given([event], [deal], deal.calendar.start, deal.calendar.horizon_months)
    plain = generate(world, deal, 7, 0, 1024)
    given = generate(world, deal, 7, 0, 1024, Given((event,)))
    month = deal.calendar.month_of(event.month)
    before, after = plain.tenant_default["Oracle"], given.tenant_default["Oracle"]
    assert ((given.tenant_default["OpenAI"] >= 0) & (given.tenant_default["OpenAI"] <= month)).all()
    # Oracle defaults no later on any path (never counts as latest), earlier on some, and not before the event
    later = np.where(after < 0, np.iinfo(np.int64).max, after) > np.where(before < 0, np.iinfo(np.int64).max, before)
    assert not later.any()
    moved = after != before
    assert moved.sum() > 50
    assert (after[moved] >= month).all()
