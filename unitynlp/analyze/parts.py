"""The on-disk parts of a run: each batch's tables encoded once, and the tables read back from them.

A run's work folder holds one sub-folder per finished batch (``batch-00000`` …). In it each
table is stored in parts (a batch's documents, then one part per worker share): a pickle for
the summing up, and for the row tables (:data:`ROW_TABLES`) also the CSV rows and an Arrow IPC
file, from which the results are joined without formatting them again. :class:`StoredTable` is
the interface to such a table; :class:`FrameTable` gives a table in memory the same interface, so
the writers, the report and the figures treat both alike.
"""
from __future__ import annotations

import json
import pickle
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

import pandas as pd

from ..output import frame_text
from ..runner import concat

#: the tables stored with their CSV and Arrow encodings (the others are summed up, not written as they are)
ROW_TABLES = ("documents", "term_hits", "term_counts", "facts")


class Table(Protocol):
    """What the writers and the report need of a table, in memory or on disk."""
    rows: int

    def parts(self) -> Iterable[pd.DataFrame]: ...
    def head(self, n: int) -> pd.DataFrame: ...
    def value_counts(self, column: str) -> pd.Series: ...
    def encoded(self, suffix: str) -> list[Path]: ...


class FrameTable:
    """A table held in memory."""

    def __init__(self, frame: pd.DataFrame):
        self.frame, self.rows = frame, len(frame)

    def parts(self) -> Iterable[pd.DataFrame]:
        return [self.frame]

    def head(self, n: int) -> pd.DataFrame:
        return self.frame.head(n)

    def value_counts(self, column: str) -> pd.Series:
        return self.frame[column].value_counts()

    def encoded(self, suffix: str) -> list[Path]:
        return []


class StoredTable:
    """A table kept in a run's batch folders: its number of rows, head, parts and counts, on demand.

    ``joined``: the head and the parts take the column types of the table joined in memory
    (:func:`joined_types`) rather than each part's own, so the workbook and the report show
    them as they would show the joined table (a metadata column empty throughout one batch has
    another type in that batch's part).
    """

    def __init__(self, work: Path, name: str, *, joined: bool = False):
        self.work, self.name = work, name
        self.rows = sum(sum(json.loads((folder / "rows.json").read_text(encoding="utf-8")).get(name, []))
                        for folder in work.glob("batch-*"))
        self._types = joined_types(read_parts(work, name)) if joined else None

    def parts(self) -> Iterator[pd.DataFrame]:
        if self._types is None:
            return read_parts(self.work, self.name)
        return (part.astype(self._types) for part in read_parts(self.work, self.name))

    def head(self, n: int) -> pd.DataFrame:
        parts, rows = [], 0
        for part in self.parts():  # the first parts may be empty or short
            parts.append(part.head(n - rows))
            rows += len(parts[-1])
            if rows >= n:
                break
        return concat(parts)

    def value_counts(self, column: str) -> pd.Series:
        """The counts of ``column``'s values, one part in memory at a time: summed in order of first
        appearance, then sorted as pandas sorts them (so ties come out in the same order)."""
        counts: dict = {}
        for part in self._columns([column]):
            for value, n in part[column].value_counts(sort=False, dropna=True).items():
                counts[value] = counts.get(value, 0) + n
        return pd.Series(counts, dtype="int64").sort_values(ascending=False)

    def encoded(self, suffix: str) -> list[Path]:
        return part_files(self.work, self.name, suffix)

    def _columns(self, columns: list[str]) -> Iterator[pd.DataFrame]:
        """``columns`` of each part: from the Arrow parts where there are some (memory-mapped, so
        only those columns are read), else from the pickles."""
        paths = part_files(self.work, self.name, "arrow")
        if not paths:
            return read_parts(self.work, self.name, columns)
        import pyarrow as pa

        return (pa.ipc.open_file(pa.memory_map(str(path))).read_all().select(columns).to_pandas() for path in paths)


