"""The metadata of a corpus folder: ``metadata.csv`` or ``metadata.jsonl``, matched to its documents.

Reading
    ``metadata.csv`` is UTF-8 (a byte-order mark is fine) with a header row; ``metadata.jsonl`` holds
    one JSON object a line. ``id`` is read as ``doc_id`` and ``org_level`` as ``level`` when those
    columns are absent. A CSV row with more fields than the header, or a line that is not a JSON
    object, is malformed: it is skipped. A CSV row with fewer fields is kept, the missing ones empty.
    Both are reported.

Years
    ``year`` becomes an int from ``2020``, ``2020年``, ``2020年度``, ``二〇二三年`` (``零``/``○`` too),
    full-width digits, and dates such as ``2023-06-01``, ``2023/6/1``, ``2023.06``, ``2023年6月1日``
    (see :func:`parse_year`). A value that is none of these is reported and left missing.

Matching
    A row belongs to a document when its ``doc_id`` is the document's id, or else when its ``file``
    names the document's file: the path below the metadata's folder, with or without its suffix
    (``2021/yunnan.txt`` or ``2021/yunnan``), ``\\`` read as ``/`` and ``./`` dropped. A file's row
    gives the file's documents their id (the reports of a compiled file get ``<doc_id>-1``, ``-2`` …)
    and its values, except that a compiled file's reports keep their own headings as titles.
    Columns other than ``doc_id``, ``file`` and ``text`` fill the frame's columns or are appended.

Report
    Each kind of problem is one line on standard error, ``unitynlp: <metadata file>: <what>``, and the
    same line without ``unitynlp:`` in the frame's ``attrs["metadata_report"]`` (a list of strings;
    empty when all is well or there is no metadata). A line gives the count and names the first three:

    - ``2 malformed lines: line 3 (4 fields for a 3-column header; skipped), line 6 (not JSON; skipped)``
    - ``1 unreadable year left empty: line 4 ('去年')``
    - ``2 rows match no document: line 5 (file '2021/gone.txt'), line 7 (doc_id 'a', as on line 2)``
    - ``4 documents have no row: a, b, sub/c and 1 more``

    Rows that match no document are only reported for a whole folder, not for one file of it.
"""
from __future__ import annotations

import csv
import json
import math
import numbers
import posixpath
import re
import sys
from pathlib import Path
from typing import cast

import pandas as pd

from .errors import InputError, printable

METADATA_FILES = ("metadata.csv", "metadata.jsonl")
SHOWN = 3  # problems named in a report line; the rest are counted

_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
_YEAR_FORM = re.compile(
    r"(?P<year>[0-9０-９]{4}|[〇○零一二三四五六七八九]{4})(?:\s*年度?)?"
    r"(?:(?:\s*[-/.]|(?<=[年度]))\s*(?P<month>[0-9０-９]{1,2})\s*月?"
    r"(?:(?:\s*[-/.]|(?<=月))\s*(?P<day>[0-9０-９]{1,2})\s*日?)?)?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")  # a time after a date, as spreadsheets export it


def parse_year(value) -> int | None:
    """The year ``value`` stands for, None when it is empty; ValueError when it is no year.

    >>> [parse_year(v) for v in (2021, "2020年", "二〇二三年", "2023-06-01", "", None)]
    [2021, 2020, 2023, 2023, None, None]
    """
    if value is None or value is pd.NA:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, numbers.Integral):  # numpy's integers too
        return int(value)
    if isinstance(value, numbers.Real):
        if value != value:  # NaN: a missing value in a column of numbers
            return None
        if float(value).is_integer():
            return int(math.trunc(value))  # a Real has __trunc__, not always __int__
        raise ValueError(value)
    if not isinstance(value, str):
        raise ValueError(value)
    text = value.strip()
    if not text:
        return None
    form = _YEAR_FORM.fullmatch(text)
    if form and 1 <= int(form["month"] or 1) <= 12 and 1 <= int(form["day"] or 1) <= 31:
        return int(form["year"].translate(_CN_DIGITS))
    number = float(text)  # other numbers are read as before: "21" is 21, "2021.0" is 2021
    if not number.is_integer():
        raise ValueError(value)
    return int(number)


