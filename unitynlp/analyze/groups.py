"""Grouping documents by their metadata: which columns group, feature sums per group, keyness by group.

A metadata column groups the corpus when it splits it into 2 to ``MAX_GROUPS`` groups of short
labels (not free text or lists). Feature counts are summed per (column, group, term) batch by
batch, so the corpus-level keyness needs memory for the vocabulary and the groups only.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

#: metadata columns never used as groups
NOT_GROUPS = {"doc_id", "title", "source", "source_start", "source_end", "encoding", "n_chars",
              "text", "file", "source_url", "compiled_start", "compiled_end", "compiled_file", "year"}
MAX_GROUPS = 40        # a column with more distinct values is not a grouping
MAX_LABEL = 32         # nor is one with longer values, or lists (民族团结、精神文明): free text
_LIST_SEPARATORS = r"[、，,;；|]"
KEYNESS_ROWS = 30      # rows kept per target group in the keyness table


def group_columns(docs: pd.DataFrame) -> list[str]:
    """Metadata columns that split the corpus into 2 to ``MAX_GROUPS`` groups of short labels."""
    return [c for c in candidate_columns(docs) if docs[c].dropna().astype(str).nunique() >= 2]


def candidate_columns(docs: pd.DataFrame) -> list[str]:
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


def group_features(features: pd.DataFrame, docs: pd.DataFrame) -> pd.DataFrame:
    """Feature counts summed per value of each candidate grouping column: by, group, term, count.

    Rows come per column, then group, then term, each in order of first appearance.
    """
    doc_rows, doc_ids = pd.factorize(features["doc_id"])
    codes, terms = pd.factorize(features["term"])
    return sum_per_group(list(doc_ids), doc_rows, codes, terms, features["count"].to_numpy(), group_labels(docs))


def group_labels(docs: pd.DataFrame) -> dict[str, dict]:
    """Each candidate grouping column: doc_id → its value as text (documents without one left out)."""
    return {column: dict(zip(docs.loc[docs[column].notna(), "doc_id"], docs[column].dropna().astype(str)))
            for column in candidate_columns(docs)}


def sum_per_group(doc_ids: list, doc_rows, codes, terms, counts, labels: dict[str, dict]) -> pd.DataFrame:
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


def merged_sums(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Group feature counts of several parts summed into one row per (by, group, term)."""
    grouped = pd.concat(parts, ignore_index=True)
    return grouped.groupby(["by", "group", "term"], sort=False)["count"].sum().reset_index()


def summarise(documents: pd.DataFrame, counts: Iterable[pd.DataFrame], grouped: pd.DataFrame, *, lexicon,
              notes: list[str]) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The corpus-level tables from per-document counts, read part by part, and per-group feature sums.

    ``documents`` needs only ids, lengths, years and the metadata columns that may group
    (:data:`NOT_GROUPS` aside); each part of ``counts`` holds all the rows of its documents.
    """
    from ..terms import term_tables

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
    from ..terms import keyness_table

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


def summary_table(documents: pd.DataFrame, rows: dict[str, int], groups: list[str], notes: list[str]) -> pd.DataFrame:
    """What the run did: documents, characters, the length of the main tables, groups and notes.

    ``rows`` is the number of rows of each table (``term_hits``, ``term_frequency``, ``facts`` and,
    when clustered, ``clusters``).
    """
    items = [("documents", len(documents)), ("characters", int(documents["n_chars"].sum())),
             ("term hits", rows["term_hits"]), ("distinct terms", rows["term_frequency"]),
             ("facts", rows["facts"]), ("grouping columns", ", ".join(groups) or "none")]
    if "clusters" in rows:
        items.append(("clusters", rows["clusters"]))
    items += [("note", note) for note in notes]
    return pd.DataFrame(items, columns=["item", "value"]).astype({"value": str})


def _stack(frames: dict[str, pd.DataFrame], key: str) -> pd.DataFrame:
    parts = [frame.assign(**{key: name}) for name, frame in frames.items() if not frame.empty]
    if not parts:
        return pd.DataFrame(columns=[key])
    table = pd.concat(parts, ignore_index=True)
    return table[[key] + [c for c in table.columns if c != key]]
