"""Segmentation throughput and agreement: rjieba (default) against jieba, same dictionary.

usage: python benchmarks/segment.py [CORPUS] [--repeat 3] [--jobs 2]

Prints characters per second (median of --repeat runs), each as a ratio to a bare
``jieba.lcut`` (jieba's own dictionary, on the converted text, one process) measured in the
same run:

* conversion alone;
* rjieba's pieces of the converted text (the Rust tokenizer with jieba's rule for mixed runs,
  no offsets: the ceiling of one core);
* ``Segmenter.tokenize`` with each backend (conversion and offsets included: a list of tuples);
* the token frame (``segment``: columns ``TOKEN_COLUMNS``) in this process, and through
  ``map_docs`` with ``--jobs`` worker processes (the frame comes back to this process);

and the share of documents whose tokens are identical between the backends.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import median_time  # noqa: E402
from unitynlp.convert import get_converter  # noqa: E402
from unitynlp.corpus import read_corpus  # noqa: E402
from unitynlp.parallel import map_docs  # noqa: E402
from unitynlp.segment import Segmenter, default_segmenter, segment  # noqa: E402


def each(fn, texts):
    return lambda: [fn(text) for text in texts]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", default="2", help="comma-separated worker counts for the token frame")
    args = parser.parse_args()
    docs = read_corpus(args.corpus)
    texts = list(docs["text"])
    chars = sum(map(len, texts))
    print(f"corpus: {args.corpus or 'bundled seed'}: {len(texts)} documents, {chars:,} characters; "
          f"median of {args.repeat}")
    converter = get_converter()
    simplified = [converter.convert(t).text for t in texts]
    # the default segmenter, built here once: forked workers inherit it, as in a long session
    fast, ref = default_segmenter(), Segmenter(backend="jieba")
    rows = {"convert (t2s + map)": median_time(each(converter.convert, texts), args.repeat)}
    if fast.backend == "rjieba":
        rows["rjieba pieces, bare"] = median_time(each(lambda t: fast.pieces(t), simplified), args.repeat)
    rows["tokenize, rjieba"] = median_time(each(fast.tokenize, texts), args.repeat)
    rows["tokenize, jieba backend"] = median_time(each(ref.tokenize, texts), min(args.repeat, 1))
    rows["token frame, 1 process"] = median_time(lambda: segment(docs, segmenter=fast), args.repeat)
    for jobs in (int(n) for n in args.jobs.split(",") if n.strip()):
        rows[f"token frame, jobs={jobs}"] = median_time(lambda: map_docs(segment, docs, jobs=jobs), args.repeat)
    import jieba  # the peer as users call it: module-level, default dictionary, one process

    jieba.setLogLevel(60)
    jieba.initialize()
    peer = median_time(each(jieba.lcut, simplified), min(args.repeat, 1))
    rows["jieba.lcut (peer)"] = peer
    for name, seconds in rows.items():
        print(f"{name:26s} {chars / seconds / 1e6:8.2f} M chars/s  ({seconds:6.2f} s)  {peer / seconds:6.1f}x jieba.lcut")
    same = sum(fast.tokenize(t) == ref.tokenize(t) for t in texts)
    total_tokens = sum(len(fast.cut(t)) for t in texts)
    print(f"identical tokens, rjieba vs jieba backend: {same}/{len(texts)} documents ({total_tokens:,} tokens)")


if __name__ == "__main__":
    main()
