"""The main job: every stage over a corpus, written as tables, figures and an offline report.

:func:`analyze` returns the tables of an in-memory corpus as DataFrames. :func:`run_analysis`
is what ``unitynlp analyze`` runs: it reads the corpus in batches, so memory holds one batch
whatever the corpus size, and writes into a folder each table as CSV (UTF-8 with a
byte-order mark, for Excel) and Parquet (when pyarrow is installed), one Excel workbook with a
sheet per table, the figures as PNG and SVG (with the ``plot`` extra), and ``report.html``,
self-contained (images and styles inline).

Work in progress lives in a hidden folder beside the target (``.NAME.partial``), one
sub-folder per finished batch. Each worker returns its share of a batch already encoded
(pickles for the summing up, CSV and Parquet for the outputs), so formatting runs in
parallel and the final tables are joined from the parts; the next batch is read while the
workers analyse the current one, and the workers live for the whole run. An interrupted run started again with the same corpus and
options resumes after the last finished batch; with other options it starts afresh, so the
outputs of two configurations never mix. The target folder appears complete or not at all.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import shutil
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd

from .errors import InputError, UnityNLPError
from .parallel import in_process

#: metadata columns never used as groups
NOT_GROUPS = {"doc_id", "title", "source", "source_start", "source_end", "encoding", "n_chars",
              "text", "file", "source_url", "compiled_start", "compiled_end", "compiled_file", "year"}
MAX_GROUPS = 40        # a column with more distinct values is not a grouping
MAX_LABEL = 32         # nor is one with longer values, or lists (民族团结、精神文明): free text
_LIST_SEPARATORS = r"[、，,;；|]"
KEYNESS_ROWS = 30      # rows kept per target group in the keyness table
REPORT_ROWS = 15       # rows of each table shown in the HTML report
EXCEL_ROWS = 100_000   # a longer table is left out of the workbook (it is in CSV and Parquet)
PARQUET_ROWS = 100_000  # rows of a Parquet row group, about
CLUSTER_MAX_CHARS = 100_000_000  # a larger corpus is not clustered by analyze (run unitynlp cluster)
ROW_TABLES = ("documents", "term_hits", "term_counts", "facts")
FORMAT_VERSION = 1


@dataclass
class Analysis:
    """The tables of an analysis, the figures' builders, and notes on what was skipped."""
    tables: dict[str, pd.DataFrame]
    figures: dict[str, Callable] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)



def group_columns(docs: pd.DataFrame) -> list[str]:
    """Metadata columns that split the corpus into 2 to ``MAX_GROUPS`` groups of short labels."""
    return [c for c in _candidate_columns(docs) if docs[c].dropna().astype(str).nunique() >= 2]


def _candidate_columns(docs: pd.DataFrame) -> list[str]:
    columns = []
    for column in docs.columns:
        if column in NOT_GROUPS:
            continue
        values = docs[column].dropna()
        if values.map(lambda v: isinstance(v, (list, dict, tuple))).any():
            continue
        labels = values.astype(str)
        if (labels.nunique() <= MAX_GROUPS and (labels.empty or labels.str.len().max() <= MAX_LABEL)
                and not labels.str.contains(_LIST_SEPARATORS).any()):
            columns.append(column)
    return columns


# ----------------------------------------------------------------------------- one batch

def analyze_batch(docs: pd.DataFrame, *, lexicon, run=in_process) -> dict[str, pd.DataFrame]:
    """The per-document tables of one batch, and its features summed per metadata group."""
    tables = run(document_tables, docs, lexicon=lexicon, grouped=True)  # one call per batch
    return {"documents": docs.drop(columns=["text"]), **tables}


def document_tables(docs: pd.DataFrame, *, lexicon, grouped: bool = False) -> dict[str, pd.DataFrame]:
    """Term hits and counts, keyness features and facts of some documents (a worker's share).

    Each text is converted once for all of them, and matched against the lexicon once.
    ``grouped`` gives the features summed per group (:func:`group_features`) instead of per
    document: far fewer rows to send back.
    """
    from .facts import fact_rows, facts_frame
    from .segment import segmenter_for
    from .terms.counting import HitRows, converted, count_terms
    from .terms.keyness import FeatureRows

    hits, features, facts = HitRows(lexicon), FeatureRows(lexicon, segmenter_for(lexicon)), []
    for doc_id, conv in converted(docs):
        found = lexicon.find(conv.text)
        hits.add(doc_id, conv, found)
        features.add(doc_id, conv, found)
        if conv.original:
            facts.extend(fact_rows(conv, doc_id))
    term_hits = hits.frame()
    tables = {"term_hits": term_hits, "term_counts": count_terms(docs, hits=term_hits), "facts": facts_frame(facts)}
    if grouped:
        tables["group_features"] = _sum_per_group(*features.arrays(), _group_labels(docs))
    else:
        tables["features"] = features.frame()
    return tables


