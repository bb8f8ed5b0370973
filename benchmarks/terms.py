"""Throughput of lexicon counting: characters a second, conversion + matching and matching alone.

    python benchmarks/terms.py ../shared/corpora/national_gwr [--repeat 3]

Prints the median of ``--repeat`` runs of each stage (the corpus is read once, outside the timing).
"""
from __future__ import annotations

import argparse

from _timing import median_time

from unitynlp.convert import get_converter
from unitynlp.corpus import read_corpus
from unitynlp.lexicon import load_lexicon, normalize_punct
from unitynlp.terms import count_terms, find_terms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=None, help="corpus folder or file (default: the bundled seed)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    docs = read_corpus(args.corpus)
    lexicon = load_lexicon()
    n_chars = int(docs["text"].str.len().sum())
    converter = get_converter()
    simplified = [converter.convert(text).text for text in docs["text"]]
    lexicon.find("预热")  # build the automaton outside the timing
    stages = {
        "conversion + matching (count_terms)": lambda: count_terms(docs, lexicon=lexicon),
        "conversion + matching + expansions (find_terms)": lambda: find_terms(docs, lexicon=lexicon),
        "conversion alone": lambda: [converter.convert(text) for text in docs["text"]],
        "matching alone (Lexicon.find on simplified text)": lambda: [lexicon.find(text) for text in simplified],
        "  of which punctuation folding (normalize_punct)": lambda: [normalize_punct(text) for text in simplified],
    }
    print(f"{len(docs)} documents, {n_chars:,} characters, {len(lexicon)} lexicon terms, median of {args.repeat}")
    for name, fn in stages.items():
        seconds = median_time(fn, args.repeat)
        print(f"{name:50s} {seconds:8.3f} s  {n_chars / seconds / 1e6:8.2f} M chars/s")


if __name__ == "__main__":
    main()
