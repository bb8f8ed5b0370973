"""Access to the package's data files (lexicon, stopwords, unit tables) and the user cache."""
from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path


def data_text(name: str) -> str:
    """Text of a file shipped in ``unitynlp/data``."""
    return resources.files("unitynlp.data").joinpath(name).read_text(encoding="utf-8")


def data_path(name: str):
    """A Traversable pointing at a shipped data file."""
    return resources.files("unitynlp.data").joinpath(name)


@lru_cache(maxsize=None)
def cache_dir() -> Path:
    """Per-user cache directory (``$UNITYNLP_CACHE``, else ``$XDG_CACHE_HOME/unitynlp``)."""
    root = os.environ.get("UNITYNLP_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "unitynlp")
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path
