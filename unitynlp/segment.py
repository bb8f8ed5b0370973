"""Word segmentation with a private jieba-compatible tokenizer and the domain dictionary.

:class:`Segmenter` owns its tokenizer: jieba's module-level tokenizer is never touched, no
word is added with frequency 0 (that leaks into a set shared by every jieba tokenizer), and
nothing is logged. The domain dictionary is generated from the lexicon (so terms and tokens
agree) plus ``data/vocabulary.txt``. Text is converted to simplified first; token offsets
index the original text.

Backends: ``jiebac`` (jieba's dictionary and algorithm in C, built with unitynlp: the default
when it was compiled), ``rjieba`` (the same in Rust, the default otherwise) and ``jieba`` (the
reference). Both get the same words with the same frequencies, and a test
checks they give identical tokens on the bundled corpus.

Environment: ``UNITYNLP_NO_JIEBAC=1`` makes ``backend='auto'`` (the CLI's ``--backend auto``)
behave as if jiebac had not been built, choosing rjieba (else jieba); an explicit
``backend='jiebac'`` still uses it. CI runs the tests once this way, so the fallback stays
tested where the extension is built.

>>> seg = Segmenter()
>>> [t for t, s, e in seg.tokenize("堅持三個離不開")]
['坚持', '三个离不开']
"""
from __future__ import annotations

import hashlib
import marshal
import os
import re
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate, compress
from typing import Literal

import numpy as np
import pandas as pd

from .convert import Config, get_converter
from .errors import InputError
from .lexicon import Lexicon, load_lexicon
from .resources import cache_dir, data_text

