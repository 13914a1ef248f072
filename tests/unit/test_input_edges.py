"""Input the fuzzers found mishandled, each now a clean ``InputError`` naming its field.

Every case here crashed with a traceback, leaked Python's own exception text,
reported a problem with no field path, or ran to NaN / negative amounts before
the loader or its checks were fixed (``tests/fuzz``).
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from waterfall.batch.grid import load_grid
from waterfall.engine import run
from waterfall.errors import InputError, Problem
from waterfall.market.curves import base_case
from waterfall.market.generate import generate
from waterfall.market.scenario import scenario_from, scenario_raw
from waterfall.spec.checks import check_deal
from waterfall.spec.deal import Deal
from waterfall.spec.load import load_deal, read_toml, structure

DEALS = Path(__file__).resolve().parents[2] / "deals"


def raw_deal(name: str = "gpu_lease_spv") -> dict[str, Any]:
    return tomllib.loads((DEALS / f"{name}.toml").read_text(encoding="utf-8"))


def problems_of(raw: dict[str, Any]) -> list[Problem]:
    """The problems structuring and checking ``raw`` finds (none: the deal is accepted)."""
    try:
        deal = structure(raw, Deal, "deal.toml")
    except InputError as error:
        return error.problems
    return check_deal(deal)


def only(problems: list[Problem], path: str) -> Problem:
    found = [p for p in problems if p.path == path]
    assert found, f"no problem at {path!r}: {[str(p) for p in problems]}"
    assert "expected" in found[0].message and "found" in found[0].message, found[0]
    return found[0]


@pytest.mark.parametrize(("value", "fragment"), [("0024-11", "from 1900-01 to 2999-12"), ("9999-12", "to 2999-12")])
def test_a_month_outside_1900_to_2999_is_refused(value: str, fragment: str) -> None:
    """Year 24 printed as "24-11" in later messages; year 9999 leaves no room for a horizon."""
    raw = raw_deal()
    raw["calendar"]["start"] = value
    assert fragment in only(problems_of(raw), "calendar.start").message


def test_a_hedge_on_a_tranche_of_a_vanishing_balance_does_not_overflow() -> None:
    """A swap amortising with a delayed-draw tranche lent 5e-324 at closing overflowed
    (drawn balance / original balance) to NaN balances; such a tranche has nothing to amortise with."""
    raw = raw_deal("vantage_frontier")
    assert raw["tranches"][0]["draws"] and any(h.get("amortise_with") for h in raw["hedges"])
    raw["tranches"][0]["balance"] = 5e-324
    raw.pop("sources_and_uses", None)
    deal = structure(raw, Deal, "deal.toml")
    assert not check_deal(deal)
    tape = run(deal, base_case(deal))
    assert np.isfinite(tape.tranche["balance_start"]).all()


def test_year_zero_is_a_malformed_month() -> None:
    raw = raw_deal()
    raw["calendar"]["start"] = "0000-01"
    problem = only(problems_of(raw), "calendar.start")
    assert "YYYY-MM" in problem.message and "out of range" not in problem.message


@pytest.mark.parametrize("value", [1e300, -1e300, 10**30, 2**64, 1.5e15])
def test_numbers_beyond_a_quadrillion_are_refused(value: float) -> None:
    raw = raw_deal()
    raw["tranches"][0]["balance"] = value
    assert "magnitude at most 1e+15" in only(problems_of(raw), "tranches[0].balance").message


def test_a_huge_whole_number_is_refused_where_a_count_is_due() -> None:
    raw = raw_deal()
    raw["fleets"][0]["count"] = 10**400
    assert "magnitude" in only(problems_of(raw), "fleets[0].count").message


def test_a_million_gpus_and_a_500_percent_rate_are_still_terms() -> None:
    raw = raw_deal()
    raw["fleets"][0]["count"] = 1_000_000
    raw["tranches"][0]["coupon"] = {"type": "fixed", "rate": 5.0}
    assert not [p for p in problems_of(raw) if "magnitude" in p.message]


def test_a_union_tag_that_is_not_text_is_named() -> None:
    raw = raw_deal()
    raw["waterfall"]["default"][0]["type"] = ["pay_expenses"]
    problem = only(problems_of(raw), "waterfall.default[0]")
    assert "unhashable" not in problem.message and "['pay_expenses']" in problem.message


@pytest.mark.parametrize(("key", "path"), [("", '""'), ("a b", '"a b"'), ('q"x', '"q\\"x"'), ("ok_key", "ok_key")])
def test_an_odd_unknown_key_still_has_a_field_path(key: str, path: str) -> None:
    raw = raw_deal()
    raw[key] = 1
    problem = only(problems_of(raw), path)
    assert problem.message.startswith("unknown key")
    nested = raw_deal()
    nested["calendar"][key] = 1
    assert only(problems_of(nested), f"calendar.{path}").message.startswith("unknown key")


def test_a_scenario_key_with_a_space_is_quoted_in_the_path() -> None:
    raw, label = scenario_raw("base")
    raw = copy.deepcopy(raw)
    raw["credit"]["tenants"]["Hyperscaler A"]["demand_sensitivity"] = -911.0
    with pytest.raises(InputError) as caught:
        scenario_from(raw, label)
    paths = [p.path for p in caught.value.problems]
    assert paths == ['credit.tenants."Hyperscaler A".demand_sensitivity']


def test_a_tranche_listed_twice_in_one_step_is_refused() -> None:
    raw = raw_deal("xai_colossus2")
    step = next(s for s in raw["waterfall"]["normal"] if s["type"] == "pay_interest")
    step["tranches"] = [*step["tranches"], step["tranches"][0]]
    j = raw["waterfall"]["normal"].index(step)
    problem = only(problems_of(raw), f"waterfall.normal[{j}].tranches[1]")
    assert "once" in problem.message


def test_a_file_name_no_file_can_have_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_toml(tmp_path / "a\x00b.toml")
    assert "NUL" in caught.value.problems[0].message
    with pytest.raises(InputError):
        scenario_raw(tmp_path / ("x" * 5000))  # too long for the system: not a scenario file


def _grid(tmp_path: Path, deals: str, scenarios: str) -> Path:
    (tmp_path / "deals").mkdir(exist_ok=True)
    (tmp_path / "deals" / "gpu_lease_spv.toml").write_text((DEALS / "gpu_lease_spv.toml").read_text())
    grid = tmp_path / "grid.toml"
    grid.write_text(f'name = "g"\ndeals = {deals}\nscenarios = {scenarios}\npaths = 1024\nseed = 3\n')
    return grid


@pytest.mark.parametrize(
    ("deals", "scenarios", "path"),
    [("[]", '["base"]', "deals"), ('["deals/gpu_lease_spv.toml"]', "[]", "scenarios")],
)
def test_a_grid_of_no_deal_or_no_scenario_is_refused(tmp_path: Path, deals: str, scenarios: str, path: str) -> None:
    with pytest.raises(InputError) as caught:
        load_grid(_grid(tmp_path, deals, scenarios))
    assert [p.path for p in caught.value.problems] == [path]


def test_a_grid_scenario_name_too_long_for_a_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_grid(_grid(tmp_path, '["deals/gpu_lease_spv.toml"]', f'["{"x" * 5000}"]'))
    assert [p.path for p in caught.value.problems] == ["scenarios[0]"]


def test_a_scenario_that_drives_rent_to_infinity_is_named_not_run() -> None:
    """A volatility of 2^31 overflowed to infinite rents and NaN balances; now the scenario's
    rent factor is named before anything runs, with no overflow warning on the way."""
    raw, label = scenario_raw("slow_build")
    raw = copy.deepcopy(raw)
    raw["rent"]["cycle_volatility"] = 2.0**31
    scenario = scenario_from(raw, label)
    deal = load_deal(DEALS / "gpu_lease_spv.toml")
    with pytest.raises(InputError) as caught:
        generate(scenario, deal, 2026, 0, 3)
    assert caught.value.file == "slow_build"
    assert [p.path for p in caught.value.problems] == ["rent"]
    assert "finite" in caught.value.problems[0].message


def test_a_construction_delay_of_vanishing_spread_is_a_fixed_delay() -> None:
    """A delay sd of 1e-300 overflowed the gamma shape (mean / sd)^2 with a Python OverflowError."""
    raw, label = scenario_raw("slow_build")
    raw = copy.deepcopy(raw)
    raw["construction"]["delay_sd_months"] = 1e-300
    scenario = scenario_from(raw, label)
    market = generate(scenario, load_deal(DEALS / "campus_15y.toml"), 2026, 0, 3)
    assert market.construction_delay is not None
    assert (market.construction_delay == market.construction_delay[0]).all()
