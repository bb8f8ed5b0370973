"""Access to the package's data files (lexicon, stopwords, unit tables) and the user cache.

Every command reads data files at start-up, so this module imports only ``os``: no pathlib,
pkgutil or importlib.resources (a few milliseconds each on ``unitynlp facts FILE``).
"""
from __future__ import annotations

import os
from functools import cache

TYPE_CHECKING = False  # true for type checkers; importing typing would cost milliseconds
if TYPE_CHECKING:  # the import system sets the module's __loader__, which mypy does not declare
    from importlib.abc import FileLoader

    __loader__: FileLoader

_DATA = os.path.join(os.path.dirname(__file__), "data")


def data_text(name: str) -> str:
    """Text of a file shipped in ``unitynlp/data``."""
    # through the package's loader, as pkgutil.get_data does: it also reads from a zip file
    return __loader__.get_data(os.path.join(_DATA, name)).decode("utf-8")


def data_path(name: str):
    """A Traversable pointing at a shipped data file."""
    from importlib import resources

    return resources.files("unitynlp.data").joinpath(name)


@cache
def cache_dir() -> str:
    """Per-user cache folder (``$UNITYNLP_CACHE``, else ``$XDG_CACHE_HOME/unitynlp``), created if needed."""
    root = os.environ.get("UNITYNLP_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "unitynlp")
    os.makedirs(root, exist_ok=True)
    return root
