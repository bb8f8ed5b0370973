"""Regular expressions compiled once per machine instead of once per process.

``re.compile`` works in two steps: Python code parses the pattern and turns it into the
opcodes the C matcher runs (the slow step), then ``_sre.compile`` builds the pattern object
from them. For the facts patterns the first step takes about 25 ms, a third of
``unitynlp facts`` on one report. :func:`compile` keeps the opcodes in the user cache folder
(one file per interpreter and regex engine version) and builds the pattern from them in the
next process, as ``re`` itself does after its first step.

The result is the same pattern object ``re.compile`` gives (patterns compare equal, opcodes
included; a test checks every pattern of the package). An interpreter without these
internals, a missing or damaged file, or a cache folder that cannot be written falls back to
``re.compile`` without a word.
"""
from __future__ import annotations

import marshal
import os
import re
import sys

try:
    import _sre
    from re import _compiler, _parser
except ImportError:  # Python 3.10 and other interpreters: plain re.compile
    _sre = None

#: (pattern, flags) → the arguments of ``_sre.compile`` after the pattern
_store: dict | None = None
_added = False
#: the file keeps the patterns of the process that writes it, then those of earlier processes up
#: to about this many bytes: an upgrade or another pattern set (each version of the facts pattern
#: is ~120 KB) cannot make every later start read a growing file
MAX_BYTES = 400_000
_used: set = set()


def compile(pattern: str, flags: int = 0) -> re.Pattern:  # noqa: A001 (the name re uses)
    """``re.compile(pattern, flags)``, with the slow step read from the cache when it is there."""
    global _added
    if _sre is None:
        return re.compile(pattern, flags)
    flags = int(flags)
    store = _load()
    key = (pattern, flags)
    _used.add(key)
    args = store.get(key)
    if args is not None:
        try:
            return _sre.compile(pattern, *args)
        except (TypeError, ValueError, RuntimeError):  # an entry from another engine: compile afresh
            pass
    try:
        args = _opcodes(pattern, flags)
        compiled = _sre.compile(pattern, *args)
    except re.error:
        raise
    except Exception:  # internals changed under us: leave them alone
        return re.compile(pattern, flags)
    store[key] = args
    if not _added:
        _added = True
        import atexit

        atexit.register(_save)
    return compiled


def _opcodes(pattern: str, flags: int) -> tuple:
    """What ``re._compiler.compile`` passes to ``_sre.compile`` after the pattern."""
    parsed = _parser.parse(pattern, flags)
    code = [int(op) for op in _compiler._code(parsed, flags)]  # opcodes are an int subclass
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return flags | parsed.state.flags, code, parsed.state.groups - 1, groupindex, tuple(indexgroup)


def _path() -> str:
    from .resources import cache_dir

    return os.path.join(cache_dir(), f"regex-{sys.implementation.cache_tag}-{_sre.MAGIC}.marshal")


def _load() -> dict:
    global _store
    if _store is None:
        try:
            with open(_path(), "rb") as fh:
                loaded = marshal.loads(fh.read())  # load(fh) reads in small pieces: 8x slower
            _store = loaded if isinstance(loaded, dict) else {}
        except (OSError, EOFError, ValueError, TypeError):
            _store = {}
    return _store


def _size(key: tuple, args: tuple) -> int:
    """About what an entry takes in the file: its pattern and its opcodes (4 bytes each)."""
    return len(key[0]) + 4 * len(args[1])


def _save() -> None:
    """Write the store (at exit, when this process compiled a pattern the file lacked)."""
    if not _store:
        return
    try:
        path = _path()
        tmp = f"{path}.{os.getpid()}.tmp"
        kept = {key: _store[key] for key in _used if key in _store}
        size = sum(_size(key, args) for key, args in kept.items())
        for key, args in _store.items():  # earlier processes' patterns, the most recent first
            if key not in kept:
                size += _size(key, args)
                if size > MAX_BYTES:
                    break
                kept[key] = args
        with open(tmp, "wb") as fh:
            marshal.dump(kept, fh)
        os.replace(tmp, path)  # whole files only: another process may be reading it
    except (OSError, ValueError):
        pass
