"""Writing result rows: table, CSV, JSON Lines, JSON, Excel and plain text, atomically; one writer per format.

Files are written to a temporary name beside the target and renamed into place, so a
failed run never leaves a half-written file; an existing file is replaced only with ``force``.
CSV files get a UTF-8 byte-order mark so Excel shows the Chinese; CSV on stdout does not.
Files are created with the permissions the user's umask gives (as any other program's files), and
the hidden temporary file of a run that was killed is removed by the next write of that target.
``analyze`` writes its tables with the same functions: :func:`frame_text` for CSV and
:func:`write_workbook` for Excel.
"""
from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .errors import InputError

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

#: the format an output file's suffix implies (formats: table, csv, jsonl, json, xlsx, text)
SUFFIX_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
                  ".xlsx": "xlsx", ".txt": "text", ".tsv": "csv"}
TABLE_WIDTH = 28  # display columns of a text cell shown in the terminal table


def infer_format(path: str | None, fmt: str | None, default: str) -> str:
    """The explicit format, else the one the output file's suffix implies, else ``default``."""
    if fmt:
        return fmt
    if path and path != "-":
        return SUFFIX_FORMATS.get(os.path.splitext(path)[1].lower(), default)
    return default


def render_records(records: Sequence[dict], columns: Sequence[str], fmt: str) -> str | bytes:
    """Rows (dicts with ``columns``) in ``fmt``; xlsx needs pandas and gives bytes."""
    if fmt != "xlsx":
        return records_text(records, columns, fmt)
    import pandas as pd

    buffer = io.BytesIO()
    write_workbook({"Sheet1": [pd.DataFrame(list(records), columns=list(columns))]}, buffer)
    return buffer.getvalue()


