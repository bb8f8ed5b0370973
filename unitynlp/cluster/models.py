"""In-memory clustering of TF-IDF features: KMeans, agglomerative (Ward) or NMF topics.

Documents are embedded with latent semantic analysis (TruncatedSVD of the TF-IDF matrix,
rows L2-normalised) for KMeans and agglomerative clustering; NMF factorises the TF-IDF
matrix itself. Every random step takes the seed, so a run is reproducible.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import sparse

from ..errors import InputError

Method = Literal["kmeans", "agglomerative", "nmf"]
METHODS = ("kmeans", "agglomerative", "nmf")
#: agglomerative clustering holds an n × n distance matrix; above this, use kmeans
AGGLOMERATIVE_MAX = 20000
SILHOUETTE_SAMPLE = 5000
LSA_DIMS = 100


@dataclass
class Fit:
    """What a clustering path returns: per-unit cluster and score, 2-D map, k and its criterion."""
    labels: np.ndarray
    scores: np.ndarray
    coords: np.ndarray
    k: int
    criterion: dict[int, float] = field(default_factory=dict)


def embed(X: sparse.spmatrix, *, seed: int) -> np.ndarray:
    """LSA vectors of the TF-IDF rows, L2-normalised (the dense TF-IDF rows when it is tiny)."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    dims = min(LSA_DIMS, X.shape[1] - 1, X.shape[0] - 1)
    if dims < 2:
        return normalize(X).toarray()
    Z = TruncatedSVD(n_components=dims, algorithm="randomized", n_iter=7, random_state=seed).fit_transform(X)
    return normalize(Z)


def assign(X: sparse.spmatrix, Z: np.ndarray, k: int, method: Method, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Cluster of each unit and its score (cosine to the cluster centre; topic share for NMF)."""
    if method == "kmeans":
        from sklearn.cluster import KMeans

        labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(Z)
    elif method == "agglomerative":
        from sklearn.cluster import AgglomerativeClustering

        if Z.shape[0] > AGGLOMERATIVE_MAX:
            raise InputError(f"agglomerative clustering of {Z.shape[0]} units needs an n×n matrix; "
                             f"use it for at most {AGGLOMERATIVE_MAX} units or choose --method kmeans")
        labels = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(Z)
    elif method == "nmf":
        from sklearn.decomposition import NMF

        W = NMF(n_components=k, init="nndsvda", max_iter=500, random_state=seed).fit_transform(X)
        labels = W.argmax(axis=1)
        return labels, W.max(axis=1) / np.maximum(W.sum(axis=1), 1e-12)
    else:
        raise InputError(f"unknown method {method!r}: choose one of {', '.join(METHODS)}")
    return labels, centre_similarity(Z, labels)


def centre_similarity(Z: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Cosine similarity of each row to the mean of its cluster."""
    scores = np.zeros(len(labels))
    for c in np.unique(labels):
        rows = labels == c
        centre = Z[rows].mean(axis=0)
        norm = np.linalg.norm(centre)
        scores[rows] = Z[rows] @ centre / norm if norm else 0.0
    return scores


def silhouette(Z: np.ndarray, labels: np.ndarray, seed: int) -> float:
    """Mean silhouette (cosine) of a labelling; -1 when it has a single cluster."""
    from sklearn.metrics import silhouette_score

    if len(np.unique(labels)) < 2:
        return -1.0
    sample = SILHOUETTE_SAMPLE if len(labels) > SILHOUETTE_SAMPLE else None
    return float(silhouette_score(Z, labels, metric="cosine", sample_size=sample, random_state=seed))


def coordinates(Z: np.ndarray) -> np.ndarray:
    """2-D map of the rows: their first two principal components (zeros where undefined)."""
    from sklearn.decomposition import PCA

    out = np.zeros((Z.shape[0], 2))
    dims = min(2, Z.shape[0] - 1, Z.shape[1])
    if dims >= 1:
        out[:, :dims] = PCA(n_components=dims, svd_solver="full").fit_transform(Z)
    return out


def fit_memory(X: sparse.spmatrix, *, k: int | Literal["auto"], k_range: tuple[int, int],
               method: Method, seed: int) -> Fit:
    """Cluster the TF-IDF rows ``X`` in memory, choosing k by silhouette when ``k='auto'``."""
    Z = embed(X, seed=seed)
    criterion: dict[int, float] = {}
    if k == "auto":
        best: tuple[int, np.ndarray, np.ndarray] | None = None
        for kk in candidate_ks(X.shape[0], k_range):
            labels, scores = assign(X, Z, kk, method, seed)
            criterion[kk] = round(silhouette(Z, labels, seed), 6)
            if best is None or criterion[kk] > criterion[best[0]]:
                best = (kk, labels, scores)
        assert best is not None  # candidate_ks gives at least one k or raises
        k, labels, scores = best
    else:
        labels, scores = assign(X, Z, k, method, seed)
        if X.shape[0] > k:
            criterion[k] = round(silhouette(Z, labels, seed), 6)
    return Fit(labels, scores, coordinates(Z), k, criterion)


def candidate_ks(n_units: int, k_range: tuple[int, int]) -> range:
    """The k tried by ``k='auto'``: ``k_range`` clipped to 2 … n_units − 1."""
    low, high = k_range
    if low < 2 or high < low:
        raise InputError(f"k range {low}–{high} is empty or below 2; give two numbers low ≤ high, low ≥ 2")
    high = min(high, n_units - 1)
    if high < low:
        raise InputError(f"{n_units} units are too few to choose k in {low}–{k_range[1]}; "
                         "give a corpus with more documents, --unit section, or a fixed -k")
    return range(low, high + 1)
