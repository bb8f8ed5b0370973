"""Reading reports: files, folders, stdin and compiled files, into a documents frame.

The documents frame has the columns ``DOC_COLUMNS`` (then any extra metadata columns):

============== ===========================================================================
doc_id         unique id: metadata ``doc_id``/``id``, else the path below the corpus root
               without suffix; a compiled file's reports get ``-1``, ``-2`` … appended
title          metadata title, else the report's heading, else the file name
year           int or missing
region, level  from metadata, else missing
source         the file the text came from, as given (``-`` for stdin)
source_start   offset of the report in the decoded source file (0 unless split)
source_end     end offset in the decoded source file
encoding       the encoding the file was decoded with
n_chars        ``len(text)``
text           the original text exactly as decoded; never normalised
============== ===========================================================================

A folder's ``metadata.csv`` or ``metadata.jsonl`` is read, matched and reported on as
:mod:`unitynlp.metadata` describes; a single file given directly gets its folder's metadata too.

File names are shown as valid UTF-8 whatever their bytes: a name that is not UTF-8 (a GBK
``报告.txt`` unpacked on Linux) keeps each byte that does not decode as a ``\\xNN`` escape, so
``doc_id``, ``title`` and ``source`` read ``\\xb1\\xa8\\xb8\\xe6`` and every output can be written; the
file itself is read by its real name. Messages naming a path show it the same way.
"""
from __future__ import annotations

import codecs
import io
import os
import re
import sys
from collections import namedtuple
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .errors import EmptyCorpusError, EncodingError, InputError, printable

if TYPE_CHECKING:  # pandas is imported where a frame is built: read_file and decode_bytes work without it
    import pandas as pd

    from .metadata import Metadata

DOC_COLUMNS = ["doc_id", "title", "year", "region", "level", "source", "source_start",
               "source_end", "encoding", "n_chars", "text"]
TEXT_SUFFIXES = (".txt", ".md", ".docx")
#: encodings tried, in order, when a file has no byte-order mark
ENCODINGS = ("utf-8", "gb18030", "big5", "utf-16")
_SAMPLE = 50_000  # characters scored when telling encodings apart
BATCH_CHARS = 5_000_000  # characters per batch when a corpus is read in batches (peak memory follows it)

# A compiled file: reports under headings 第一篇 / 第二篇 … at the start of a line.
_HEADING = re.compile(r"^[ \t\u3000]*第([一二三四五六七八九十百零〇两\d]+)篇(?=[:：\s、.．]|$)", re.M)
# Frequent characters of Chinese prose in both scripts, to tell a right decoding from mojibake.
_COMMON = set("的一是在不了有和人这這中大为為上个個国國我以要他时時来來用们們生到作地于於出就分对對成会會"
              "可主发發年动動同工也能下过過子说說产產种種面而方后後多定行学學法所民得经經十三之进進着等部"
              "度家力里如水化高自二理起小物现現实實加量都两兩体體制机機当當使点點从從业業本去把性好应應开開"
              "合还還因由其些然前外天政四日那社义義事平形相全表间間样樣与與关關各重新内數数正心反明看原又利"
              "比或但质質气氣第向道命此变變条條只没沒结結解问問意建月公无無系军軍很情者最立代想已通并提直题"
              "題党黨程展五果员員革位入常文总總次品式活设設及管特件长長求老头頭基资資边邊流路级級少图圖山统"
              "統接知较較将將组組见見计計别別根论論运運农農指几幾九区區强強放决決西被干做必战戰先回则則任取"
              "据處处府研族团團结結进步工作会議议")


#: a decoded text and the codec that decoded it
Decoded = namedtuple("Decoded", "text encoding")


