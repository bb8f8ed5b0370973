"""Hits of lexicon terms and their counts per document, per group and over the corpus."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ..convert import Config, Converted, get_converter
from ..document import Document
from ..errors import InputError
from ..lexicon import Lexicon
from .expansions import find_expansion

HIT_COLUMNS = ["doc_id", "term", "category", "start", "end", "text", "expansion"]
COUNT_COLUMNS = ["doc_id", "term", "category", "count", "rate_per_10k"]
DF_COLUMNS = ["term", "category", "count", "n_docs", "doc_share", "rate_per_10k"]
GROUP_COLUMNS = ["group", "term", "category", "count", "n_docs", "group_docs", "doc_share",
                 "n_chars", "rate_per_10k"]
PER = 10_000  # rates are per this many characters of original text
MISSING = "(missing)"  # the group of documents without a value in the grouping column


def converted(docs: pd.DataFrame, *, config: Config = "t2s", progress=None) -> Iterator[tuple[str, Converted]]:
    """``(doc_id, Converted)`` for every document, converted once each."""
    converter = get_converter(config)
    pairs = list(zip(docs["doc_id"], docs["text"]))
    for doc_id, text in (progress(pairs) if progress else pairs):
        yield doc_id, converter.convert(text)


def match_doc(conv: Converted, lexicon: Lexicon) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray], list]:
    """Hits in one converted text: converted starts/ends, original starts/ends as arrays, terms."""
    found = lexicon.find(conv.text)
    if not found:
        empty = np.zeros(0, np.int64)
        return empty, empty, (empty, empty), []
    starts, ends, terms = map(list, zip(*found))
    cs, ce = np.asarray(starts, np.int64), np.asarray(ends, np.int64)
    return cs, ce, conv.map_spans(cs, ce), terms


def find_terms(docs: pd.DataFrame, *, lexicon: Lexicon | None = None, expansions: bool = True,
               config: Config = "t2s", progress=None) -> pd.DataFrame:
    """Every hit of a lexicon term in ``docs``: columns ``HIT_COLUMNS``, offsets into the original.

    ``expansion`` holds the parts where the report spells the formula out at that hit
    (三个不忘(不忘…、…、…), a following 一是…二是… list); see :func:`find_expansion`.
    """
    from ..stages import Context, run_stage

    context = Context(lexicon, config=config, options={"expansions": expansions})
    return run_stage(docs, "term_hits", context)


def hit_rows(doc: Document, lexicon: Lexicon, *, expansions: bool = True) -> list[tuple]:
    """The hits of one document as rows of ``HIT_COLUMNS`` (original offsets)."""
    found = doc.hits(lexicon)
    if not found:
        return []
    conv = doc.converted
    cs, ce, terms = map(list, zip(*found))
    starts, ends = (cs, ce) if conv.identity else (a.tolist() for a in conv.map_spans(cs, ce))
    original, categories = conv.original, lexicon.categories
    spelled = ([find_expansion(conv.text, s, e, t) for s, e, t in zip(cs, ce, terms)] if expansions
               else [None] * len(terms))
    return [(doc.doc_id, term, categories[term], start, end, original[start:end], expansion)
            for term, start, end, expansion in zip(terms, starts, ends, spelled)]


def hits_frame(rows: list[tuple]) -> pd.DataFrame:
    """The hits table of rows from :func:`hit_rows`."""
    if not rows:
        return _empty(HIT_COLUMNS)
    doc_ids, terms, categories, starts, ends, texts, expansions = zip(*rows)
    return pd.DataFrame({
        "doc_id": pd.Series(doc_ids), "term": pd.array(terms, dtype="str"),
        "category": pd.array(categories, dtype="str"),
        "start": np.array(starts, np.int64), "end": np.array(ends, np.int64),
        "text": pd.array(texts, dtype="str"), "expansion": pd.Series(expansions, dtype=object)})


def count_terms(docs: pd.DataFrame, *, hits: pd.DataFrame | None = None, lexicon: Lexicon | None = None,
                config: Config = "t2s", progress=None) -> pd.DataFrame:
    """Count and rate per 10,000 original characters of each term in each document (``COUNT_COLUMNS``).

    Only terms that occur get a row; pass ``hits`` from :func:`find_terms` to reuse them.
    """
    if hits is None:
        hits = find_terms(docs, lexicon=lexicon, expansions=False, config=config, progress=progress)
    if hits.empty:
        return _empty(COUNT_COLUMNS)
    counts = hits.groupby(["doc_id", "term", "category"], sort=False).size().rename("count").reset_index()
    n_chars = counts["doc_id"].map(_doc_lengths(docs))
    counts["rate_per_10k"] = counts["count"] * PER / n_chars.where(n_chars > 0)
    order = {d: i for i, d in enumerate(docs["doc_id"])}
    counts = counts.sort_values(["doc_id", "count", "term"], ascending=[True, False, True],
                                key=lambda s: s.map(order) if s.name == "doc_id" else s, kind="stable")
    return counts.reset_index(drop=True)[COUNT_COLUMNS]


def group_counts(counts: pd.DataFrame, docs: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """Counts summed per value of metadata column ``by``, zeros included (``GROUP_COLUMNS``).

    ``n_docs`` is the number of the group's documents holding the term, ``group_docs`` the
    group's size and ``doc_share`` their ratio; the rate is per 10,000 characters of the group.

    >>> from unitynlp import read_corpus
    >>> docs = read_corpus()
    >>> table = group_counts(count_terms(docs), docs, by="level")
    >>> table.query("term == '五保'")[["group", "count"]].to_dict("records")[-1]
    {'group': 'town', 'count': 2}
    """
    return _group_tables([counts], docs, by=[by])[by]


def doc_frequency(counts: pd.DataFrame, docs: pd.DataFrame) -> pd.DataFrame:
    """Total count, number and share of documents holding each term, rate over the corpus (``DF_COLUMNS``)."""
    return term_tables([counts], docs)[0]


def term_tables(parts: Iterable[pd.DataFrame], docs: pd.DataFrame, *, by: Sequence[str] = ()
                ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """:func:`doc_frequency` and :func:`group_counts` by each column of ``by``, from counts read part by part.

    Each part holds all the rows of its own documents (a batch's), so counts and numbers of
    documents add up over the parts; shares, rates and the order come from the sums at the end.
    Memory follows the vocabulary and the groups, not the rows.

    >>> from unitynlp.corpus import iter_corpus, read_corpus
    >>> parts = (count_terms(batch) for batch in iter_corpus(batch_chars=3000))
    >>> frequency, groups = term_tables(parts, read_corpus(), by=["level"])
    >>> frequency.equals(doc_frequency(count_terms(read_corpus()), read_corpus()))
    True
    """
    tables = _group_tables(parts, docs.assign(_all="all"), by=["_all", *by])
    whole = tables.pop("_all")
    frequency = whole.sort_values(["n_docs", "count", "term"], ascending=[False, False, True], kind="stable")
    return frequency.reset_index(drop=True)[DF_COLUMNS], tables


def _group_tables(parts: Iterable[pd.DataFrame], docs: pd.DataFrame, *, by: list[str]) -> dict[str, pd.DataFrame]:
    """The :func:`group_counts` table of each column of ``by``, the parts summed as they are read."""
    for column in by:
        require_column(docs, column)
    groups = {column: _doc_groups(docs, column) for column in by}
    sums = {column: _term_sums(_empty(COUNT_COLUMNS), group) for column, group in groups.items()}
    categories: dict = {}
    for counts in parts:
        categories.update(zip(counts["term"], counts["category"]))
        for column, group in groups.items():
            sums[column] = _added(sums[column], _term_sums(counts, group))
    return {column: _group_table(sums[column], _group_sizes(docs, group), categories)
            for column, group in groups.items()}


def _doc_groups(docs: pd.DataFrame, by: str) -> pd.Series:
    """doc_id → its group: the value of column ``by``, ``MISSING`` where there is none."""
    values = docs.set_index("doc_id")[by]
    return values.astype(object).where(values.notna(), MISSING)


def _group_sizes(docs: pd.DataFrame, group: pd.Series) -> pd.DataFrame:
    """Documents and characters of each group (``group_docs``, ``n_chars``), groups in order of appearance."""
    return (pd.DataFrame({"group": group.to_numpy(), "n_chars": _doc_lengths(docs).to_numpy()})
            .groupby("group", sort=False).agg(group_docs=("n_chars", "size"), n_chars=("n_chars", "sum")))


def _term_sums(counts: pd.DataFrame, group: pd.Series) -> pd.DataFrame:
    """Count and number of documents of each term in each group, indexed by (group, term)."""
    counts = counts.assign(group=counts["doc_id"].map(group))
    return counts.groupby(["group", "term"], sort=False).agg(count=("count", "sum"), n_docs=("doc_id", "nunique"))


def _added(sums: pd.DataFrame, more: pd.DataFrame) -> pd.DataFrame:
    """Two :func:`_term_sums` of different documents added up (an empty one adds nothing)."""
    if sums.empty:
        return more
    if more.empty:
        return sums
    return pd.concat([sums, more]).groupby(level=["group", "term"], sort=False).sum()


def _group_table(sums: pd.DataFrame, sizes: pd.DataFrame, categories: dict) -> pd.DataFrame:
    """Every group × term (``GROUP_COLUMNS``) from the sums, with shares and rates, in order."""
    grid = pd.MultiIndex.from_product([sizes.index, sorted(categories)], names=["group", "term"])
    table = sums.reindex(grid, fill_value=0).reset_index().join(sizes, on="group")
    table["category"] = table["term"].map(categories)
    table["doc_share"] = table["n_docs"] / table["group_docs"]
    table["rate_per_10k"] = table["count"] * PER / table["n_chars"].where(table["n_chars"] > 0)
    order = {g: i for i, g in enumerate(sorted(sizes.index, key=_group_key))}
    return table.sort_values(["group", "count", "term"], ascending=[True, False, True], kind="stable",
                             key=lambda s: s.map(order) if s.name == "group" else s
                             ).reset_index(drop=True)[GROUP_COLUMNS]


def _group_key(value) -> tuple:
    """Groups in their natural order (years as numbers), the missing group last."""
    return (value == MISSING, 0 if isinstance(value, str) else value, str(value))


def frequency_table(counts: pd.DataFrame, docs: pd.DataFrame, *, by: str = "year",
                    value: Literal["count", "rate_per_10k", "n_docs", "doc_share"] = "rate_per_10k") -> pd.DataFrame:
    """A wide table for trend plots: one row per term, one column per value of ``by``."""
    table = group_counts(counts, docs, by=by)
    return table.pivot(index="term", columns="group", values=value).rename_axis(columns=by)


def require_column(docs: pd.DataFrame, column: str) -> None:
    """Raise an :class:`InputError` naming the available columns when ``column`` is missing."""
    if column not in docs.columns:
        choices = ", ".join(c for c in docs.columns if c != "text")
        raise InputError(f"no metadata column {column!r} in this corpus; choose one of: {choices}")


def _doc_lengths(docs: pd.DataFrame) -> pd.Series:
    lengths = docs["n_chars"] if "n_chars" in docs.columns else docs["text"].str.len()
    return pd.Series(lengths.to_numpy(), index=docs["doc_id"], dtype="int64")


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("start", "end", "count") else object)
                         for c in columns})
