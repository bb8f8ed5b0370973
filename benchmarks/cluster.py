"""Clustering time and peak memory at 1k, 10k and 50k units, in-memory and streaming paths.

usage: python benchmarks/cluster.py [CORPUS] [--sizes 1000 10000 50000] [-k 10]

Units are sections of CORPUS (default: the bundled corpus) sampled with replacement (seed 0),
each made a one-section document. Every size and path runs in a fresh subprocess, which
reports its wall time and its peak resident memory (``ru_maxrss``), both in total and as the
growth over the peak reached before clustering started (reading and sampling the input, and a
warm-up run on 30 units that loads scikit-learn, the dictionaries and the converter).
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time

PATHS = {"memory": 10 ** 12, "streaming": 0}  # stream_threshold that forces each path


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def child(corpus: str | None, size: int, path: str, k: int) -> dict:
    """Cluster ``size`` sampled sections on ``path``; time and memory of the clustering alone."""
    import pandas as pd

    from unitynlp.cluster import cluster, sections
    from unitynlp.corpus import read_corpus

    texts = list(sections(read_corpus(corpus))["text"])
    rng = random.Random(0)
    docs = pd.DataFrame({"doc_id": [f"u{n:06d}" for n in range(size)],
                         "text": [rng.choice(texts) for _ in range(size)]})
    cluster(docs.head(30), k=3, seed=0, stream_threshold=PATHS[path])  # load modules and dictionaries
    before = peak_mb()
    start = time.perf_counter()
    result = cluster(docs, k=k, seed=0, stream_threshold=PATHS[path])
    seconds = time.perf_counter() - start
    return {"size": size, "path": path, "seconds": round(seconds, 2), "peak_mb": round(peak_mb()),
            "growth_mb": round(peak_mb() - before), "chars": int(docs["text"].str.len().sum()),
            "streaming": result.streaming, "largest": int(result.clusters["size"].max())}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--child", nargs=2, metavar=("SIZE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.corpus, int(args.child[0]), args.child[1], args.k)))
        return
    print(f"corpus: {args.corpus or 'bundled seed'}; k = {args.k}; units = sampled sections")
    print(f"{'units':>7} {'path':10} {'chars':>12} {'seconds':>8} {'peak MB':>8} {'growth MB':>10}")
    for size in args.sizes:
        for path in PATHS:
            command = [sys.executable, __file__, *([args.corpus] if args.corpus else []),
                       "-k", str(args.k), "--child", str(size), path]
            out = subprocess.run(command, capture_output=True, text=True)
            if out.returncode:
                print(f"{size:>7} {path:10} failed: {out.stderr.strip().splitlines()[-1]}")
                continue
            row = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{size:>7} {path:10} {row['chars']:>12,} {row['seconds']:>8.1f} "
                  f"{row['peak_mb']:>8} {row['growth_mb']:>10}", flush=True)


if __name__ == "__main__":
    main()
