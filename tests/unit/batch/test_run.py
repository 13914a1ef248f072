"""Batch runs: skipping, resuming, failing and writing, all leaving a dataset equal to a clean run's."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from waterfall.batch import run as batch_run
from waterfall.batch.dataset import scan
from waterfall.batch.grid import load_grid
from waterfall.batch.run import run_batch
from waterfall.errors import InputError
from waterfall.risk.executors import InProcess

DEALS = Path(__file__).resolve().parents[3] / "deals"

GRID = """name = "small"
deals = ["deals/*.toml"]
scenarios = ["base", "bust"]
paths = 1100
seed = 9
chunk_size = 1024

[[sweep]]
parameter = "rent_drift"
values = [-0.05, -0.30]
"""


@pytest.fixture
def grid(tmp_path: Path) -> Path:
    (tmp_path / "deals").mkdir()
    for name in ("gpu_lease_spv", "campus_15y"):
        (tmp_path / "deals" / f"{name}.toml").write_text((DEALS / f"{name}.toml").read_text())
    path = tmp_path / "grid.toml"
    path.write_text(GRID)
    return path


def dataset(root: Path) -> dict[str, pl.DataFrame]:
    order = ["deal", "scenario", "cell", "tranche"]
    return {
        "summary": scan(root, "summary").collect().sort(order, maintain_order=True),
        "paths": scan(root, "paths").collect().sort([*order, "path"], maintain_order=True),
    }


def assert_same_dataset(a: Path, b: Path) -> None:
    for table, frame in dataset(a).items():
        assert_frame_equal(frame, dataset(b)[table], check_exact=True)
    files = sorted(p.relative_to(a) for p in a.rglob("*.parquet"))
    assert files == sorted(p.relative_to(b) for p in b.rglob("*.parquet"))


def statuses(results) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    return counts


@pytest.fixture
def clean(grid: Path, tmp_path: Path) -> Path:
    root = tmp_path / "clean"
    assert statuses(run_batch(load_grid(grid), root, InProcess())) == {"done": 8}
    return root


def test_the_dataset_reads_as_one_table_per_kind_with_partition_columns(clean: Path) -> None:
    summary = dataset(clean)["summary"]
    assert summary.height == 2 * 4 + 2 * 4 + 4  # campus: senior + equity; gpu lease: senior, mezz, equity
    assert {"deal", "scenario", "cell", "rent_drift", "pd", "el_pct"} <= set(summary.columns)
    paths = dataset(clean)["paths"]
    assert paths.group_by("deal", "scenario", "cell", "tranche").len()["len"].unique().to_list() == [1100]
    bust = summary.filter(deal="gpu_lease_spv", scenario="bust", tranche="senior").sort("rent_drift")
    assert bust["el_pct"][0] >= bust["el_pct"][1]  # a steeper rent decline loses at least as much here


def test_a_rerun_skips_every_cell_and_changes_nothing(grid: Path, clean: Path) -> None:
    before = {p: p.read_bytes() for p in clean.rglob("*.parquet")}
    assert statuses(run_batch(load_grid(grid), clean, InProcess())) == {"skipped": 8}
    assert {p: p.read_bytes() for p in clean.rglob("*.parquet")} == before
    manifest = json.loads((clean / "manifest.json").read_text())
    assert [r["status"] for r in manifest["runs"]] == ["complete", "complete"]


def test_a_damaged_or_missing_file_is_recomputed(grid: Path, clean: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    run_batch(load_grid(grid), copy, InProcess())
    damaged = next(copy.glob("paths/deal=gpu_lease_spv/scenario=bust/cell=c001/*.parquet"))
    damaged.write_bytes(damaged.read_bytes()[:-10])
    next(copy.glob("summary/deal=campus_15y/scenario=base/cell=c000/*.parquet")).unlink()

    assert statuses(run_batch(load_grid(grid), copy, InProcess())) == {"skipped": 6, "done": 2}
    assert_same_dataset(copy, clean)


def test_a_changed_deal_reruns_only_its_cells(grid: Path, clean: Path) -> None:
    deal = grid.parent / "deals" / "campus_15y.toml"
    deal.write_text(deal.read_text() + "\n# a comment changes the file, so its cells are redone\n")
    assert statuses(run_batch(load_grid(grid), clean, InProcess())) == {"skipped": 4, "done": 4}


def test_cells_the_grid_no_longer_has_leave_the_dataset(grid: Path, clean: Path) -> None:
    grid.write_text(GRID.replace("[-0.05, -0.30]", "[-0.05]"))
    assert statuses(run_batch(load_grid(grid), clean, InProcess())) == {"skipped": 4}
    assert dataset(clean)["summary"]["cell"].unique().to_list() == ["c000"]
    assert len(json.loads((clean / "manifest.json").read_text())["cells"]) == 4


def test_a_failing_cell_is_recorded_and_the_others_finish(grid: Path, clean: Path, tmp_path: Path, monkeypatch) -> None:
    real = batch_run.simulate_paths

    def flaky(deal, scenario, *args):
        if deal.name == "campus_15y" and scenario.name == "bust":
            raise RuntimeError("engine fault on purpose")
        return real(deal, scenario, *args)

    monkeypatch.setattr(batch_run, "simulate_paths", flaky)
    root = tmp_path / "flaky"
    results = run_batch(load_grid(grid), root, InProcess())
    assert statuses(results) == {"done": 6, "failed": 2}
    cells = json.loads((root / "manifest.json").read_text())["cells"]
    failed = {k: v for k, v in cells.items() if v["status"] == "failed"}
    assert set(failed) == {"deal=campus_15y/scenario=bust/cell=c000", "deal=campus_15y/scenario=bust/cell=c001"}
    assert all(v["error"] == "RuntimeError: engine fault on purpose" for v in failed.values())
    assert not list(root.glob("*/deal=campus_15y/scenario=bust"))

    monkeypatch.setattr(batch_run, "simulate_paths", real)
    assert statuses(run_batch(load_grid(grid), root, InProcess())) == {"skipped": 6, "done": 2}
    assert_same_dataset(root, clean)


def test_a_full_disk_stops_with_a_clear_error_and_leaves_nothing_partial(
    grid: Path, tmp_path: Path, monkeypatch
) -> None:
    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    root = tmp_path / "full"
    with pytest.raises(InputError) as caught:
        run_batch(load_grid(grid), root, InProcess())
    assert [str(p) for p in caught.value.problems] == [
        "--out: expected a writable directory with free space, found No space left on device"
    ]
    assert not list(root.rglob("*.parquet")) and not list(root.rglob("*.partial"))
    cells = json.loads((root / "manifest.json").read_text())["cells"]
    assert not any(c["status"] == "done" for c in cells.values())
    assert json.loads((root / "manifest.json").read_text())["runs"][-1]["status"] == "stopped by an error"


def test_another_grid_s_dataset_is_not_overwritten(grid: Path, clean: Path) -> None:
    grid.write_text(GRID.replace('name = "small"', 'name = "other"'))
    with pytest.raises(InputError) as caught:
        run_batch(load_grid(grid), clean, InProcess())
    assert "expected a dataset of grid 'other' (or a new directory), found grid 'small'" in str(
        caught.value.problems[0]
    )


def test_an_output_path_that_is_a_file_is_a_clear_error(grid: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(InputError) as caught:
        run_batch(load_grid(grid), blocker / "out", InProcess())
    assert str(caught.value.problems[0]).startswith("--out: expected a writable directory, found")
