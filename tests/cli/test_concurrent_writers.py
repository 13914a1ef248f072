"""Two commands writing one directory: the second is refused while the first runs; a crash frees it.

The first run is a real ``waterfall batch`` (or ``sensitivity``) process. Once it
holds its directory it is frozen with SIGSTOP, so the second command meets it
mid-run however slow the machine is; then it is killed with SIGKILL (no chance to
clean up), and the same command resumes.
"""

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

DEALS = Path(__file__).resolve().parents[2] / "deals"
SCRIPT = Path(sys.executable).parent / "waterfall"
USER_ERROR = 2

GRID = f"""name = "shared"
deals = ["{DEALS / "gpu_lease_spv.toml"}", "{DEALS / "campus_15y.toml"}"]
scenarios = ["base"]
paths = 512
seed = 5

[[sweep]]
parameter = "rent_drift"
values = [-0.05, -0.20]
"""
SENSITIVITY = ["--x", "rent_drift=-0.05,-0.2", "--y", "hazard_multiple=1,3", "--paths", "256", "--workers", "1"]


def environment() -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1"}


def start(*args: str | Path) -> subprocess.Popen:
    # its own process group, as a shell job is: signals reach its workers too
    return subprocess.Popen(
        [str(SCRIPT), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
        start_new_session=True,
    )


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *map(str, args)], capture_output=True, text=True, env=environment(), timeout=300, check=False
    )


def freeze_once_running(process: subprocess.Popen, root: Path) -> None:
    """Wait until the run has locked ``root`` and written its manifest, then stop it where it is."""
    deadline = time.monotonic() + 180
    while True:
        assert process.poll() is None, f"the first run ended before it could be stopped: {process.communicate()}"
        assert time.monotonic() < deadline, "the first run never started writing"
        try:
            if json.loads((root / "manifest.json").read_text())["runs"][-1]["status"] == "running":
                break
        except (OSError, ValueError, KeyError, IndexError):
            pass
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGSTOP)


def kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)  # a stopped process dies of SIGKILL too
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL


def assert_refused(result: subprocess.CompletedProcess[str], root: Path, holder: str) -> None:
    assert result.returncode == USER_ERROR, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line.strip() for line in result.stderr.splitlines()]
    prefix = f"{root}: --out: expected a directory no other run is writing, found it in use by {holder} (process "
    assert any(line.startswith(prefix) for line in lines), result.stderr


@pytest.fixture
def grid(tmp_path: Path) -> Path:
    path = tmp_path / "grid.toml"
    path.write_text(GRID)
    return path


def test_a_second_batch_on_a_directory_in_use_is_refused_and_a_killed_one_resumes(grid: Path, tmp_path: Path):
    out = tmp_path / "out"
    first = start("batch", grid, "--out", out, "--executor", "serial")
    try:
        freeze_once_running(first, out)
        before = (out / "manifest.json").read_text()

        second = run("batch", grid, "--out", out, "--executor", "serial")

        assert_refused(second, out, "a batch of grid 'shared'")
        assert (out / "manifest.json").read_text() == before  # the refused run wrote nothing
    finally:
        kill(first)

    again = run("batch", grid, "--out", out, "--executor", "serial")

    assert again.returncode == 0, again.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs"][0]["status"] == "running"  # the killed run never recorded its end
    assert manifest["runs"][-1]["status"] == "complete"
    assert sum(c["status"] == "done" for c in manifest["cells"].values()) == 4
    assert pl.scan_parquet(out / "summary").collect().height > 0
    assert not list(out.rglob("*.partial"))


def test_a_second_sensitivity_on_a_results_directory_in_use_is_refused(tmp_path: Path):
    out = tmp_path / "out"
    deal = DEALS / "campus_15y.toml"
    first = start("sensitivity", deal, *SENSITIVITY, "--out", out)
    try:
        freeze_once_running(first, out / "sensitivity" / "rent_drift__hazard_multiple")

        # another factor pair has cells of its own, but merges into the same sensitivity.parquet
        other = run("sensitivity", deal, "--x", "rent_drift=-0.1", "--y", "haircut=0.3", "--out", out)

        assert_refused(other, out, "a sensitivity of campus_15y (sensitivity_rent_drift__hazard_multiple)")
        assert not (out / "sensitivity" / "rent_drift__haircut").exists()
    finally:
        kill(first)

    again = run("sensitivity", deal, *SENSITIVITY, "--out", out)

    assert again.returncode == 0, again.stderr
    table = pl.read_parquet(out / "sensitivity.parquet")
    assert set(table["x_value"]) == {-0.05, -0.2} and set(table["y_value"]) == {1.0, 3.0}
