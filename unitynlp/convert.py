"""Traditional → simplified conversion with a map from every converted character back to the original.

OpenCC does not report offsets. :class:`Converter` converts the whole text; where the
result has the original's length (nearly always for ``t2s``) the map is the identity. Otherwise
each line whose length changed is aligned character by character against a per-character
conversion, so any span of the converted text maps to the span of the original it came from.

A short post-correction table (``data/corrections.tsv``) fixes OpenCC residue of mainland
official text (著力 → 着力). Its entries keep the length, so the map is not disturbed.

>>> conv = convert("推進民族團結進步,著力培育核心價值觀")
>>> conv.text
'推进民族团结进步,着力培育核心价值观'
>>> conv.to_original(9, 11)
(9, 11)
"""
from __future__ import annotations

import operator
import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Literal

from .errors import DataFileError, InputError
from .resources import data_text

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

Config = Literal["t2s", "hk2s", "tw2s", "tw2sp"]
Script = Literal["auto", "traditional", "simplified"]
CONFIGS: tuple[str, ...] = ("t2s", "hk2s", "tw2s", "tw2sp")
#: a text in which fewer than this share of CJK characters change under t2s is taken as simplified
SIMPLIFIED_THRESHOLD = 0.002
CONVERT_COLUMNS = ["doc_id", "text", "script", "n_changed", "length_changed"]

_MAX_PHRASE = 12  # longer than any OpenCC dictionary phrase
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


