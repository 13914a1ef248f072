"""Where chunks of paths run: in this process, in local worker processes, or on a Dask cluster.

An executor maps one function over a list of tasks and yields ``(index, result)``
as each finishes, in whatever order they finish. Callers put results back in task
order before combining them, and every task carries its own seed (its first path
names its random blocks), so the answer never depends on the executor, the number
of workers or the order tasks finish in.

Local processes are started with ``spawn``, not ``fork``: polars and numpy keep
thread pools, and a forked copy of a locked pool can hang. At most twice as
many tasks as workers are in flight at once, so a long run holds only a few
chunks' results in memory however many tasks it has.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, Protocol

from waterfall.risk.heap import MMAP_THRESHOLD, TRIM_THRESHOLD, WORKER_ENVIRONMENT, keep_freed_memory, keeping

IN_FLIGHT_PER_WORKER = 2


class Executor(Protocol):
    """Runs ``function(*task)`` for every task; yields ``(task index, result or exception)``."""

    workers: int

    def map_unordered(
        self, function: Callable[..., Any], tasks: Sequence[tuple[Any, ...]]
    ) -> Iterator[tuple[int, Any]]: ...

    def close(self) -> None: ...


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class InProcess:
    """Every task here, one after the other: the reference the other executors must match."""

    workers = 1

    def map_unordered(
        self, function: Callable[..., Any], tasks: Sequence[tuple[Any, ...]]
    ) -> Iterator[tuple[int, Any]]:
        for index, task in enumerate(tasks):
            try:
                yield index, function(*task)
            except Exception as exc:  # a failed task is reported, not raised, as the other executors do
                yield index, exc

    def close(self) -> None:
        pass


class LocalProcesses:
    """A pool of worker processes on this machine."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or available_cores()
        self._pool = ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=keep_freed_memory
        )
        # workers start on demand, with this process's environment then: start them all now,
        # inside the workers' own (``heap.WORKER_ENVIRONMENT``), and leave this process's as it was
        with _environment(WORKER_ENVIRONMENT):
            for started in [self._pool.submit(keeping) for _ in range(self.workers)]:
                started.result()

    def map_unordered(
        self, function: Callable[..., Any], tasks: Sequence[tuple[Any, ...]]
    ) -> Iterator[tuple[int, Any]]:
        first_done = lambda futures: list(wait(futures, return_when=FIRST_COMPLETED).done)  # noqa: E731
        return _bounded(lambda task: self._pool.submit(function, *task), first_done, tasks, self.workers)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskCluster:
    """A Dask distributed cluster: an existing scheduler at ``address``, or a LocalCluster started here."""

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        # imported only when asked for: importing distributed takes a second
        import dask  # noqa: PLC0415
        from distributed import Client, LocalCluster, wait  # noqa: PLC0415

        self._wait = wait

        self._cluster = None
        if address is None:
            count = workers or available_cores()
            # Dask starts its workers with MALLOC_TRIM_THRESHOLD_ set alone, which also pins glibc's
            # mmap threshold at 128 kB: every chunk-sized array is then mapped and unmapped afresh,
            # and page faults cost a third of the run. Our workers keep what they free, as local
            # processes do (``waterfall.risk.heap``), set here as glibc's environment variables;
            # and hand back at once what polars frees (``heap.WORKER_ENVIRONMENT``).
            environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ"))
            environ["MALLOC_TRIM_THRESHOLD_"] = str(TRIM_THRESHOLD)
            environ["MALLOC_MMAP_THRESHOLD_"] = str(MMAP_THRESHOLD)
            with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}), _environment(WORKER_ENVIRONMENT):
                self._cluster = LocalCluster(
                    n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
                )
            self._client = Client(self._cluster)
        else:
            self._client = Client(address, timeout="10s")
        self.workers = max(1, sum(self._client.nthreads().values()))

    def map_unordered(
        self, function: Callable[..., Any], tasks: Sequence[tuple[Any, ...]]
    ) -> Iterator[tuple[int, Any]]:
        # pure=False: two tasks with equal arguments are still two tasks (Dask would merge them)
        submit = lambda task: self._client.submit(function, *task, pure=False)  # noqa: E731
        first_done = lambda futures: list(self._wait(futures, return_when="FIRST_COMPLETED").done)  # noqa: E731
        return _bounded(submit, first_done, tasks, self.workers)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


@contextlib.contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    """``variables`` set in this process's environment inside, restored after."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _bounded(
    submit: Callable[[tuple[Any, ...]], Any],
    first_done: Callable[[list[Any]], list[Any]],
    tasks: Sequence[tuple[Any, ...]],
    workers: int,
) -> Iterator[tuple[int, Any]]:
    """Submit tasks keeping at most ``IN_FLIGHT_PER_WORKER * workers`` pending; yield each as it finishes."""
    limit = max(1, IN_FLIGHT_PER_WORKER * workers)
    pending: dict[Any, int] = {}
    queue = iter(enumerate(tasks))
    try:
        while True:
            while len(pending) < limit:
                nxt = next(queue, None)
                if nxt is None:
                    break
                pending[submit(nxt[1])] = nxt[0]
            if not pending:
                return
            for future in first_done(list(pending)):
                index = pending.pop(future)
                exc = future.exception()
                yield index, exc if exc is not None else future.result()
    finally:
        for future in pending:
            future.cancel()


def make_executor(kind: str = "local", workers: int | None = None, address: str | None = None) -> Executor:
    """``local`` processes (default: every core; one worker runs in this process), ``dask``, or ``serial``."""
    if address is not None or kind == "dask":
        return DaskCluster(address, workers)
    if kind == "serial" or workers == 1:
        return InProcess()
    if kind == "local":
        return LocalProcesses(workers)
    raise ValueError(f"executor: expected local, dask or serial, found {kind!r}")