def records_text(records: Sequence[dict], columns: Sequence[str], fmt: str) -> str:
    """:func:`render_records` in a format of text: table, csv, jsonl, json or text."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_csv_cell(r.get(c)) for c in columns] for r in records)
        return buffer.getvalue()
    if fmt in ("jsonl", "json"):
        import json  # not loaded for a table: ``unitynlp facts FILE`` starts fast
    if fmt == "jsonl":
        return "".join(json.dumps(_json_row(r, columns), ensure_ascii=False) + "\n" for r in records)
    if fmt == "json":
        return json.dumps([_json_row(r, columns) for r in records], ensure_ascii=False, indent=1) + "\n"
    if fmt == "table":
        return table(records, columns)
    if fmt == "text":  # one line per row: its first column
        return "".join(f"{r.get(columns[0])}\n" for r in records)
    raise InputError(f"format {fmt!r} is not available here; choose table, csv, jsonl, json or xlsx")


def render(frame: pd.DataFrame, fmt: str) -> str | bytes:
    """A DataFrame in ``fmt`` (bytes for xlsx)."""
    return render_records(frame.to_dict("records"), [str(c) for c in frame.columns], fmt)


def table(records: Sequence[dict], columns: Sequence[str]) -> str:
    """A plain-text table aligned by display width (a Chinese character takes two columns)."""
    if not records:
        return "(no rows)\n"
    cells = [[_table_cell(r.get(c)) for c in columns] for r in records]
    numeric = [all(_is_number(r.get(c)) for r in records) for c in columns]
    widths = [max(_width(str(c)), *(_width(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = []
    for row in [list(map(str, columns)), *cells]:
        parts = [_pad(v, w, right) for v, w, right in zip(row, widths, numeric)]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines) + "\n"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def _is_number(value) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)) or _missing(value)


def _table_cell(value) -> str:
    if _missing(value):
        return ""
    if isinstance(value, (list, tuple)):
        value = "|".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else repr(value)
    text = str(value).replace("\n", "⏎")
    if _width(text) <= TABLE_WIDTH:
        return text
    out, used = [], 0
    for ch in text:
        used += _width(ch)
        if used > TABLE_WIDTH - 1:
            break
        out.append(ch)
    return "".join(out) + "…"


def _missing(value) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    return type(value).__name__ in ("NAType", "NaTType")


def _plain(value):
    """A JSON- and CSV-friendly Python value (numpy scalars, NA and tuples unwrapped)."""
    if _missing(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    return value


def _csv_cell(value):
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(map(str, value))
    return value


def _json_row(row: dict, columns: Sequence[str]) -> dict:
    return {c: _plain(row.get(c)) for c in columns}


def write_text(content: str | bytes, path: str | None, *, force: bool = False, bom: bool = False) -> None:
    """Write to ``path`` atomically, or to stdout when ``path`` is None or ``-``."""
    if path in (None, "-"):
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            sys.stdout.write(content)
        sys.stdout.flush()
        return
    data = content if isinstance(content, bytes) else (("\ufeff" if bom else "") + content).encode("utf-8")
    atomic_write(writable_target(path, force=force), data)


def writable_target(path: str | Path, *, force: bool) -> Path:
    """``path`` as a Path, after checking it may be written: new (or ``force``) in an existing folder."""
    from pathlib import Path

    target = Path(path)
    if target.exists() and not force:
        raise InputError(f"{target}: exists already; choose another file or pass --force to replace it")
    if not target.parent.exists():
        raise InputError(f"{target.parent}: no such folder; create it first")
    return target


@contextlib.contextmanager
def atomic_file(target: Path, mode: str = "wb", **kwargs):
    """A file object on a temporary file beside ``target``, renamed into place when the block ends
    without error and removed otherwise. The temporary name holds this process's id, so a later
    run can tell the leftovers of a killed one (:func:`remove_stale_parts`)."""
    import tempfile  # only a command that writes a file pays for it

    remove_stale_parts(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=target.parent)
    try:
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes it private; the result follows the umask
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def current_umask() -> int:
    """This process's umask (read by setting it and setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def remove_stale_parts(target: Path) -> None:
    """Remove the temporary files of earlier writes of ``target`` whose process has ended (killed runs)."""
    for path in target.parent.glob(f".{target.name}.*.part"):
        pid = path.name[len(target.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _running(int(pid)):
            with contextlib.suppress(OSError):
                path.unlink()


def _running(pid: int) -> bool:
    if sys.platform == "win32":
        return True  # leave them: os.kill would end the process there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def atomic_write(target: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``target`` and rename it into place."""
    with atomic_file(target) as fh:
        fh.write(data)


def write_records(records: Sequence[dict], columns: Sequence[str], path: str | None, fmt: str, *,
                  force: bool = False) -> None:
    """Render rows and write them (CSV files get a byte-order mark for Excel)."""
    write_text(render_records(records, columns, fmt), path, force=force,
               bom=fmt == "csv" and path not in (None, "-"))


def write_frame(frame: pd.DataFrame, path: str | None, fmt: str, *, force: bool = False) -> None:
    """:func:`write_records` for a DataFrame."""
    write_records(frame.to_dict("records"), [str(c) for c in frame.columns], path, fmt, force=force)


STREAMED = ("csv", "jsonl", "text")


def write_chunks(chunks, columns: Sequence[str], path: str | None, fmt: str, *, force: bool = False) -> None:
    """Rows arriving in chunks (DataFrames or lists of dicts), written as they come for CSV and
    JSON Lines, so memory holds one chunk; the other formats are gathered and written at the end.
    A file appears complete or not at all."""
    if fmt not in STREAMED:
        rows: list[dict] = []
        for chunk in chunks:
            rows.extend(_rows(chunk))
        write_records(rows, columns, path, fmt, force=force)
        return
    if path in (None, "-"):
        for i, chunk in enumerate(chunks):
            sys.stdout.write(_render_chunk(chunk, columns, fmt, header=i == 0))
            sys.stdout.flush()
        return
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    with atomic_file(writable_target(path, force=force), "w", encoding=encoding, newline="") as fh:
        wrote = False
        for chunk in chunks:
            fh.write(_render_chunk(chunk, columns, fmt, header=not wrote))
            wrote = True
        if not wrote:
            fh.write(_render_chunk([], columns, fmt, header=True))


def _rows(chunk) -> list[dict]:
    return chunk.to_dict("records") if hasattr(chunk, "to_dict") else list(chunk)


def _render_chunk(chunk, columns: Sequence[str], fmt: str, *, header: bool) -> str:
    """A chunk of a streamed output: a DataFrame, a list of dicts, or text that
    :func:`rendered` made already (without a CSV header)."""
    if isinstance(chunk, str):
        return (records_text([], columns, fmt) if header and fmt == "csv" else "") + chunk
    text = frame_text(chunk, columns, fmt) if hasattr(chunk, "to_dict") else records_text(chunk, columns, fmt)
    if fmt == "csv" and not header:
        text = text.split("\n", 1)[1]
    return text


def render_frame(frame: pd.DataFrame, columns: Sequence[str], fmt: str) -> str | bytes:
    """:func:`render_records` of a DataFrame's rows (bytes for xlsx)."""
    if fmt == "xlsx":
        return render_records(frame.to_dict("records"), columns, fmt)
    return frame_text(frame, columns, fmt)


def frame_text(frame: pd.DataFrame, columns: Sequence[str], fmt: str) -> str:
    """:func:`records_text` of a DataFrame's rows, the same text, column by column for CSV, JSON
    Lines and text (a row dict per row costs several times more on millions of tokens)."""
    if fmt not in STREAMED:
        return records_text(frame.to_dict("records"), columns, fmt)
    cells = [_column(frame[c]) if c in frame.columns else ([None] * len(frame), False) for c in columns]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(zip(*[values if clean else [_csv_cell(v) for v in values] for values, clean in cells]))
        return buffer.getvalue()
    if fmt == "jsonl":
        import json

        plain = [values if clean else [_plain(v) for v in values] for values, clean in cells]
        return "".join(json.dumps(dict(zip(columns, row)), ensure_ascii=False) + "\n" for row in zip(*plain))
    return "".join(f"{v}\n" for v in cells[0][0])  # text: the first column


def _column(series) -> tuple[list, bool]:
    """A column's values as Python objects, and whether they need no conversion (int, bool, or
    strings without a missing value)."""
    import pandas as pd
    from pandas.api.types import infer_dtype

    dtype = series.dtype
    if dtype.kind in "iub":
        clean = not hasattr(dtype, "na_value")
    elif isinstance(dtype, pd.StringDtype):
        clean = not series.hasnans
    else:
        clean = dtype.kind == "O" and infer_dtype(series, skipna=False) == "string"  # a C scan
    return series.tolist(), clean


def rendered(docs: pd.DataFrame, *, stage, columns: Sequence[str], fmt: str, **options) -> dict[str, list[str]]:
    """``stage(docs, **options)`` rendered in ``fmt`` (CSV without its header) for
    :func:`write_chunks`: a worker process can then do the formatting too."""
    text = frame_text(stage(docs, **options), columns, fmt)
    return {"text": [text.split("\n", 1)[1] if fmt == "csv" else text]}


#: a workbook sheet holds at most this many rows (Excel's limit is 1,048,576)
EXCEL_ROWS = 100_000


def write_workbook(sheets: Mapping[str, Iterable[pd.DataFrame]], target: Any) -> None:
    """One sheet per entry of ``sheets`` (its rows given in parts), written row by row with
    xlsxwriter's constant-memory mode, so a workbook costs no memory however long the tables.
    ``target`` is a path or a binary file object."""
    import xlsxwriter

    book = xlsxwriter.Workbook(target if not hasattr(target, "write") else target,
                               {"constant_memory": True, "strings_to_urls": False, "strings_to_formulas": False,
                                "nan_inf_to_errors": True, "in_memory": hasattr(target, "write")})
    try:
        for name, parts in sheets.items():
            sheet = book.add_worksheet(name[:31])
            row = 0
            for chunk in parts:
                if row == 0:
                    sheet.write_row(0, 0, [str(c) for c in chunk.columns])
                    row = 1
                columns = [_column_cells(sheet, chunk[c]) for c in chunk.columns]
                for i in range(len(chunk)):
                    for j, (write, values) in enumerate(columns):
                        if values[i] is not None:
                            write(row, j, values[i])
                    row += 1
    finally:
        book.close()


def _column_cells(sheet, series: pd.Series) -> tuple[Callable, list]:
    """The sheet's method that writes a column's type, and its values (None: a blank cell).

    Typed writes cost much less than ``write_row``, which inspects every value.
    """
    import pandas as pd

    kind = series.dtype.kind
    if kind in "iuf":
        return sheet.write_number, [None if v is pd.NA or v != v else v for v in series.tolist()]  # NaN, NA: blank
    if kind == "b":
        return sheet.write_boolean, series.tolist()
    if isinstance(series.dtype, pd.StringDtype):
        return sheet.write_string, [v if isinstance(v, str) else None for v in series.tolist()]
    return sheet.write, [_xlsx_cell(v) for v in series.tolist()]


def _xlsx_cell(value):
    if _missing(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    if isinstance(value, (list, tuple)):
        return "|".join(map(str, value))
    return value if isinstance(value, (int, float, str, bool)) else str(value)
