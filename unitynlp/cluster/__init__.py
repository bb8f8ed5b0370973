"""Grouping reports, or their sections, by what they are about; each group named by its terms.

Features are the segmenter's tokens (lexicon terms whole, one-character words kept, domain
stopwords, numbers and punctuation dropped) weighted by TF-IDF, with terms found in more than
80% of the units dropped so boilerplate cannot decide a group. KMeans (default),
agglomerative clustering or NMF topics; k fixed or chosen by silhouette within ``k_range``.
Each cluster is labelled by c-TF-IDF over its units' tokens: nominal words more frequent in
the cluster than elsewhere, never a term found in more than half the units, a place or person
name or an administrative word (省委, 自治区). Past ``stream_threshold`` units a streaming path (hashed features,
MiniBatchKMeans) keeps memory bounded. The same input and seed give identical output.

Sectioning and tokenizing work document by document (:func:`unit_tokens`), so they can run in
worker processes; the model is fitted over the whole corpus in this process.

Frames: ``assignments`` (``ASSIGNMENT_COLUMNS``), ``clusters`` (``CLUSTER_COLUMNS``, numbered
by size, largest first), ``coords`` (``COORD_COLUMNS``, a 2-D map).

>>> from unitynlp.corpus import read_corpus
>>> result = cluster(read_corpus(), k=2, unit="section")   # doctest: +SKIP
>>> result.clusters[["cluster", "size", "label"]]           # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import InputError
from ..runner import Runner
from ..segment import Segmenter, default_segmenter
from .features import df_bounds, label_terms
from .models import METHODS, Method, fit_memory
from .sectioning import SECTION_COLUMNS, sections, split_sections

__all__ = ["cluster", "cluster_units", "unit_tokens", "sections", "split_sections", "parse_k", "ClusterResult",
           "ASSIGNMENT_COLUMNS", "CLUSTER_COLUMNS", "COORD_COLUMNS", "SECTION_COLUMNS"]
ASSIGNMENT_COLUMNS = ["doc_id", "section", "start", "end", "cluster", "label", "score"]
CLUSTER_COLUMNS = ["cluster", "size", "label", "terms", "representatives"]
COORD_COLUMNS = ["doc_id", "section", "cluster", "x", "y"]
Unit = Literal["doc", "section"]
#: more units than this are clustered on the streaming path (kmeans only)
STREAM_THRESHOLD = 20000
LABEL_TERMS = 3       # terms in a cluster's label
TOP_TERMS = 10        # terms in the clusters frame
REPRESENTATIVES = 3   # units listed per cluster
WORKING_MEMORY = 64   # MB scikit-learn may use for a chunk of pairwise distances (silhouette)


@dataclass
class ClusterResult:
    """The three output frames, the k used, and the criterion (silhouette) for each k tried."""
    assignments: pd.DataFrame
    clusters: pd.DataFrame
    coords: pd.DataFrame
    k: int
    scores: dict[int, float] = field(default_factory=dict)
    criterion: str = "silhouette"
    streaming: bool = False

    def summary(self) -> str:
        """One line: the k used and the criterion of every k tried."""
        tried = ", ".join(f"k={k}: {s:.3f}" for k, s in self.scores.items())
        path = " (streaming)" if self.streaming else ""
        edge = "; the largest k tried scored best" if len(self.scores) > 1 and self.k == max(self.scores) else ""
        return f"k={self.k}{path}; {self.criterion}: {tried or 'n/a'}{edge}"



def parse_k(value: str | int) -> int | Literal["auto"]:
    """``'auto'`` or a number of clusters ≥ 2, from a command-line value."""
    if isinstance(value, int) or str(value).strip().isdigit():
        k = int(value)
        if k >= 2:
            return k
    elif str(value).strip().lower() == "auto":
        return "auto"
    raise InputError(f"-k {value}: give a number of clusters of at least 2, or auto")


def cluster(docs: pd.DataFrame, *, k: int | Literal["auto"] = "auto", unit: Unit = "doc",
            method: Method = "kmeans", seed: int = 0, k_range: tuple[int, int] = (2, 10),
            segmenter: Segmenter | None = None, stream_threshold: int = STREAM_THRESHOLD,
            batch_size: int = 2000, progress=None, runner: Runner | None = None) -> ClusterResult:
    """Cluster the documents (``unit='doc'``) or their sections; see the module docs.

    The units and their tokens are made per document (by ``runner``'s workers, if given); the
    model is fitted here, by :func:`cluster_units`.
    """
    check_options(unit=unit, method=method)
    k = parse_k(k)
    units = (runner or Runner()).map(unit_tokens, docs, unit=unit, segmenter=segmenter, progress=progress)
    return cluster_units(units, k=k, unit=unit, method=method, seed=seed, k_range=k_range,
                         stream_threshold=stream_threshold, batch_size=batch_size)


def cluster_units(units: pd.DataFrame, *, k: int | Literal["auto"] = "auto", unit: Unit = "doc",
                  method: Method = "kmeans", seed: int = 0, k_range: tuple[int, int] = (2, 10),
                  stream_threshold: int = STREAM_THRESHOLD, batch_size: int = 2000) -> ClusterResult:
    """Cluster units made already (the ``units`` stage: ``SECTION_COLUMNS`` with ``tokens`` for ``text``)."""
    check_options(unit=unit, method=method)
    k = parse_k(k)
    if k != "auto" and k > len(units):
        raise InputError(f"-k {k} is more than the {len(units)} units to cluster; choose a smaller k"
                         + (" or --unit section" if unit == "doc" else ""))
    from sklearn import config_context

    with config_context(working_memory=WORKING_MEMORY):
        return _cluster(units, k=k, unit=unit, method=method, seed=seed, k_range=k_range,
                        stream_threshold=stream_threshold, batch_size=batch_size)


def check_options(*, unit: str, method: str) -> None:
    """Refuse an unknown unit or method."""
    if unit not in ("doc", "section"):
        raise InputError(f"unknown unit {unit!r}: choose doc or section")
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}: choose one of {', '.join(METHODS)}")


def unit_tokens(docs: pd.DataFrame, *, unit: Unit = "doc", segmenter: Segmenter | None = None,
                progress=None) -> pd.DataFrame:
    """The units of ``docs`` (``SECTION_COLUMNS``) with their feature tokens in place of their text.

    ``tokens`` holds them separated by spaces (a token never holds whitespace): a string per
    unit costs about what its text does, where a list of tokens costs many times more.
    """
    from ..stages import Context, run_stage

    context = Context(given_segmenter=segmenter or default_segmenter(), options={"unit": unit})
    return run_stage(docs, "units", context)


def _cluster(units: pd.DataFrame, *, k, unit, method, seed, k_range, stream_threshold,
             batch_size) -> ClusterResult:
    if len(units) > stream_threshold and method == "kmeans":
        from .stream import fit_stream

        fit, terms = fit_stream(units["tokens"], str.split, k=k, k_range=k_range, seed=seed,
                                batch_size=batch_size)
        return _result(units, fit, terms, unit, streaming=True)
    counts, vocabulary = _counts(units["tokens"])
    X = _tfidf(counts)
    fit = fit_memory(X, k=k, k_range=k_range, method=method, seed=seed)
    return _result(units, fit, _labels(counts, vocabulary, fit.labels, fit.k), unit)


def _counts(tokens: pd.Series):
    """Unit × term counts over the kept vocabulary (sorted), and the vocabulary.

    Each unit's tokens are split only while the vectorizer counts them, so token lists are
    never all held at once.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    min_df, max_df = df_bounds(len(tokens))
    vectorizer = CountVectorizer(analyzer=str.split, token_pattern=None, lowercase=False, min_df=min_df,
                                 max_df=max_df)
    try:
        counts = vectorizer.fit_transform(tokens)
    except ValueError:
        raise InputError("the units have no content words left after removing stopwords and "
                         "boilerplate; give longer or more documents") from None
    return counts, vectorizer.get_feature_names_out()


def _tfidf(counts):
    from sklearn.feature_extraction.text import TfidfTransformer

    return TfidfTransformer(sublinear_tf=True).fit_transform(counts)


def _labels(counts, vocabulary, labels: np.ndarray, k: int) -> list[list[str]]:
    """The distinctive terms of each cluster 0 … k−1 (see :func:`features.label_terms`)."""
    from scipy import sparse

    onehot = sparse.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))),
                               shape=(k, len(labels)))
    present = (counts > 0).astype(float)
    sizes = np.bincount(labels, minlength=k)
    return label_terms(onehot @ counts, np.asarray(present.sum(axis=0)).ravel(),
                       (onehot @ present).toarray(), sizes, vocabulary, len(labels), top=TOP_TERMS)


