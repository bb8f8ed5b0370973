"""Segmentation throughput and agreement: jiebac (default) and rjieba against jieba, same dictionary.

usage: python benchmarks/segment.py [CORPUS] [--repeat 3] [--jobs 2]

Prints characters per second (median of --repeat runs), each as a ratio to a bare
``jieba.lcut`` (jieba's own dictionary, on the converted text, one process) measured in the
same run:

* conversion alone;
* each fast backend bare on the converted text, one core: jiebac's joined line of tokens (what
  ``unitynlp segment --format text`` writes) and rjieba's pieces (with jieba's rule for mixed
  runs), no offsets;
* ``Segmenter.tokenize`` with each backend (conversion and offsets included: a list of tuples);
* the token frame (``segment``: columns ``TOKEN_COLUMNS``, default backend) in this process,
  and through ``Runner.map`` with ``--jobs`` worker processes (the frame comes back to this
  process; the runner's workers are started and have built their segmenter before the timing);

and the share of documents whose tokens are identical between each fast backend and jieba.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import jieba_lcut_time, median_time  # noqa: E402

from unitynlp.convert import get_converter  # noqa: E402
from unitynlp.corpus import read_corpus  # noqa: E402
from unitynlp.errors import InputError  # noqa: E402
from unitynlp.runner import Runner  # noqa: E402
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
    # the default segmenter, built here once, as in a long session (each worker builds its own)
    default, ref = default_segmenter(), Segmenter(backend="jieba")
    fast = {}
    for backend in ("jiebac", "rjieba"):
        try:
            fast[backend] = default if default.backend == backend else Segmenter(backend=backend)
        except InputError as exc:
            print(f"{backend}: skipped ({exc})", file=sys.stderr)
    print(f"default backend: {default.backend}")
    rows = {"convert (t2s + map)": median_time(each(converter.convert, texts), args.repeat)}
    if "jiebac" in fast:
        line = fast["jiebac"]._cut.line
        rows["jiebac line, bare"] = median_time(each(lambda t: line(t, True), simplified), args.repeat)
    if "rjieba" in fast:
        rows["rjieba pieces, bare"] = median_time(each(lambda t: fast["rjieba"].pieces(t), simplified), args.repeat)
    for backend, seg in fast.items():
        rows[f"tokenize, {backend}"] = median_time(each(seg.tokenize, texts), args.repeat)
    rows["tokenize, jieba backend"] = median_time(each(ref.tokenize, texts), min(args.repeat, 1))
    rows["token frame, 1 process"] = median_time(lambda: segment(docs, segmenter=default), args.repeat)
    for jobs in (int(n) for n in args.jobs.split(",") if n.strip()):
        with Runner(jobs, min_chars=0) as runner:
            runner.map(segment, docs)  # warm-up: the workers start and build their segmenter
            rows[f"token frame, jobs={jobs}"] = median_time(lambda runner=runner: runner.map(segment, docs),
                                                            args.repeat)
    peer = jieba_lcut_time(simplified, min(args.repeat, 1))  # the peer as users call it
    rows["jieba.lcut (peer)"] = peer
    for name, seconds in rows.items():
        print(f"{name:26s} {chars / seconds / 1e6:8.2f} M chars/s  ({seconds:6.2f} s)  "
              f"{peer / seconds:6.1f}x jieba.lcut")
    reference = [ref.tokenize(t) for t in texts]
    total_tokens = sum(map(len, reference))
    for backend, seg in fast.items():
        same = sum(seg.tokenize(t) == r for t, r in zip(texts, reference))
        print(f"identical tokens, {backend} vs jieba backend: {same}/{len(texts)} documents ({total_tokens:,} tokens)")


if __name__ == "__main__":
    main()
