"""Throughput of ``unitynlp.facts`` next to jionlp's ``extract_money`` on the same text.

usage: python benchmarks/facts.py [CORPUS] [--repeat 3]

CORPUS is anything :func:`unitynlp.corpus.read_corpus` reads (a folder, a file; default: the
bundled corpus), read once outside the timings. Each extractor runs over every document's text
``--repeat`` times; the median wall time gives chars/s.
jionlp is an optional, benchmark-only dependency (``pip install jionlp``): without it the
comparison is skipped with a message. unitynlp extracts every kind of figure (counts, money,
percentages, measures, dates, ratios) with subjects; jionlp's extractor finds money only.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import median_time  # noqa: E402

from unitynlp.corpus import read_corpus  # noqa: E402
from unitynlp.facts import extract_facts  # noqa: E402


def timed(fn, texts: list[str], repeat: int) -> tuple[float, int]:
    """Median wall time of running ``fn`` on every text, and the number of items found."""
    return median_time(lambda: [fn(text) for text in texts], repeat), sum(len(fn(text)) for text in texts)


def jionlp_money():
    """jionlp's ``extract_money``, or None when jionlp is not installed."""
    try:
        import jionlp
    except ImportError:
        return None
    return jionlp.ner.extract_money


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", help="a folder or file read_corpus reads (default: the bundled corpus)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    texts = [text for text in read_corpus(args.corpus)["text"] if text]
    chars = sum(map(len, texts))
    print(f"corpus: {len(texts)} documents, {chars:,} characters, median of {args.repeat} runs")
    extract_facts(texts[0][:2000])  # warm up: OpenCC tables and compiled patterns
    ours, n_ours = timed(extract_facts, texts, args.repeat)
    print(f"unitynlp.facts        {chars / ours:>12,.0f} chars/s  {n_ours:>6} facts (all kinds)")
    money = jionlp_money()
    if money is None:
        print("jionlp.extract_money  skipped: jionlp is not installed (pip install jionlp)")
        return
    money(texts[0][:2000])
    theirs, n_theirs = timed(money, texts, args.repeat)
    print(f"jionlp.extract_money  {chars / theirs:>12,.0f} chars/s  {n_theirs:>6} money mentions")
    print(f"ratio (unitynlp / jionlp): {theirs / ours:.2f}x")


if __name__ == "__main__":
    main()