def _result(units: pd.DataFrame, fit, terms: list[list[str]], unit: Unit, *,
            streaming: bool = False) -> ClusterResult:
    """The output frames, clusters renumbered by size (largest first, ties by first unit)."""
    labels = np.asarray(fit.labels)
    sizes = np.bincount(labels, minlength=len(terms))
    first = {c: i for i, c in reversed(list(enumerate(labels)))}
    old = sorted(first, key=lambda c: (-sizes[c], first[c]))
    new = {int(c): n for n, c in enumerate(old)}
    numbered = np.array([new[int(c)] for c in labels], dtype="int64")
    names = {new[c]: "、".join(terms[c][:LABEL_TERMS]) for c in new}
    scores = np.round(np.asarray(fit.scores, dtype=float), 6)
    keys = list(units["doc_id"] if unit == "doc" else units["doc_id"] + "#" + units["section"].astype(str))
    assignments = pd.DataFrame({
        "doc_id": units["doc_id"].values, "section": units["section"].values,
        "start": units["start"].values, "end": units["end"].values, "cluster": numbered,
        "label": [names[c] for c in numbered], "score": scores}, columns=ASSIGNMENT_COLUMNS)
    clusters = _clusters(labels, scores, new, names, terms, keys)
    xy = np.round(np.asarray(fit.coords, dtype=float), 6) + 0.0  # + 0.0 turns -0.0 into 0.0
    coords = pd.DataFrame({"doc_id": units["doc_id"].values, "section": units["section"].values,
                           "cluster": numbered, "x": xy[:, 0], "y": xy[:, 1]}, columns=COORD_COLUMNS)
    return ClusterResult(assignments, clusters, coords, int(fit.k), dict(fit.criterion),
                         streaming=streaming)


def _clusters(labels: np.ndarray, scores: np.ndarray, new: dict[int, int], names: dict[int, str],
              terms: list[list[str]], keys: list[str]) -> pd.DataFrame:
    """One row per cluster in its new order: size, label, terms, best-scoring units (ties by order)."""
    rows = []
    for c, n in new.items():
        members = np.flatnonzero(labels == c)
        best = members[np.lexsort((members, -scores[members]))][:REPRESENTATIVES]
        rows.append((n, len(members), names[n], " ".join(terms[c]), "|".join(keys[i] for i in best)))
    return pd.DataFrame(rows, columns=CLUSTER_COLUMNS).astype({"cluster": "int64", "size": "int64"})
