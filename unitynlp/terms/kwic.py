"""Keyword in context: every hit of a term or a regular expression with its surroundings.

Patterns run on the ``regex`` package rather than :mod:`re`: it stops a search after a time limit,
so a user's pattern can fail but never hang the tool, and it avoids much catastrophic backtracking
outright (``(a+)+b`` finishes at once). Its syntax is that of :mod:`re` plus extensions
(``\\p{Han}``, variable-length lookbehind). One difference: ``\\w`` (and so ``\\b``) follows
Unicode's definition of a word character, which leaves out circled and parenthesised numerals
(①, ㈠) that :mod:`re` counts as word characters; write ``[\\w①-⑳]`` to include them.
"""
from __future__ import annotations

from typing import Literal

import pandas as pd
import regex as timed_re

from ..convert import Config, get_converter
from ..errors import InputError
from ..lexicon import normalize_punct
from .counting import converted

KWIC_COLUMNS = ["doc_id", "start", "end", "left", "match", "right"]


def kwic(docs: pd.DataFrame, pattern: str, *, regex: bool = False, window: int = 10,
         script: Literal["original", "simplified"] = "original", config: Config = "t2s",
         timeout: float = 5.0) -> pd.DataFrame:
    """Hits of ``pattern`` in ``docs`` with ``window`` characters of context each side (``KWIC_COLUMNS``).

    Matching runs on the simplified text; the term or regex is converted too, and a plain
    term matches across punctuation variants (，,、). ``start``/``end`` index the original; the context and match
    are shown in the ``script`` chosen. The search of one document stops after ``timeout`` seconds
    of processor time with an :class:`InputError` naming the pattern and the document.

    >>> from unitynlp import read_corpus
    >>> kwic(read_corpus(), "六好", window=4).iloc[0][["left", "match", "right"]].tolist()
    ['軍隊好“', '六好', '”主旋律']
    """
    if script not in ("original", "simplified"):
        raise InputError(f"unknown script {script!r}: choose original or simplified")
    if window < 0:
        raise InputError(f"the window must be 0 or more characters, not {window}")
    if not timeout > 0:
        raise InputError(f"the time limit must be more than 0 seconds, not {timeout}")
    compiled = _compile(pattern, regex=regex, config=config)
    rows = []
    for doc_id, conv in converted(docs, config=config):
        text = conv.text if regex else normalize_punct(conv.text)
        shown = conv.original if script == "original" else conv.text
        for match_start, match_end in _spans(compiled, text, pattern=pattern, doc_id=doc_id, timeout=timeout):
            start, end = conv.to_original(match_start, match_end)
            s, e = (start, end) if script == "original" else (match_start, match_end)
            rows.append((doc_id, start, end, shown[max(0, s - window):s], shown[s:e], shown[e:e + window]))
    frame = pd.DataFrame(rows, columns=KWIC_COLUMNS)
    return frame.astype({"start": "int64", "end": "int64"})


def kwic_lines(hits: pd.DataFrame) -> str:
    """One aligned line per hit: ``doc_id:start``, left context, the match in brackets, right context."""
    width = int(hits["left"].str.len().max()) if len(hits) else 0
    flat = {c: hits[c].str.replace(r"\s", " ", regex=True) for c in ("left", "match", "right")}
    return "".join(f"{d}:{s}\t{'　' * (width - len(left))}{left}【{m}】{r}\n" for d, s, left, m, r in
                   zip(hits["doc_id"], hits["start"], flat["left"], flat["match"], flat["right"]))


def _spans(compiled: timed_re.Pattern, text: str, *, pattern: str, doc_id: str,
           timeout: float) -> list[tuple[int, int]]:
    """The non-empty matches of ``compiled`` in ``text``, or an InputError when it runs out of time."""
    try:
        return [m.span() for m in compiled.finditer(text, timeout=timeout) if m.end() > m.start()]
    except TimeoutError:
        raise InputError(f"the pattern {pattern!r} ran out of time ({timeout:g} s) in document {doc_id!r}: "
                         "simplify it (a repetition inside a repetition, as in (a|aa)+, can backtrack "
                         "without end) or allow more time with --regex-timeout") from None


def _compile(pattern: str, *, regex: bool, config: Config) -> timed_re.Pattern:
    if not pattern:
        raise InputError("give a term or a regular expression to search for")
    simplified = get_converter(config).convert(pattern, script="traditional").text
    if not regex:
        return timed_re.compile(timed_re.escape(normalize_punct(simplified)))
    try:
        return timed_re.compile(simplified, timed_re.VERSION0)
    except timed_re.error as exc:
        raise InputError(f"invalid regular expression {pattern!r} ({exc}); "
                         "leave out --regex to search for the plain text") from exc
