"""unitynlp: analyse Chinese work reports.

Each stage is a plain function over pandas DataFrames:

>>> from unitynlp import read_corpus, segment_docs
>>> docs = read_corpus()            # the bundled corpus
>>> tokens = segment_docs(docs)     # doc_id, position, token, start, end, stopword

Modules: ``corpus`` (reading), ``convert`` (traditional → simplified with offset maps),
``segment`` (domain segmenter), ``lexicon`` (slogans and policy terms), ``facts``.
"""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["read_corpus", "convert_docs", "segment_docs", "Segmenter", "load_lexicon", "__version__"]
_EXPORTS = {  # name → (module, attribute); loaded on first use so the CLI starts fast
    "read_corpus": ("corpus", "read_corpus"),
    "convert_docs": ("convert", "convert_docs"),
    "segment_docs": ("segment", "segment"),
    "Segmenter": ("segment", "Segmenter"),
    "load_lexicon": ("lexicon", "load_lexicon"),
}


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'unitynlp' has no attribute {name!r}")
    import importlib

    module, attribute = _EXPORTS[name]
    return getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
