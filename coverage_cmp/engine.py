"""Engines: where a stage's per-item function runs.

Every stage is a plain function over picklable records, so running it somewhere else is a
matter of shipping the function and the items. Two engines do that behind one interface:

- ``local``: this machine. One worker runs in this process; more run in a process pool
  (``concurrent.futures.ProcessPoolExecutor``) sized to the CPUs this process may use. A
  pool process that dies (killed, out of memory) breaks the whole pool; the lost batches
  are then submitted again to a fresh pool, up to ``POOL_RESTARTS`` times per map.
- ``dask``: a Dask cluster (``distributed.Client(address)``), or a ``LocalCluster`` of
  worker processes when no scheduler address is given. A worker lost mid-run costs only its
  in-flight tasks: the scheduler runs them again on another worker.

Items travel in batches (one task per batch, not per item) so the per-task overhead of the
pool or the scheduler stays small against the work; at most a few batches per worker are in
flight at once, so a generator of a million articles never sits in memory whole.
``Engine.map`` yields results in input order whatever the engine, batch size or order of
completion, which is what makes their outputs identical byte for byte.

Example:
    >>> with make_engine("dask", scheduler="tcp://10.0.0.5:8786") as engine:
    ...     extractions = list(engine.map(extract_article, articles))
"""

from __future__ import annotations

import logging
import math
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, TypeVar

from coverage_cmp.errors import SettingsError

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

#: Engine names, as ``--engine`` takes them.
ENGINES = ("local", "dask")
#: Batches per worker kept in flight: enough to hide latency, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 4
#: Upper bound on items per batch (a batch is the unit lost with a worker).
MAX_BATCH = 256
#: Lower bound on items per batch of a sequence, so that a handful of articles (an
#: editor's 2 to 20) is one batch, which the local engine runs in this process.
MIN_BATCH = 16
#: Batch size when the number of items is not known up front.
STREAM_BATCH = 64
#: Fresh pools the local engine starts in one map after pool processes died.
POOL_RESTARTS = 3


def machine_workers() -> int:
    """CPUs this process may run on (the affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _apply_batch(fn: Callable[[T], R], batch: list[T]) -> list[R]:
    """One task: ``fn`` over a batch, in order (module level, so it pickles by name)."""
    return [fn(item) for item in batch]


class Engine(ABC):
    """Runs one function over many items somewhere; results come back in input order."""

    name: str
    """``local`` or ``dask``."""

    @property
    @abstractmethod
    def workers(self) -> int:
        """How many items can be worked on at once."""

    def map(self, fn: Callable[[T], R], items: Iterable[T], *,
            batch_size: int | None = None) -> Iterator[R]:
        """``fn`` over every item, yielded in input order as soon as each is ready.

        Args:
            fn: a picklable (module-level) function of one item.
            items: a sequence or any iterable; iterables are read a few batches ahead only.
            batch_size: items per task; by default about eight tasks per worker, from
                ``MIN_BATCH`` to ``MAX_BATCH`` items (``STREAM_BATCH`` for an iterable of
                unknown length). The local engine runs a single batch in this process.
        """
        ready: dict[int, R] = {}
        expected = 0
        for index, result in self.map_unordered(fn, items, batch_size=batch_size):
            ready[index] = result
            while expected in ready:
                yield ready.pop(expected)
                expected += 1

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T], *,
                      batch_size: int | None = None) -> Iterator[tuple[int, R]]:
        """``(input index, result)`` pairs as batches finish, for incremental writes."""
        size = batch_size or self._batch_size(items)
        if size < 1:
            raise SettingsError(f"The 'batch_size' parameter must be an int in the range "
                                f"[1, inf). Got {size} instead.")
        single_batch = isinstance(items, Sequence) and len(items) <= size
        if self._runs_inline and (self.workers == 1 or single_batch):
            for index, item in enumerate(items):
                yield index, fn(item)
            return
        yield from self._run_batches(fn, _batches(items, size))

    def _batch_size(self, items: Iterable[Any]) -> int:
        if not isinstance(items, Sequence):
            return STREAM_BATCH
        return max(MIN_BATCH, min(MAX_BATCH, math.ceil(len(items) / (8 * self.workers))))

    _runs_inline = False

    @abstractmethod
    def _run_batches(self, fn: Callable[[T], R],
                     batches: Iterator[tuple[int, list[T]]]) -> Iterator[tuple[int, R]]:
        """Submit batches with a bounded number in flight; yield item results as they end."""

    @abstractmethod
    def close(self) -> None:
        """Release the pool or the cluster connection."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _batches(items: Iterable[T], size: int) -> Iterator[tuple[int, list[T]]]:
    """``(index of the first item, batch)`` over any iterable, reading lazily."""
    iterator = iter(items)
    start = 0
    while batch := list(islice(iterator, size)):
        yield start, batch
        start += len(batch)