Backend = Literal["auto", "jiebac", "rjieba", "jieba"]
BACKENDS = ("auto", "jiebac", "rjieba", "jieba")
TOKEN_COLUMNS = ["doc_id", "position", "token", "start", "end", "stopword"]
#: frequency given to domain words: high enough that jieba keeps them whole
DOMAIN_FREQ = 5000
#: set to 1 (any value but "" and "0"): ``backend='auto'`` does not choose jiebac
NO_JIEBAC_ENV = "UNITYNLP_NO_JIEBAC"
#: jieba's main dictionary, a file of the jieba package
_JIEBA_DICT = "dict.txt"


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The domain stopword list (punctuation, function words, report boilerplate)."""
    words = set()
    for line in data_text("stopwords.txt").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.add(line)
    return frozenset(words)


@lru_cache(maxsize=1)
def vocabulary() -> tuple[str, ...]:
    """Segmentation-only domain words from ``data/vocabulary.txt``."""
    lines = (line.split("#", 1)[0].strip() for line in data_text("vocabulary.txt").splitlines())
    return tuple(word for word in lines if word)


def domain_words(lexicon: Lexicon) -> list[str]:
    """Every word of the domain dictionary: lexicon surfaces plus the shipped vocabulary."""
    return sorted(set(lexicon.dictionary_words()) | set(vocabulary()))


class Segmenter:
    """A jieba-compatible segmenter with the domain dictionary; see the module docs.

    ``backend='auto'`` uses jiebac when it was built (and ``UNITYNLP_NO_JIEBAC`` is not set),
    else rjieba when it is installed, else jieba. ``hmm`` enables jieba's HMM for unknown words.
    ``words`` adds user words to the dictionary.
    """

    def __init__(self, *, lexicon: Lexicon | None = None, backend: Backend = "auto",
                 hmm: bool = True, config: Config = "t2s", words: Iterable[str] = ()):
        if backend not in BACKENDS:
            raise InputError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        self._user_words = tuple(sorted({w.strip() for w in words if w.strip()}))
        self.words = sorted(set(domain_words(self.lexicon)) | set(self._user_words))
        self.hmm = hmm
        self.config = config
        self.backend = _resolve(backend)
        self._cut = _CUTTERS[self.backend](self.words)
        self._stop = stopwords()

    def __reduce__(self):
        # sent to a worker process as its options: each process builds its tokenizer once
        return _cached_segmenter, (self.lexicon, self.backend, self.hmm, self.config, self._user_words)

    def spans(self, text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Tokens of ``text`` (simplified, whitespace dropped) and their original start/end arrays."""
        return self._spans(text, arrow=False)

    def _spans(self, text: str, *, arrow: bool):
        """:meth:`spans`, with the tokens as a pyarrow string array if ``arrow``."""
        conv = get_converter(self.config).convert(text)
        simplified = conv.text
        ends_of = getattr(self._cut, "ends", None)
        if ends_of is not None:  # the C backend gives offsets, not strings: tokens are cut from the text
            ends = ends_of(simplified, self.hmm).astype(np.int64)
            pieces = _arrow_slices(simplified, ends) if arrow else None  # None: cut once whitespace is out
        else:
            pieces = self._cut(simplified, self.hmm)
            if arrow:
                import pyarrow as pa
                import pyarrow.compute as pc

                pieces = pa.array(pieces, type=pa.string())
                lengths = pc.utf8_length(pieces).to_numpy()
            else:
                lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
            ends = np.cumsum(lengths, dtype=np.int64)
        starts = np.zeros_like(ends)
        starts[1:] = ends[:-1]
        # every backend gives each whitespace character (or \r\n) a piece of its own
        space_at = [m.start() for m in _SPACE.finditer(simplified)]
        keep = None
        if space_at:
            is_space = np.zeros(len(simplified) + 1, dtype=bool)
            is_space[space_at] = True
            keep = ~is_space[starts]
            starts, ends = starts[keep], ends[keep]
        if pieces is None:
            tokens = list(map(simplified.__getitem__, map(slice, starts.tolist(), ends.tolist())))
        elif keep is not None:
            tokens = pieces.filter(keep) if arrow else list(compress(pieces, keep.tolist()))
        else:
            tokens = pieces
        if not conv.identity and len(tokens):
            starts, ends = conv.map_spans(starts, ends)
        return tokens, starts, ends

    def pieces(self, simplified: str) -> list[str]:
        """The backend's pieces of already simplified text, whitespace included: they join to it."""
        return self._cut(simplified, self.hmm)

    def counts(self, simplified: str, *, skip=()) -> dict[str, int]:
        """How often each piece of already simplified text occurs (whitespace included), in order
        of first appearance, leaving out the pieces that overlap a span of ``skip``: ``(start, end,
        …)`` items in order, none overlapping another, such as a lexicon's hits. jiebac counts
        without a Python string per piece."""
        if hasattr(self._cut, "counts"):
            return self._cut.counts(simplified, skip, self.hmm)
        return Counter(outside(self._cut(simplified, self.hmm), skip))

    def tokenize(self, text: str) -> list[tuple[str, int, int]]:
        """``(token, start, end)`` of ``text``: simplified tokens, offsets into ``text``."""
        tokens, starts, ends = self.spans(text)
        return list(zip(tokens, starts.tolist(), ends.tolist()))

    def cut(self, text: str) -> list[str]:
        """The tokens of ``text`` (simplified), whitespace dropped: :meth:`spans` without offsets."""
        if hasattr(self._cut, "line"):
            line = self.line(text)
            return line.split(" ") if line else []  # a token never holds a space
        # a whitespace piece is whitespace throughout (one character, or \r\n)
        return [piece for piece in self._cut(get_converter(self.config).convert(text).text, self.hmm)
                if not piece.isspace()]

    def line(self, text: str) -> str:
        """The tokens of ``text`` separated by single spaces: ``' '.join(self.cut(text))``."""
        if hasattr(self._cut, "line"):
            return self._cut.line(get_converter(self.config).convert(text).text, self.hmm)
        return " ".join(self.cut(text))

    def segment(self, docs: pd.DataFrame, *, progress=None) -> pd.DataFrame:
        """Tokens of every document: columns ``TOKEN_COLUMNS``.

        ``token`` is pandas' ``str`` dtype when that is Arrow-backed (pandas 3 with pyarrow):
        built straight from the tokens, and sent between processes as Arrow buffers; else object.
        """
        ids, sizes, tokens, starts, ends = [], [], [], [], []
        arrow = _arrow_strings() is not None
        pairs = list(zip(docs["doc_id"], docs["text"]))
        for doc_id, text in (progress(pairs) if progress else pairs):
            toks, s, e = self._spans(text, arrow=arrow)
            ids.append(doc_id)
            sizes.append(len(toks))
            tokens.append(toks)
            starts.append(s)
            ends.append(e)
        if not sum(sizes):
            return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
                TOKEN_COLUMNS, [object, "int64", _arrow_strings() or object, "int64", "int64", bool])})
        token, stop = _token_column(tokens, self._stop)
        return pd.DataFrame({
            "doc_id": pd.Series(np.repeat(np.array(ids, dtype=object), sizes), dtype=object),
            "position": np.concatenate([np.arange(n) for n in sizes]),
            "token": token,
            "start": np.concatenate(starts), "end": np.concatenate(ends),
            "stopword": stop,
        })


