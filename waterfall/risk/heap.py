"""The heap policy of the processes that run chunks of paths (glibc's malloc; a no-op elsewhere).

A worker allocates and frees the same few hundred MB of chunk-sized arrays chunk
after chunk. By default glibc hands freed memory back to the kernel (past its
adaptive trim threshold, and at every explicit trim), so the next chunk faults
every page back in, zeroed. Measured on 2 cores, 32 chunks of 3,072 bench-deal
paths: 1.05 s of kernel time in 5.9 s; keeping freed memory cut it to 0.13-0.68 s
over repeated runs, at the same peak (one chunk's working set either way).

So worker processes, which do nothing else, keep what glibc frees from one chunk
to the next (``keep_freed_memory``) and hand it back only when a task starts or
ends, so idle workers stay small while the caller combines results; a process that also
holds other things (the caller's own, running tasks in process) hands freed
memory back after every chunk. What polars frees, workers hand back at once
(``WORKER_ENVIRONMENT``).
"""

from __future__ import annotations

import ctypes

# polars' own allocator (jemalloc, in its Linux wheels) keeps freed pages for 10 s by default:
# a worker's tables of a task, and their pickles, stay resident long after. Read when the
# process starts, so set in the environment a worker is started with. Measured, 1M paths of
# the bench deal on 2 cores (2,048-path chunks): peak of the process tree 1,527-1,659 MB
# without, 1,417-1,420 MB with (and 3.26-3.46 M path-months/s against 3.63-3.69)
WORKER_ENVIRONMENT = {"_RJEM_MALLOC_CONF": "dirty_decay_ms:0,muzzy_decay_ms:0"}

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
# arrays up to this size come from the heap, not from their own mapping: a (months, paths)
# float array of the largest chunk (16,384 paths x 240 months is 31.5 MB); glibc's limit
MMAP_THRESHOLD = 32 * 2**20
TRIM_THRESHOLD = 2**31 - 1  # (mallopt takes a C int) never trim on free: the next chunk reuses the pages

_keeping = False


def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt  # noqa: B018  (glibc's, not only a C library of that name)
        libc.malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _libc()
AVAILABLE = _LIBC is not None  # whether this platform's malloc takes the policy


def keep_freed_memory() -> None:
    """Keep freed memory in this process's heap for reuse (a worker's initializer)."""
    global _keeping  # noqa: PLW0603
    if _LIBC is None:
        return
    # both: setting either one turns off glibc's adaptive thresholds
    if _LIBC.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) and _LIBC.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD):
        _keeping = True


def release_memory() -> None:
    """Hand freed memory back to the kernel now (a worker, at the end of a task: idle, it
    holds no more than it needs while the caller combines the results)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def release_between_chunks() -> None:
    """Between two chunks of a task: hand freed memory back, unless this process keeps it
    for the next chunk (``keep_freed_memory``)."""
    if not _keeping:
        release_memory()


def keeping() -> bool:
    """Whether this process keeps what it frees."""
    return _keeping
