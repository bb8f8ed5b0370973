"""Features and labels shared by both clustering paths: filtered tokens, TF-IDF, c-TF-IDF labels.

Tokens come from the :class:`~unitynlp.segment.Segmenter` (lexicon terms stay whole, one-character
words are kept); domain stopwords and tokens without a Han character or a two-letter Latin word
(numbers, punctuation) and redaction marks (xx, XXX) are dropped, and so are words whose part of speech in
jieba's dictionary is a function class (numerals, measure words, pronouns, adverbs, conjunctions,
prepositions, particles). Labels take only nominal words (nouns, verbal nouns, idioms,
abbreviations; no place or person names, no administrative words such as 省委) and words jieba
does not know (domain terms from the lexicon among them).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np
from scipy import sparse

from ..segment import Segmenter, stopwords

_WORDLIKE = re.compile(r"[\u3400-\u9fff]|[A-Za-z]{2}")
_REDACTED = re.compile(r"^[xX×*＊]+$")  # names blanked out as xx, XXX, ***
#: a label term may occur in at most this share of all units (boilerplate such as 全省 cannot label)
LABEL_MAX_DF = 0.5


#: jieba part-of-speech tags of words never used as features
FUNCTION_TAGS = frozenset("m mq q r rr rz rg c p u uj ul uv ud ug uz d df dg ad y e o x f k h".split())
#: tags of words a label may use (plus words jieba does not know)
NOMINAL_TAGS = frozenset("n nt nz ng vn an i l j s".split())


#: administrative words that name who reports, not what about; never a label
ADMINISTRATIVE = frozenset("省委 市委 州委 县委 区委 党委 党组 自治区 省政府 市政府 人民政府 人大 政协 常委会 "
                           "人大常委会 代表 委员 同志 报告 会议 决定 意见 通知 省 市 州 县".split())


@lru_cache(maxsize=1)
def word_tags() -> dict[str, str]:
    """Part-of-speech tag of each word of jieba's main dictionary."""
    import jieba

    tags = {}
    with jieba.Tokenizer().get_dict_file() as fh:
        for line in fh:
            parts = line.decode("utf-8").split()
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
    return tags


@lru_cache(maxsize=1)
def dropped_words() -> frozenset[str]:
    """Words never used as features: the domain stopwords and jieba's function words."""
    return stopwords() | {word for word, tag in word_tags().items() if tag in FUNCTION_TAGS}


def is_label_word(term: str) -> bool:
    """Whether ``term`` can name a cluster: a nominal word, or one jieba's dictionary lacks."""
    tag = word_tags().get(term)
    return term not in ADMINISTRATIVE and (tag is None or tag in NOMINAL_TAGS)


def feature_tokenizer(segmenter: Segmenter) -> Callable[[str], list[str]]:
    """A function text → feature tokens (usable as a scikit-learn ``analyzer``)."""
    def tokenize(text: str) -> list[str]:
        return feature_tokens(segmenter.cut(text))

    return tokenize


def feature_tokens(tokens: list[str]) -> list[str]:
    """The tokens kept as clustering features (see the module docs)."""
    drop = dropped_words()
    return [t for t in tokens if t not in drop and _WORDLIKE.search(t) and not _REDACTED.match(t)]


def identity(tokens: list[str]) -> list[str]:
    """The analyzer for pre-tokenised units (a named function so vectorizers pickle)."""
    return tokens


def df_bounds(n_units: int, *, max_df: float = 0.8) -> tuple[int, float]:
    """``(min_df, max_df)`` for ``n_units``: terms in a single unit dropped only from 200 units on."""
    return (2 if n_units >= 200 else 1), (max_df if n_units >= 5 else 1.0)


def label_terms(counts: sparse.csr_matrix | np.ndarray, unit_df: np.ndarray, cluster_df: np.ndarray,
                sizes: np.ndarray, terms: np.ndarray, n_units: int, *, top: int = 10) -> list[list[str]]:
    """The ``top`` most distinctive terms of each cluster by c-TF-IDF, weighted by coverage.

    ``counts`` is clusters × terms (token counts of each cluster's units concatenated),
    ``unit_df`` the number of units holding each term, ``cluster_df`` clusters × terms the
    number of each cluster's units holding it. A term scores tf(t, c) · log(1 + A / f(t))
    (BERTopic's c-TF-IDF; A = mean tokens per cluster, f = corpus frequency) times the share
    of the cluster's units that hold it, and qualifies only if it is more frequent in the
    cluster than in the rest and occurs in at most ``LABEL_MAX_DF`` of all units.
    """
    counts = np.asarray(counts if isinstance(counts, np.ndarray) else counts.todense(), dtype=float)
    cluster_df = np.asarray(cluster_df, dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    freq = counts.sum(axis=0)
    avg = totals.mean() if totals.size else 0.0
    tf = counts / np.maximum(totals, 1)
    ctfidf = tf * np.log1p(avg / np.maximum(freq, 1))
    coverage = cluster_df / np.maximum(sizes[:, None], 1)
    rest = (freq - counts) / np.maximum(totals.sum() - totals, 1)
    generic = unit_df > max(LABEL_MAX_DF * n_units, 1)
    out = []
    for c in range(counts.shape[0]):
        score = ctfidf[c] * coverage[c]
        ok = (counts[c] > 0) & (tf[c] > rest[c]) & ~generic
        idx = [i for i in np.flatnonzero(ok) if is_label_word(str(terms[i]))]
        order = sorted(idx, key=lambda i: (-round(float(score[i]), 12), terms[i]))
        out.append([str(terms[i]) for i in order[:top]])
    return out