@lru_cache(maxsize=1)
def _arrow_strings():
    """pandas' default string dtype if it is Arrow-backed (pandas 3 with pyarrow), else None."""
    dtype = pd.Series(["a"]).dtype
    return dtype if getattr(dtype, "storage", None) == "pyarrow" else None


def _token_column(tokens: list, stop: frozenset) -> tuple[pd.Series, np.ndarray]:
    """The token column of :meth:`Segmenter.segment` from each document's tokens, and its stopword flags.

    With an Arrow-backed default string dtype (``tokens`` then holds pyarrow arrays) the column
    wraps them as they are: no inference, and it pickles as buffers, so a worker's tokens
    travel back cheaply.
    """
    dtype = _arrow_strings()
    if dtype is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        chunked = pa.chunked_array([t for t in tokens if len(t)], type=pa.string())
        stops = pc.is_in(chunked, value_set=_stop_array(stop)).to_numpy()
        return pd.Series(dtype.__from_arrow__(chunked)), stops
    flat = [t for doc in tokens for t in doc]
    stops = np.fromiter(map(stop.__contains__, flat), dtype=bool, count=len(flat))
    return pd.Series(flat, dtype=object), stops


@lru_cache(maxsize=4)
def _stop_array(stop: frozenset):
    import pyarrow as pa

    return pa.array(sorted(stop), type=pa.string())


def segment(docs: pd.DataFrame, *, segmenter: Segmenter | None = None, progress=None) -> pd.DataFrame:
    """Tokens of every document with the default :class:`Segmenter`; see :meth:`Segmenter.segment`."""
    return (segmenter or default_segmenter()).segment(docs, progress=progress)


@lru_cache(maxsize=1)
def default_segmenter() -> Segmenter:
    """A :class:`Segmenter` with the shipped lexicon and the default backend, built once."""
    return Segmenter()


_SEGMENTERS: dict[tuple, Segmenter] = {}


def segmenter_for(lexicon: Lexicon | None = None, *, backend: Backend = "auto", hmm: bool = True) -> Segmenter:
    """A :class:`Segmenter` for ``lexicon``, built once per process for equal lexicons.

    Worker processes receive copies of a lexicon; this keeps them from rebuilding the
    tokenizer for every chunk of documents.
    """
    lexicon = lexicon if lexicon is not None else load_lexicon()
    key = (lexicon.fingerprint, backend, hmm)
    if key not in _SEGMENTERS:
        _SEGMENTERS[key] = Segmenter(lexicon=lexicon, backend=backend, hmm=hmm)
    return _SEGMENTERS[key]


def _cached_segmenter(lexicon: Lexicon, backend: Backend, hmm: bool, config: Config,
                      words: tuple[str, ...]) -> Segmenter:
    key = (lexicon.fingerprint, backend, hmm, config, words)
    if key not in _SEGMENTERS:
        _SEGMENTERS[key] = Segmenter(lexicon=lexicon, backend=backend, hmm=hmm, config=config, words=words)
    return _SEGMENTERS[key]


def segment_with(docs: pd.DataFrame, *, lexicon: Lexicon | None = None, backend: Backend = "auto",
                 hmm: bool = True) -> pd.DataFrame:
    """:func:`segment` with a segmenter described by its options (for worker processes)."""
    return segmenter_for(lexicon, backend=backend, hmm=hmm).segment(docs)


