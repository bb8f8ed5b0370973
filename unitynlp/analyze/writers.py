"""Writing the results folder: tables as CSV, Parquet and one workbook, the figures, the report.

The folder is made beside the target under a hidden name and renamed into place, so it appears
complete or not at all. It carries a marker file (:data:`MARKER`): ``--force`` replaces a folder
only when it is an earlier result of unitynlp (or empty), never anything else the user owns, and
never a folder that holds an input or lies inside one. While a run writes, a lock file beside the
target (``.NAME.lock``) tells a second run that another is writing there.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError, UnityNLPError
from ..output import EXCEL_ROWS, current_umask, frame_text, write_workbook
from .parts import arrow_table, as_table

if TYPE_CHECKING:
    import pandas as pd

    from . import Analysis

#: the file that marks a folder as unitynlp's results
MARKER = ".unitynlp-results.json"
PARQUET_ROWS = 100_000  # rows of a Parquet row group, about


def check_target(out_dir: Path, *, force: bool, inputs: Iterable[Path] = ()) -> None:
    """Fail before any work when the results could not, or must not, be written into ``out_dir``."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: is a file; choose a folder for the results")
    if not out_dir.parent.exists():
        raise InputError(f"{out_dir.parent}: no such folder; create it first")
    target = out_dir.resolve()
    for given in inputs:
        source = Path(given).resolve()
        if target == source or source.is_relative_to(target) or target.is_relative_to(source):
            raise InputError(f"{out_dir}: holds or lies inside the corpus {given}; write the results to a "
                             "folder outside it (-o ../results)")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not (out_dir / MARKER).is_file():
            raise InputError(f"{out_dir}: is not empty and holds no unitynlp results; choose a new folder "
                             "(unitynlp replaces only its own earlier results, with --force)")
        if not force:
            raise InputError(f"{out_dir}: holds earlier unitynlp results; choose a new folder or pass "
                             "--force to replace them")


class TargetLock:
    """An exclusive lock on writing ``out_dir`` (a file beside it, created atomically, naming its process).

    A lock whose process has ended (a killed run) is taken over.
    """

    def __init__(self, out_dir: Path):
        self.path = out_dir.with_name(f".{out_dir.name}.lock")
        self.held = False

    def __enter__(self) -> TargetLock:
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                if self._owner_alive():
                    raise InputError(f"{self.path.with_name(self.path.name[1:-5])}: another unitynlp run (process "
                                     f"{self._owner()}) is writing there; wait for it or choose another folder"
                                     ) from None
                self.path.unlink(missing_ok=True)  # a killed run's lock
                continue
            with os.fdopen(fd, "w") as fh:
                fh.write(str(os.getpid()))
            self.held = True
            return self
        raise InputError(f"{self.path}: cannot take the lock; remove the file if no unitynlp run is writing there")

    def __exit__(self, *exc_info) -> None:
        if self.held:
            self.path.unlink(missing_ok=True)
            self.held = False

    def _owner(self) -> int | None:
        try:
            return int(self.path.read_text().strip() or 0) or None
        except (OSError, ValueError):
            return None

    def _owner_alive(self) -> bool:
        from ..output import _running

        owner = self._owner()
        return owner is not None and owner != os.getpid() and _running(owner)


def write_analysis(analysis: Analysis, out_dir: str | Path, *, work: Path | None = None, force: bool = False,
                   title: str = "unitynlp analysis", stage: Callable[[str], None] = lambda name: None) -> Path:
    """Write the tables, figures and report into ``out_dir``, all at once (see the module docs).

    ``work`` is the run's work folder, whose encoded parts the tables are joined from; without it
    the tables are formatted here.
    """
    import tempfile

    out_dir = Path(out_dir)
    check_target(out_dir, force=force)
    own_work = work is None
    if own_work:
        work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".partial", dir=out_dir.parent))
    assert work is not None
    staging = work / "result"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        _write_all(analysis, staging, title=title, stage=stage)
        _replace(staging, out_dir)
    finally:
        if own_work:
            shutil.rmtree(work, ignore_errors=True)
    return out_dir


def _write_all(analysis: Analysis, folder: Path, *, title: str, stage: Callable[[str], None]) -> None:
    """Every file of the results into ``folder``: Parquet, the workbook and the figures in threads
    while the CSV files are written."""
    from .report import report_html

    stage("writing tables, the workbook and figures")
    analysis.notes.extend(workbook_notes(analysis))
    background = []
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        analysis.notes.append('Parquet files skipped: pip install "unitynlp[parquet]" to get them')
    else:
        background.append(_Background("Parquet files", write_parquet, analysis, folder))
    background.append(_Background("workbook", write_analysis_workbook, analysis, folder / "unitynlp.xlsx"))
    figures = _Background("figures", write_figures, analysis, folder)
    write_csv(analysis, folder)
    images, notes = figures.wait()
    analysis.notes.extend(notes)
    stage("writing report")
    (folder / "report.html").write_text(report_html(analysis, images, title=title), encoding="utf-8")
    for process in background:
        process.wait()
    (folder / MARKER).write_text(json.dumps({"tables": list(analysis.tables)}), encoding="utf-8")
    _follow_umask(folder)


