"""The curated lexicon of slogans, numbered formulas, campaigns and policy terms.

The shipped file ``data/lexicon.tsv`` has the columns ``LEXICON_COLUMNS`` (``variants`` holds
other surface forms separated by ``|``). User files in the same layout (TSV, or CSV with the
same header) merge with it: a user row with a canonical form already present replaces it.
Matching runs on simplified text through an Aho–Corasick automaton, leftmost-longest, so a
formula inside a longer listed one is not matched (五个一 inside 五个一批).

Every row a file gives is used or reported, naming the file and the line:

- a malformed row is a :class:`~unitynlp.errors.DataFileError`: an unknown column in the header,
  a row with fewer than two columns or with more filled cells than the header names, an empty
  canonical form next to other cells, an unknown category, a canonical form listed twice in one file;
- a canonical form or variant in traditional characters (測試詞) is converted to simplified (测试词)
  as the texts are (OpenCC ``t2s``, with the project's corrections), and a notice on stderr says
  so: the converted form matches traditional and simplified texts alike, where the traditional
  one would never match;
- a surface already listed for another canonical form (the first listed wins) gets a notice.

Blank lines and lines starting with ``#`` are skipped.

>>> lex = default_lexicon()
>>> [(s, e, c) for s, e, c in lex.find("开展五个一活动，落实五个一批")]
[(2, 5, '五个一'), (10, 14, '五个一批')]
"""
from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterable, Sequence
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from .errors import DataFileError, InputError
from .resources import data_text

LEXICON_COLUMNS = ["canonical", "category", "variants", "expansion", "period", "note"]
CATEGORIES = ("numbered_formula", "slogan", "campaign", "policy_term")
SHIPPED = "unitynlp/data/lexicon.tsv"
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
    def load(cls, paths: Sequence[str | Path] = (), *, include_default: bool = True) -> Lexicon:
        """The shipped lexicon (unless ``include_default`` is false) merged with user files."""
        rows = _parse(data_text("lexicon.tsv"), SHIPPED, "\t") if include_default else []
        for path in paths:
            path = Path(path)
            try:
                raw = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"{path}: cannot read lexicon file ({exc}); pass a UTF-8 TSV or CSV") from exc
            rows += _parse(raw, str(path), "," if path.suffix.lower() == ".csv" else "\t")
        last = {row["canonical"]: i for i, row in enumerate(rows)}  # a later row replaces an earlier one
        kept = [row for i, row in enumerate(rows) if last[row["canonical"]] == i]
        _report_shadowed(kept)
        return cls(pd.DataFrame(kept, columns=LEXICON_COLUMNS + ["source"]))

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


def _parse(raw: str, name: str, delimiter: str) -> list[dict]:
    """The rows of one lexicon file as dicts of ``LEXICON_COLUMNS``, ``source`` and ``line``."""
    reader = csv.reader(io.StringIO(raw), delimiter=delimiter,
                        quoting=csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL)
    header = [cell.strip() for cell in next(reader, None) or []]
    _check_header(header, name, delimiter)
    rows = []
    for n, row in enumerate(reader, start=2):
        cells = [cell.strip() for cell in row]
        if any(cells) and not cells[0].startswith("#"):
            rows.append({**_record(cells, header, name, n, delimiter), "source": name, "line": n})
    _simplify(rows, name)
    first_line: dict[str, int] = {}
    for record in rows:
        n = first_line.setdefault(record["canonical"], record["line"])
        if n != record["line"]:
            raise DataFileError(f"{name} lines {n} and {record['line']} both list {record['canonical']!r}: "
                                "keep one row (variants go in one cell, separated by |)")
    return rows


def _check_header(header: list[str], name: str, delimiter: str) -> None:
    if header[:2] != LEXICON_COLUMNS[:2]:
        raise DataFileError(f"{name}: the header must start with 'canonical{delimiter}category' "
                            f"(columns: {', '.join(LEXICON_COLUMNS)})")
    named = [c for c in header if c]  # an unnamed column is allowed while its cells stay empty
    unknown = [c for c in named if c not in LEXICON_COLUMNS]
    if unknown or len(set(named)) < len(named):
        problem = f"unknown column {', '.join(map(repr, unknown))}" if unknown else "a column named twice"
        raise DataFileError(f"{name} line 1: {problem} (columns: {', '.join(LEXICON_COLUMNS)})")


def _record(cells: list[str], header: list[str], name: str, n: int, delimiter: str) -> dict:
    """One row's fields, or a DataFileError naming the line when a cell would be lost or the row dead."""
    sep = "a tab" if delimiter == "\t" else "a comma"
    if len(cells) < 2:
        raise DataFileError(f"{name} line {n}: one column where at least canonical and category are needed, "
                            f"separated by {sep}")
    lost = [i + 1 for i, cell in enumerate(cells) if cell and not (i < len(header) and header[i])]
    if lost:
        raise DataFileError(f"{name} line {n}: column {lost[0]} is not named in the header "
                            f"({', '.join(c for c in header if c)}); separate columns with {sep} and variants with |")
    record = dict(zip(header, cells))
    if not record["canonical"]:
        raise DataFileError(f"{name} line {n}: the canonical form (first column) is empty")
    if record["category"] not in CATEGORIES:
        raise DataFileError(f"{name} line {n}: category {record['category']!r} is not one of {', '.join(CATEGORIES)}")
    return {
        "canonical": record["canonical"],
        "category": record["category"],
        "variants": tuple(v.strip() for v in record.get("variants", "").split("|") if v.strip()),
        "expansion": record.get("expansion", ""),
        "period": record.get("period", ""),
        "note": record.get("note", ""),
    }


def _simplify(rows: list[dict], name: str) -> None:
    """Convert traditional canonical forms and variants in place as texts are converted, with a notice."""
    from .convert import get_converter

    converter = get_converter()
    changed = []
    for row in rows:
        terms = (row["canonical"], *row["variants"])
        simple = [converter.convert(t, script="traditional").text for t in terms]
        changed += [(row["line"], t, s) for t, s in zip(terms, simple) if s != t]
        row["canonical"], row["variants"] = simple[0], tuple(simple[1:])
    if changed:
        shown = "; ".join(f"line {n} {t} → {s}" for n, t, s in changed[:5])
        more = f" and {len(changed) - 5} more" if len(changed) > 5 else ""
        _notice(f"{name}: {len(changed)} term(s) in traditional characters converted to simplified, as the "
                f"texts are before matching ({shown}{more})")


def _report_shadowed(rows: list[dict]) -> None:
    """A notice for each surface that matches as an earlier canonical form (see :attr:`Lexicon.surfaces`)."""
    owner: dict[str, dict] = {}
    for row in rows:
        for surface in (row["canonical"], *row["variants"]):
            first = owner.setdefault(normalize_punct(surface), row)
            if first["canonical"] != row["canonical"]:
                _notice(f"{row['source']} line {row['line']}: {surface!r} (listed for {row['canonical']!r}) is "
                        f"already a form of {first['canonical']!r} ({first['source']} line {first['line']}); "
                        f"its hits count as {first['canonical']!r}")


def _notice(message: str) -> None:
    print(f"unitynlp: {message}", file=sys.stderr)


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