def _resolve(backend: str) -> str:
    if backend != "auto":
        return backend
    if os.environ.get(NO_JIEBAC_ENV, "") in ("", "0"):  # else: as if jiebac had not been built
        try:
            from . import _jiebac  # noqa: F401
        except ImportError:
            pass
        else:
            return "jiebac"
    try:
        import rjieba  # noqa: F401
    except ImportError:
        return "jieba"
    return "rjieba"


class _CCutter:
    """The jiebac backend: jieba's algorithm in C (``unitynlp/_jiebac.c``), from jieba's own
    dictionary file and HMM tables, with the domain words at ``DOMAIN_FREQ`` (a word already
    listed gets that frequency instead, as the other backends do). It returns offsets or a
    joined line, not a string per token, and releases the GIL while it works: one cutter may
    serve several threads. ``load_seconds``: the time taken to read and build the dictionary."""

    def __init__(self, words: list[str]):
        try:
            from . import _jiebac
        except ImportError:
            raise InputError("the jiebac backend was not built (installing unitynlp needs a C compiler "
                             "for it): choose --backend rjieba or jieba") from None
        import jieba.finalseg as finalseg

        began = time.perf_counter()
        path, data = _jieba_dictionary()
        try:
            self._seg = _jiebac.Segmenter(data, [(w, DOMAIN_FREQ) for w in words],
                                          finalseg.start_P, finalseg.trans_P, finalseg.emit_P, name=path)
        except ValueError as error:  # a malformed line, named by the message
            raise InputError(f"{error}: reinstall jieba (pip install --force-reinstall jieba), "
                             "or choose --backend rjieba") from None
        self.load_seconds = time.perf_counter() - began

    def ends(self, text: str, hmm: bool) -> np.ndarray:
        """End offset of every piece (whitespace pieces included)."""
        return np.frombuffer(self._seg.ends(text, hmm), dtype=np.int32)

    def line(self, text: str, hmm: bool) -> str:
        return self._seg.line(text, hmm)

    def __call__(self, text: str, hmm: bool) -> list[str]:
        """The pieces, whitespace included: they join to ``text``."""
        return self._seg.pieces(text, hmm)

    def counts(self, text: str, skip, hmm: bool) -> dict[str, int]:
        return self._seg.counts(text, skip, hmm)


def _jieba_dictionary() -> tuple[str, bytes]:
    """Where jieba's main dictionary is, and its bytes: read here, through jieba's package loader
    (as ``pkgutil.get_data`` does), so the C code never opens a file by name."""
    import jieba

    path = os.path.join(os.path.dirname(jieba.__file__), _JIEBA_DICT)
    get_data = getattr(getattr(jieba, "__loader__", None), "get_data", None)
    try:
        if get_data is not None:
            return path, get_data(path)
        with open(path, "rb") as fh:
            return path, fh.read()
    except OSError:
        raise InputError(f"jieba's dictionary is not at {path}: reinstall jieba (pip install --force-reinstall "
                         "jieba), or choose --backend rjieba") from None


def outside(pieces: list[str], spans) -> list[str]:
    """The pieces (joining to a text) that overlap no span of ``spans`` (sorted ``(start, end, …)``)."""
    if not spans:
        return pieces
    lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    ends = np.cumsum(lengths)
    starts = ends - lengths
    span_starts = np.fromiter((h[0] for h in spans), dtype=np.int64, count=len(spans))
    span_ends = np.fromiter((h[1] for h in spans), dtype=np.int64, count=len(spans))
    i = np.searchsorted(span_ends, starts, side="right")  # the first span ending after the piece starts
    inside = i < len(spans)
    overlap = np.zeros(len(pieces), bool)
    overlap[inside] = span_starts[i[inside]] < ends[inside]
    return list(compress(pieces, (~overlap).tolist()))


def _arrow_slices(text: str, ends: np.ndarray):
    """The pieces of ``text`` ending at ``ends`` as a pyarrow string array, built on the text's
    UTF-8 bytes without a Python string per piece."""
    import pyarrow as pa

    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no UTF-8 for it
        return pa.array([text[a:b] for a, b in zip([0, *ends[:-1].tolist()], ends.tolist())], type=pa.string())
    if len(data) == len(text):
        offsets = np.concatenate(([0], ends))
    else:
        code = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        width = 1 + (code >= 0x80).astype(np.int64) + (code >= 0x800) + (code >= 0x10000)
        byte_at = np.concatenate(([0], np.cumsum(width)))
        offsets = byte_at[np.concatenate(([0], ends))]
    return pa.StringArray.from_buffers(len(ends), pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data))


