"""The curated lexicon of slogans, numbered formulas, campaigns and policy terms.

The shipped file ``data/lexicon.tsv`` has the columns ``LEXICON_COLUMNS`` (``variants`` holds
other surface forms separated by ``|``). User files in the same layout (TSV, or CSV with the
same header) merge with it: a user row with a canonical form already present replaces it.
Matching runs on simplified text through an Aho–Corasick automaton, leftmost-longest, so a
formula inside a longer listed one is not matched (五个一 inside 五个一批).

>>> lex = default_lexicon()
>>> [(s, e, c) for s, e, c in lex.find("开展五个一活动，落实五个一批")]
[(2, 5, '五个一'), (10, 14, '五个一批')]
"""
from __future__ import annotations

import csv
import io
import re
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from .errors import DataFileError, InputError
from .resources import data_text

LEXICON_COLUMNS = ["canonical", "category", "variants", "expansion", "period", "note"]
CATEGORIES = ("numbered_formula", "slogan", "campaign", "policy_term")
_FOLDS = ((",", "，"), ("、", "，"), ("﹐", "，"), ("・", "·"), ("•", "·"), ("‧", "·"),
          ("（", "("), ("）", ")"), ("“", "\""), ("”", "\""), ("「", "\""), ("」", "\""))
_HAN_ONLY = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9]+$")


def normalize_punct(text: str) -> str:
    """One-for-one punctuation folding used for matching (，,、 → ，; （） → (); ・• → ·).

    It never changes the length, so offsets found in the folded text hold for the input.
    """
    for old, new in _FOLDS:  # str.replace is many times faster than str.translate here
        if old in text:
            text = text.replace(old, new)
    return text


class Lexicon:
    """A set of terms with their categories, variants and expansions; see the module docs."""

    def __init__(self, entries: pd.DataFrame):
        self.entries = entries.reset_index(drop=True)

    @classmethod
    def load(cls, paths: Sequence[str | Path] = (), *, include_default: bool = True) -> "Lexicon":
        """The shipped lexicon (unless ``include_default`` is false) merged with user files."""
        frames = [_parse(data_text("lexicon.tsv"), "unitynlp/data/lexicon.tsv", "\t")] if include_default else []
        for path in paths:
            path = Path(path)
            try:
                raw = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"{path}: cannot read lexicon file ({exc}); pass a UTF-8 TSV or CSV") from exc
            frames.append(_parse(raw, str(path), "," if path.suffix.lower() == ".csv" else "\t"))
        if not frames:
            return cls(pd.DataFrame(columns=LEXICON_COLUMNS + ["source"]))
        merged = pd.concat(frames, ignore_index=True).drop_duplicates("canonical", keep="last")
        return cls(merged)

    def __len__(self) -> int:
        return len(self.entries)

    def __getstate__(self) -> dict:  # sent to worker processes without its automaton
        return {"entries": self.entries}

    def __setstate__(self, state: dict) -> None:
        self.entries = state["entries"]

    @cached_property
    def fingerprint(self) -> str:
        """A digest of the entries: equal lexicons have equal fingerprints."""
        import hashlib

        digest = hashlib.sha1()
        for row in self.entries[["canonical", "category", "variants"]].itertuples(index=False):
            digest.update(repr(tuple(row)).encode("utf-8"))
        return digest.hexdigest()[:16]

    @cached_property
    def surfaces(self) -> dict[str, str]:
        """Every matchable surface (punctuation folded) → its canonical form."""
        table: dict[str, str] = {}
        for canonical, variants in zip(self.entries["canonical"], self.entries["variants"]):
            for surface in (canonical, *variants):
                table.setdefault(normalize_punct(surface), canonical)
        return table

    @cached_property
    def _automaton(self):
        import ahocorasick_rs

        surfaces = list(self.surfaces)
        if not surfaces:
            return None, []
        matcher = ahocorasick_rs.AhoCorasick(surfaces, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
        return matcher, [self.surfaces[s] for s in surfaces]

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Leftmost-longest matches in simplified ``text`` as ``(start, end, canonical)``."""
        matcher, canonical = self._automaton
        if matcher is None:
            return []
        return [(start, end, canonical[i]) for i, start, end in matcher.find_matches_as_indexes(normalize_punct(text))]

    def dictionary_words(self) -> list[str]:
        """Surfaces a word segmenter can hold as single tokens (Han characters, letters, digits)."""
        words = {w for c, v in zip(self.entries["canonical"], self.entries["variants"]) for w in (c, *v)}
        return sorted(w for w in words if _HAN_ONLY.match(w) and len(w) > 1)

    @cached_property
    def categories(self) -> dict[str, str]:
        return dict(zip(self.entries["canonical"], self.entries["category"]))

    @cached_property
    def expansions(self) -> dict[str, str]:
        return {c: e for c, e in zip(self.entries["canonical"], self.entries["expansion"]) if e}


def _parse(raw: str, name: str, delimiter: str) -> pd.DataFrame:
    reader = csv.reader(io.StringIO(raw), delimiter=delimiter,
                        quoting=csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL)
    header = next(reader, None)
    if not header or header[:2] != LEXICON_COLUMNS[:2]:
        raise DataFileError(f"{name}: the header must start with 'canonical{delimiter}category' "
                            f"(columns: {', '.join(LEXICON_COLUMNS)})")
    rows = []
    for n, row in enumerate(reader, start=2):
        if not row or not row[0].strip() or row[0].startswith("#"):
            continue
        record = dict(zip(header, (cell.strip() for cell in row)))
        category = record.get("category", "")
        if category not in CATEGORIES:
            raise DataFileError(f"{name} line {n}: category {category!r} is not one of {', '.join(CATEGORIES)}")
        rows.append({
            "canonical": record["canonical"],
            "category": category,
            "variants": tuple(v.strip() for v in record.get("variants", "").split("|") if v.strip()),
            "expansion": record.get("expansion", ""),
            "period": record.get("period", ""),
            "note": record.get("note", ""),
            "source": name,
        })
    return pd.DataFrame(rows, columns=LEXICON_COLUMNS + ["source"])


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The shipped lexicon, loaded once."""
    return Lexicon.load()


def load_lexicon(paths: Iterable[str | Path] = (), *, include_default: bool = True) -> Lexicon:
    """The shipped lexicon merged with ``paths``; cached for the plain default."""
    paths = tuple(paths)
    if not paths and include_default:
        return default_lexicon()
    return Lexicon.load(paths, include_default=include_default)
