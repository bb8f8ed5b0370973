"""The streaming path: hashed TF-IDF features and MiniBatchKMeans over batches, bounded memory.

Pass 1 tokenises one batch at a time, hashes the tokens (``HashingVectorizer``,
``alternate_sign=False``), counts document frequencies and spills the batch's counts to a
temporary folder. Pass 2 weights them by TF-IDF and feeds ``MiniBatchKMeans.partial_fit``
(``k='auto'``: one model per candidate k, chosen by silhouette on the first batch, a random
sample). Pass 3 assigns, scores and sums per-cluster term counts for the c-TF-IDF labels; the
2-D map projects units on the principal axes of the cluster centres. Memory holds one batch,
the models and k × vocabulary counts, whatever the number of units.
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse

from .features import identity, label_terms
from .models import Fit, candidate_ks

N_FEATURES = 2 ** 18
EPOCHS = 2
MAX_DF = 0.8


def fit_stream(texts: pd.Series, tokenizer: Callable[[str], list[str]], *, k: int | Literal["auto"],
               k_range: tuple[int, int], seed: int, batch_size: int = 2000,
               n_features: int = N_FEATURES, progress=None) -> tuple[Fit, list[list[str]]]:
    """Cluster ``texts`` batch by batch; returns the fit and each cluster's label terms."""
    from sklearn.feature_extraction.text import HashingVectorizer

    values = list(texts)
    n = len(values)
    order = np.random.default_rng(seed).permutation(n)
    batches = [np.sort(order[i:i + batch_size]) for i in range(0, n, batch_size)]
    hasher = HashingVectorizer(analyzer=identity, n_features=n_features, alternate_sign=False,
                               norm=None, lowercase=False, dtype=np.float32)
    with tempfile.TemporaryDirectory(prefix="unitynlp-cluster-") as tmp:
        df, names = _spill(values, batches, tokenizer, hasher, Path(tmp), progress)
        idf = np.log((1 + n) / (1 + df)) + 1
        idf[(df > MAX_DF * n) | (df < (2 if n >= 20 else 1))] = 0.0

        def batch(b: int) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
            counts = sparse.load_npz(Path(tmp) / f"{b}.npz").tocsr()
            return counts, _weight(counts, idf)

        model, criterion = _train(batch, len(batches), k=k, k_range=k_range, n=n, seed=seed)
        labels, scores, coords, counts, cluster_df = _assign(batch, batches, model, n)
    keep = np.flatnonzero(idf > 0)
    terms = np.array([names.get(int(i), "") for i in keep], dtype=object)
    sizes = np.bincount(labels, minlength=model.n_clusters)
    label_lists = label_terms(counts[:, keep], df[keep], cluster_df[:, keep].toarray(), sizes,
                              terms, n, top=10)
    return Fit(labels, scores, coords, model.n_clusters, criterion), label_lists


def _spill(texts, batches, tokenizer, hasher, folder: Path, progress):
    """Pass 1: hashed counts of each batch saved to ``folder``; document frequencies; term names."""
    df = np.zeros(hasher.n_features)
    names: dict[int, str] = {}
    seen: set[str] = set()
    for b, rows in enumerate(progress(batches) if progress else batches):
        tokens = [tokenizer(texts[i]) for i in rows]
        counts = hasher.transform(tokens).tocsr()
        df += np.bincount(counts.indices, minlength=hasher.n_features)
        new = sorted({t for unit in tokens for t in unit} - seen)
        if new:
            seen.update(new)
            index = hasher.transform([[t] for t in new]).tocsr().indices
            for term, i in zip(new, index):
                names.setdefault(int(i), term)
        sparse.save_npz(folder / f"{b}.npz", counts)
    return df, names


def _weight(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear TF × IDF, rows L2-normalised (as the in-memory path's TfidfTransformer)."""
    from sklearn.preprocessing import normalize

    X = counts.astype(np.float64)
    X.data = 1 + np.log(X.data)
    return normalize(X @ sparse.diags(idf))


def _train(batch, n_batches: int, *, k, k_range, n: int, seed: int):
    """Pass 2: MiniBatchKMeans.partial_fit over the batches; k by silhouette on batch 0 if auto."""
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.metrics import silhouette_score

    ks = list(candidate_ks(n, k_range)) if k == "auto" else [k]
    models = {kk: MiniBatchKMeans(n_clusters=kk, random_state=seed, n_init=3, batch_size=1024)
              for kk in ks}
    for _ in range(EPOCHS):
        for b in range(n_batches):
            X = batch(b)[1]
            for model in models.values():
                model.partial_fit(X)
    sample = batch(0)[1]
    criterion = {}
    for kk, model in models.items():
        labels = model.predict(sample)
        ok = 1 < len(np.unique(labels)) < sample.shape[0]
        criterion[kk] = round(float(silhouette_score(sample, labels, metric="cosine")), 6) if ok else -1.0
    best = max(ks, key=lambda kk: (criterion[kk], -kk))
    return models[best], criterion


def _assign(batch, batches, model, n: int):
    """Pass 3: cluster, score and map coordinates of each unit; per-cluster counts for labels."""
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import normalize

    centres = normalize(model.cluster_centers_)
    dims = min(2, centres.shape[0] - 1)
    pca = PCA(n_components=dims, svd_solver="full").fit(centres)
    labels, scores, coords = np.zeros(n, dtype="int64"), np.zeros(n), np.zeros((n, 2))
    counts = cluster_df = None
    for b, rows in enumerate(batches):
        raw, X = batch(b)
        assigned = model.predict(X)
        labels[rows] = assigned
        scores[rows] = np.asarray(X @ centres.T)[np.arange(len(rows)), assigned]
        coords[rows, :dims] = X @ pca.components_.T - pca.mean_ @ pca.components_.T
        onehot = sparse.csr_matrix((np.ones(len(rows)), (assigned, np.arange(len(rows)))),
                                   shape=(model.n_clusters, len(rows)))
        part, present = onehot @ raw, onehot @ (raw > 0).astype(np.float32)
        counts = part if counts is None else counts + part
        cluster_df = present if cluster_df is None else cluster_df + present
    assert counts is not None and cluster_df is not None  # fit_stream has at least one batch
    return labels, scores, coords, counts.tocsc(), cluster_df.tocsc()
