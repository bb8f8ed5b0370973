"""Corpora bundled with unitynlp (installed as ``unitynlp.corpora``); ``seed/`` is the default corpus."""
