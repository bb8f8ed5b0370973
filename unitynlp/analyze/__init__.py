"""The main job: every stage over a corpus, written as tables, figures and an offline report.

:func:`analyze` returns the tables of an in-memory corpus as DataFrames. :func:`run_analysis`
is what ``unitynlp analyze`` runs: it reads the corpus in batches (:mod:`.batches`), so memory
holds one batch whatever the corpus size, keeps each batch's tables on disk (:mod:`.parts`),
sums them up per corpus and per metadata group (:mod:`.groups`), clusters the documents from the
tokens the batches computed, and writes into a folder each table as CSV (UTF-8 with a
byte-order mark, for Excel) and Parquet (with pyarrow), one workbook, the figures and
``report.html`` (:mod:`.writers`, :mod:`.report`). Each document is read, converted and
segmented once.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..runner import Runner
from ..schemas import GROUP_FEATURES
from ..stages import Context, run_stages
from .batches import BATCH_STAGES, run_batches, run_config, workspace
from .groups import NOT_GROUPS, group_columns, group_features, summarise, summary_table
from .parts import StoredTable, as_table, load, read_parts
from .report import figures
from .writers import TargetLock, check_target, write_analysis

__all__ = ["Analysis", "analyze", "run_analysis", "write_analysis", "group_columns", "CLUSTER_MAX_CHARS"]

CLUSTER_MAX_CHARS = 100_000_000  # a larger corpus is not clustered by analyze (run unitynlp cluster)


@dataclass
class Analysis:
    """The tables of an analysis (DataFrames, or :class:`StoredTable` for the long tables of a run kept
    on disk), the figures' builders, and notes on what was skipped."""
    tables: dict[str, pd.DataFrame | StoredTable]
    figures: dict[str, Callable] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def analyze(docs: pd.DataFrame, *, lexicon=None, k="auto", seed: int = 0, runner: Runner | None = None,
            stage: Callable[[str], None] = lambda name: None, stages: tuple[str, ...] = ()) -> Analysis:
    """Every stage over an in-memory documents frame; ``stage(name)`` is called as each begins.

    ``stages`` adds stages of the registry (:mod:`unitynlp.stages`) whose tables join the others.
    """
    context = Context(lexicon)
    notes: list[str] = []
    stage("terms, keyness and facts")
    clustered = len(docs) >= 3
    names = (("units",) if clustered else ()) + BATCH_STAGES + tuple(stages)
    found = (runner or Runner()).map(run_stages, docs, stages=names, context=context)
    documents = docs.drop(columns=["text"])
    tables = {"documents": documents, **{name: found[name] for name in ("term_hits", "term_counts", "facts")}}
    summary, groups = summarise(documents, [found["term_counts"]], group_features(found["features"], docs),
                                lexicon=context.lexicon, notes=notes)
    tables.update(summary)
    tables.update({name: found[name] for name in stages})
    stage("clusters")
    if clustered:
        tables.update(_clusters(found["units"], notes, k=k, seed=seed))
    else:
        notes.append(f"{len(docs)} documents: too few to cluster (3 or more needed)")
    tables["summary"] = _summary(documents, tables, groups, notes)
    return Analysis(tables, figures(tables, groups), notes)


def _clusters(units: pd.DataFrame, notes: list[str], *, k, seed: int) -> dict[str, pd.DataFrame]:
    """Document clusters (k auto within 2 … min(10, n−1))."""
    from ..cluster import cluster_units
    from ..errors import InputError

    if k != "auto" and int(k) > len(units):
        raise InputError(f"-k {k} is more than the {len(units)} documents to cluster; choose a smaller k or auto "
                         "(the finished batches are kept: the same command with another k resumes after them)")
    upper = max(2, min(10, len(units) - 1))
    result = cluster_units(units, k=k, seed=seed, k_range=(2, upper))
    notes.append(f"clusters: {result.summary()}")
    return {"cluster_assignments": result.assignments, "clusters": result.clusters,
            "cluster_coords": result.coords}


def _summary(documents: pd.DataFrame, tables: dict, groups: list[str], notes: list[str]) -> pd.DataFrame:
    rows = {name: as_table(tables[name]).rows for name in ("term_hits", "term_frequency", "facts", "clusters")
            if name in tables}
    return summary_table(documents, rows, groups, notes)


