"""Where per-document work runs: this process, local worker processes, or a Dask cluster.

A :class:`Runner` is made by the caller and passed explicitly to whatever runs a per-document
function over a corpus (``fn(docs, **options)`` returning a DataFrame, a dict of them, or a
dict of lists, whose rows for a document depend on that document alone). It cuts the
documents frame into contiguous chunks, runs ``fn`` on each where it was told to, and joins the
results in the original order, so the output equals a single-process run.

Worker processes live as long as the runner (``with Runner(jobs=2) as runner:``), so they build
their segmenter and lexicon once for many calls. They are started with ``forkserver`` on Linux
and ``spawn`` elsewhere, never forked from a process that may run threads. Each worker watches
the process that made the runner and exits within a second of its death, however it died
(``kill -9`` included), so no worker outlives its parent.

>>> from unitynlp.corpus import read_corpus
>>> from unitynlp.facts import facts
>>> docs = read_corpus()
>>> with Runner(jobs=2, min_chars=0) as runner:
...     runner.map(facts, docs).equals(facts(docs))
True
"""
from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError

#: a chunk holds about this many characters at most (several chunks per worker balance the load)
CHUNK_CHARS = 1_000_000
CHUNKS_PER_JOB = 4
#: below this many characters a call runs in this process whatever ``jobs`` says
PARALLEL_MIN_CHARS = 200_000
#: seconds between two checks of a worker that its parent is alive
WATCH_INTERVAL = 0.5


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def resolve_jobs(jobs: int | None) -> int:
    """``None`` or 0 → every core; a negative number → every core but that many."""
    if jobs is None or jobs == 0:
        return default_jobs()
    if jobs < 0:
        return max(1, default_jobs() + jobs)
    return jobs


def chunk_docs(docs: pd.DataFrame, *, jobs: int, chunk_chars: int | None = CHUNK_CHARS,
               per_job: int = CHUNKS_PER_JOB) -> list[pd.DataFrame]:
    """Contiguous slices of ``docs`` of balanced size (in characters), in order: ``per_job`` a job,
    more where a slice would exceed ``chunk_chars`` (None: no limit)."""
    if docs.empty:
        return [docs]
    sizes = docs["text"].str.len().to_numpy()
    n = int(max(min(len(docs), jobs * per_job), np.ceil(sizes.sum() / chunk_chars) if chunk_chars else 1))
    n = min(n, len(docs))
    edges = np.searchsorted(np.cumsum(sizes), np.linspace(0, sizes.sum(), n + 1)[1:-1], side="left") + 1
    bounds = [0, *sorted(set(int(e) for e in edges if 0 < e < len(docs))), len(docs)]
    return [docs.iloc[a:b] for a, b in zip(bounds, bounds[1:])]


class Pending:
    """A call begun by :meth:`Runner.submit`: :meth:`result` gives what :meth:`Runner.map` would."""

    def __init__(self, *, done: Any = None, futures: list[Future] | None = None):
        self._done, self._futures = done, futures

    def result(self) -> Any:
        if self._futures is not None:
            self._done, self._futures = combine([future.result() for future in self._futures]), None
        return self._done


