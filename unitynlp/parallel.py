"""Running a per-document stage over a corpus: in this process, in worker processes, or on Dask.

A stage is a module-level function ``fn(docs, **options)`` returning a DataFrame (or a dict of
them) whose rows for a document depend on that document alone (terms, facts, tokens). :func:`map_docs` cuts the
documents frame into contiguous chunks, runs ``fn`` on each where asked, and concatenates the
results in the original order, so the output is identical to a single-process run.

Each call starts its own workers, unless it runs inside :func:`shared_workers`, which keeps
them (or a local Dask cluster) for many calls. On Linux workers are forked, so they start with
what this process has loaded; elsewhere they are spawned, and each imports unitynlp and builds
its segmenter and lexicon once (they are cached per process), not once per document.

>>> from unitynlp.corpus import read_corpus
>>> from unitynlp.facts import facts
>>> docs = read_corpus()
>>> map_docs(facts, docs, jobs=2, min_chars=0).equals(facts(docs))
True
"""
from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from multiprocessing import get_context
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from .errors import InputError

#: a chunk holds about this many characters at most (several chunks per worker balance the load)
CHUNK_CHARS = 1_000_000
CHUNKS_PER_JOB = 4
#: below this many characters a stage runs in this process whatever ``jobs`` says
PARALLEL_MIN_CHARS = 200_000


def in_process(fn: Callable, docs: pd.DataFrame, **options):
    """The default ``run`` of the stages that take one: ``fn(docs, **options)`` here, in one piece."""
    return fn(docs, **options)


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


def map_docs(fn: Callable[..., pd.DataFrame], docs: pd.DataFrame, *, jobs: int | None = 1,
             scheduler: str | None = None, progress=None, min_chars: int | None = None,
             **options) -> pd.DataFrame:
    """``fn(docs, **options)`` computed chunk by chunk, in parallel where asked; see the module docs.

    ``jobs``: worker processes (``None``: every core; 1: this process). ``scheduler``: the
    address of a Dask scheduler (``tcp://host:8786``), or ``local`` to start a local Dask
    cluster; it takes precedence over ``jobs``. ``progress`` wraps the iterable of finished chunks.
    A corpus of fewer than ``min_chars`` (default ``PARALLEL_MIN_CHARS``) characters runs in
    this process: starting workers would cost more than it saves.
    """
    jobs, chunks, task = _plan(fn, docs, jobs=jobs, scheduler=scheduler, min_chars=min_chars, options=options)
    return _combine(_run_chunks(task, chunks, jobs=jobs, scheduler=scheduler, progress=progress))


def submit_docs(fn: Callable[..., pd.DataFrame], docs: pd.DataFrame, *, jobs: int | None = 1,
                scheduler: str | None = None, min_chars: int | None = None, one_per_worker: bool = False,
                **options) -> "Pending":
    """:func:`map_docs` begun: :meth:`Pending.result` gives what it would return.

    Inside :func:`shared_workers`, with worker processes, the chunks are queued for the
    workers and this returns at once, so the caller can read and queue the next documents while
    these are analysed (no worker then waits for the slowest chunk of a call). Otherwise the
    work is done before it returns. ``one_per_worker`` cuts the documents into one chunk per
    worker, for a caller that keeps the workers busy with its next call anyway (fewer, larger
    results to send back and join).
    """
    queued = not scheduler and _SHARED is not None
    jobs, chunks, task = _plan(fn, docs, jobs=jobs, scheduler=scheduler, min_chars=min_chars, options=options,
                               one_per_worker=one_per_worker and queued)
    if not queued or jobs == 1 or len(chunks) == 1:
        return Pending(done=_combine(_run_chunks(task, chunks, jobs=jobs, scheduler=scheduler)))
    with _process_pool(min(jobs, len(chunks))) as pool:
        return Pending(futures=[pool.submit(task, chunk) for chunk in chunks])


def _run_chunks(task, chunks: list[pd.DataFrame], *, jobs: int, scheduler: str | None, progress=None) -> list:
    """``task`` of each chunk, in order: on Dask, in worker processes, or here."""
    if scheduler:
        return _dask_map(task, chunks, scheduler, jobs=jobs)
    if jobs == 1 or len(chunks) == 1:
        return [task(chunk) for chunk in (progress(chunks) if progress else chunks)]
    with _process_pool(min(jobs, len(chunks))) as pool:
        done = pool.map(task, chunks)
        return list(progress(done) if progress else done)


