"""Typed errors: each message says what went wrong, where, and how to fix it."""
from __future__ import annotations


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
