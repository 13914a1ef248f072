"""The writer's lock on an output directory: one run at a time, named in the refusal, never stale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from waterfall.batch.grid import load_grid
from waterfall.batch.lock import HOLDER, LOCK, holder, writing
from waterfall.batch.run import run_batch
from waterfall.errors import InputError
from waterfall.risk.executors import InProcess

DEALS = Path(__file__).resolve().parents[3] / "deals"

GRID = f"""name = "locked"
deals = ["{DEALS / "campus_15y.toml"}"]
scenarios = ["base"]
paths = 64
seed = 3
"""


def test_a_second_writer_is_refused_with_the_holder_named(tmp_path: Path) -> None:
    root = tmp_path / "out"
    with writing(root, "a batch of grid 'first'"), pytest.raises(InputError) as caught, writing(root, "second"):
        pytest.fail("two writers held one directory")
    (problem,) = caught.value.problems
    assert caught.value.file == str(root)
    assert problem.path == "--out"
    message = problem.message
    # the holder by what it runs, its process and host, and since when
    assert message.startswith(
        "expected a directory no other run is writing, found it in use by a batch of grid 'first' "
    )
    assert f"(process {os.getpid()} on " in message
    assert message.endswith("or choose another --out")


def test_the_lock_is_free_again_once_its_holder_is_done(tmp_path: Path) -> None:
    root = tmp_path / "out"
    with writing(root, "first"):
        pass
    with pytest.raises(RuntimeError), writing(root, "second"):
        raise RuntimeError("the run failed")
    with writing(root, "third"):
        assert json.loads((root / HOLDER).read_text())["what"] == "third"
    assert (root / LOCK).exists()  # left in place: deleting it would race another run opening it


def test_a_lock_left_by_a_killed_process_binds_nobody(tmp_path: Path) -> None:
    root = tmp_path / "out"
    # a process that takes the lock, records itself, and is killed while holding it
    script = (
        "import os, signal, sys; from pathlib import Path; from waterfall.batch.lock import writing\n"
        "with writing(Path(sys.argv[1]), 'a batch that dies'):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    died = subprocess.run([sys.executable, "-c", script, str(root)], check=False, timeout=60)
    assert died.returncode == -9
    assert (root / LOCK).exists()
    assert holder(root).startswith("a batch that dies (process ")  # its record outlives it...
    with writing(root, "the resume"):  # ...but the lock died with it
        assert holder(root).startswith("the resume (process ")


def test_the_holder_of_an_unrecorded_lock_is_another_run(tmp_path: Path) -> None:
    assert holder(tmp_path) == "another run"
    (tmp_path / HOLDER).write_text("{not json")
    assert holder(tmp_path) == "another run"


def test_a_batch_on_a_locked_directory_touches_nothing(tmp_path: Path) -> None:
    grid = tmp_path / "grid.toml"
    grid.write_text(GRID)
    root = tmp_path / "out"
    partial = root / "summary" / "deal=campus_15y" / ".0.parquet.partial"  # the holder's file being written
    partial.parent.mkdir(parents=True)
    partial.write_bytes(b"half a file")
    with writing(root, "a batch of grid 'locked'"), pytest.raises(InputError) as caught:
        run_batch(load_grid(grid), root, InProcess())
    assert "in use by a batch of grid 'locked'" in caught.value.problems[0].message
    assert partial.read_bytes() == b"half a file"
    assert not (root / "manifest.json").exists()
    run_batch(load_grid(grid), root, InProcess())  # free again: the run goes ahead and clears the partial
    assert not partial.exists()
    assert json.loads((root / "manifest.json").read_text())["runs"][-1]["status"] == "complete"


def test_an_unwritable_directory_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(InputError) as caught, writing(blocker / "out", "a batch"):
        pass
    assert str(caught.value.problems[0]).startswith("--out: expected a writable directory, found")
