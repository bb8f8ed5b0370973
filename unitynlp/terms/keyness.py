"""Keyness of terms and words between a target group of documents and a reference group.

The statistics follow quanteda's ``textstat_keyness`` for a 2×2 table per feature (a, b: its
counts in target and reference; c, d: the other features' counts): signed G² (``lr``) and chi²,
both with quanteda's default Yates correction, and the p-value of the chosen measure with one
degree of freedom. The effect size is Hardie's log ratio, log2 of the ratio of relative
frequencies, with 0.5 put in for a zero count.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from typing import Literal

import numpy as np
import pandas as pd

from ..convert import Config
from ..document import Document
from ..errors import InputError
from ..lexicon import Lexicon
from ..segment import Segmenter, stopwords
from .counting import require_column

FEATURE_COLUMNS = ["doc_id", "term", "category", "count"]
KEYNESS_COLUMNS = ["term", "category", "G2", "chi2", "p", "log_ratio", "n_target", "n_reference"]
Measure = Literal["lr", "chi2"]
Correction = Literal["default", "yates", "williams", "none"]
_WORD = re.compile(r"[\u3400-\u9fffA-Za-z]")  # a feature holds at least one Han character or letter
_EPSILON = 1e-9


def term_features(docs: pd.DataFrame, *, lexicon: Lexicon | None = None, segmenter: Segmenter | None = None,
                  words: bool = True, config: Config = "t2s", progress=None) -> pd.DataFrame:
    """Counts of lexicon terms and ordinary words in each document (``FEATURE_COLUMNS``).

    Lexicon hits count whole; the segmenter's tokens count where they do not overlap a hit,
    stopwords and tokens without a Han character or letter left out. ``category`` is the
    lexicon category, or ``word``.
    """
    from ..stages import Context, run_stage

    context = Context(lexicon, config=config, options={"words": words}, given_segmenter=segmenter)
    if words and segmenter is None and config != "t2s":
        context.given_segmenter = Segmenter(lexicon=context.lexicon, config=config)
    return run_stage(docs, "features", context)


def feature_counts(doc: Document, lexicon: Lexicon, segmenter: Segmenter | None) -> dict[str, int]:
    """The features of one document: lexicon hits, then (with a segmenter) the free words, in order
    of first appearance, stopwords left out."""
    tally: dict[str, int] = Counter(term for _, _, term in doc.hits(lexicon))
    if segmenter is not None:
        tokens = doc.free_counts(segmenter, lexicon)
        for term in tally.keys() & tokens.keys():  # a term also counted as a free token
            tokens[term] += tally[term]
        tally = {**tally, **tokens}  # terms first, then words in order of appearance
    for word in tally.keys() & stopwords():
        del tally[word]
    return tally


def features_frame(rows: list[tuple], lexicon: Lexicon) -> pd.DataFrame:
    """The features table (``FEATURE_COLUMNS``) of ``(doc_id, term, count)`` rows; tokens without a Han
    character or letter are left out here, checked once per distinct term."""
    doc_ids = [row[0] for row in rows]
    codes, distinct = pd.factorize(pd.Series([row[1] for row in rows], dtype=object))
    known = lexicon.categories
    word = np.fromiter((t in known or _WORD.search(t) is not None for t in distinct), dtype=bool, count=len(distinct))
    keep = word[codes] if len(codes) else np.zeros(0, bool)
    terms = np.asarray(distinct, dtype=object)[codes[keep]]
    return pd.DataFrame({"doc_id": pd.Series(np.asarray(doc_ids, dtype=object)[keep], dtype=object),
                         "term": pd.Series(terms, dtype=object),
                         "category": pd.Series([known.get(t, "word") for t in terms], dtype="str"),
                         "count": pd.Series(np.asarray([row[2] for row in rows], dtype=np.int64)[keep], dtype="int64")})


def keyness(data: pd.DataFrame, *, by: str, target=None, reference=None, docs: pd.DataFrame | None = None,
            measure: Measure = "lr", correction: Correction = "default", lexicon: Lexicon | None = None,
            words: bool = True, min_count: int = 1, progress=None) -> pd.DataFrame:
    """Keyness of every feature for the documents whose ``by`` equals ``target`` (``KEYNESS_COLUMNS``).

    ``data`` is a documents frame (features are counted with :func:`term_features`) or a
    counts frame with doc_id, term, count (then ``docs`` gives the metadata). The reference
    is every other document, or those whose ``by`` equals ``reference``. Without ``target``
    the column must have exactly two values; the first in sorted order is the target. A
    ``target`` that begins exactly one value selects it (新疆 → 新疆维吾尔自治区); documents
    without a value are left out. Rows are sorted by the chosen ``measure``, most key first.
    """
    if measure not in ("lr", "chi2"):
        raise InputError(f"unknown measure {measure!r}: choose lr (G²) or chi2")
    docs = data if docs is None else docs
    require_column(docs, by)
    side = _sides(docs, by, target, reference)
    counts = term_features(data, lexicon=lexicon, words=words, progress=progress) if "text" in data.columns else data
    counts = counts.assign(side=counts["doc_id"].map(side)).dropna(subset=["side"])
    table = counts.pivot_table(index="term", columns="side", values="count", aggfunc="sum", fill_value=0)
    table = table.reindex(columns=["target", "reference"], fill_value=0)
    table = table[table.sum(axis=1) >= min_count]
    categories = counts.drop_duplicates("term").set_index("term")["category"] if "category" in counts else None
    return keyness_table(table["target"], table["reference"], measure=measure, correction=correction,
                         categories=categories)


def _sides(docs: pd.DataFrame, by: str, target, reference) -> pd.Series:
    values = docs[by].astype(object).where(docs[by].notna(), None)
    present = sorted({v for v in values if v is not None}, key=str)
    if target is None:
        if len(present) != 2:
            raise InputError(f"column {by!r} has {len(present)} values ({_list(present)}); "
                             "choose the target group with --target")
        target = present[0]
    target, reference = _value(present, target, by), (None if reference is None else _value(present, reference, by))
    in_reference = (values == reference) if reference is not None else values.notna()
    side = np.where(values == target, "target", np.where(in_reference, "reference", np.asarray(None)))
    if not (side == "reference").any():
        raise InputError(f"no reference documents: every document with a {by!r} is in the target group")
    return pd.Series(side, index=docs["doc_id"].to_numpy()).dropna()


def _value(present: list, wanted, by: str):
    """The value of ``by`` meant by ``wanted``: equal, equal as text, or the one it begins (新疆 → 新疆维吾尔自治区)."""
    for value in present:
        if value == wanted or str(value) == str(wanted):
            return value
    starting = [value for value in present if str(value).startswith(str(wanted))]
    if len(starting) == 1:
        return starting[0]
    raise InputError(f"no document has {by} = {wanted!r}; values are: {_list(starting or present)}")


def _list(values: list, limit: int = 12) -> str:
    shown = ", ".join(map(str, values[:limit]))
    return shown + (", …" if len(values) > limit else "")


def keyness_table(n_target, n_reference, *, measure: Measure = "lr", correction: Correction = "default",
                  categories: pd.Series | None = None) -> pd.DataFrame:
    """The ``KEYNESS_COLUMNS`` for per-feature counts in target and reference (Series indexed by term).

    >>> t = keyness_table(pd.Series({"x": 10, "y": 20}), pd.Series({"x": 5, "y": 65}), correction="none")
    >>> t.loc[0, "term"], round(float(t.loc[0, "G2"]), 4), round(float(t.loc[0, "log_ratio"]), 4)
    ('x', 10.3264, 2.2224)
    """
    a = np.asarray(n_target, float)
    b = np.asarray(n_reference, float)
    c, d = a.sum() - a, b.sum() - b
    g2, chi2 = _lr(a, b, c, d, correction), _chi2(a, b, c, d, correction)
    stat = g2 if measure == "lr" else chi2
    freq_t = np.where(a > 0, a, 0.5) / max(a.sum(), 1)
    freq_r = np.where(b > 0, b, 0.5) / max(b.sum(), 1)
    terms = pd.Index(n_target.index if hasattr(n_target, "index") else range(len(a)))
    table = pd.DataFrame({
        # pandas-stubs leave out the Series mapper that Index.map takes (pandas documents it)
        "term": terms, "category": terms.map(categories) if categories is not None else None,  # type: ignore[arg-type]
        "G2": g2, "chi2": chi2, "p": [math.erfc(math.sqrt(abs(x) / 2)) for x in stat],
        "log_ratio": np.log2(freq_t / freq_r), "n_target": a.astype("int64"), "n_reference": b.astype("int64"),
    })
    order = np.lexsort((table["term"].to_numpy(), -stat))
    return table.iloc[order].reset_index(drop=True)[KEYNESS_COLUMNS]


def _yates(a, b, c, d):
    n = a + b + c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        small = ((a + b) * (a + c) / n < 5) | ((a + b) * (b + d) / n < 5) | \
                ((a + c) * (c + d) / n < 5) | ((c + d) * (b + d) / n < 5)
    return np.where((np.abs(a * d - b * c) >= n / 2) & small, 0.5, 0.0)


def _williams(a, b, c, d):
    n = a + b + c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        q = 1 + (n / (a + b) + n / (c + d) - 1) * (n / (a + c) + n / (b + d) - 1) / (6 * n)
    return np.where(a * b * c * d == 0, 1.0, q)


def _sign(a, b, c, d):
    n = a + b + c + d
    return np.where(a > (a + b) * (a + c) / n, 1.0, -1.0)


def _chi2(a, b, c, d, correction: str):
    n = a + b + c + d
    delta = _yates(a, b, c, d) if correction in ("default", "yates") else 0.0
    q = _williams(a, b, c, d) if correction == "williams" else 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        value = n * (np.abs(a * d - b * c) - n * delta) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d)) * q
    return np.nan_to_num(value) * _sign(a, b, c, d)


def _lr(a, b, c, d, correction: str):
    n = a + b + c + d
    sign = _sign(a, b, c, d)
    if correction in ("default", "yates"):
        delta = _yates(a, b, c, d) * np.where(a * d - b * c > 0, 1.0, -1.0)
        a, b, c, d = a - delta, b + delta, c + delta, d - delta
    with np.errstate(divide="ignore", invalid="ignore"):
        cells = [x * np.log(x / e + _EPSILON) for x, e in
                 ((a, (a + b) * (a + c) / n), (b, (a + b) * (b + d) / n),
                  (c, (a + c) * (c + d) / n), (d, (b + d) * (c + d) / n))]
    value = 2 * sum(np.nan_to_num(cell) for cell in cells) * sign
    return value / _williams(a, b, c, d) if correction == "williams" else value
