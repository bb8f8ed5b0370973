"""Typed errors: each message says what went wrong, where, and how to fix it."""
from __future__ import annotations

import re


class UnityNLPError(Exception):
    """Base class of every error the library raises on purpose."""


class InputError(UnityNLPError):
    """A path, file or option given by the user cannot be used."""


class EncodingError(InputError):
    """A text file is in none of the supported encodings."""


class EmptyCorpusError(InputError):
    """A corpus holds no readable document."""


class DataFileError(UnityNLPError):
    """A lexicon, dictionary or other data file is malformed."""


_SURROGATE = re.compile("[\ud800-\udfff]")  # how Python holds a file name's bytes that are not UTF-8


def printable(name: str) -> str:
    """``name`` as valid UTF-8: each byte of a file name that is not UTF-8 written ``\\xNN``.

    >>> import os
    >>> printable(os.fsdecode(b"\\xb1\\xa8\\xb8\\xe6.txt"))
    '\\\\xb1\\\\xa8\\\\xb8\\\\xe6.txt'
    """
    return _SURROGATE.sub(_escaped, name)


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xdc00:02x}" if code >= 0xdc80 else f"\\u{code:04x}"