def encoded_tables(docs: pd.DataFrame, *, lexicon) -> dict[str, list]:
    """:func:`document_tables` (features grouped) encoded as the batch folder stores them: a
    worker's share of a batch.

    Workers return bytes, not frames: the CSV and Arrow parts of the long tables are formatted
    in parallel, and the main process only writes them.
    """
    tables = document_tables(docs, lexicon=lexicon, grouped=True)
    return {"parts": [{name: _encode(name, table) for name, table in tables.items()}]}


def _encode(name: str, table: pd.DataFrame) -> dict:
    """A table as stored in a batch folder: a pickle, and for the row tables CSV and Parquet."""
    import pickle

    encoded = {"rows": len(table), "pkl": pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)}
    return {**encoded, **_formats(table)} if name in ROW_TABLES else encoded


def _csv_bytes(table: pd.DataFrame) -> bytes:
    return table.to_csv(index=False).encode("utf-8")


def _formats(table: pd.DataFrame) -> dict[str, bytes]:
    """The CSV (UTF-8, a header line, no byte-order mark) and, with pyarrow, the Arrow IPC file of a
    table (read back at almost no cost when the Parquet file is written)."""
    formats = {"csv": _csv_bytes(table)}
    try:
        import pyarrow as pa
    except ImportError:
        return formats
    arrow = arrow_table(table)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, arrow.schema) as writer:
        writer.write_table(arrow)
    formats["arrow"] = sink.getvalue().to_pybytes()
    return formats


def group_features(features: pd.DataFrame, docs: pd.DataFrame) -> pd.DataFrame:
    """Feature counts summed per value of each candidate grouping column: by, group, term, count.

    Rows come per column, then group, then term, each in order of first appearance.
    """
    doc_rows, doc_ids = pd.factorize(features["doc_id"])
    codes, terms = pd.factorize(features["term"])
    return _sum_per_group(list(doc_ids), doc_rows, codes, terms, features["count"].to_numpy(), _group_labels(docs))


def _group_labels(docs: pd.DataFrame) -> dict[str, dict]:
    """Each candidate grouping column: doc_id → its value as text (documents without one left out)."""
    return {column: dict(zip(docs.loc[docs[column].notna(), "doc_id"], docs[column].dropna().astype(str)))
            for column in _candidate_columns(docs)}


def _sum_per_group(doc_ids: list, doc_rows, codes, terms, counts, labels: dict[str, dict]) -> pd.DataFrame:
    """Counts summed per (column, group, term): row ``i`` is document ``doc_ids[doc_rows[i]]``, term
    ``terms[codes[i]]``. Object columns: summing them up again is much faster than Arrow strings."""
    import numpy as np

    parts = []
    terms = np.asarray(terms, dtype=object)
    for column, label in labels.items():
        group_codes, groups = pd.factorize(pd.Series([label.get(d) for d in doc_ids], dtype=object))
        row_groups = group_codes[doc_rows]  # -1: the document has no value in this column
        keep = row_groups >= 0
        pairs, which = np.unique(row_groups[keep] * len(terms) + codes[keep], return_inverse=True)
        if len(pairs):
            parts.append(pd.DataFrame({
                "by": pd.Series([column] * len(pairs), dtype=object),
                "group": pd.Series(np.asarray(groups, dtype=object)[pairs // len(terms)], dtype=object),
                "term": pd.Series(terms[pairs % len(terms)], dtype=object),
                "count": np.bincount(which, weights=counts[keep]).astype("int64")}))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ["by", "group", "term"]}
                            ).assign(count=pd.Series(dtype="int64"))
    return pd.concat(parts, ignore_index=True)


