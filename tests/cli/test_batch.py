"""``waterfall batch`` as a user runs it: a grid, a kill at any moment, the same command again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

DEALS = Path(__file__).resolve().parents[2] / "deals"
SCRIPT = Path(sys.executable).parent / "waterfall"
INTERRUPTED = 130

GRID = f"""name = "resume"
deals = ["{DEALS / "gpu_lease_spv.toml"}", "{DEALS / "campus_15y.toml"}"]
scenarios = ["base"]
paths = 3072
seed = 21

[[sweep]]
parameter = "rent_drift"
values = [-0.02, -0.10, -0.20, -0.35]
"""


@pytest.fixture
def grid(tmp_path: Path) -> Path:
    path = tmp_path / "grid.toml"
    path.write_text(GRID)
    return path


def environment() -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1"}


def start(grid: Path, out: Path, *options: str) -> subprocess.Popen:
    command = [str(SCRIPT), "batch", str(grid), "--out", str(out), *options]
    # its own process group, as a shell job is: a signal reaches the workers too
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment(), start_new_session=True
    )


def finish(grid: Path, out: Path, *options: str) -> subprocess.CompletedProcess[str]:
    command = [str(SCRIPT), "batch", str(grid), "--out", str(out), *options]
    return subprocess.run(command, capture_output=True, text=True, env=environment(), timeout=300, check=False)


def done_cells(out: Path) -> int:
    try:
        cells = json.loads((out / "manifest.json").read_text())["cells"]
    except (OSError, ValueError, KeyError):
        return 0
    return sum(c["status"] == "done" for c in cells.values())


def stop_midway(process: subprocess.Popen, out: Path, sig: int) -> None:
    deadline = time.monotonic() + 240
    while done_cells(out) < 2:
        assert process.poll() is None, f"the batch ended before it could be stopped: {process.communicate()}"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.killpg(process.pid, sig)
    process.communicate(timeout=120)


def dataset(out: Path) -> dict[str, pl.DataFrame]:
    keys = ["deal", "scenario", "cell", "tranche"]
    return {
        "summary": pl.scan_parquet(out / "summary").collect().sort(keys),
        "paths": pl.scan_parquet(out / "paths").collect().sort([*keys, "path"]),
    }


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> dict[str, pl.DataFrame]:
    root = tmp_path_factory.mktemp("clean")
    grid = root / "grid.toml"
    grid.write_text(GRID)
    result = finish(grid, root / "out", "--executor", "serial")
    assert result.returncode == 0, result.stderr
    return dataset(root / "out")


@pytest.mark.parametrize(
    ("sig", "options"),
    [(signal.SIGKILL, ("--workers", "2")), (signal.SIGINT, ("--executor", "serial"))],
    ids=["sigkill-local-processes", "sigint-serial"],
)
def test_a_killed_batch_resumes_to_the_clean_dataset(grid: Path, tmp_path: Path, clean, sig: int, options) -> None:
    out = tmp_path / "out"
    process = start(grid, out, *options)
    stop_midway(process, out, sig)
    if sig == signal.SIGINT:
        assert process.returncode == INTERRUPTED
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["runs"][-1]["status"] == "interrupted"
    kept = done_cells(out)
    assert 2 <= kept < 8

    again = finish(grid, out, *options)

    assert again.returncode == 0, again.stderr
    assert f"│ {8 - kept:>4} │ {kept:>7} │      0 │" in again.stdout
    for table, frame in dataset(out).items():
        assert_frame_equal(frame, clean[table], check_exact=True)
    assert not list(out.rglob("*.partial"))


def test_a_finished_batch_is_skipped_whole(grid: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert finish(grid, out, "--executor", "serial").returncode == 0
    again = finish(grid, out, "--executor", "serial")
    assert again.returncode == 0
    assert "│    0 │       8 │      0 │" in again.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert [run["counts"] for run in manifest["runs"]] == [{"done": 8}, {"skipped": 8}]
    assert set(manifest["inputs"]["deals"]) == {"gpu_lease_spv", "campus_15y"}
    assert manifest["grid"]["name"] == "resume" and manifest["seed"] == 21 and manifest["paths"] == 3072


def test_a_grid_with_a_missing_deal_fails_before_any_work(tmp_path: Path) -> None:
    grid = tmp_path / "grid.toml"
    grid.write_text(GRID.replace(str(DEALS / "campus_15y.toml"), "missing.toml"))
    result = finish(grid, tmp_path / "out")
    assert result.returncode == 2
    assert f"{grid}: deals[1]: expected a deal file, found no file 'missing.toml'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_invalid_sweep_value_fails_before_any_work(tmp_path: Path) -> None:
    grid = tmp_path / "grid.toml"
    grid.write_text(GRID.replace('"rent_drift"', '"haircut"').replace("-0.02, ", "1.5, "))
    result = finish(grid, tmp_path / "out")
    assert result.returncode == 2
    assert f"{grid}: sweep[0].values[0]: expected a value preset base accepts" in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_unwritable_output_is_a_clear_error(grid: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = finish(grid, blocker / "out")
    assert result.returncode == 2
    assert "--out: expected a writable directory, found" in result.stderr
    assert "Traceback" not in result.stderr
