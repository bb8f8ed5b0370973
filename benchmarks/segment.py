"""Segmentation throughput and agreement: rjieba (default) against jieba, same dictionary.

usage: python benchmarks/segment.py [CORPUS] [--repeat 3]

Prints characters per second (median of --repeat runs) for conversion, for segmentation with
each backend (conversion included, as the library runs it), for a bare ``jieba.lcut`` without
the domain dictionary, and the share of documents whose tokens are identical between backends.
"""
from __future__ import annotations

import argparse
import sys
import time

from _timing import median_time
from unitynlp.convert import get_converter
from unitynlp.corpus import read_corpus
from unitynlp.segment import Segmenter


def timed(fn, texts, repeat):
    """Median seconds of ``fn`` over every text."""
    return median_time(lambda: [fn(text) for text in texts], repeat)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    docs = read_corpus(args.corpus)
    texts = list(docs["text"])
    chars = sum(map(len, texts))
    print(f"corpus: {args.corpus or 'bundled seed'}: {len(texts)} documents, {chars:,} characters")
    converter = get_converter()
    start = time.perf_counter()
    fast, ref = Segmenter(backend="rjieba"), Segmenter(backend="jieba")
    print(f"load both segmenters: {time.perf_counter() - start:.2f} s", file=sys.stderr)
    rows = {
        "convert (t2s + map)": timed(converter.convert, texts, args.repeat),
        "segment rjieba": timed(fast.tokenize, texts, args.repeat),
        "segment jieba": timed(ref.tokenize, texts, args.repeat),
    }
    import jieba  # the peer as users call it: module-level, default dictionary, no conversion

    jieba.initialize()
    rows["jieba.lcut (peer)"] = timed(jieba.lcut, [converter.convert(t).text for t in texts], args.repeat)
    for name, seconds in rows.items():
        print(f"{name:24s} {chars / seconds / 1e6:8.2f} M chars/s  ({seconds:.2f} s)")
    ratio = rows["segment jieba"] / rows["segment rjieba"]
    print(f"rjieba speed-up over jieba (same dictionary): {ratio:.1f}x")
    print(f"default segment vs jieba.lcut: {rows['jieba.lcut (peer)'] / rows['segment rjieba']:.1f}x")
    same = sum(fast.tokenize(t) == ref.tokenize(t) for t in texts)
    total_tokens = sum(len(fast.tokenize(t)) for t in texts)
    print(f"identical tokens: {same}/{len(texts)} documents ({total_tokens:,} tokens)")


if __name__ == "__main__":
    main()