class Pending:
    """The result of :func:`submit_docs`, done or on its way."""

    def __init__(self, *, done=None, futures=None):
        self._done, self._futures = done, futures

    def result(self):
        if self._futures is not None:
            self._done, self._futures = _combine([future.result() for future in self._futures]), None
        return self._done


def _plan(fn, docs, *, jobs, scheduler, min_chars, options,
          one_per_worker: bool = False) -> tuple[int, list[pd.DataFrame], Callable]:
    """The jobs a call really uses, its chunks and its task."""
    jobs = resolve_jobs(jobs)
    min_chars = PARALLEL_MIN_CHARS if min_chars is None else min_chars
    if not scheduler and int(docs["text"].str.len().sum()) < min_chars:
        jobs = 1
    chunks = chunk_docs(docs, jobs=jobs, chunk_chars=None, per_job=1) if one_per_worker else chunk_docs(docs, jobs=jobs)
    return jobs, chunks, partial(fn, **options)


def _combine(results: list):
    """Chunk results in order as one: frames concatenated, or dicts of frames (or lists) by key."""
    if results and isinstance(results[0], dict):  # a stage that returns several tables (or lists)
        return {name: (sum((r[name] for r in results), []) if isinstance(results[0][name], list)
                       else concat([r[name] for r in results])) for name in results[0]}
    return concat(results)


#: worker pools and Dask clients kept open by :func:`shared_workers`, or None outside it
_SHARED: dict | None = None


@contextmanager
def shared_workers() -> Iterator[None]:
    """Keep worker processes (or a local Dask cluster) alive across :func:`map_docs` calls.

    Without it each call starts its own workers, which then build their segmenter and lexicon
    again; a run of many batches (``analyze``) starts them once.
    """
    global _SHARED
    if _SHARED is not None:  # already inside one
        yield
        return
    _SHARED = {}
    try:
        yield
    finally:
        shared, _SHARED = _SHARED, None
        for resource in reversed(list(shared.values())):
            resource.close()


class _ClosingPool(ProcessPoolExecutor):
    def close(self) -> None:
        self.shutdown(cancel_futures=True)  # after an error or Ctrl-C, queued chunks are dropped


@contextmanager
def _process_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``workers`` processes: the shared one inside :func:`shared_workers`, else a new one."""
    if _SHARED is None:
        with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
            yield pool
        return
    key = ("pool", workers)
    if key not in _SHARED:  # a pool broken by a dead worker fails the run, which ends the scope
        _SHARED[key] = _ClosingPool(max_workers=workers, mp_context=_context())
    yield _SHARED[key]


def _context():
    return get_context("fork" if sys.platform.startswith("linux") else "spawn")


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


def _dask_map(task, chunks: list[pd.DataFrame], scheduler: str, *, jobs: int) -> list[pd.DataFrame]:
    try:
        from dask.distributed import Client
    except ImportError:
        raise InputError('running on Dask needs dask.distributed: pip install "unitynlp[dask]"') from None
    if scheduler == "local":
        with _local_dask(jobs) as client:
            return client.gather(client.map(task, chunks, pure=False))
    try:
        with Client(scheduler, timeout="10s") as client:
            return client.gather(client.map(task, chunks, pure=False))
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); check the address "
                         "(tcp://HOST:8786) and that the scheduler is running") from None


class _LocalDask:
    """A local Dask cluster and its client, closed together."""

    def __init__(self, workers: int):
        from dask.distributed import Client, LocalCluster

        self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                    dashboard_address=None)
        self.client = Client(self.cluster)

    def close(self) -> None:
        self.client.close()
        self.cluster.close()


@contextmanager
def _local_dask(workers: int):
    if _SHARED is not None:
        key = ("dask", workers)
        if key not in _SHARED:
            _SHARED[key] = _LocalDask(workers)
        yield _SHARED[key].client
        return
    dask = _LocalDask(workers)
    try:
        yield dask.client
    finally:
        dask.close()