def _merged_sums(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Group feature counts of several parts summed into one row per (by, group, term)."""
    grouped = pd.concat(parts, ignore_index=True)
    return grouped.groupby(["by", "group", "term"], sort=False)["count"].sum().reset_index()


# ----------------------------------------------------------------------------- the whole corpus

def summarise(documents: pd.DataFrame, counts: Iterable[pd.DataFrame], grouped: pd.DataFrame, *, lexicon,
              notes: list[str]) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The corpus-level tables from per-document counts, read part by part, and per-group feature sums.

    ``documents`` needs only ids, lengths, years and the metadata columns that may group
    (:data:`NOT_GROUPS` aside); each part of ``counts`` holds all the rows of its documents.
    """
    from .terms import term_tables

    groups = group_columns(documents)
    years = ["year"] if documents["year"].dropna().nunique() >= 2 else []
    frequency, by_group = term_tables(counts, documents, by=groups + years)
    tables = {"term_frequency": frequency, "term_groups": _stack({c: by_group[c] for c in groups}, "by")}
    if years:
        tables["term_years"] = by_group["year"]
    tables["keyness"] = keyness_by_group(grouped, groups, lexicon=lexicon)
    if not groups:
        notes.append("no metadata column splits the corpus into groups: keyness and group tables are empty")
    return tables, groups


def keyness_by_group(grouped: pd.DataFrame, groups: list[str], *, lexicon) -> pd.DataFrame:
    """Keyness of each group of each grouping column against the rest of that column's documents."""
    from .terms import keyness_table

    parts = []
    for column in groups:
        table = (grouped[grouped["by"] == column].groupby(["group", "term"])["count"].sum()
                 .unstack("group", fill_value=0))
        if table.shape[1] < 2:
            continue
        total = table.sum(axis=1)
        categories = pd.Series({t: lexicon.categories.get(t, "word") for t in table.index})
        for value in sorted(table.columns, key=str):
            key = keyness_table(table[value], total - table[value], categories=categories)
            parts.append(key.head(KEYNESS_ROWS).assign(by=column, target=value))
    if not parts:
        return pd.DataFrame(columns=["by", "target", "term", "category", "G2", "chi2", "p", "log_ratio",
                                     "n_target", "n_reference"])
    table = pd.concat(parts, ignore_index=True)
    return table[["by", "target"] + [c for c in table.columns if c not in ("by", "target")]]


def analyze(docs: pd.DataFrame, *, lexicon=None, k="auto", seed: int = 0,
            stage: Callable[[str], None] = lambda name: None, run=in_process) -> Analysis:
    """Every stage over an in-memory documents frame; ``stage(name)`` is called as each begins.

    ``run(fn, docs, **options)`` runs a per-document stage; pass
    ``functools.partial(unitynlp.parallel.map_docs, jobs=N)`` to use N processes.
    """
    from .lexicon import load_lexicon

    lexicon = lexicon if lexicon is not None else load_lexicon()
    notes: list[str] = []
    stage("terms, keyness and facts")
    batch = analyze_batch(docs, lexicon=lexicon, run=run)
    tables = {name: batch[name] for name in ROW_TABLES}
    summary, groups = summarise(batch["documents"], [batch["term_counts"]], batch["group_features"],
                                lexicon=lexicon, notes=notes)
    tables.update(summary)
    stage("clusters")
    tables.update(clusters(docs, notes, k=k, seed=seed, lexicon=lexicon))
    tables["summary"] = summary_table(tables, groups, notes)
    return Analysis(tables, figures(tables, groups), notes)


def clusters(docs: pd.DataFrame, notes: list[str], *, k, seed: int, lexicon) -> dict[str, pd.DataFrame]:
    """Document clusters (k auto within 2 … min(10, n−1)), or nothing for fewer than 3 documents."""
    from .cluster import cluster
    from .segment import segmenter_for

    if len(docs) < 3:
        notes.append(f"{len(docs)} documents: too few to cluster (3 or more needed)")
        return {}
    upper = max(2, min(10, len(docs) - 1))
    result = cluster(docs, k=k if k == "auto" else min(int(k), len(docs)), seed=seed, k_range=(2, upper),
                     segmenter=segmenter_for(lexicon))
    notes.append(f"clusters: {result.summary()}")
    return {"cluster_assignments": result.assignments, "clusters": result.clusters,
            "cluster_coords": result.coords}


def summary_table(tables: dict[str, pd.DataFrame], groups: list[str], notes: list[str]) -> pd.DataFrame:
    docs = tables["documents"]
    rows = [("documents", len(docs)), ("characters", int(docs["n_chars"].sum())),
            ("term hits", len(tables["term_hits"])), ("distinct terms", len(tables["term_frequency"])),
            ("facts", len(tables["facts"])), ("grouping columns", ", ".join(groups) or "none")]
    if "clusters" in tables:
        rows.append(("clusters", len(tables["clusters"])))
    rows += [("note", note) for note in notes]
    return pd.DataFrame(rows, columns=["item", "value"]).astype({"value": str})


def _stack(frames: dict[str, pd.DataFrame], key: str) -> pd.DataFrame:
    parts = [frame.assign(**{key: name}) for name, frame in frames.items() if not frame.empty]
    if not parts:
        return pd.DataFrame(columns=[key])
    table = pd.concat(parts, ignore_index=True)
    return table[[key] + [c for c in table.columns if c != key]]


def figures(tables: dict[str, pd.DataFrame], groups: list[str]) -> dict[str, Callable]:
    """Builders of the figures the tables allow (each returns a matplotlib figure)."""
    from . import plot

    builders: dict[str, Callable] = {}
    term_groups = tables["term_groups"]
    for column in groups[:3]:
        part = term_groups[term_groups["by"] == column]
        if not part.empty:
            builders[f"term_rates_{column}"] = lambda part=part, column=column: plot.term_rates(
                part, title=f"术语使用率：按 {column}")
    if "term_years" in tables and not tables["term_years"].empty:
        wide = tables["term_years"].pivot_table(index="term", columns="group", values="rate_per_10k", aggfunc="sum")
        builders["term_trend"] = lambda: plot.term_trend(wide)
    key = tables["keyness"]
    for column in groups[:3]:
        part = key[key["by"] == column]
        if not part.empty:
            target = part["target"].value_counts().index[0]
            chosen = part[part["target"] == target]
            builders[f"keyness_{column}"] = lambda chosen=chosen, column=column, target=target: plot.keyness_bars(
                chosen, title=f"关键词：{column} = {target} 对其余")
    facts = tables["facts"]
    if not facts.empty:
        builders["facts"] = lambda: plot.fact_counts(_value_counts(facts, "kind"), _value_counts(facts, "unit"),
                                                     len(facts))
    if "cluster_coords" in tables:
        builders["cluster_map"] = lambda: plot.cluster_map(tables["cluster_coords"], tables["clusters"])
    return builders


# ----------------------------------------------------------------------------- the command's run

def run_analysis(corpus: str | Path | None, out_dir: str | Path, *, lexicon=None, k="auto", seed: int = 0,
                 force: bool = False, batch_chars: int | None = None, run=in_process,
                 stage: Callable[[str], None] = lambda name: None, encoding: str | None = None,
                 split: bool = True, cluster: bool = True,
                 advance: Callable[[int], None] = lambda percent: None) -> Analysis:
    """Analyse ``corpus`` batch by batch into ``out_dir``, resuming an interrupted run; see the module docs.

    ``stage(message)`` reports each step; ``advance(percent)`` how far the batches have gone.
    """
    from .corpus import BATCH_CHARS, iter_corpus
    from .lexicon import load_lexicon
    from .parallel import Pending, shared_workers

    lexicon = lexicon if lexicon is not None else load_lexicon()
    out_dir = Path(out_dir)
    check_target(out_dir, force=force)
    batch_chars = batch_chars or BATCH_CHARS
    config = _config(corpus, lexicon=lexicon, k=k, seed=seed, batch_chars=batch_chars, encoding=encoding, split=split)
    work = _workspace(out_dir, config, stage)
    done = json.loads((work / "manifest.json").read_text(encoding="utf-8"))["batches"]
    batches = iter_corpus(corpus, batch_chars=batch_chars, encoding=encoding, split=split)
    read = 0
    # a run with a submit method (the command line's) queues the next batch before the last
    # one is finished, so no worker waits for the slowest share of a batch, and each worker
    # can take one share of it
    if hasattr(run, "submit"):
        def submit(fn, docs, **options):
            return run.submit(fn, docs, one_per_worker=True, **options)
    else:
        def submit(fn, docs, **options):
            return Pending(done=run(fn, docs, **options))
    in_flight: deque = deque()  # (index, documents, pending tables, percent read)

    def save_oldest() -> None:
        number, documents, pending, reached = in_flight.popleft()
        _save_batch(work, number, documents, pending.result()["parts"])
        advance(reached)

    with shared_workers():  # workers start once for the whole run, not once per batch
        for index, docs in enumerate(_prefetched(batches)):
            read += int(docs["source_end"].sub(docs["source_start"]).sum())
            if index < done:
                continue
            percent = min(100, 100 * read * 3 // max(config["bytes"], 1))
            share = f", {percent}% of the corpus" if config["bytes"] else ""
            stage(f"batch {index + 1}: {len(docs)} documents, {int(docs['n_chars'].sum()):,} characters{share}")
            in_flight.append((index, docs.drop(columns=["text"]), submit(encoded_tables, docs, lexicon=lexicon),
                              percent))
            if len(in_flight) > 1:
                save_oldest()
        while in_flight:
            save_oldest()
    advance(100)
    analysis = _finish(work, corpus, lexicon=lexicon, k=k if cluster else None, seed=seed, stage=stage,
                       encoding=encoding, split=split)
    write_analysis(analysis, out_dir, work=work, force=force, stage=stage)
    return analysis


def check_target(out_dir: Path, *, force: bool) -> None:
    """Fail before any work when the results could not be written."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: is a file; choose a folder for the results")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        raise InputError(f"{out_dir}: is not empty; choose a new folder or pass --force to replace it")
    if not out_dir.parent.exists():
        raise InputError(f"{out_dir.parent}: no such folder; create it first")


def _config(corpus, *, lexicon, k, seed, batch_chars, encoding, split) -> dict:
    """What decides the results: the corpus files as they are, the lexicon and the options."""
    from . import __version__
    from .corpus import bundled_corpus_path

    root = Path(corpus) if corpus is not None else bundled_corpus_path()
    files = sorted(p for p in ([root] if root.is_file() else root.rglob("*")) if p.is_file()) if root.exists() else []
    digest, size = hashlib.sha1(), 0
    for path in files:
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        size += stat.st_size if path.suffix.lower() in (".txt", ".md") else 0
    return {"format": FORMAT_VERSION, "version": __version__, "corpus": str(root.resolve()),
            "files": digest.hexdigest(), "bytes": size, "lexicon": lexicon.fingerprint, "k": str(k), "seed": seed,
            "batch_chars": batch_chars, "encoding": encoding, "split": split}


def _workspace(out_dir: Path, config: dict, stage) -> Path:
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
    _write_json(manifest, {"config": config, "batches": 0})
    return work


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


def _prefetched(batches: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
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


def _save_batch(work: Path, index: int, documents: pd.DataFrame, parts: list[dict]) -> None:
    """Write one batch's encoded tables (the documents' own, then each worker share's) and count it done."""
    import pickle

    folder = work / f"batch-{index:05d}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    rows: dict[str, list[int]] = {}
    # the workers' group sums overlap (every share holds most words): one sum per batch
    grouped = _merged_sums([pickle.loads(part.pop("group_features")["pkl"]) for part in parts])
    for name, encoded in [("documents", _encode("documents", documents)),
                          ("group_features", _encode("group_features", grouped))] + [
            item for part in parts for item in part.items()]:
        number = len(rows.setdefault(name, []))
        rows[name].append(encoded["rows"])
        for suffix in ("pkl", "csv", "arrow"):
            if suffix in encoded:
                (folder / f"{name}.{number:03d}.{suffix}").write_bytes(encoded[suffix])
    _write_json(folder / "rows.json", rows)
    manifest = work / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["batches"] = index + 1
    _write_json(manifest, data)


def _files(work: Path, name: str, suffix: str) -> list[Path]:
    """The part files of table ``name`` in the order of the documents."""
    return [path for folder in sorted(work.glob("batch-*")) for path in sorted(folder.glob(f"{name}.*.{suffix}"))]


def _parts(work: Path, name: str, columns: list[str] | None = None) -> Iterable[pd.DataFrame]:
    for path in _files(work, name, "pkl"):
        table = pd.read_pickle(path)
        yield table[columns] if columns else table


def _load(work: Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    from .parallel import concat

    return concat(list(_parts(work, name, columns)))


def _summing_columns(work: Path) -> list[str]:
    """The documents' columns the summing up reads: ids, lengths, years and the metadata that may group."""
    columns = next(iter(_parts(work, "documents"))).columns
    return [c for c in columns if c in ("doc_id", "n_chars", "year") or c not in NOT_GROUPS]


def _finish(work: Path, corpus, *, lexicon, k, seed, stage, encoding, split) -> Analysis:
    """The corpus-level tables from the batch folders; ``k=None`` leaves out the clusters."""
    from .corpus import read_corpus

    stage("summing up")
    notes: list[str] = []
    documents = _load(work, "documents", _summing_columns(work))
    grouped = None
    for part in _parts(work, "group_features"):  # summed as read: memory follows the vocabulary
        grouped = part if grouped is None else _merged_sums([grouped, part])
    counts = _parts(work, "term_counts", ["doc_id", "term", "category", "count"])  # summed part by part too
    summary, groups = summarise(documents, counts, grouped, lexicon=lexicon, notes=notes)
    # the per-document and per-hit tables stay on disk: the outputs are joined from their parts, the
    # report shows their heads, the figures the facts' kinds
    tables = {"documents": _Lazy(work, "documents", joined=True),
              "term_counts": _Lazy(work, "term_counts", joined=True), **summary}
    tables["term_hits"] = _Lazy(work, "term_hits")
    tables["facts"] = _Lazy(work, "facts")
    if k is None:
        notes.append("not clustered (--no-cluster)")
    elif int(documents["n_chars"].sum()) <= CLUSTER_MAX_CHARS:
        stage("clusters")
        tables.update(clusters(read_corpus(corpus, encoding=encoding, split=split), notes, k=k, seed=seed,
                               lexicon=lexicon))
    else:
        notes.append(f"not clustered: more than {CLUSTER_MAX_CHARS:,} characters; run unitynlp cluster")
    tables["summary"] = summary_table(tables, groups, notes)
    return Analysis(tables, figures(tables, groups), notes)


def _value_counts(table, column: str) -> pd.Series:
    """``table[column].value_counts()``; part by part for a table kept on disk."""
    return table.value_counts(column) if isinstance(table, _Lazy) else table[column].value_counts()


class _Lazy:
    """A table kept in the batch folders: its length, head, parts and a few columns on demand.

    ``joined``: the head and the parts take the column types of the table joined in memory
    (:func:`_joined_types`) rather than each part's own, so the workbook and the report show
    them as they would show the joined table (a metadata column empty throughout one batch has
    another type in that batch's part).
    """

    def __init__(self, work: Path, name: str, *, joined: bool = False):
        self.work, self.name = work, name
        self._length = sum(sum(json.loads((folder / "rows.json").read_text(encoding="utf-8")).get(name, []))
                           for folder in work.glob("batch-*"))
        self._types = _joined_types(_parts(work, name)) if joined else None

    def __len__(self) -> int:
        return self._length

    @property
    def empty(self) -> bool:
        return self._length == 0

    def head(self, n: int) -> pd.DataFrame:
        parts, rows = [], 0
        for part in self.parts():  # the first parts may be empty or short
            parts.append(part.head(n - rows))
            rows += len(parts[-1])
            if rows >= n:
                break
        from .parallel import concat

        return concat(parts)

    def __getitem__(self, columns):
        wanted = list(columns) if isinstance(columns, list) else [columns]
        tables = self._arrow_parts(wanted)
        if tables is None:
            return _load(self.work, self.name, wanted)[columns]
        import pyarrow as pa

        return pa.concat_tables(list(tables)).to_pandas()[columns]

    def value_counts(self, column: str) -> pd.Series:
        """``self[column].value_counts()``, one part in memory at a time: counts summed in order of first
        appearance, then sorted as pandas sorts them (so ties come out in the same order)."""
        tables = self._arrow_parts([column])
        parts = (_parts(self.work, self.name, [column]) if tables is None
                 else (table.to_pandas() for table in tables))
        counts: dict = {}
        for part in parts:
            for value, n in part[column].value_counts(sort=False, dropna=True).items():
                counts[value] = counts.get(value, 0) + n
        return pd.Series(counts, dtype="int64").sort_values(ascending=False)

    def _arrow_parts(self, columns: list[str]):
        """``columns`` of each Arrow part as pyarrow tables, or None when there are no Arrow parts.

        The files are memory-mapped, so only those columns are read (a part read into memory whole
        would stay there with a column taken from it)."""
        paths = _files(self.work, self.name, "arrow")
        if not paths:
            return None
        import pyarrow as pa

        return (pa.ipc.open_file(pa.memory_map(str(path))).read_all().select(columns) for path in paths)

    def parts(self) -> Iterable[pd.DataFrame]:
        if self._types is None:
            return _parts(self.work, self.name)
        return (part.astype(self._types) for part in _parts(self.work, self.name))


def _joined_types(parts: Iterable[pd.DataFrame]) -> pd.Series:
    """The column types of ``parts`` once joined (:func:`unitynlp.parallel.concat`), from a few rows of
    each: its first row and each column's first value keep what decides a joined type (the part's
    types, whether it is empty, which of its columns hold no value at all)."""
    from .parallel import concat

    samples = []
    for part in parts:
        present = part.notna().to_numpy()
        rows = {0, *present.argmax(axis=0)[present.any(axis=0)].tolist()} if len(part) else set()
        samples.append(part.iloc[sorted(rows)])
    return concat(samples).dtypes


# ----------------------------------------------------------------------------- writing

def write_analysis(analysis: Analysis, out_dir: str | Path, *, work: Path | None = None, force: bool = False,
                   title: str = "unitynlp analysis", stage: Callable[[str], None] = lambda name: None) -> Path:
    """Write the tables, figures and report into ``out_dir``, all at once (see the module docs)."""
    out_dir = Path(out_dir)
    check_target(out_dir, force=force)
    own_work = work is None
    if own_work:
        import tempfile
        work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".partial", dir=out_dir.parent))
    staging = work / "result"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    background: list[_Background] = []
    try:
        # Parquet, the workbook and the figures are made in other processes while the CSV is written
        stage("writing tables, the workbook and figures")
        analysis.notes.extend(workbook_notes(analysis))  # before forking: every process has them
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            analysis.notes.append('Parquet files skipped: pip install "unitynlp[parquet]" to get them')
        else:
            background.append(_Background("Parquet files", _write_parquet, analysis, staging, work))
        background.append(_Background("workbook", write_workbook, analysis, staging / "unitynlp.xlsx"))
        background.append(_Background("figures", _write_figures, analysis, staging))
        _write_csv(analysis, staging, work)
        images, notes = background[-1].wait()
        analysis.notes.extend(notes)
        stage("writing report")
        (staging / "report.html").write_text(report_html(analysis, images, title=title), encoding="utf-8")
        for process in background:
            process.wait()
        _replace(staging, out_dir)
    except BaseException:
        for process in background:
            process.cancel()
        if own_work:
            shutil.rmtree(work, ignore_errors=True)
        raise
    shutil.rmtree(work, ignore_errors=True)
    return out_dir


def _chunks(table) -> Iterable[pd.DataFrame]:
    return table.parts() if isinstance(table, _Lazy) else [table]


def _write_csv(analysis: Analysis, folder: Path, work: Path) -> None:
    """Each table as CSV, joined from the batch folders' parts where ``work`` has them."""
    (folder / "csv").mkdir()
    for name, table in analysis.tables.items():
        parts = [path.read_bytes for path in _files(work, name, "csv")]
        if not parts:  # a table of the summing up: formatted here
            parts = [lambda table=table: _csv_bytes(table)]
        with (folder / "csv" / f"{name}.csv").open("wb") as fh:
            fh.write(b"\xef\xbb\xbf")  # a byte-order mark: Excel then reads the file as UTF-8
            for i, read in enumerate(parts):
                data = read()
                fh.write(data if i == 0 else data[data.index(b"\n") + 1:])  # one header line


def _write_parquet(analysis: Analysis, folder: Path, work: Path) -> None:
    """Each table as Parquet, from the batch folders' Arrow parts where ``work`` has them, in row
    groups of about ``PARQUET_ROWS`` rows (a row group per small part is slow to write and read)."""
    import pyarrow as pa
    from pyarrow import parquet

    (folder / "parquet").mkdir()
    for name, table in analysis.tables.items():
        files = _files(work, name, "arrow")
        parts = (_read_arrow(path.read_bytes()) for path in files) if files else iter([arrow_table(table)])
        writer, pending, rows = None, [], 0
        try:
            for part in parts:
                writer = writer or parquet.ParquetWriter(folder / "parquet" / f"{name}.parquet", part.schema)
                pending.append(part.cast(writer.schema))
                rows += part.num_rows
                if rows >= PARQUET_ROWS:
                    writer.write_table(pa.concat_tables(pending))
                    pending, rows = [], 0
            if pending:
                writer.write_table(pa.concat_tables(pending))
        finally:
            if writer is not None:
                writer.close()


def _read_arrow(data: bytes):
    import pyarrow as pa

    return pa.ipc.open_file(pa.BufferReader(data)).read_all()


class _Background:
    """``fn(*args)`` in a forked process while this one goes on (here, at once, where there is
    no fork); :meth:`wait` returns its result. ``what`` names the work in an error."""

    def __init__(self, what: str, fn: Callable, *args):
        import multiprocessing
        import sys

        self.what, self.process = what, None
        if not sys.platform.startswith("linux"):
            self.result = fn(*args)
            return
        context = multiprocessing.get_context("fork")
        self.receive, send = context.Pipe(duplex=False)
        self.process = context.Process(target=self._run, args=(fn, args, send), daemon=True)
        self.process.start()
        send.close()

    @staticmethod
    def _run(fn, args, send) -> None:
        try:
            result = fn(*args)
        except BaseException as exc:  # reported by the parent
            send.send((None, f"{type(exc).__name__}: {exc}"))
        else:
            send.send((result, None))

    def wait(self):
        if self.process is None:
            return self.result
        try:
            self.result, error = self.receive.recv()
        except EOFError:
            self.result, error = None, f"its process ended with code {self.process.exitcode}"
        self.process.join()
        self.process = None
        if error:
            raise UnityNLPError(f"could not write the {self.what}: {error}")
        return self.result

    def cancel(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join()


def workbook_notes(analysis: Analysis) -> list[str]:
    """The notes on tables too long for the workbook (``EXCEL_ROWS``)."""
    return [f"the {name} table ({len(table):,} rows) is left out of the workbook; it is in csv/ and parquet/"
            for name, table in analysis.tables.items() if len(table) > EXCEL_ROWS]


def write_workbook(analysis: Analysis, path: Path) -> None:
    """One sheet per table, written row by row (xlsxwriter's constant-memory mode), so the
    workbook costs no memory however long the tables; longer than ``EXCEL_ROWS`` are left out
    (:func:`workbook_notes` says which)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_urls": False,
                                           "strings_to_formulas": False, "nan_inf_to_errors": True})
    try:
        for name, table in analysis.tables.items():
            if len(table) > EXCEL_ROWS:
                continue
            sheet = book.add_worksheet(name[:31])
            row = 0
            for chunk in _chunks(table):
                if row == 0:
                    sheet.write_row(0, 0, [str(c) for c in chunk.columns])
                    row = 1
                columns = [_column_cells(sheet, chunk[c]) for c in chunk.columns]
                for i in range(len(chunk)):
                    for j, (write, values) in enumerate(columns):
                        if values[i] is not None:
                            write(row, j, values[i])
                    row += 1
    finally:
        book.close()


def _column_cells(sheet, series: pd.Series) -> tuple[Callable, list]:
    """The sheet's method that writes a column's type, and its values (None: a blank cell).

    Typed writes cost much less than ``write_row``, which inspects every value.
    """
    kind = series.dtype.kind
    if kind in "iuf":
        return sheet.write_number, [None if v is pd.NA or v != v else v for v in series.tolist()]  # NaN, NA: blank
    if kind == "b":
        return sheet.write_boolean, series.tolist()
    if isinstance(series.dtype, pd.StringDtype):
        return sheet.write_string, [v if isinstance(v, str) else None for v in series.tolist()]
    return sheet.write, [_cell(v) for v in series.tolist()]


def _cell(value):
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value if isinstance(value, (int, float, str, bool)) else str(value)


def arrow_table(frame: pd.DataFrame):
    """A pyarrow table whose column types follow the pandas dtypes alone, never the values
    (object and string columns are strings), so every batch of a table has one schema."""
    import pyarrow as pa

    arrays, names = [], []
    for column in frame.columns:
        series = frame[column]
        kind = series.dtype.kind
        if kind in "iu" or str(series.dtype) in ("Int64", "Int32"):
            arrays.append(pa.array(series.astype("Int64"), type=pa.int64(), from_pandas=True))
        elif kind == "f":
            arrays.append(pa.array(series, type=pa.float64(), from_pandas=True))
        elif kind == "b" or str(series.dtype) == "boolean":
            arrays.append(pa.array(series, type=pa.bool_(), from_pandas=True))
        else:
            try:  # strings and missing values: converted by pyarrow at once
                arrays.append(pa.array(series, type=pa.string(), from_pandas=True))
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # other objects (numbers in metadata): as text
                values = [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v)
                          for v in series.tolist()]
                arrays.append(pa.array(values, type=pa.string()))
        names.append(str(column))
    return pa.Table.from_arrays(arrays, names=names)


def _write_figures(analysis: Analysis, folder: Path) -> tuple[dict[str, bytes], list[str]]:
    """PNG and SVG of each figure; returns the PNG bytes for the report, and notes."""
    try:
        from .plot import cjk_font, render
        cjk_font()
    except UnityNLPError as exc:
        return {}, [f"figures skipped: {exc}"]
    import matplotlib.pyplot as plt

    (folder / "figures").mkdir()
    images = {}
    for name, build in analysis.figures.items():
        fig = build()
        try:
            for fmt, data in render(fig).items():
                (folder / "figures" / f"{name}.{fmt}").write_bytes(data)
            images[name] = (folder / "figures" / f"{name}.png").read_bytes()
        finally:
            plt.close(fig)
    return images, []


def _replace(staging: Path, out_dir: Path) -> None:
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old")
        if old.exists():
            shutil.rmtree(old)
        out_dir.rename(old)
    staging.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


_CSS = """body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em auto;
max-width:1100px;color:#222;line-height:1.5}h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;
padding-bottom:.2em;margin-top:2em}table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#f4f4f4}
img{max-width:100%;border:1px solid #eee;margin:.5em 0}.note{color:#666;font-size:.9em}"""


def report_html(analysis: Analysis, images: dict[str, bytes], *, title: str) -> str:
    """A self-contained HTML report: summary, figures (inline PNG) and the head of each table."""
    parts = [f"<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"]
    parts.append(analysis.tables["summary"].to_html(index=False, escape=True))
    if images:
        parts.append("<h2>Figures</h2>")
        for name, png in images.items():
            data = base64.b64encode(png).decode("ascii")
            parts.append(f"<figure><img alt='{html.escape(name)}' src='data:image/png;base64,{data}'>"
                         f"<figcaption class='note'>{html.escape(name)} (figures/{html.escape(name)}.svg)"
                         "</figcaption></figure>")
    for name, table in analysis.tables.items():
        if name == "summary":
            continue
        parts.append(f"<h2>{html.escape(name)}</h2><p class='note'>{len(table):,} rows; "
                     f"all in csv/{html.escape(name)}.csv</p>")
        shown = table.head(REPORT_ROWS).copy()
        for column in shown.columns:
            if shown[column].dtype == object:
                shown[column] = shown[column].map(lambda v: v[:80] + "…" if isinstance(v, str) and len(v) > 80 else v)
        parts.append(shown.to_html(index=False, escape=True, na_rep=""))
    parts.append("</body></html>")
    return "\n".join(parts)