class Converted:
    """A converted text and the map back to its original.

    ``starts[i]``/``ends[i]`` are the original span of converted character ``i``; both are
    ``None`` when the map is the identity (the same length, character for character).
    numpy loads only where a map is built.
    """

    __slots__ = ("original", "text", "script", "starts", "ends")

    def __init__(self, original: str, text: str, script: str,
                 starts: np.ndarray | None = None, ends: np.ndarray | None = None):
        self.original, self.text, self.script, self.starts, self.ends = original, text, script, starts, ends

    def __repr__(self) -> str:
        return (f"Converted(original={self.original!r:.40}, text={self.text!r:.40}, script={self.script!r}, "
                f"identity={self.identity})")

    @property
    def identity(self) -> bool:
        return self.starts is None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original span ``[start, end)`` that converted span ``[start, end)`` came from."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            pos = int(self.starts[start]) if start < len(self.starts) else len(self.original)
            return pos, pos
        return int(self.starts[start]), int(self.ends[end - 1])

    def map_spans(self, starts, ends) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised :meth:`to_original` for arrays of converted spans (all non-empty)."""
        import numpy as np

        starts = np.asarray(starts, dtype=np.int64)
        ends = np.asarray(ends, dtype=np.int64)
        if self.starts is None or self.ends is None:
            return starts, ends
        return self.starts[starts], self.ends[ends - 1]


@cache
def _corrections() -> tuple[re.Pattern | None, dict[str, str]]:
    table: dict[str, str] = {}
    for n, line in enumerate(data_text("corrections.tsv").splitlines()[1:], start=2):
        if not line.strip():
            continue
        wrong, right, *_ = line.split("\t")
        if len(wrong) != len(right):
            raise DataFileError(f"corrections.tsv line {n}: {wrong!r} and {right!r} differ in length; "
                                "corrections must keep the length so offsets stay valid")
        table[wrong] = right
    if not table:
        return None, table
    pattern = re.compile("|".join(re.escape(w) for w in sorted(table, key=len, reverse=True)))
    return pattern, table


class Converter:
    """Holds one OpenCC converter; :meth:`convert` is safe to call from many places.

    ``config`` is an OpenCC config name (``t2s`` default; ``hk2s``/``tw2s`` for Hong Kong and
    Taiwan standards; ``tw2sp`` also rewrites phrases and so changes words such as 核心 → 内核).
    ``script='auto'`` leaves text that is already simplified untouched.
    """

    def __init__(self, config: Config = "t2s", *, corrections: bool = True):
        if config not in CONFIGS:
            raise InputError(f"unknown conversion {config!r}: choose one of {', '.join(CONFIGS)}")
        self.config = config
        import opencc

        self._cc = opencc.OpenCC(config)
        self._corrections = corrections

    def convert(self, text: str, *, script: Script = "auto") -> Converted:
        """Convert ``text`` to simplified characters, keeping the map to the original."""
        if script == "simplified" or not text:
            return Converted(text, text, "simplified")
        out = self._cc.convert(text)
        if script == "auto" and _looks_simplified(text, out):
            return Converted(text, text, "simplified")
        if len(out) == len(text):
            return Converted(text, self._correct(out), "traditional")
        return self._convert_aligned(text)

    def _correct(self, text: str) -> str:
        pattern, table = _corrections()
        if not self._corrections or pattern is None:
            return text
        return pattern.sub(lambda m: table[m.group(0)], text)

    def _convert_aligned(self, text: str) -> Converted:
        import numpy as np

        parts, starts, ends = [], [], []
        pos = 0
        for line in text.splitlines(keepends=True):
            out = self._cc.convert(line)
            if len(out) == len(line):
                idx = np.arange(pos, pos + len(line), dtype=np.int64)
                starts.append(idx)
                ends.append(idx + 1)
            else:
                s, e = self._align(line, out)
                starts.append(s + pos)
                ends.append(e + pos)
            parts.append(out)
            pos += len(line)
        return Converted(text, self._correct("".join(parts)), "traditional",
                         np.concatenate(starts) if starts else np.zeros(0, np.int64),
                         np.concatenate(ends) if ends else np.zeros(0, np.int64))

    def _align(self, line: str, out: str) -> tuple[np.ndarray, np.ndarray]:
        """Map ``out`` (OpenCC's conversion of ``line``) back to ``line``, phrase by phrase.

        The shortest original piece whose own conversion continues ``out`` at the current
        position is taken: single characters where they convert alone, whole phrases
        (網際網路 → 互联网) where OpenCC rewrote a phrase.
        """
        import numpy as np

        starts = np.zeros(len(out), np.int64)
        ends = np.zeros(len(out), np.int64)
        i = k = 0
        while i < len(line) and k < len(out):
            for j in range(i + 1, min(len(line), i + _MAX_PHRASE) + 1):
                piece = self._cc.convert(line[i:j])
                if piece and out.startswith(piece, k):
                    break
            else:  # no piece fits: pair one character with one character
                j, piece = i + 1, out[k]
            starts[k:k + len(piece)], ends[k:k + len(piece)] = i, j
            if len(piece) == j - i:  # same length: keep the per-character map
                starts[k:k + len(piece)] = np.arange(i, j)
                ends[k:k + len(piece)] = np.arange(i + 1, j + 1)
            i, k = j, k + len(piece)
        starts[k:], ends[k:] = len(line), len(line)
        return starts, ends


def count_changed(a: str, b: str) -> int:
    """Number of positions where two equally long strings differ."""
    # block by block: equal blocks (most of a simplified text) are compared in C at once
    step = 256
    return sum(sum(map(operator.ne, a[i:i + step], b[i:i + step]))
               for i in range(0, len(a), step) if a[i:i + step] != b[i:i + step])


def _looks_simplified(text: str, converted: str) -> bool:
    if len(text) != len(converted):
        return False
    if text == converted:
        return True
    changed = count_changed(text, converted)
    if changed >= SIMPLIFIED_THRESHOLD * len(text):  # more than any count of CJK characters allows
        return False
    cjk = len(text) - len(_CJK.sub("", text))
    return changed < SIMPLIFIED_THRESHOLD * cjk


@lru_cache(maxsize=8)
def get_converter(config: Config = "t2s", corrections: bool = True) -> Converter:
    """A shared :class:`Converter` per configuration (OpenCC loads its tables once)."""
    return Converter(config, corrections=corrections)


def convert(text: str, *, config: Config = "t2s", script: Script = "auto") -> Converted:
    """Convert one text; see :class:`Converter`."""
    return get_converter(config).convert(text, script=script)


def convert_docs(docs: pd.DataFrame, *, config: Config = "t2s", script: Script = "auto") -> pd.DataFrame:
    """The converted text of each document: columns ``CONVERT_COLUMNS``.

    ``script`` is ``traditional`` or ``simplified`` as detected (or forced), ``n_changed`` the
    number of characters conversion changed, ``length_changed`` whether the map is not the identity.
    """
    import pandas as pd

    converter = get_converter(config)
    rows = []
    for doc_id, text in zip(docs["doc_id"], docs["text"]):
        conv = converter.convert(text, script=script)
        changed = len(conv.text) != len(text)
        n = count_changed(text, conv.text) if not changed else abs(len(conv.text) - len(text))
        rows.append((doc_id, conv.text, conv.script, n, changed))
    return pd.DataFrame(rows, columns=CONVERT_COLUMNS)
