"""Worker processes keep the memory they free for the next chunk; other processes hand it back."""

from __future__ import annotations

import subprocess
import sys

import pytest

from waterfall.risk import heap

# 200 one-MB arrays allocated and freed: resident memory that stays between chunks, and at a task's end
SCRIPT = """
import sys
import numpy as np
from waterfall.risk import heap

def rss_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024

if sys.argv[1] == "keep":
    heap.keep_freed_memory()
before = rss_mb()
arrays = [np.ones(2**17) for _ in range(200)]
del arrays
heap.release_between_chunks()
kept = rss_mb() - before
heap.release_memory()  # a task's end
print(kept, rss_mb() - before)

"""


def _kept_mb(mode: str) -> tuple[float, float]:
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode], check=True, capture_output=True, text=True)
    between, end = done.stdout.split()
    return float(between), float(end)


@pytest.mark.skipif(not sys.platform.startswith("linux") or not heap.AVAILABLE, reason="glibc's malloc only")
def test_a_worker_keeps_freed_memory_until_its_task_ends_and_any_other_process_hands_it_back() -> None:
    between, end = _kept_mb("keep")
    assert between > 150  # of the 200 MB freed
    assert end < 50
    between, end = _kept_mb("trim")
    assert between < 50
    assert end < 50


def test_only_worker_processes_keep_freed_memory() -> None:
    assert not heap.keeping()  # this process (as a caller running tasks in process) trims
