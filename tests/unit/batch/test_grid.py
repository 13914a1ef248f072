"""Grid files: expansion into cells, and every mistake caught before any work starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from waterfall.batch.grid import load_grid
from waterfall.errors import InputError
from waterfall.market.parameters import apply, with_parameters
from waterfall.market.scenario import load_scenario, scenario_raw

DEALS = Path(__file__).resolve().parents[3] / "deals"


def write_grid(tmp_path: Path, body: str, deals: str = '["deals/gpu_lease_spv.toml"]') -> Path:
    (tmp_path / "deals").mkdir(exist_ok=True)
    for name in ("gpu_lease_spv", "campus_15y"):
        (tmp_path / "deals" / f"{name}.toml").write_text((DEALS / f"{name}.toml").read_text())
    grid = tmp_path / "grid.toml"
    grid.write_text(f'name = "g"\ndeals = {deals}\nscenarios = ["base", "bust"]\npaths = 1024\nseed = 3\n{body}')
    return grid


SWEEPS = """
[[sweep]]
parameter = "rent_drift"
values = [-0.05, -0.15, -0.30]

[[sweep]]
parameter = "useful_life_years"
values = [3, 4, 6]
"""


def problems(grid: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_grid(grid)
    assert caught.value.file == str(grid)
    return [str(p) for p in caught.value.problems]


def test_cells_are_deals_x_scenarios_x_sweep_values(tmp_path: Path) -> None:
    loaded = load_grid(write_grid(tmp_path, SWEEPS, '["deals/*.toml"]'))

    assert len(loaded.cells) == 2 * 2 * 3 * 3
    keys = [c.key for c in loaded.cells]
    assert len(set(keys)) == len(keys)
    assert keys[0] == "deal=campus_15y/scenario=base/cell=c000"
    cell = loaded.cells[5]  # campus, base, 6th combination: drift -0.15, life 6 years
    assert cell.parameters == {"rent_drift": -0.15, "useful_life_years": 6.0}
    assert cell.scenario.rent.drift == -0.15
    assert cell.scenario.collateral.residual.useful_life_months == 72


def test_fingerprints_change_with_inputs_and_not_otherwise(tmp_path: Path) -> None:
    grid = write_grid(tmp_path, SWEEPS)
    before = [c.fingerprint for c in load_grid(grid).cells]
    assert len(set(before)) == len(before)
    assert [c.fingerprint for c in load_grid(grid).cells] == before

    grid.write_text(grid.read_text().replace("seed = 3\n", "seed = 3\nchunk_size = 2048\n"))
    assert [c.fingerprint for c in load_grid(grid).cells] == before  # the chunk size is not an input

    deal = tmp_path / "deals" / "gpu_lease_spv.toml"
    deal.write_text(deal.read_text().replace("start = 2.10", "start = 2.05", 1))
    assert all(a != b for a, b in zip(before, [c.fingerprint for c in load_grid(grid).cells], strict=True))


def test_a_missing_deal_is_named_with_its_field(tmp_path: Path) -> None:
    found = problems(write_grid(tmp_path, "", '["deals/gpu_lease_spv.toml", "nowhere.toml"]'))
    assert found == ["deals[1]: expected a deal file, found no file 'nowhere.toml'"]


def test_a_glob_matching_nothing_is_an_error(tmp_path: Path) -> None:
    assert problems(write_grid(tmp_path, "", '["nothing/*.toml"]')) == [
        "deals[0]: expected deal files matching 'nothing/*.toml', found none"
    ]


def test_an_unknown_parameter_is_named(tmp_path: Path) -> None:
    found = problems(write_grid(tmp_path, '[[sweep]]\nparameter = "rent.drifty"\nvalues = [0.1]\n'))
    assert found and all(p.startswith("sweep[0].parameter: expected a named factor") for p in found)


def test_a_value_out_of_bounds_is_named_with_its_index(tmp_path: Path) -> None:
    found = problems(write_grid(tmp_path, '[[sweep]]\nparameter = "haircut"\nvalues = [0.2, 1.5]\n'))
    assert found[0].startswith("sweep[0].values[1]: expected a value preset base accepts")
    assert "expected a number in [0, 1], found 1.5" in found[0]


def test_an_unknown_scenario_and_bad_terms_are_reported_together(tmp_path: Path) -> None:
    grid = write_grid(tmp_path, "")
    grid.write_text(
        grid.read_text().replace('["base", "bust"]', '["base", "boom"]').replace("paths = 1024", "paths = 0")
    )
    found = problems(grid)
    assert any(p.startswith("scenarios[1]: expected a preset or a valid scenario file, found 'boom'") for p in found)
    assert any(p.startswith("paths: expected") for p in found)


def test_typos_in_grid_keys_are_errors(tmp_path: Path) -> None:
    found = problems(write_grid(tmp_path, "seeds = 4\n"))
    assert any("seeds" in p for p in found)


def test_named_parameters_set_the_scenario_paths_they_name() -> None:
    raw, _ = scenario_raw("base")
    shocked = apply(raw, "rate_shock_bp", 200)
    assert all(model["shock_bp"] == 200 for model in shocked["rates"].values())
    assert raw["rates"]["SOFR"]["shock_bp"] == 0.0  # the original is untouched
    jumped = with_parameters("base", {"launch_jump": -0.3})
    assert all(launch.jump_mean == -0.3 for launch in jumped.rent.launches)
    assert with_parameters("base", {}) == load_scenario("base")


def test_a_hazard_multiple_scales_every_tenant_s_hazard() -> None:
    base = load_scenario("base")
    tripled = with_parameters("base", {"hazard_multiple": 3})
    assert tripled.credit.any_tenant.annual_hazard == 3 * base.credit.any_tenant.annual_hazard
    for name, credit in base.credit.tenants.items():
        assert tripled.credit.tenants[name].annual_hazard == 3 * credit.annual_hazard
        assert tripled.credit.tenants[name].non_renewal_probability == credit.non_renewal_probability


def test_campus_rent_parameters_set_every_campus_factor() -> None:
    lower = with_parameters("base", {"campus_rent_level": 0.7, "campus_rent_drift": -0.04})
    assert lower.campus_rent["campus"].start == 0.7
    assert lower.campus_rent["campus"].drift == -0.04
    assert lower.campus_rent["campus"].volatility == load_scenario("base").campus_rent["campus"].volatility