def as_table(table: pd.DataFrame | StoredTable | FrameTable) -> Table:
    """A table with the :class:`Table` interface."""
    return FrameTable(table) if isinstance(table, pd.DataFrame) else table


def joined_types(parts: Iterable[pd.DataFrame]) -> pd.Series:
    """The column types of ``parts`` once joined (:func:`unitynlp.runner.concat`), from a few rows of
    each: its first row and each column's first value keep what decides a joined type (the part's
    types, whether it is empty, which of its columns hold no value at all)."""
    samples = []
    for part in parts:
        present = part.notna().to_numpy()
        rows = {0, *present.argmax(axis=0)[present.any(axis=0)].tolist()} if len(part) else set()
        samples.append(part.iloc[sorted(rows)])
    return concat(samples).dtypes


# ----------------------------------------------------------------------------- encoding and saving

def encode(name: str, table: pd.DataFrame) -> dict:
    """A table as a batch folder stores it: a pickle, and for the row tables the CSV rows and Arrow."""
    encoded = {"rows": len(table), "pkl": pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)}
    if name not in ROW_TABLES:
        return encoded
    encoded["csv"] = frame_text(table, [str(c) for c in table.columns], "csv").encode("utf-8")
    try:
        import pyarrow as pa
    except ImportError:
        return encoded
    arrow = arrow_table(table)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, arrow.schema) as writer:
        writer.write_table(arrow)
    encoded["arrow"] = sink.getvalue().to_pybytes()
    return encoded


def arrow_table(frame: pd.DataFrame):
    """A pyarrow table whose column types follow the pandas dtypes alone, never the values
    (object and string columns are strings), so every batch of a table has one schema."""
    import pyarrow as pa

    arrays, names = [], []
    for column in frame.columns:
        series = frame[column]
        kind = series.dtype.kind
        if kind in "iu" or str(series.dtype) in ("Int64", "Int32"):
            arrays.append(pa.array(series.astype("Int64"), type=pa.int64(), from_pandas=True))
        elif kind == "f":
            arrays.append(pa.array(series, type=pa.float64(), from_pandas=True))
        elif kind == "b" or str(series.dtype) == "boolean":
            arrays.append(pa.array(series, type=pa.bool_(), from_pandas=True))
        else:
            try:  # strings and missing values: converted by pyarrow at once
                arrays.append(pa.array(series, type=pa.string(), from_pandas=True))
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # other objects (numbers in metadata): as text
                values = [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v)
                          for v in series.tolist()]
                arrays.append(pa.array(values, type=pa.string()))
        names.append(str(column))
    return pa.Table.from_arrays(arrays, names=names)


def save_batch(work: Path, index: int, tables: list[tuple[str, dict]]) -> None:
    """Write one batch's encoded tables (``(name, encoded)`` in order) and count the batch done."""
    folder = work / f"batch-{index:05d}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    rows: dict[str, list[int]] = {}
    for name, encoded in tables:
        number = len(rows.setdefault(name, []))
        rows[name].append(encoded["rows"])
        for suffix in ("pkl", "csv", "arrow"):
            if suffix in encoded:
                (folder / f"{name}.{number:03d}.{suffix}").write_bytes(encoded[suffix])
    write_json(folder / "rows.json", rows)
    manifest = work / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["batches"] = index + 1
    write_json(manifest, data)


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` as JSON, whole or not at all."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


def part_files(work: Path, name: str, suffix: str) -> list[Path]:
    """The part files of table ``name`` in the order of the documents."""
    return [path for folder in sorted(work.glob("batch-*")) for path in sorted(folder.glob(f"{name}.*.{suffix}"))]


def read_parts(work: Path, name: str, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """The pickled parts of table ``name`` in order (only ``columns``, if given)."""
    for path in part_files(work, name, "pkl"):
        table = pd.read_pickle(path)
        yield table[columns] if columns else table


def load(work: Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """Table ``name`` joined from its parts."""
    return concat(list(read_parts(work, name, columns)))