def run_analysis(corpus: str | Path | None, out_dir: str | Path, *, lexicon=None, k="auto", seed: int = 0,
                 force: bool = False, batch_chars: int | None = None, runner: Runner | None = None,
                 stage: Callable[[str], None] = lambda name: None, encoding: str | None = None,
                 split: bool = True, cluster: bool = True, stages: tuple[str, ...] = (),
                 advance: Callable[[int], None] = lambda percent: None) -> Analysis:
    """Analyse ``corpus`` batch by batch into ``out_dir``, resuming an interrupted run; see the module docs.

    ``stage(message)`` reports each step; ``advance(percent)`` how far the batches have gone;
    ``stages`` adds stages of the registry whose tables are written with the others.
    """
    from ..cluster import parse_k
    from ..corpus import BATCH_CHARS, bundled_corpus_path, iter_corpus

    if cluster:
        k = parse_k(k)
    context = Context(lexicon)
    out_dir = Path(out_dir)
    root = Path(corpus) if corpus is not None and str(corpus) != "-" else bundled_corpus_path()
    check_target(out_dir, force=force, inputs=[root] if corpus is not None and str(corpus) != "-" else [])
    batch_chars = batch_chars or BATCH_CHARS
    names = (("units",) if cluster else ()) + BATCH_STAGES + tuple(stages)
    with TargetLock(out_dir), (runner or Runner()) as running:
        config = run_config(root, lexicon=context.lexicon, batch_chars=batch_chars, encoding=encoding, split=split,
                            stages=names)
        work = workspace(out_dir, config, stage)
        batches = iter_corpus(corpus, batch_chars=batch_chars, encoding=encoding, split=split)
        run_batches(batches, work, context=context, stages=names, runner=running, total_bytes=config["bytes"],
                    stage=stage, advance=advance)
        advance(100)
        analysis = _finish(work, context=context, k=k if cluster else None, seed=seed, stage=stage, stages=stages)
        write_analysis(analysis, out_dir, work=work, force=True, stage=stage)
    import shutil

    shutil.rmtree(work, ignore_errors=True)
    return analysis


def _finish(work: Path, *, context: Context, k, seed: int, stage: Callable[[str], None],
            stages: tuple[str, ...]) -> Analysis:
    """The corpus-level tables from the batch folders; ``k=None`` leaves out the clusters."""
    from .groups import merged_sums

    stage("summing up")
    notes: list[str] = []
    documents = load(work, "documents", _summing_columns(work))
    grouped = None
    for part in read_parts(work, "group_features"):  # summed as read: memory follows the vocabulary
        grouped = part if grouped is None else merged_sums([grouped, part])
    counts = read_parts(work, "term_counts", ["doc_id", "term", "category", "count"])  # summed part by part too
    if grouped is None:  # no batch wrote sums: there is no group either, so they are not read
        grouped = GROUP_FEATURES.empty()
    summary, groups = summarise(documents, counts, grouped, lexicon=context.lexicon, notes=notes)
    # the per-document and per-hit tables stay on disk: the outputs are joined from their parts, the
    # report shows their heads, the figures the facts' kinds
    tables: dict = {"documents": StoredTable(work, "documents", joined=True),
                    "term_counts": StoredTable(work, "term_counts", joined=True), **summary,
                    "term_hits": StoredTable(work, "term_hits"), "facts": StoredTable(work, "facts")}
    tables.update({name: load(work, name) for name in stages})
    if k is None:
        notes.append("not clustered (--no-cluster)")
    elif len(documents) < 3:
        notes.append(f"{len(documents)} documents: too few to cluster (3 or more needed)")
    elif int(documents["n_chars"].sum()) <= CLUSTER_MAX_CHARS:
        stage("clusters")
        tables.update(_clusters(load(work, "units"), notes, k=k, seed=seed))
    else:
        notes.append(f"not clustered: more than {CLUSTER_MAX_CHARS:,} characters; run unitynlp cluster")
    tables["summary"] = _summary(documents, tables, groups, notes)
    return Analysis(tables, figures(tables, groups), notes)


def _summing_columns(work: Path) -> list[str]:
    """The documents' columns the summing up reads: ids, lengths, years and the metadata that may group."""
    columns = next(iter(read_parts(work, "documents"))).columns
    return [c for c in columns if c in ("doc_id", "n_chars", "year") or c not in NOT_GROUPS]