def decode_bytes(data: bytes, name: str, *, encoding: str | None = None) -> Decoded:
    """Decode a text file's bytes, detecting UTF-8 (with or without BOM), GB18030/GBK, Big5, UTF-16."""
    if encoding:
        try:
            return Decoded(data.decode(encoding), encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise EncodingError(f"{name}: cannot be decoded as {encoding} ({exc}); "
                                "leave out --encoding to let unitynlp detect it") from exc
    if not data.strip():
        raise InputError(f"{name}: the file is empty; remove it or add its text")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return Decoded(data.decode(enc), enc)
            except UnicodeDecodeError as exc:
                raise EncodingError(f"{name}: starts with a {enc.upper()} byte-order mark but is not valid "
                                    f"{enc.upper()} ({exc.reason}); re-save it as UTF-8") from None
    if b"\x00" not in data:
        try:
            return Decoded(data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            pass
    best: Decoded | None = None
    best_score = 0.0
    candidates = ("utf-16-le", "utf-16-be") if b"\x00" in data else ("gb18030", "big5", "utf-16-le", "utf-16-be")
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        sample = text[:_SAMPLE]
        score = _common_share(sample) if _plausible(sample) else 0.0
        if score > best_score:
            best, best_score = Decoded(text, enc), score
    if best is None or best_score < 0.05:
        if b"\x00" in data:
            raise InputError(f"{name}: looks like a binary file, not text; unitynlp reads "
                             ".txt, .md and .docx reports")
        raise EncodingError(f"{name}: not UTF-8, GB18030/GBK, Big5 or UTF-16 text; convert it to "
                            "UTF-8 or pass --encoding NAME (Python codec name)")
    return best


def _plausible(text: str) -> bool:
    """Few control characters and private-use code points: a sign of a right decoding."""
    bad = sum(1 for ch in text if (ch < " " and ch not in "\n\r\t\f") or "\ue000" <= ch <= "\uf8ff")
    return bad <= 0.01 * len(text)


def _common_share(text: str) -> float:
    cjk = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if not cjk:
        return 1.0 if text.isascii() else 0.0
    return sum(ch in _COMMON for ch in cjk) / len(cjk)


def read_docx(data: bytes, name: str) -> str:
    """The paragraphs of a .docx file, one per line (tabs and line breaks kept)."""
    import zipfile  # imported here: reading plain text files does not need them
    from xml.etree import ElementTree

    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = ElementTree.fromstring(archive.read("word/document.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise InputError(f"{name}: not a readable .docx file ({exc}); re-save it from Word "
                         "or export it as .txt") from exc
    lines = []
    for para in root.iter(f"{ns}p"):
        parts = []
        for node in para.iter():
            if node.tag == f"{ns}t":
                parts.append(node.text or "")
            elif node.tag == f"{ns}tab":
                parts.append("\t")
            elif node.tag in (f"{ns}br", f"{ns}cr"):
                parts.append("\n")
        lines.append("".join(parts))
    return "\n".join(lines)


def split_compiled(text: str) -> list[tuple[int, int, str]]:
    """Reports of a compiled file as ``(start, end, heading)``; one span if it has < 2 headings."""
    heads = list(_HEADING.finditer(text))
    if len(heads) < 2:
        return [(0, len(text), "")]
    bounds = [m.start() for m in heads] + [len(text)]
    spans = []
    if text[: bounds[0]].strip():  # a preface before the first heading stays a document of its own
        spans.append((0, bounds[0], ""))
    for m, start, end in zip(heads, bounds, bounds[1:]):
        line_end = text.find("\n", start, end)
        heading = text[m.end(): line_end if line_end >= 0 else end].lstrip(":： \t").strip()
        spans.append((start, end, heading))
    return spans


def _docs_of_text(text: str, *, doc_id: str, source: str, encoding: str,
                  split: bool) -> list[dict]:
    spans = split_compiled(text) if split else [(0, len(text), "")]
    many = len(spans) > 1
    docs = []
    for n, (start, end, heading) in enumerate(spans, start=1):
        body = text[start:end]
        docs.append({"doc_id": f"{doc_id}-{n}" if many else doc_id,
                     "title": heading or _first_line(body) or doc_id,
                     "year": None, "region": None, "level": None, "source": source,
                     "source_start": start, "source_end": end, "encoding": encoding,
                     "n_chars": len(body), "text": body})
    return docs


def _first_line(text: str) -> str:
    stripped = text.lstrip()  # the first line is then not blank; 2,000 characters hold its first 80
    return stripped[:2000].splitlines()[0].strip()[:80] if stripped else ""


def read_file(path: str | Path, *, doc_id: str | None = None, encoding: str | None = None,
              split: bool = True) -> list[dict]:
    """The documents of one file (several if it is a compiled file and ``split``).

    ``source`` is the path as given (a :class:`~pathlib.Path` shows it normalised), made
    :func:`printable`, as is the default ``doc_id`` (the file name without suffix).
    """
    path = os.fsdecode(os.fspath(path))
    shown = printable(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file or folder") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot be read ({exc.strerror}); check its permissions") from None
    stem, suffix = os.path.splitext(os.path.basename(shown))
    if suffix.lower() == ".docx":
        text, enc = read_docx(data, shown), "docx"
        if not text.strip():
            raise InputError(f"{shown}: the document has no text")
    else:
        text, enc = decode_bytes(data, shown, encoding=encoding)
        if not text.strip():
            raise InputError(f"{shown}: the file is empty; remove it or add its text")
    return _docs_of_text(text, doc_id=doc_id or stem, source=shown, encoding=enc, split=split)


def _collect(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*")
                  if p.suffix.lower() in TEXT_SUFFIXES and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def read_folder(folder: str | Path, *, encoding: str | None = None, split: bool = True,
                on_error: Literal["raise", "warn"] = "warn", progress=None) -> pd.DataFrame:
    """Every .txt/.md/.docx file below ``folder``, with metadata joined when present."""
    return next(iter_folder(folder, encoding=encoding, split=split, on_error=on_error,
                            progress=progress, batch_chars=None))


def iter_folder(folder: str | Path, *, encoding: str | None = None, split: bool = True,
                on_error: Literal["raise", "warn"] = "warn", progress=None,
                batch_chars: int | None = BATCH_CHARS) -> Iterator[pd.DataFrame]:
    """The documents below ``folder`` in frames of about ``batch_chars`` characters (None: one frame).

    Files are read as the batches are consumed, so memory holds one batch (and one file) at a time.
    A full batch is handed on once the next file is read, so the last frame always comes after
    the loop and carries the whole metadata report in ``attrs["metadata_report"]``.
    """
    from .metadata import read_metadata

    folder = Path(folder)
    files = _collect(folder)
    meta = read_metadata(folder)
    batch, full, skipped, seen = _Batch(), None, [], False
    for path in (progress(files) if progress else files):
        rel = printable(path.relative_to(folder).as_posix())
        line = meta.file_line(rel) if meta is not None else None
        doc_id = (meta.doc_id(line) if meta is not None else None) or rel.rsplit(".", 1)[0]
        try:
            found = read_file(path, doc_id=doc_id, encoding=encoding, split=split)
        except InputError as exc:
            if on_error == "raise":
                raise
            skipped.append(str(exc))
            print(f"unitynlp: skipped {exc}", file=sys.stderr)
            continue
        if full is not None:
            yield full.frame(meta)
            full = None
        batch.add(found, line)
        seen = True
        if batch_chars is not None and batch.size >= batch_chars:
            full, batch = batch.close(skipped), _Batch()
    if not seen:
        raise EmptyCorpusError(f"{printable(str(folder))}: no readable .txt, .md or .docx report in this folder"
                               + (f" ({len(skipped)} skipped)" if skipped else ""))
    last = full if full is not None else batch.close(skipped)
    frame = last.frame(meta)
    if meta is not None:
        frame.attrs["metadata_report"] = meta.finish(whole_folder=True)
    yield frame


class _Batch:
    """Documents read for one frame, with the metadata row of each one's file."""

    def __init__(self) -> None:
        self.docs: list[dict] = []
        self.places: list[tuple[int | None, bool]] = []  # (line of the file's row, whether the file split)
        self.size = 0
        self.skipped: list[str] = []

    def add(self, found: list[dict], line: int | None) -> None:
        self.docs.extend(found)
        self.places.extend([(line, len(found) > 1)] * len(found))
        self.size += sum(d["n_chars"] for d in found)

    def close(self, skipped: list[str]) -> _Batch:
        self.skipped = list(skipped)  # the files skipped so far, as the frame will tell
        return self

    def frame(self, meta: Metadata | None) -> pd.DataFrame:
        frame = _frame(self.docs)
        if meta is not None:
            frame = meta.join(frame, self.places)
        frame.attrs["skipped"] = self.skipped
        frame.attrs["metadata_report"] = list(meta.problems) if meta is not None else []
        return frame


def iter_corpus(path: str | Path | None = None, *, batch_chars: int = BATCH_CHARS, encoding: str | None = None,
                split: bool = True, on_error: Literal["raise", "warn"] = "warn") -> Iterator[pd.DataFrame]:
    """:func:`read_corpus` in frames of about ``batch_chars`` characters, read lazily."""
    path = bundled_corpus_path() if path is None else path
    if str(path) != "-" and os.path.isdir(path):
        yield from iter_folder(path, encoding=encoding, split=split, on_error=on_error, batch_chars=batch_chars)
    else:
        yield read_corpus(path, encoding=encoding, split=split, on_error=on_error)


def _frame(docs: list[dict]) -> pd.DataFrame:
    import pandas as pd

    texts = [doc["text"] for doc in docs]
    frame = pd.DataFrame(docs, columns=[c for c in DOC_COLUMNS if c != "text"])
    # the texts stay Python strings: an Arrow string column would copy every text in and out again
    frame["text"] = pd.Series(texts, dtype=object, index=frame.index)
    frame = frame[DOC_COLUMNS]
    frame["year"] = pd.to_numeric(frame["year"], errors="coerce").astype("Int64")
    duplicated = frame["doc_id"].duplicated(keep=False)
    if duplicated.any():
        raise InputError("two documents share the id(s) "
                         f"{', '.join(sorted(set(frame.loc[duplicated, 'doc_id'])))}; "
                         "give them distinct ids in metadata")
    return frame


def bundled_corpus_path() -> Path:
    """The folder of the bundled seed corpus (five reports, traditional characters)."""
    from importlib import resources

    return Path(str(resources.files("unitynlp.corpora").joinpath("seed")))


def read_corpus(path: str | Path | None = None, *, encoding: str | None = None, split: bool = True,
                on_error: Literal["raise", "warn"] = "warn", progress=None) -> pd.DataFrame:
    """Read a corpus: ``None`` for the bundled one, ``-`` for stdin, a file, or a folder.

    Problems with the metadata are printed to stderr and kept in ``attrs["metadata_report"]``.

    >>> docs = read_corpus()
    >>> list(docs["doc_id"])
    ['seed-1', 'seed-2', 'seed-3', 'seed-4', 'seed-5']
    """
    if path is None:
        path = bundled_corpus_path()
    if str(path) == "-":
        data = sys.stdin.buffer.read()
        decoded = decode_bytes(data, "<stdin>", encoding=encoding)
        frame = _frame(_docs_of_text(decoded.text, doc_id="stdin", source="-",
                                     encoding=decoded.encoding, split=split))
        frame.attrs["metadata_report"] = []
        return frame
    given, path = path, Path(path)
    if path.is_dir():
        return read_folder(path, encoding=encoding, split=split, on_error=on_error, progress=progress)
    if not path.exists():
        raise InputError(f"{printable(str(path))}: no such file or folder")
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise InputError(f"{printable(str(path))}: unitynlp reads .txt, .md and .docx files or folders of them")
    return _read_one(given, encoding=encoding, split=split)


def _read_one(given: str | Path, *, encoding: str | None, split: bool) -> pd.DataFrame:
    """One file given directly, with the metadata of its folder; ``source`` is the path as given."""
    from .metadata import read_metadata

    meta = read_metadata(Path(given).parent)
    line = meta.file_line(printable(Path(given).name)) if meta is not None else None
    docs = read_file(given, doc_id=meta.doc_id(line) if meta is not None else None, encoding=encoding, split=split)
    frame = _frame(docs)
    if meta is None:
        frame.attrs["metadata_report"] = []
        return frame
    frame = meta.join(frame, [(line, len(docs) > 1)] * len(docs))
    frame.attrs["metadata_report"] = meta.finish(whole_folder=False)
    return frame


def iter_texts(docs: pd.DataFrame) -> Iterable[tuple[str, str]]:
    """``(doc_id, text)`` pairs of a documents frame."""
    return zip(docs["doc_id"], docs["text"])
