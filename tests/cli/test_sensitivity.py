"""``waterfall sensitivity``: a tranche metric over two scenario parameters, as a user runs it."""

from __future__ import annotations

from pathlib import Path

import polars as pl

DEALS = Path(__file__).resolve().parents[2] / "deals"
DEAL = DEALS / "gpu_lease_spv.toml"
AXES = ("--x", "rent_drift=-0.05,-0.30", "--y", "useful_life_years=3,6")


def test_a_two_by_two_grid_prints_the_matrix_and_writes_the_long_table(run_waterfall, tmp_path: Path) -> None:
    result = run_waterfall(
        "sensitivity", DEAL, *AXES, "--paths", "1024", "--out", "res", "--workers", "1", cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert "gpu_lease_spv senior el_pct (base)" in result.stdout
    assert "useful_life_years \\ rent_drift" in result.stdout
    table = pl.read_parquet(tmp_path / "res" / "sensitivity.parquet")
    assert table.columns == [
        "deal", "scenario", "tranche", "metric", "x_factor", "x_value", "y_factor", "y_value", "value", "paths", "seed"
    ]  # fmt: skip
    senior_el = table.filter(tranche="senior", metric="el_pct")
    assert senior_el.height == 4
    assert sorted(senior_el["x_value"].unique()) == [-0.30, -0.05]
    assert sorted(senior_el["y_value"].unique()) == [3.0, 6.0]
    assert set(table["tranche"]) == {"senior", "mezz"}  # debt tranches only
    # the numbers are the batch summary's, cell by cell
    summary = pl.scan_parquet(tmp_path / "res" / "sensitivity" / "rent_drift__useful_life_years" / "summary").collect()
    cell = summary.filter(tranche="senior", rent_drift=-0.30, useful_life_years=3.0)
    assert senior_el.filter(x_value=-0.30, y_value=3.0)["value"].item() == cell["el_pct"].item()
    printed = f"{cell['el_pct'].item():.2%}"
    assert printed in result.stdout


def test_a_second_factor_pair_is_added_beside_the_first(run_waterfall, tmp_path: Path) -> None:
    base = ("sensitivity", DEAL, "--paths", "1024", "--out", "res", "--workers", "1")
    assert run_waterfall(*base, *AXES, cwd=tmp_path).returncode == 0
    again = run_waterfall(*base, *AXES, "--metric", "pd", "--tranche", "mezz", cwd=tmp_path)
    assert again.returncode == 0 and "gpu_lease_spv mezz pd (base)" in again.stdout
    other = run_waterfall(*base, "--x", "rate_shock_bp=0,300", "--y", "haircut=0.3,0.6", cwd=tmp_path)
    assert other.returncode == 0, other.stderr
    table = pl.read_parquet(tmp_path / "res" / "sensitivity.parquet")
    assert set(table["x_factor"]) == {"rent_drift", "rate_shock_bp"}
    assert table.height == 2 * 2 * 4 * 7  # two pairs x two tranches x four cells x seven metrics


def test_bad_axes_and_names_are_user_errors(run_waterfall, tmp_path: Path) -> None:
    cases = [
        (("--x", "rent_drift", "--y", "useful_life_years=3"), "--x: expected PARAMETER=V1,V2,..., found 'rent_drift'"),
        (
            ("--x", "rent_drift=a,b", "--y", "useful_life_years=3"),
            "expected PARAMETER=V1,V2,..., found 'rent_drift=a,b'",
        ),
        (("--x", "rent_drift=-0.1", "--y", "rent_drift=-0.2"), "--y: expected a parameter other than --x's"),
        (("--x", "rent_drif=-0.1", "--y", "haircut=0.2"), "sweep[0].parameter: expected a named factor"),
        ((*AXES, "--tranche", "junior"), "--tranche: expected one of senior, mezz, found 'junior'"),
        ((*AXES, "--metric", "sharpe"), "--metric: expected one of pd, el_pct"),
    ]
    for args, message in cases:
        result = run_waterfall("sensitivity", DEAL, *args, "--paths", "1024", cwd=tmp_path)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
