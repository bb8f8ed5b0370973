"""Keyword in context: every hit of a term or a regular expression with its surroundings."""
from __future__ import annotations

import re
from typing import Literal

import pandas as pd

from ..convert import Config, get_converter
from ..errors import InputError
from ..lexicon import normalize_punct
from .counting import converted

KWIC_COLUMNS = ["doc_id", "start", "end", "left", "match", "right"]


def kwic(docs: pd.DataFrame, pattern: str, *, regex: bool = False, window: int = 10,
         script: Literal["original", "simplified"] = "original", config: Config = "t2s") -> pd.DataFrame:
    """Hits of ``pattern`` in ``docs`` with ``window`` characters of context each side (``KWIC_COLUMNS``).

    Matching runs on the simplified text; the term or regex is converted too, and a plain
    term matches across punctuation variants (，,、). ``start``/``end`` index the original; the context and match
    are shown in the ``script`` chosen.

    >>> from unitynlp import read_corpus
    >>> kwic(read_corpus(), "六好", window=4).iloc[0][["left", "match", "right"]].tolist()
    ['軍隊好“', '六好', '”主旋律']
    """
    if script not in ("original", "simplified"):
        raise InputError(f"unknown script {script!r}: choose original or simplified")
    if window < 0:
        raise InputError(f"the window must be 0 or more characters, not {window}")
    compiled = _compile(pattern, regex=regex, config=config)
    rows = []
    for doc_id, conv in converted(docs, config=config):
        text = conv.text if regex else normalize_punct(conv.text)
        shown = conv.original if script == "original" else conv.text
        for match in compiled.finditer(text):
            if match.end() == match.start():
                continue
            start, end = conv.to_original(match.start(), match.end())
            s, e = (start, end) if script == "original" else match.span()
            rows.append((doc_id, start, end, shown[max(0, s - window):s], shown[s:e], shown[e:e + window]))
    frame = pd.DataFrame(rows, columns=KWIC_COLUMNS)
    return frame.astype({"start": "int64", "end": "int64"})


def kwic_lines(hits: pd.DataFrame) -> str:
    """One aligned line per hit: ``doc_id:start``, left context, the match in brackets, right context."""
    width = int(hits["left"].str.len().max()) if len(hits) else 0
    flat = {c: hits[c].str.replace(r"\s", " ", regex=True) for c in ("left", "match", "right")}
    return "".join(f"{d}:{s}\t{'　' * (width - len(l))}{l}【{m}】{r}\n" for d, s, l, m, r in
                   zip(hits["doc_id"], hits["start"], flat["left"], flat["match"], flat["right"]))


def _compile(pattern: str, *, regex: bool, config: Config) -> re.Pattern:
    if not pattern:
        raise InputError("give a term or a regular expression to search for")
    if regex:
        try:
            return re.compile(get_converter(config).convert(pattern, script="traditional").text)
        except re.error as exc:
            raise InputError(f"invalid regular expression {pattern!r} ({exc}); "
                             "leave out --regex to search for the plain text") from exc
    simplified = get_converter(config).convert(pattern, script="traditional").text
    return re.compile(re.escape(normalize_punct(simplified)))
