"""Same seed, same answer: in this process, in local worker processes and on a Dask cluster."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from waterfall.batch.dataset import scan
from waterfall.batch.grid import load_grid
from waterfall.batch.run import run_batch
from waterfall.market.scenario import load_scenario
from waterfall.risk import heap
from waterfall.risk.executors import DaskCluster, InProcess, LocalProcesses, make_executor
from waterfall.risk.montecarlo import plan, run_monte_carlo
from waterfall.spec.load import load_deal

DEALS = Path(__file__).resolve().parents[3] / "deals"


@pytest.fixture(scope="module")
def executors():
    local = LocalProcesses(2)
    dask = DaskCluster(workers=2)
    yield {"local": local, "dask": dask}
    local.close()
    dask.close()


def test_monte_carlo_is_identical_on_every_executor_and_chunk_size(executors) -> None:
    deal = load_deal(DEALS / "gpu_lease_spv.toml")
    world = load_scenario("bust")
    reference = run_monte_carlo(deal, world, 5000, seed=4, chunk_size=1024)
    for executor in executors.values():
        for chunk in (1024, 3072):
            other = run_monte_carlo(deal, world, 5000, seed=4, chunk_size=chunk, executor=executor)
            for table in ("tranches", "summary", "period_stats"):
                assert_frame_equal(getattr(other, table), getattr(reference, table), check_exact=True)


def test_a_batch_dataset_is_identical_on_every_executor(executors, tmp_path: Path) -> None:
    grid = tmp_path / "grid.toml"
    grid.write_text(
        f'name = "x"\ndeals = ["{DEALS / "gpu_lease_spv.toml"}"]\nscenarios = ["base"]\npaths = 2100\nseed = 5\n'
        '[[sweep]]\nparameter = "rate_shock_bp"\nvalues = [0, 200]\n'
    )
    loaded = load_grid(grid)
    run_batch(loaded, tmp_path / "serial", InProcess())
    for name, executor in executors.items():
        run_batch(loaded, tmp_path / name, executor)
        for table in ("summary", "paths"):
            order = ["cell", "tranche", "path"] if table == "paths" else ["cell", "tranche"]
            expected = scan(tmp_path / "serial", table).collect().sort(order)
            assert_frame_equal(scan(tmp_path / name, table).collect().sort(order), expected, check_exact=True)


def test_tasks_cover_every_path_once_in_whole_blocks() -> None:
    for paths, chunk, workers in [(1, 1024, 2), (5000, 1024, 2), (1_000_000, 4096, 2), (70_000, 4096, 1)]:
        tasks = plan(paths, chunk, workers)
        assert sum(count for _, count in tasks) == paths
        assert [first for first, _ in tasks] == [sum(c for _, c in tasks[:i]) for i in range(len(tasks))]
        assert all(first % 1024 == 0 for first, _ in tasks)


def test_one_worker_runs_in_this_process() -> None:
    assert isinstance(make_executor("local", 1), InProcess)
    assert isinstance(make_executor("serial"), InProcess)
    with pytest.raises(ValueError, match="expected local, dask or serial"):
        make_executor("cloud")


def _worker_heap() -> tuple[bool, str | None, str | None]:
    return heap.keeping(), os.environ.get("MALLOC_MMAP_THRESHOLD_"), os.environ.get("_RJEM_MALLOC_CONF")


@pytest.mark.skipif(not heap.AVAILABLE, reason="glibc's malloc only")
def test_worker_processes_keep_the_memory_they_free(executors) -> None:
    """Chunk after chunk a worker reuses its freed arrays instead of faulting fresh pages in."""
    polars_heap = heap.WORKER_ENVIRONMENT["_RJEM_MALLOC_CONF"]
    # every worker, however many tasks it was given
    # (polars puts its own defaults first on import; jemalloc reads options left to right)
    results = list(executors["local"].map_unordered(_worker_heap, [()] * 4))
    assert all(keeps and found.endswith(polars_heap) for _, (keeps, _, found) in results)
    [(_, (_, dask_threshold, dask_polars_heap))] = executors["dask"].map_unordered(_worker_heap, [()])
    assert dask_threshold == str(heap.MMAP_THRESHOLD) and dask_polars_heap.endswith(polars_heap)
    # this process's own environment is left as it was
    assert not os.environ.get("_RJEM_MALLOC_CONF", "").endswith(polars_heap)