def _rjieba_cutter(words: list[str]):
    try:
        import rjieba
    except ImportError:
        raise InputError("the rjieba backend is not installed: pip install rjieba, "
                         "or choose --backend jieba") from None
    tok = rjieba.Jieba()
    for word in words:
        tok.add_word(word, DOMAIN_FREQ, None)

    def cut(text: str, hmm: bool) -> list[str]:
        pieces = tok.cut(text, hmm)
        runs = _MIXED_RUN.finditer(text)
        run = next(runs, None)
        if run is None:
            return pieces
        # only the pieces inside a mixed run can differ; find them by their end offsets
        ends = list(accumulate(map(len, pieces)))
        fixes = {}
        while run is not None:
            i = bisect_right(ends, run.start())
            while i < len(pieces) and ends[i] - len(pieces[i]) < run.end():
                piece = pieces[i]
                if len(piece) > 1 and not piece.isalnum() and _NON_HAN.match(piece) and not tok.has_word(piece):
                    fixes[i] = _split_like_jieba(piece, hmm)
                i += 1
            run = next(runs, None)
        for i in sorted(fixes, reverse=True):
            pieces[i:i + 1] = fixes[i]
        return pieces

    return cut


# rjieba keeps runs such as 2015-2017 or x_y whole where jieba splits them; jieba's rules:
# with HMM, an unknown non-Han run is split by finalseg's pattern; without, alphanumerics
# stay together and every other character stands alone.
_MIXED_RUN = re.compile(r"[A-Za-z0-9][^\u3400-\u9fffA-Za-z0-9\s]+[A-Za-z0-9]")
_NON_HAN = re.compile(r"^[^\u3400-\u9fff]+$")
_SPACE = re.compile(r"\s")
_JIEBA_HMM_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
_JIEBA_ALNUM = re.compile(r"[a-zA-Z0-9]+|.", re.S)


def _split_like_jieba(piece: str, hmm: bool) -> list[str]:
    return [p for p in _JIEBA_HMM_SKIP.split(piece) if p] if hmm else _JIEBA_ALNUM.findall(piece)


def _jieba_cutter(words: list[str]):
    tok = _private_jieba()
    for word in words:
        previous = tok.FREQ.get(word) or 0
        tok.add_word(word, DOMAIN_FREQ)
        # jieba adds the new frequency to its total even when the word was already listed;
        # rjieba replaces it. Replacing is the consistent reading, and keeps both backends'
        # word probabilities (so their tokens) identical.
        tok.total -= previous
    return lambda text, hmm: tok.lcut(text, HMM=hmm)


_CUTTERS = {"jiebac": _CCutter, "rjieba": _rjieba_cutter, "jieba": _jieba_cutter}


def _private_jieba():
    """A fresh ``jieba.Tokenizer`` loaded from jieba's main dictionary, without jieba's log lines.

    jieba's own ``initialize`` logs and writes its cache to the system temp folder; the prefix
    dictionary is built here instead and cached in the user cache folder.
    """
    import jieba

    tok = jieba.Tokenizer()
    tok.FREQ, tok.total = _prefix_dict(tok, jieba.__version__)
    tok.initialized = True
    return tok


def _prefix_dict(tok, version: str) -> tuple[dict, int]:
    stamp = hashlib.sha1(f"{version}:{tok.dictionary}".encode()).hexdigest()[:12]
    cache = os.path.join(cache_dir(), f"jieba-prefix-{stamp}.marshal")
    try:
        with open(cache, "rb") as fh:
            return marshal.loads(fh.read())  # load(fh) reads in small pieces: several times slower
    except (OSError, EOFError, ValueError, TypeError):
        pass
    with tok.get_dict_file() as fh:
        freq, total = tok.gen_pfdict(fh)
    tmp = f"{cache}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        marshal.dump((freq, total), fh)
    os.replace(tmp, cache)  # whole files only: another process may be reading it
    return freq, total
