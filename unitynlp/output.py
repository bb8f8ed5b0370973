"""Writing result frames: table, CSV, JSON Lines, JSON, Excel and plain text, atomically.

Files are written to a temporary name beside the target and renamed into place, so a
failed run never leaves a half-written file; an existing file is replaced only with ``force``.
CSV files get a UTF-8 byte-order mark so Excel shows the Chinese; CSV on stdout does not.
"""
from __future__ import annotations

import io
import json
import math
import os
import sys
import tempfile
from pathlib import Path
from typing import Literal

import pandas as pd

from .errors import InputError

Format = Literal["table", "csv", "jsonl", "json", "xlsx", "text"]
SUFFIX_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
                  ".xlsx": "xlsx", ".txt": "text", ".tsv": "csv"}
TABLE_WIDTH = 28  # characters of a text cell shown in the terminal table


def infer_format(path: str | None, fmt: str | None, default: str) -> str:
    """The explicit format, else the one the output file's suffix implies, else ``default``."""
    if fmt:
        return fmt
    if path and path != "-":
        return SUFFIX_FORMATS.get(Path(path).suffix.lower(), default)
    return default


def render(frame: pd.DataFrame, fmt: str) -> str | bytes:
    """``frame`` in ``fmt`` (bytes for xlsx)."""
    if fmt == "csv":
        return frame.to_csv(index=False, lineterminator="\n")
    if fmt == "jsonl":
        return "".join(json.dumps(_record(r), ensure_ascii=False) + "\n" for r in frame.to_dict("records"))
    if fmt == "json":
        return json.dumps([_record(r) for r in frame.to_dict("records")], ensure_ascii=False, indent=1) + "\n"
    if fmt == "xlsx":
        buffer = io.BytesIO()
        frame.to_excel(buffer, index=False)
        return buffer.getvalue()
    if fmt == "table":
        return table(frame)
    raise InputError(f"format {fmt!r} is not available here; choose table, csv, jsonl, json or xlsx")


def table(frame: pd.DataFrame) -> str:
    """A plain-text table for the terminal, long cells shortened."""
    if frame.empty:
        return "(no rows)\n"
    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype == object:
            shown[column] = shown[column].map(_short)
    return shown.to_string(index=False, na_rep="") + "\n"


def _short(value):
    if isinstance(value, str):
        value = value.replace("\n", "⏎")
        return value if len(value) <= TABLE_WIDTH else value[: TABLE_WIDTH - 1] + "…"
    if isinstance(value, (list, tuple)):
        return _short("|".join(map(str, value)))
    return value


def _record(row: dict) -> dict:
    out = {}
    for key, value in row.items():
        if isinstance(value, float) and math.isnan(value):
            value = None
        elif value is pd.NA or value is pd.NaT:
            value = None
        elif hasattr(value, "item"):  # numpy scalar
            value = value.item()
        elif isinstance(value, tuple):
            value = list(value)
        out[key] = value
    return out


def write_text(content: str | bytes, path: str | None, *, force: bool = False, bom: bool = False) -> None:
    """Write to ``path`` atomically, or to stdout when ``path`` is None or ``-``."""
    if path in (None, "-"):
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            sys.stdout.write(content)
        sys.stdout.flush()
        return
    target = Path(path)
    if target.exists() and not force:
        raise InputError(f"{target}: exists already; choose another file or pass --force to replace it")
    if not target.parent.exists():
        raise InputError(f"{target.parent}: no such folder; create it first")
    data = content if isinstance(content, bytes) else (("\ufeff" if bom else "") + content).encode("utf-8")
    atomic_write(target, data)


def atomic_write(target: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``target`` and rename it into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_frame(frame: pd.DataFrame, path: str | None, fmt: str, *, force: bool = False) -> None:
    """Render ``frame`` and write it (CSV files get a byte-order mark for Excel)."""
    content = render(frame, fmt)
    write_text(content, path, force=force, bom=fmt == "csv" and path not in (None, "-"))