def read_metadata(folder: Path) -> Metadata | None:
    """``metadata.csv`` or ``metadata.jsonl`` in ``folder``; its problems are printed to stderr."""
    for name in METADATA_FILES:
        path = folder / name
        if not path.exists():
            continue
        try:
            rows, bad = _read_csv(path) if name.endswith(".csv") else _read_jsonl(path)
        except (ValueError, OSError, csv.Error) as exc:  # UnicodeDecodeError is a ValueError
            raise InputError(f"{printable(str(path))}: unreadable metadata ({exc}); it must be UTF-8 "
                             "CSV with a header, or one JSON object a line") from exc
        rows, unreadable = _years(_normalised(rows, path))
        problems = [_line(path, bad, "malformed line", "malformed lines"),
                    _line(path, unreadable, "unreadable year left empty", "unreadable years left empty")]
        meta = Metadata(path, rows, [line for line in problems if line])
        for line in meta.problems:
            print(f"unitynlp: {line}", file=sys.stderr)
        return meta
    return None


def _read_csv(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """The rows of a CSV file indexed by line number (all strings), and its malformed lines."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header, records, lines, bad = None, [], [], []
        start = 1
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(field.strip() for field in record):
                continue  # a blank line, or a row of empty fields as spreadsheets leave
            if header is None:
                header = _unique(record)
                continue
            if len(record) != len(header):
                fate = "skipped" if len(record) > len(header) else "the rest left empty"
                bad.append(f"line {line} ({len(record)} fields for a {len(header)}-column header; {fate})")
                if len(record) > len(header):
                    continue
                record = record + [""] * (len(header) - len(record))
            records.append(record)
            lines.append(line)
    return pd.DataFrame(records, columns=header or [], index=lines, dtype=str), bad


def _unique(header: list[str]) -> list[str]:
    """Header names made unique as pandas makes them (``a``, ``a.1``)."""
    seen: dict[str, int] = {}
    names = []
    for name in header:
        names.append(f"{name}.{seen[name]}" if name in seen else name)
        seen[name] = seen.get(name, 0) + 1
    return names


def _read_jsonl(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """The objects of a JSON Lines file indexed by line number, and its malformed lines."""
    records, lines, bad = [], [], []
    with path.open(encoding="utf-8-sig") as fh:
        for line, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                bad.append(f"line {line} (not JSON: {exc.msg}; skipped)")
                continue
            if not isinstance(record, dict):
                bad.append(f"line {line} (not a JSON object; skipped)")
                continue
            if "\\ud" in text.lower():  # an escaped lone surrogate is no text: show it escaped
                record = {printable(k): printable(v) if isinstance(v, str) else v for k, v in record.items()}
            records.append(record)
            lines.append(line)
    return pd.DataFrame(records, index=lines), bad


def _normalised(rows: pd.DataFrame, path: Path) -> pd.DataFrame:
    """``id`` as ``doc_id``, ``org_level`` as ``level``, ids and files as strings, empty strings missing."""
    if "doc_id" not in rows.columns and "id" in rows.columns:
        rows = rows.rename(columns={"id": "doc_id"})
    if "level" not in rows.columns and "org_level" in rows.columns:
        rows = rows.rename(columns={"org_level": "level"})
    if "doc_id" not in rows.columns and "file" not in rows.columns and not rows.columns.empty:
        raise InputError(f"{printable(str(path))}: needs a 'doc_id' (or 'id') or a 'file' column "
                         "to match documents")
    for key in ("doc_id", "file"):  # JSON ids may be numbers: 3 is "3"
        if key in rows.columns and not pd.api.types.is_string_dtype(rows[key]):
            rows[key] = [str(v) if isinstance(v, numbers.Integral) and not isinstance(v, bool) else v
                         for v in rows[key]]
    return rows.replace({"": pd.NA})


def _years(rows: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``rows`` with ``year`` read by :func:`parse_year`, and the rows whose year could not be read."""
    if "year" not in rows.columns:
        return rows, []
    years, unreadable = [], []
    for line, value in rows["year"].items():
        try:
            years.append(parse_year(value))
        except ValueError:
            years.append(None)
            unreadable.append(f"line {line} ({_quoted(value)})")
    rows = rows.copy()
    rows["year"] = pd.array(years, dtype="Int64")
    return rows, unreadable


def _line(path: Path, items: list[str], one: str, many: str) -> str | None:
    """One report line, ``<path>: 5 <many>: <first three items> and 2 more``; None for no items."""
    if not items:
        return None
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    what = one if len(items) == 1 else many
    return f"{printable(str(path))}: {len(items)} {what}: {', '.join(items[:SHOWN])}{more}"


def _quoted(value) -> str:
    """A value as a report shows it: text in quotes, anything else as Python writes it."""
    return f"'{value}'" if isinstance(value, str) else repr(value)


def _file_keys(name: str) -> list[str]:
    """A ``file`` value as a path below the folder: ``.\\2021\\yunnan.txt`` is ``2021/yunnan.txt``.

    The value with its backslashes kept is a key too: ``\\xb1\\xa8.txt`` names a file as unitynlp shows it.
    """
    slashed = posixpath.normpath(name.strip().replace("\\", "/"))
    kept = posixpath.normpath(name.strip())
    return [slashed] if kept == slashed else [slashed, kept]


class Metadata:
    """The rows of one metadata file, indexed by line number, and which of them met a document."""

    def __init__(self, path: Path, rows: pd.DataFrame, problems: list[str]):
        self.path, self.rows, self.problems = path, rows, problems
        self.ids = dict(self._values("doc_id"))  # line → doc_id
        self.by_id: dict[str, int] = {}
        self.repeats: dict[int, int] = {}  # line → the earlier line with the same doc_id
        for line, doc_id in self.ids.items():
            if doc_id in self.by_id:
                self.repeats[line] = self.by_id[doc_id]
            else:
                self.by_id[doc_id] = line
        self.by_file: dict[str, int] = {}
        for line, name in self._values("file"):
            for key in _file_keys(name):
                self.by_file.setdefault(key, line)
        self.used: set[int] = set()
        self.without_row: list[str] = []

    def _values(self, column: str) -> list[tuple[int, str]]:
        if column not in self.rows.columns:
            return []
        values = [(line, v) for line, v in self.rows[column].items() if isinstance(v, str)]
        return cast("list[tuple[int, str]]", values)  # the rows are indexed by line number

    def file_line(self, rel: str) -> int | None:
        """The line of the row whose ``file`` names ``rel`` (a ``/`` path below the folder)."""
        line = self.by_file.get(rel)
        return line if line is not None else self.by_file.get(posixpath.splitext(rel)[0])

    def doc_id(self, line: int | None) -> str | None:
        """The ``doc_id`` of the row at ``line``, if it has one."""
        return self.ids.get(line) if line is not None else None

    def join(self, docs: pd.DataFrame, places: list[tuple[int | None, bool]]) -> pd.DataFrame:
        """``docs`` filled from their rows; ``places`` holds each document's file row and whether its file split."""
        lines = [self.by_id.get(doc_id, file_line) for doc_id, (file_line, _) in zip(docs["doc_id"], places)]
        self.used.update(line for line in lines if line is not None)
        self.without_row.extend(doc_id for doc_id, line in zip(docs["doc_id"], lines) if line is None)
        keys = pd.Series(lines, index=docs.index, dtype=object)
        part = pd.Series([line is not None and line == file_line and split
                          for line, (file_line, split) in zip(lines, places)], index=docs.index)
        out = docs.copy()
        for column in self.rows.columns.drop(["doc_id", "file", "text"], errors="ignore"):
            values = keys.map(self.rows[column])
            if column == "title" and part.any():  # a compiled file's reports keep their headings
                values = values.mask(part)
            out[column] = values.where(values.notna(), out[column]) if column in out.columns else values
        out["year"] = pd.to_numeric(out["year"], errors="coerce").astype("Int64")
        return out

    def finish(self, *, whole_folder: bool) -> list[str]:
        """Print what matched nothing and return the whole report (see the module docs)."""
        unmatched = [f"line {line} ({self._described(line)})" for line in self.rows.index
                     if line not in self.used] if whole_folder else []
        lines = [_line(self.path, unmatched, "row matches no document", "rows match no document"),
                 _line(self.path, self.without_row, "document has no row", "documents have no row")]
        found = [line for line in lines if line]
        for line in found:
            print(f"unitynlp: {line}", file=sys.stderr)
        return self.problems + found

    def _described(self, line: int) -> str:
        parts = [f"{key} {_quoted(self.rows.at[line, key])}" for key in ("doc_id", "file")
                 if key in self.rows.columns and isinstance(self.rows.at[line, key], str)]
        if line in self.repeats:
            parts[0] += f", as on line {self.repeats[line]}"
        return ", ".join(parts) or "no doc_id or file"