def write_csv(analysis: Analysis, folder: Path) -> None:
    """Each table as CSV with a byte-order mark (Excel then reads UTF-8), joined from its encoded parts."""
    (folder / "csv").mkdir()
    for name, frame in analysis.tables.items():
        table = as_table(frame)
        parts: list[Callable[[], bytes]] = [path.read_bytes for path in table.encoded("csv")] or [
            partial(_csv_bytes, part) for part in table.parts()]
        with (folder / "csv" / f"{name}.csv").open("wb") as fh:
            fh.write(b"\xef\xbb\xbf")
            for i, read in enumerate(parts):
                data = read()
                fh.write(data if i == 0 else data[data.index(b"\n") + 1:])  # one header line


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    """A part of a table as UTF-8 CSV, with its header line."""
    return frame_text(frame, [str(c) for c in frame.columns], "csv").encode("utf-8")


def write_parquet(analysis: Analysis, folder: Path) -> None:
    """Each table as Parquet, from the Arrow parts where there are some, in row groups of about
    ``PARQUET_ROWS`` rows (a row group per small part is slow to write and read)."""
    import pyarrow as pa
    from pyarrow import parquet

    (folder / "parquet").mkdir()
    for name, frame in analysis.tables.items():
        table = as_table(frame)
        files = table.encoded("arrow")
        parts = ((pa.ipc.open_file(pa.BufferReader(path.read_bytes())).read_all() for path in files) if files
                 else (arrow_table(part) for part in table.parts()))
        writer, pending, rows = None, [], 0
        try:
            for part in parts:
                writer = writer or parquet.ParquetWriter(folder / "parquet" / f"{name}.parquet", part.schema)
                pending.append(part.cast(writer.schema))
                rows += part.num_rows
                if rows >= PARQUET_ROWS:
                    writer.write_table(pa.concat_tables(pending))
                    pending, rows = [], 0
            if writer is not None and pending:
                writer.write_table(pa.concat_tables(pending))
        finally:
            if writer is not None:
                writer.close()


def workbook_notes(analysis: Analysis) -> list[str]:
    """The notes on tables too long for the workbook (``EXCEL_ROWS``)."""
    return [f"the {name} table ({as_table(table).rows:,} rows) is left out of the workbook; it is in csv/ and parquet/"
            for name, table in analysis.tables.items() if as_table(table).rows > EXCEL_ROWS]


def write_analysis_workbook(analysis: Analysis, path: Path) -> None:
    """One sheet per table, tables longer than ``EXCEL_ROWS`` left out (:func:`workbook_notes` says which)."""
    tables = {name: as_table(table) for name, table in analysis.tables.items()}
    write_workbook({name: table.parts() for name, table in tables.items() if table.rows <= EXCEL_ROWS}, str(path))


def write_figures(analysis: Analysis, folder: Path) -> tuple[dict[str, bytes], list[str]]:
    """PNG and SVG of each figure; returns the PNG bytes for the report, and notes."""
    try:
        from ..plot import cjk_font, render
        cjk_font()
    except UnityNLPError as exc:
        return {}, [f"figures skipped: {exc}"]
    import matplotlib.pyplot as plt

    (folder / "figures").mkdir()
    images = {}
    for name, build in analysis.figures.items():
        fig = build()
        try:
            for fmt, data in render(fig).items():
                (folder / "figures" / f"{name}.{fmt}").write_bytes(data)
            images[name] = (folder / "figures" / f"{name}.png").read_bytes()
        finally:
            plt.close(fig)
    return images, []


class _Background:
    """``fn(*args)`` in a thread while this one goes on; :meth:`wait` returns its result (or raises
    its error, naming ``what``)."""

    def __init__(self, what: str, fn: Callable, *args):
        self.what, self.result, self.error = what, None, None

        def run() -> None:
            try:
                self.result = fn(*args)
            except BaseException as exc:  # noqa: BLE001 (raised again by wait)
                self.error = exc

        self.thread = threading.Thread(target=run, name=f"unitynlp-{what}", daemon=True)
        self.thread.start()

    def wait(self):
        self.thread.join()
        if self.error is not None:
            if isinstance(self.error, UnityNLPError):
                raise self.error
            raise UnityNLPError(f"could not write the {self.what}: {type(self.error).__name__}: {self.error}") \
                from self.error
        return self.result


def _follow_umask(folder: Path) -> None:
    """Give the results the permissions the user's umask gives new files (the work folder is private)."""
    mask = current_umask()
    for root, _, files in os.walk(folder):
        os.chmod(root, 0o777 & ~mask)
        for name in files:
            os.chmod(os.path.join(root, name), 0o666 & ~mask)


def _replace(staging: Path, out_dir: Path) -> None:
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old")
        if old.exists():
            shutil.rmtree(old)
        out_dir.rename(old)
    staging.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
