"""The batch loop of ``analyze``: read the corpus in batches, run the stages on each, save its parts, resume.

Work in progress lives in a hidden folder beside the target (``.NAME.partial``), one sub-folder
per finished batch (:mod:`.parts`). Each worker returns its share of a batch already encoded
(pickles for the summing up, CSV and Arrow for the outputs), so formatting runs in parallel and
the final tables are joined from the parts; the next batch is read while the workers analyse the
current one. An interrupted run started again with the same corpus and options resumes after the
last finished batch; with other options it starts afresh, so the outputs of two configurations
never mix. The number of clusters and the seed are not among those options: they act only when
the batches are done.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pandas as pd

from ..runner import Pending, Runner
from ..stages import Context, run_stages
from .groups import group_features, merged_sums
from .parts import encode, save_batch, write_json

FORMAT_VERSION = 2
#: the stages each batch runs; ``units`` (clustering tokens) first, so the features reuse its segmentation
BATCH_STAGES = ("term_hits", "term_counts", "features", "facts")


def batch_parts(docs: pd.DataFrame, *, context: Context, stages: tuple[str, ...]) -> dict[str, list]:
    """A worker's share of a batch: every stage's table over ``docs``, the features summed per
    metadata group, each encoded as the batch folder stores it."""
    tables = run_stages(docs, stages, context)
    if "features" in tables:
        tables["group_features"] = group_features(tables.pop("features"), docs)
    return {"parts": [{name: encode(name, table) for name, table in tables.items()}]}


def run_batches(batches: Iterable[pd.DataFrame], work: Path, *, context: Context, stages: tuple[str, ...],
                runner: Runner, total_bytes: int, stage: Callable[[str], None],
                advance: Callable[[int], None]) -> None:
    """Analyse and save each batch not saved yet; the next batch is queued before this one is saved."""
    done = json.loads((work / "manifest.json").read_text(encoding="utf-8"))["batches"]
    in_flight: deque = deque()  # (index, documents, pending parts, percent read)

    def save_oldest() -> None:
        number, documents, pending, reached = in_flight.popleft()
        save_batch(work, number, _batch_tables(documents, pending.result()["parts"]))
        advance(reached)

    read = 0
    for index, docs in enumerate(prefetched(batches)):
        read += int(docs["source_end"].sub(docs["source_start"]).sum())
        if index < done:
            continue
        percent = min(100, 100 * read * 3 // max(total_bytes, 1))
        share = f", {percent}% of the corpus" if total_bytes else ""
        stage(f"batch {index + 1}: {len(docs)} documents, {int(docs['n_chars'].sum()):,} characters{share}")
        pending: Pending = runner.submit(batch_parts, docs, one_per_worker=True, context=context, stages=stages)
        in_flight.append((index, docs.drop(columns=["text"]), pending, percent))
        if len(in_flight) > 1:
            save_oldest()
    while in_flight:
        save_oldest()


def _batch_tables(documents: pd.DataFrame, parts: list[dict]) -> list[tuple[str, dict]]:
    """A batch's tables in the order they are saved: its documents, one sum of the workers' group
    features (every share holds most words), then each worker share's tables."""
    import pickle

    tables = [("documents", encode("documents", documents))]
    if "group_features" in parts[0]:
        grouped = merged_sums([pickle.loads(part.pop("group_features")["pkl"]) for part in parts])
        tables.append(("group_features", encode("group_features", grouped)))
    return tables + [item for part in parts for item in part.items()]


def run_config(corpus: Path, *, lexicon, batch_chars: int, encoding: str | None, split: bool,
               stages: tuple[str, ...]) -> dict:
    """What decides the batches: the corpus files as they are, the lexicon and the options."""
    from .. import __version__

    files = sorted(p for p in ([corpus] if corpus.is_file() else corpus.rglob("*")) if p.is_file()) \
        if corpus.exists() else []
    digest, size = hashlib.sha1(), 0
    for path in files:
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode(errors="surrogateescape"))
        size += stat.st_size if path.suffix.lower() in (".txt", ".md") else 0
    return {"format": FORMAT_VERSION, "version": __version__, "corpus": str(corpus.resolve()),
            "files": digest.hexdigest(), "bytes": size, "lexicon": lexicon.fingerprint, "stages": list(stages),
            "batch_chars": batch_chars, "encoding": encoding, "split": split}


def workspace(out_dir: Path, config: dict, stage: Callable[[str], None]) -> Path:
    """The run's work folder beside ``out_dir``: an interrupted run's with the same config, else a new one."""
    work = out_dir.with_name(f".{out_dir.name}.partial")
    manifest = work / "manifest.json"
    if work.exists():
        try:
            previous = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            previous = {}
        if previous.get("config") == config:
            if previous.get("batches"):
                stage(f"resuming after batch {previous['batches']} of an interrupted run")
            return work
        stage("an unfinished run with other options is discarded")
        shutil.rmtree(work)
    work.mkdir()
    write_json(manifest, {"config": config, "batches": 0})
    return work


def prefetched(batches: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """``batches``, the next one read in a thread while the current one is analysed."""
    import queue
    import threading

    slot: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    end = object()

    def offer(item) -> bool:
        """Put ``item`` in the slot; False when the consumer has stopped first."""
        while not stop.is_set():
            try:
                slot.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for batch in batches:
                if not offer(batch):
                    return
            item = end
        except BaseException as exc:  # raised again in the consuming thread
            item = exc
        offer(item)

    reader = threading.Thread(target=read, name="unitynlp-reader", daemon=True)
    reader.start()
    try:
        while True:
            item = slot.get()
            if item is end:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()
