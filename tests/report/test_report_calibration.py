"""The report's GPU-rent calibration section: drawn from calibration.parquet when the directory holds it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from tests.report.page import read_page
from waterfall.errors import InputError
from waterfall.report import charts
from waterfall.report.directory import read_results
from waterfall.report.html import build_report
from waterfall.report.sections import _fit_figure


def test_section_shows_every_fitted_parameter_beside_the_presets(full_dir: Path) -> None:
    calibration = pl.read_parquet(full_dir / "calibration.parquet")
    page = read_page(build_report(read_results(full_dir)))
    assert ("calibration", "calibration") in page.charts
    parameters, launches = page.tables["calibration"]
    assert parameters[0][:5] == ["parameter", "fitted", "s.e.", "base", "bust"]
    expected = calibration.filter(pl.col("section") == "parameter")
    assert [row[0] for row in parameters[1:]] == expected["name"].to_list()
    for shown, row in zip(parameters[1:], expected.iter_rows(named=True), strict=True):
        assert shown[1:5] == [_fit_figure(row[c]) for c in ("fitted", "se", "base", "bust")]
    drift = next(row for row in parameters[1:] if row[0] == "drift")
    assert drift[3:5] == ["-0.060", "-0.250"]  # the base and bust presets' rent drift
    assert [row[0] for row in launches[1:]] == ["H100", "H200", "B200"]


def test_chart_draws_the_data_and_the_fitted_curve(full_dir: Path) -> None:
    calibration = pl.read_parquet(full_dir / "calibration.parquet")
    figure = charts.calibration_fit(calibration)
    names = [trace.name for trace in figure.data]
    assert "H100 market" in names and "H100 fitted" in names and "A100 fitted" in names
    assert "H200 hyperscaler list" in names  # drawn, hollow, though not fitted
    points = sum(len(trace.x) for trace in figure.data if trace.mode == "markers")
    assert points == calibration.filter(pl.col("section") == "observation").height
    h100 = next(trace for trace in figure.data if trace.name == "H100 fitted")
    curve = calibration.filter((pl.col("section") == "curve") & (pl.col("generation") == "H100")).sort("date")
    assert list(h100.y) == curve["fitted"].to_list()
    assert figure.layout.yaxis.type == "log"


def test_a_calibration_table_without_its_columns_is_named(full_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "deal"
    shutil.copytree(full_dir, target)
    pl.DataFrame({"section": ["parameter"]}).write_parquet(target / "calibration.parquet")
    with pytest.raises(InputError) as caught:
        read_results(target)
    assert any(p.path == "calibration.parquet" and "expected the columns" in p.message for p in caught.value.problems)


def test_the_command_names_the_section(full_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "gpu_lease_spv"
    shutil.copytree(full_dir, target)
    script = Path(sys.executable).parent / "waterfall"
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "COLUMNS")} | {"NO_COLOR": "1"}
    done = subprocess.run(
        [str(script), "report", target.name], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "wrote gpu_lease_spv/report.html (base case, mc_base, calibration)"
    assert 'data-chart="calibration"' in (target / "report.html").read_text(encoding="utf-8")