class LocalEngine(Engine):
    """This machine: in-process for one worker, else a process pool.

    Args:
        workers: processes; defaults to the CPUs this process may use.
    """

    name = "local"
    _runs_inline = True

    def __init__(self, workers: int | None = None) -> None:
        _check_workers(workers)
        self._workers = workers or machine_workers()
        self._pool: ProcessPoolExecutor | None = None

    @property
    def workers(self) -> int:
        return self._workers

    def _run_batches(self, fn: Callable[[T], R],
                     batches: Iterator[tuple[int, list[T]]]) -> Iterator[tuple[int, R]]:
        pending: dict[Future[list[R]], tuple[int, list[T]]] = {}
        limit = IN_FLIGHT_PER_WORKER * self._workers
        restarts = 0

        def submit(start: int, batch: list[T]) -> None:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=self._workers)
            pending[self._pool.submit(_apply_batch, fn, batch)] = (start, batch)

        def collect() -> Iterator[tuple[int, R]]:
            """Results of the batches that finish next; lost batches go to a fresh pool."""
            nonlocal restarts
            for future in sorted(_first_done(pending), key=lambda f: pending[f][0]):
                start, batch = pending.pop(future)
                try:
                    results = future.result()
                except BrokenProcessPool:
                    restarts += 1
                    if restarts > POOL_RESTARTS:
                        raise
                    lost = [(start, batch), *pending.values()]
                    log.warning("a pool process died; %d batches sent to a fresh pool "
                                "(restart %d of %d)", len(lost), restarts, POOL_RESTARTS)
                    pending.clear()
                    self.close()
                    for lost_start, lost_batch in lost:
                        submit(lost_start, lost_batch)
                    return
                for offset, result in enumerate(results):
                    yield start + offset, result

        for start, batch in batches:
            while len(pending) >= limit:
                yield from collect()
            submit(start, batch)
        while pending:
            yield from collect()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def _first_done(pending: dict[Any, int]) -> set[Any]:
    done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
    return done


def _finished(pending: dict[Any, int], done: Iterable[Any]) -> Iterator[tuple[int, Any]]:
    """Item results of finished batches, removed from ``pending`` (errors re-raised)."""
    for future in sorted(done, key=pending.__getitem__):
        start = pending.pop(future)
        for offset, result in enumerate(future.result()):
            yield start + offset, result


class DaskEngine(Engine):
    """A Dask cluster: a running scheduler, or a ``LocalCluster`` of worker processes.

    Args:
        scheduler: the scheduler's address (``tcp://host:8786``); None starts a
            ``LocalCluster`` on this machine with ``workers`` single-threaded processes.
        workers: only for the local cluster; defaults to the CPUs this process may use.

    Raises:
        SettingsError: Dask is not installed (the ``scale`` extra), or the scheduler
            cannot be reached.
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        _check_workers(workers)
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise SettingsError("--engine dask needs Dask: pip install "
                                "'coverage-cmp[scale]'") from exc
        self._cluster = None
        try:
            if scheduler is None:
                self._cluster = LocalCluster(n_workers=workers or machine_workers(),
                                             threads_per_worker=1, processes=True,
                                             dashboard_address=None)
                self.client = Client(self._cluster)
            else:
                self.client = Client(scheduler, timeout="10s")
        except OSError as exc:
            if self._cluster is not None:
                self._cluster.close()
            raise SettingsError(f"cannot reach the Dask scheduler at {scheduler}: "
                                f"{exc}") from exc
        log.info("dask engine: %s, %d worker threads", self.client.scheduler.address,
                 self.workers)

    @property
    def workers(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def _run_batches(self, fn: Callable[[T], R],
                     batches: Iterator[tuple[int, list[T]]]) -> Iterator[tuple[int, R]]:
        from distributed import wait as dask_wait

        pending: dict[Any, int] = {}
        limit = IN_FLIGHT_PER_WORKER * self.workers
        try:
            for start, batch in batches:
                while len(pending) >= limit:
                    done = dask_wait(list(pending), return_when="FIRST_COMPLETED").done
                    yield from _finished(pending, done)
                pending[self.client.submit(_apply_batch, fn, batch, pure=False)] = start
            while pending:
                done = dask_wait(list(pending), return_when="FIRST_COMPLETED").done
                yield from _finished(pending, done)
        finally:
            if pending:
                self.client.cancel(list(pending))

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def _check_workers(workers: int | None) -> None:
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise SettingsError(f"The 'workers' parameter must be an int in the range [1, inf). "
                            f"Got {workers!r} instead.")


def make_engine(name: str = "local", scheduler: str | None = None,
                workers: int | None = None) -> Engine:
    """The engine ``--engine NAME [--scheduler ADDRESS] [--workers N]`` asks for.

    Raises:
        SettingsError: unknown engine, a scheduler given to the local engine, or a bad
            worker count.
    """
    if name == "local":
        if scheduler is not None:
            raise SettingsError("--scheduler needs --engine dask")
        return LocalEngine(workers)
    if name == "dask":
        return DaskEngine(scheduler, workers)
    raise SettingsError(f"The 'engine' parameter must be a str among {set(ENGINES)}. "
                        f"Got {name!r} instead.")
