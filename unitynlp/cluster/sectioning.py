"""Splitting reports into sections at their headings, with offsets into the original text.

A heading is a line that starts with a numbered marker (第N篇/章/部分, 一、, （一）, 1.) or a
short bare title line without sentence-final punctuation (news compilations give their items
such titles). Consecutive heading lines open one section; sections with less than
``min_chars`` of body join the next one; sections longer than ``max_chars`` are cut at
paragraph breaks (line ends). Sections cover their document without gaps.

>>> text = "一、回顾\\n过去一年，经济平稳。\\n二、任务\\n今年要稳增长。\\n"
>>> [(s, e, h) for s, e, h in split_sections(text, min_chars=0)]
[(0, 16, '一、回顾'), (16, 29, '二、任务')]
"""
from __future__ import annotations

import re

import pandas as pd

SECTION_COLUMNS = ["doc_id", "section", "start", "end", "heading", "text"]
_CN = "一二三四五六七八九十百零〇两"
_NUMBERED = re.compile(
    rf"^[ \t\u3000]*(?:第[{_CN}\d]+[篇章部节]|[{_CN}]{{1,3}}[、．.]"
    rf"|[（(][{_CN}\d]{{1,3}}[）)]|\d{{1,2}}[、．.](?!\d))")
_LINE = re.compile(r"[^\n]*(?:\n|$)")
_FINAL = set("。！？；：，、,.;:!?…")
_CLOSERS = "”’」』）)】》\"' \t\u3000"
_SENTENCE = re.compile(r"(?<=[。！？；])")
_HAN = re.compile(r"[\u3400-\u9fff]")
#: longest bare line (characters, spaces excluded) that can be a title
TITLE_MAX = 40


def is_heading(line: str, *, after_break: bool = True) -> bool:
    """Whether ``line`` looks like a heading: a numbered marker, or a short title without final punctuation.

    ``after_break`` says the line before ended a sentence (or was a heading); a bare title
    right after a line cut mid-sentence is taken for the rest of that sentence.
    """
    if _NUMBERED.match(line):
        return True
    body = line.strip().rstrip(_CLOSERS)
    if not after_break or not body or len(re.sub(r"\s", "", body)) > TITLE_MAX or not _HAN.search(body):
        return False
    return body[-1] not in _FINAL


def _ends_sentence(line: str) -> bool:
    body = line.strip().rstrip(_CLOSERS)
    return bool(body) and body[-1] in _FINAL


def split_sections(text: str, *, min_chars: int = 200, max_chars: int = 4000) -> list[tuple[int, int, str]]:
    """``(start, end, heading)`` of the sections of ``text``; see the module docs."""
    spans = _at_headings(text)
    spans = _merge_short(text, spans, min_chars)
    out = []
    for start, end, heading in spans:
        out.extend(_cut_long(text, start, end, heading, max_chars))
    return out


def _at_headings(text: str) -> list[tuple[int, int, str]]:
    """Spans opened by runs of heading lines; a preamble before the first heading is a span too."""
    starts: list[tuple[int, list[str]]] = []
    previous_heading, after_break = False, True
    for m in _LINE.finditer(text):
        line = m.group().rstrip("\r\n")
        if not line.strip():
            continue
        heading = is_heading(line, after_break=after_break)
        after_break = heading or _ends_sentence(line)
        if heading and previous_heading:
            starts[-1][1].append(_title(line))
        elif heading:
            starts.append((m.start(), [_title(line)]))
        previous_heading = heading
        if m.end() == len(text):
            break
    if not starts or starts[0][0] > 0 and text[: starts[0][0]].strip():
        starts.insert(0, (0, []))
    else:
        starts[0] = (0, starts[0][1])
    bounds = [s for s, _ in starts] + [len(text)]
    return [(s, e, " / ".join(h)) for (s, h), e in zip(starts, bounds[1:])]


def _title(line: str) -> str:
    """The heading part of a heading line: up to its first full stop, at most ``TITLE_MAX`` characters."""
    title = _SENTENCE.split(line.strip(), 1)[0]
    return title[:TITLE_MAX]


def _merge_short(text: str, spans: list[tuple[int, int, str]], min_chars: int) -> list[tuple[int, int, str]]:
    """Join each span whose body (text minus heading) is under ``min_chars`` to the next span."""
    out: list[tuple[int, int, str]] = []
    pending = None
    for start, end, heading in spans:
        if pending is not None:
            start, heading = pending[0], " / ".join(h for h in (pending[2], heading) if h)
            pending = None
        body = len(re.sub(r"\s", "", text[start:end])) - len(re.sub(r"\s", "", heading))
        if body < min_chars:
            pending = (start, end, heading)
        else:
            out.append((start, end, heading))
    if pending is not None:
        if out:
            out[-1] = (out[-1][0], pending[1], out[-1][2])
        else:
            out.append(pending)
    return out


def _cut_long(text: str, start: int, end: int, heading: str, max_chars: int) -> list[tuple[int, int, str]]:
    """Cut a span longer than ``max_chars`` at line ends into pieces of at most about ``max_chars``."""
    if end - start <= max_chars:
        return [(start, end, heading)]
    pieces, piece_start = [], start
    for m in _LINE.finditer(text, start, end):
        if m.start() > piece_start and m.end() - piece_start > max_chars:
            pieces.append((piece_start, m.start()))
            piece_start = m.start()
        if m.end() >= end:
            break
    pieces.append((piece_start, end))
    return [(s, e, heading if n == 0 else f"{heading} ({n + 1})" if heading else "")
            for n, (s, e) in enumerate(pieces)]


def sections(docs: pd.DataFrame, *, min_chars: int = 200, max_chars: int = 4000) -> pd.DataFrame:
    """The sections of every document: columns ``SECTION_COLUMNS``, offsets into each text.

    >>> from unitynlp.corpus import read_corpus
    >>> sections(read_corpus()).query("doc_id == 'seed-1'")[["start", "end"]].values.tolist()
    [[0, 1070], [1070, 1757], [1757, 2450]]
    """
    rows = []
    for doc_id, text in zip(docs["doc_id"], docs["text"]):
        for n, (start, end, heading) in enumerate(split_sections(text, min_chars=min_chars,
                                                                 max_chars=max_chars)):
            rows.append((doc_id, n, start, end, heading, text[start:end]))
    frame = pd.DataFrame(rows, columns=SECTION_COLUMNS)
    return frame.astype({"section": "int64", "start": "int64", "end": "int64"})


def whole_docs(docs: pd.DataFrame) -> pd.DataFrame:
    """Each document as one unit, in the layout of :func:`sections` (heading = title)."""
    titles = docs["title"] if "title" in docs.columns else docs["doc_id"]
    frame = pd.DataFrame({"doc_id": docs["doc_id"].values, "section": 0, "start": 0,
                          "end": docs["text"].str.len().values, "heading": titles.fillna("").values,
                          "text": docs["text"].values}, columns=SECTION_COLUMNS)
    return frame.astype({"section": "int64", "start": "int64", "end": "int64"})
