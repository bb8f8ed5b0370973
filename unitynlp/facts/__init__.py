"""Numeric facts of work reports: one row per number with its unit, kind, qualifier and subject.

Matching runs on the simplified text (:mod:`unitynlp.convert`); offsets and ``text`` always refer
to the original. Conventions (spans, values, units, dates) follow the project's gold annotations:
万/亿 are applied to the value, a percentage keeps its percent number, a date's value is its
leading component and ``date`` holds the normalised date (``2024``, ``2024-03``, ``--06-23``).

>>> rows = extract_facts("現有幹部職工738人,約占公司員工總數的9%。")
>>> [(r["text"], r["value"], r["unit"], r["qualifier"], r["subject"], r["base"]) for r in rows]
[('738人', 738.0, '人', 'exact', '干部职工', ''), ('9%', 9.0, '%', 'approx', '干部职工', '公司员工总数')]
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

import pandas as pd

from ..convert import Converted, get_converter
from ..errors import InputError
from ..lexicon import Lexicon
from .extract import FACT_COLUMNS, extract_simplified
from .units import KINDS

__all__ = ["FACT_COLUMNS", "KINDS", "extract_facts", "fact_rows", "facts", "facts_frame", "summary_line", "FactTally",
           "check_kinds"]


def extract_facts(text: str, *, doc_id: str = "", kinds: Iterable[str] | None = None,
                  lexicon: Lexicon | None = None) -> list[dict]:
    """The facts of one text as dicts with the keys ``FACT_COLUMNS`` (offsets into ``text``).

    The numeral-bearing terms of ``lexicon`` (default: the shipped one) are formulas, not facts.
    """
    wanted = check_kinds(kinds)
    if not isinstance(text, str) or not text:
        return []
    rows = fact_rows(get_converter().convert(text), doc_id, wanted, lexicon)
    return [dict(zip(FACT_COLUMNS, row)) for row in rows]


def fact_rows(conv: Converted, doc_id="", wanted: set[str] | None = None,
              lexicon: Lexicon | None = None) -> Iterator[tuple]:
    """The facts of one converted text as tuples of the ``FACT_COLUMNS`` values (original offsets)."""
    text = conv.original
    to_original = None if conv.identity else conv.to_original  # t2s nearly always keeps the offsets
    sentence_span = sentence = None
    for c in extract_simplified(conv.text, lexicon):
        if wanted is not None and c["kind"] not in wanted:
            continue
        span, qspan, sspan = c["_span"], c.get("_qspan"), c["_sentence"]
        if to_original is not None:
            span, sspan = to_original(*span), to_original(*sspan)
            qspan = to_original(*qspan) if qspan else None
        if sspan != sentence_span:  # the facts of a sentence share its text
            sentence_span, sentence = sspan, text[sspan[0]:sspan[1]].strip()
        start, end = span
        yield (doc_id, start, end, text[start:end], c["value"], c["value_max"], c["unit"], c["kind"],
               c["qualifier"], text[qspan[0]:qspan[1]] if qspan else "", c["subject"], c["base"], c["change"],
               c.get("date", ""), sentence)


def check_kinds(kinds: Iterable[str] | None) -> set[str] | None:
    """The fact kinds asked for as a set (None: every kind), or an error naming an unknown kind."""
    if kinds is None:
        return None
    wanted = {kinds} if isinstance(kinds, str) else set(kinds)
    unknown = sorted(wanted - set(KINDS))
    if unknown:
        raise InputError(f"unknown fact kind {', '.join(unknown)}: choose from {', '.join(KINDS)}")
    return wanted


def facts(docs: pd.DataFrame, *, kinds: Iterable[str] | None = None,
          lexicon: Lexicon | None = None) -> pd.DataFrame:
    """Facts of every document of a frame with columns ``doc_id`` and ``text``: columns ``FACT_COLUMNS``.

    The numeral-bearing terms of ``lexicon`` (default: the shipped one) are formulas, not facts.
    """
    from ..stages import Context, run_stage

    check_kinds(kinds)
    return run_stage(docs, "facts", Context(lexicon, options={"kinds": kinds}))


def facts_frame(rows: list[tuple]) -> pd.DataFrame:
    """The facts table of rows from :func:`fact_rows`."""
    frame = pd.DataFrame(rows, columns=FACT_COLUMNS)
    return frame.astype({"start": "int64", "end": "int64", "value": "float64", "value_max": "float64"})


class FactTally:
    """Counts facts per kind and document as tables of them pass (keeping no row), for a closing line."""

    def __init__(self) -> None:
        self.kinds: dict[str, int] = {}
        self.docs: set = set()
        self.rows = 0

    def add(self, table: pd.DataFrame) -> pd.DataFrame:
        """Count ``table``'s facts; returns it, so the tally can sit in a stream of tables."""
        self.rows += len(table)
        self.docs.update(table["doc_id"].unique().tolist())
        for kind, n in table["kind"].value_counts(sort=False).items():
            self.kinds[str(kind)] = self.kinds.get(str(kind), 0) + int(n)
        return table

    def line(self) -> str:
        """``N facts in M documents: 12 count, 3 money, …``."""
        shown = ", ".join(f"{self.kinds[k]} {k}" for k in KINDS if k in self.kinds)
        return f"{self.rows} facts in {len(self.docs)} documents" + (f": {shown}" if shown else "")


def summary_line(facts: pd.DataFrame) -> str:
    """``N facts in M documents: 12 count, 3 money, …`` for a facts table."""
    tally = FactTally()
    tally.add(facts)
    return tally.line()
