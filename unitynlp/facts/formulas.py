"""Numeral-bearing names that are not facts: lexicon formulas, plans, meetings, place names.

:func:`_formula_spans` is the one place the facts stage asks which spans of a simplified text are
formulas (三个离不开, 五个一批, 八项规定 …). It reads the numeral-bearing entries of the shipped
``data/lexicon.tsv`` and the names of ``data/numeral_names.txt`` (三门峡, 六盘水) directly, as
plain text without pandas, so that the facts command stays light.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .. import regexcache
from ..resources import data_text
from .numerals import CN_CHARS

#: plans and meetings: 十四五, 二十届三中全会, 十四届全国人大三次会议 (the parts before a unit)
_N = "[一二三四五六七八九十]"
#: every branch starts with a Chinese numeral, consumed by the leading class (each branch checks it
#: and the character before it by lookbehinds): a leading class lets the scan skip other text fast
PLAN_RE = regexcache.compile(rf"[{CN_CHARS}](?:(?<=十)[一二三四五六七八九]?五(?:规划|时期|期间|以来|”|\")"
                     rf"|(?<={_N})(?<!{_N}{_N}){_N}{{0,2}}届(?:[省市区县州]委)?(?:(?:{_N}{{1,3}}次[、，,和及]?){{1,6}}"
                     rf"(?:全会|全体会议|会议)|{_N}{{1,3}}中|全国|人大|政协|中央|党代)"
                     rf"|(?<![{CN_CHARS}][{CN_CHARS}])[{CN_CHARS}]{{0,3}}(?:次会议|中全会|次全会|次党代会|次代表大会))")


@lru_cache(maxsize=None)
def _formula_re() -> re.Pattern:
    terms = {line.strip() for line in data_text("numeral_names.txt").splitlines()
             if line.strip() and not line.startswith("#")}
    for line in data_text("lexicon.tsv").splitlines()[1:]:
        cells = line.split("\t")
        for term in [cells[0]] + (cells[2].split("|") if len(cells) > 2 else []):
            term = term.strip()
            if term and any(ch in CN_CHARS for ch in term):
                terms.add(term)
    # Longest first, grouped by first character: the regex engine then tries only the terms that
    # start with the character at hand (the same matches as one flat alternation, ~4x faster).
    by_first: dict[str, list[str]] = {}
    for term in sorted(terms, key=lambda t: (-len(t), t)):  # the same pattern in every process
        by_first.setdefault(term[0], []).append(re.escape(term[1:]))
    return regexcache.compile("|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in by_first.items()))


def _formula_spans(simplified_text: str) -> list[tuple[int, int]]:
    """Spans of ``simplified_text`` that are numeral-bearing formulas, plans or meetings (not facts)."""
    spans = [m.span() for m in _formula_re().finditer(simplified_text)]
    spans += [m.span() for m in PLAN_RE.finditer(simplified_text)]
    spans.sort()
    return spans
