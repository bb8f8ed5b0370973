"""Throughput of ``unitynlp.facts`` next to jionlp's ``extract_money`` on the same text.

usage: python benchmarks/facts.py CORPUS [--repeat 3]

CORPUS is a UTF-8 text file or a folder of ``*.txt`` files (searched recursively). Each
extractor runs over every document ``--repeat`` times; the median wall time gives chars/s.
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
from unitynlp.facts import extract_facts  # noqa: E402


def read_texts(corpus: Path) -> list[str]:
    """Every ``*.txt`` under ``corpus`` (or ``corpus`` itself when it is a file)."""
    files = sorted(corpus.rglob("*.txt")) if corpus.is_dir() else [corpus]
    if not files:
        sys.exit(f"{corpus}: no .txt files found; pass a text file or a folder of .txt files")
    return [f.read_text(encoding="utf-8") for f in files]


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
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    texts = read_texts(args.corpus)
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
