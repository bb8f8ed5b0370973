"""One report as the stages see it: made once, converted once, matched and segmented at most once.

A :class:`Document` holds a report's original text and metadata. Its conversion to simplified
characters (with the map back to the original), its lexicon hits and its segmenter pieces are
computed the first time a stage asks for them and kept, so the stages that run over one
document (term hits, counts, keyness features, facts, clustering tokens …) share that work
instead of each converting and segmenting the text again.

>>> doc = Document("seed", "堅持三個離不開")
>>> doc.converted.text
'坚持三个离不开'
>>> from unitynlp.lexicon import default_lexicon
>>> doc.hits(default_lexicon())
[(2, 7, '三个离不开')]
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .convert import Config, Converted, get_converter

if TYPE_CHECKING:
    import pandas as pd

    from .lexicon import Lexicon
    from .segment import Segmenter

Hit = tuple[int, int, str]


class Document:
    """A report: ``doc_id``, original ``text`` and ``meta``; conversion, hits and pieces on demand."""

    __slots__ = ("doc_id", "text", "meta", "config", "_converted", "_hits", "_pieces")

    def __init__(self, doc_id: str, text: str, meta: Mapping[str, Any] | None = None, *, config: Config = "t2s"):
        self.doc_id, self.text, self.meta, self.config = doc_id, text, dict(meta or {}), config
        self._converted: Converted | None = None
        self._hits: dict[int, tuple[Lexicon, list[Hit]]] = {}
        self._pieces: dict[int, tuple[Segmenter, list[str]]] = {}

    def __repr__(self) -> str:
        return f"Document({self.doc_id!r}, {self.text[:20]!r}…, {len(self.text)} characters)"

    @property
    def converted(self) -> Converted:
        """The text in simplified characters with the map back to the original (converted once)."""
        if self._converted is None:
            self._converted = get_converter(self.config).convert(self.text)
        return self._converted

    def hits(self, lexicon: Lexicon) -> list[Hit]:
        """``(start, end, canonical)`` of the lexicon's terms in the converted text (matched once per lexicon)."""
        key = id(lexicon)
        if key not in self._hits:  # the lexicon is kept with its hits, so its id is not reused meanwhile
            self._hits[key] = (lexicon, lexicon.find(self.converted.text))
        return self._hits[key][1]

    def pieces(self, segmenter: Segmenter) -> list[str]:
        """The segmenter's pieces of the converted text, whitespace included (segmented once per segmenter)."""
        key = id(segmenter)
        if key not in self._pieces:
            self._pieces[key] = (segmenter, segmenter.pieces(self.converted.text))
        return self._pieces[key][1]

    def tokens(self, segmenter: Segmenter) -> list[str]:
        """The tokens of the converted text, whitespace dropped."""
        return [piece for piece in self.pieces(segmenter) if not piece.isspace()]

    def free_counts(self, segmenter: Segmenter, lexicon: Lexicon) -> dict[str, int]:
        """How often each piece that overlaps no lexicon hit occurs, in order of first appearance.

        From the pieces when another stage has segmented the document already, else counted by
        the segmenter directly (which for the C backend makes no string per piece).
        """
        found = self.hits(lexicon)
        cached = self._pieces.get(id(segmenter))
        if cached is None:
            return segmenter.counts(self.converted.text, skip=found)
        from .segment import outside

        return Counter(outside(cached[1], found))


def documents(docs: pd.DataFrame, *, config: Config = "t2s") -> Iterator[Document]:
    """A :class:`Document` for each row of a documents frame (``doc_id``, ``text`` and metadata)."""
    columns = [c for c in docs.columns if c not in ("doc_id", "text")]
    metadata = zip(*(docs[c].tolist() for c in columns)) if columns else ((),) * len(docs)
    for doc_id, text, values in zip(docs["doc_id"].tolist(), docs["text"].tolist(), metadata):
        yield Document(doc_id, text if isinstance(text, str) else "", dict(zip(columns, values)), config=config)
