"""Access to the package's data files (lexicon, stopwords, unit tables) and the user cache."""
from __future__ import annotations

import os
import pkgutil
from functools import lru_cache
from pathlib import Path


def data_text(name: str) -> str:
    """Text of a file shipped in ``unitynlp/data``."""
    # through the package's loader, as importlib.resources does, without its import cost
    # (pathlib, tempfile, zipfile): every command reads data files at start-up
    return pkgutil.get_data("unitynlp.data", name).decode("utf-8")


def data_path(name: str):
    """A Traversable pointing at a shipped data file."""
    from importlib import resources

    return resources.files("unitynlp.data").joinpath(name)


@lru_cache(maxsize=None)
def cache_dir() -> Path:
    """Per-user cache directory (``$UNITYNLP_CACHE``, else ``$XDG_CACHE_HOME/unitynlp``)."""
    root = os.environ.get("UNITYNLP_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "unitynlp")
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path