class Runner:
    """Runs per-document functions over documents frames; see the module docs.

    ``jobs``: worker processes (0 or None: every core; 1: this process only). ``scheduler``:
    the address of a Dask scheduler (``tcp://host:8786``), or ``"local"`` to start a local Dask
    cluster; it takes precedence over ``jobs``. A call on fewer than ``min_chars`` characters
    runs in this process: starting workers would cost more than it saves.
    """

    def __init__(self, jobs: int | None = 1, *, scheduler: str | None = None, min_chars: int | None = None):
        self.jobs, self.scheduler = resolve_jobs(jobs), scheduler
        self.min_chars = PARALLEL_MIN_CHARS if min_chars is None else min_chars
        self._pool: ProcessPoolExecutor | None = None
        self._dask: _Dask | None = None

    def __repr__(self) -> str:
        return f"Runner(jobs={self.jobs}, scheduler={self.scheduler!r})"

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (queued work is dropped) or the Dask client; the runner can start them again."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        dask, self._dask = self._dask, None
        if dask is not None:
            dask.close()

    @property
    def local(self) -> bool:
        """Whether everything runs in this process."""
        return self.jobs == 1 and not self.scheduler

    def map(self, fn: Callable, docs: pd.DataFrame, *, progress=None, **options) -> Any:
        """``fn(docs, **options)`` computed chunk by chunk, where this runner runs work."""
        jobs, chunks = self._plan(docs)
        task = partial(fn, **options)
        if self.scheduler:
            return combine(self._dask_client().map_chunks(task, chunks))
        if jobs == 1 or len(chunks) == 1:
            return combine([task(chunk) for chunk in (progress(chunks) if progress else chunks)])
        done = self._workers().map(task, chunks)
        return combine(list(progress(done) if progress else done))

    def submit(self, fn: Callable, docs: pd.DataFrame, *, one_per_worker: bool = False, **options) -> Pending:
        """:meth:`map` begun: with worker processes the chunks are queued and this returns at once,
        so the caller can read and queue the next documents meanwhile. ``one_per_worker`` cuts the
        documents into one chunk per worker, for a caller that keeps the workers busy with its next
        call anyway (fewer, larger results to send back and join)."""
        jobs, chunks = self._plan(docs, one_per_worker=one_per_worker)
        if self.scheduler or jobs == 1 or len(chunks) == 1:
            return Pending(done=self.map(fn, docs, **options))
        task = partial(fn, **options)
        return Pending(futures=[self._workers().submit(task, chunk) for chunk in chunks])

    def stream(self, fn: Callable, batches: Iterable[pd.DataFrame], **options) -> Iterator[Any]:
        """``fn`` of each batch, in order; the next batch is queued while the caller uses this one."""
        pending = None
        for docs in batches:
            queued = self.submit(fn, docs, **options)
            if pending is not None:
                yield pending.result()
            pending = queued
        if pending is not None:
            yield pending.result()

    def _plan(self, docs: pd.DataFrame, *, one_per_worker: bool = False) -> tuple[int, list[pd.DataFrame]]:
        """The jobs a call really uses and its chunks."""
        jobs = self.jobs
        if not self.scheduler and int(docs["text"].str.len().sum()) < self.min_chars:
            jobs = 1
        if one_per_worker and jobs > 1:
            return jobs, chunk_docs(docs, jobs=jobs, chunk_chars=None, per_job=1)
        return jobs, chunk_docs(docs, jobs=jobs)

    def _workers(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=_context(),
                                             initializer=_watch_parent, initargs=(os.getpid(),))
        return self._pool

    def _dask_client(self) -> _Dask:
        if self._dask is None:
            self._dask = _Dask(self.scheduler or "local", self.jobs)
        return self._dask


def run_local(fn: Callable, docs: pd.DataFrame, **options) -> Any:
    """``fn(docs, **options)`` in this process: what a library function does when given no runner."""
    return fn(docs, **options)


def _context():
    import multiprocessing

    if sys.platform.startswith("linux"):
        context = multiprocessing.get_context("forkserver")
        # the fork server imports these once; each worker forked from it starts with them loaded
        context.set_forkserver_preload(["unitynlp.runner", "pandas"])
        return context
    return multiprocessing.get_context("spawn")


def _watch_parent(parent: int) -> None:
    """A worker's initializer: a thread that ends this process when ``parent`` has died."""
    first_parent = os.getppid()  # the parent itself, or on Linux the fork server, which ends with it

    def watch() -> None:
        import time

        while True:
            time.sleep(WATCH_INTERVAL)
            if not _alive(parent) or os.getppid() != first_parent:
                os._exit(1)

    threading.Thread(target=watch, name="unitynlp-parent-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    if sys.platform == "win32":  # a spawned worker there is ended with its job object; ask the OS plainly
        return _alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but another user's: our parent's pid was reused
        return False
    return True


if sys.platform == "win32":  # pragma: no cover - Windows only
    def _alive_windows(pid: int) -> bool:
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE


def combine(results: list) -> Any:
    """Chunk results in order as one: frames concatenated, or dicts of frames (or lists) by key."""
    if results and isinstance(results[0], dict):  # a function that returns several tables (or lists)
        return {name: (sum((r[name] for r in results), []) if isinstance(results[0][name], list)
                       else concat([r[name] for r in results])) for name in results[0]}
    return concat(results)


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate chunk results, keeping the columns and dtypes of a single run."""
    frames = [f for f in frames if f is not None]
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    non_empty = [f for f in frames if not f.empty] or frames[:1]
    out = pd.concat(non_empty, ignore_index=True)
    for column in out.columns:  # as pandas does for one frame: mixed with object gives object
        kinds = {str(f[column].dtype) for f in non_empty if column in f}
        if len(kinds) > 1 and "object" in kinds:
            out[column] = out[column].astype(object)
    return out


class _Dask:
    """A Dask client, on a local cluster it started or on an existing scheduler."""

    def __init__(self, scheduler: str, workers: int):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise InputError('running on Dask needs dask.distributed: pip install "unitynlp[dask]"') from None
        self.cluster = None
        if scheduler == "local":
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)
            return
        try:
            self.client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); check the address "
                             "(tcp://HOST:8786) and that the scheduler is running") from None

    def map_chunks(self, task: Callable, chunks: list[pd.DataFrame]) -> list:
        return self.client.gather(self.client.map(task, chunks, pure=False))

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
