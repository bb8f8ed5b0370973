"""Lexicon terms in reports: hits, counts, discovery, expansions, keyness and KWIC.

Matching runs on the simplified text with the lexicon's Aho–Corasick automaton,
leftmost-longest (五个一 inside 五个一批 is not a hit); every hit is mapped back to offsets
in the original text. Each function takes and returns DataFrames with fixed columns:

================= ===========================================================================
``HIT_COLUMNS``   one row per hit: doc_id, term (canonical), category, start, end (original
                  offsets), text (the original surface), expansion (spelled out at the hit)
``COUNT_COLUMNS`` one row per document and term that occurs: count, rate_per_10k characters
``DF_COLUMNS``    one row per term over the corpus: count, n_docs, doc_share, rate_per_10k
``GROUP_COLUMNS`` one row per group value and term (zeros included): as ``DF_COLUMNS``
``DISCOVER_COLUMNS`` candidate formulas and slogans found from the text alone
``KEYNESS_COLUMNS`` G², chi², p, log ratio and counts of each term, target against reference
``KWIC_COLUMNS``  one row per hit of a term or regex with its left and right context
================= ===========================================================================

>>> from unitynlp import read_corpus
>>> counts = count_terms(read_corpus())
>>> int(counts.query("doc_id == 'seed-2' and term == '三个离不开'")["count"].iloc[0])
3
"""
from __future__ import annotations

from .counting import (
                       COUNT_COLUMNS,
                       DF_COLUMNS,
                       GROUP_COLUMNS,
                       HIT_COLUMNS,
                       count_terms,
                       doc_frequency,
                       find_terms,
                       frequency_table,
                       group_counts,
                       term_tables,
)
from .discovery import DISCOVER_COLUMNS, discover
from .expansions import find_expansion
from .keyness import FEATURE_COLUMNS, KEYNESS_COLUMNS, keyness, keyness_table, term_features
from .kwic import KWIC_COLUMNS, kwic

__all__ = ["HIT_COLUMNS", "COUNT_COLUMNS", "DF_COLUMNS", "GROUP_COLUMNS", "DISCOVER_COLUMNS",
           "FEATURE_COLUMNS", "KEYNESS_COLUMNS", "KWIC_COLUMNS", "find_terms", "count_terms",
           "doc_frequency", "group_counts", "term_tables", "frequency_table", "discover", "find_expansion",
           "term_features", "keyness", "keyness_table", "kwic"]
