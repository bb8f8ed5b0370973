"""Numeral-bearing names that are not facts: lexicon formulas, plans, meetings, place names.

:func:`formula_spans` is the one place the facts stage asks which spans of a simplified text are
formulas (三个离不开, 五个一批, 八项规定 …). The formulas are the numeral-bearing surfaces of the
:class:`~unitynlp.lexicon.Lexicon` in use (the shipped one, or the shipped one merged with user
files: a user's 六个必须 is then no fact either) and the names of ``data/numeral_names.txt``
(三门峡, 六盘水). They match as :meth:`Lexicon.find` matches: punctuation folded, leftmost-longest.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from ..lexicon import Lexicon, normalize_punct
from ..resources import data_text
from .numerals import CN_CHARS

#: plans and meetings: 十四五, 二十届三中全会, 十四届全国人大三次会议 (the parts before a unit)
_N = "[一二三四五六七八九十]"
#: every branch starts with a Chinese numeral, consumed by the leading class (each branch checks it
#: and the character before it by lookbehinds): a leading class lets the scan skip other text fast
PLAN_RE = re.compile(rf"[{CN_CHARS}](?:(?<=十)[一二三四五六七八九]?五(?:规划|时期|期间|以来|”|\")"
              rf"|(?<={_N})(?<!{_N}{_N}){_N}{{0,2}}届(?:[省市区县州]委)?(?:(?:{_N}{{1,3}}次[、，,和及]?){{1,6}}"
              rf"(?:全会|全体会议|会议)|{_N}{{1,3}}中|全国|人大|政协|中央|党代)"
              rf"|(?<![{CN_CHARS}][{CN_CHARS}])[{CN_CHARS}]{{0,3}}(?:次会议|中全会|次全会|次党代会|次代表大会))")


#: compiled formula patterns by lexicon fingerprint: a lexicon unpickled in a worker finds its own
_PATTERNS: dict[str, re.Pattern] = {}
_MAX_PATTERNS = 8


def formula_re(lexicon: Lexicon) -> re.Pattern:
    """The numeral-bearing surfaces of ``lexicon`` and the numeral names, longest first; built once per lexicon."""
    key = lexicon.fingerprint
    pattern = _PATTERNS.get(key)
    if pattern is None:
        if len(_PATTERNS) >= _MAX_PATTERNS:
            _PATTERNS.clear()
        pattern = _PATTERNS[key] = _alternation(_numeral_names() | numeral_surfaces(lexicon))
    return pattern


def numeral_surfaces(lexicon: Lexicon) -> set[str]:
    """Surfaces of ``lexicon`` (canonical forms and variants, punctuation folded) holding a Chinese numeral."""
    return {surface for surface in lexicon.surfaces if not _NUMERAL_CHARS.isdisjoint(surface)}


_NUMERAL_CHARS = frozenset(CN_CHARS)


@cache
def _numeral_names() -> frozenset[str]:
    return frozenset(line.strip() for line in data_text("numeral_names.txt").splitlines()
                     if line.strip() and not line.startswith("#"))


def _alternation(terms: Iterable[str]) -> re.Pattern:
    # Longest first, grouped by first character: the regex engine then tries only the terms that
    # start with the character at hand (the same matches as one flat alternation, ~4x faster).
    by_first: dict[str, list[str]] = {}
    for term in sorted(terms, key=lambda t: (-len(t), t)):  # the same pattern in every process
        by_first.setdefault(term[0], []).append(re.escape(term[1:]))
    if not by_first:
        return re.compile(r"(?!)")
    return re.compile("|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in by_first.items()))


def formula_spans(simplified_text: str, lexicon: Lexicon) -> list[tuple[int, int]]:
    """Spans of ``simplified_text`` that are numeral-bearing formulas, plans or meetings (not facts)."""
    spans = [m.span() for m in formula_re(lexicon).finditer(normalize_punct(simplified_text))]
    spans += [m.span() for m in PLAN_RE.finditer(simplified_text)]
    spans.sort()
    return spans
