"""The stages: each a name, an output schema and a rows function over a :class:`~unitynlp.document.Document`.

:data:`STAGES` is the one registry that the commands, ``analyze`` and the :class:`~unitynlp.runner.Runner`
take stages from. :func:`run_stages` is the per-document work of a corpus: it makes one
:class:`Document` per row of a documents frame and runs every stage asked for on it, so a
document is converted, matched against the lexicon and segmented at most once whatever the
number of stages, then builds each stage's table with its schema's columns.

Adding a stage is one function and one entry::

    def sentence_rows(doc, context):
        return [(doc.doc_id, n) for n, _ in enumerate(doc.converted.text.split("。"))]

    register(Stage("sentences", Schema("sentences", (("doc_id", "string"), ("n", "int64"))), sentence_rows))

after which ``run_stages(docs, ["sentences"], Context())`` and ``analyze(..., stages=["sentences"])`` run it.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import schemas
from .document import Document, documents
from .errors import InputError
from .schemas import Schema

if TYPE_CHECKING:
    import pandas as pd

    from .convert import Config
    from .lexicon import Lexicon
    from .segment import Backend, Segmenter

Rows = Callable[[Document, "Context"], Iterable[tuple]]


@dataclass(init=False)
class Context:
    """What the stages of one run share: the lexicon, the segmenter and stage options.

    ``options`` holds the options of particular stages (``kinds`` for facts, ``expansions`` for
    term hits, ``unit`` for clustering units, ``words`` for features). The lexicon is the one
    given, else the shipped one. The segmenter is the one given, else the shared one for the
    lexicon, ``backend`` and ``hmm`` (built once per process).
    """
    lexicon: Lexicon
    backend: Backend
    hmm: bool
    config: Config
    options: dict[str, Any]
    given_segmenter: Segmenter | None = field(repr=False)

    def __init__(self, lexicon: Lexicon | None = None, backend: Backend = "auto", hmm: bool = True,
                 config: Config = "t2s", options: dict[str, Any] | None = None,
                 given_segmenter: Segmenter | None = None) -> None:
        if lexicon is None:
            from .lexicon import load_lexicon

            lexicon = load_lexicon()
        self.lexicon, self.backend, self.hmm, self.config = lexicon, backend, hmm, config
        self.options = options if options is not None else {}
        self.given_segmenter = given_segmenter

    @property
    def segmenter(self) -> Segmenter:
        if self.given_segmenter is not None:
            return self.given_segmenter
        from .segment import segmenter_for

        return segmenter_for(self.lexicon, backend=self.backend, hmm=self.hmm)


@dataclass(frozen=True)
class Stage:
    """A stage: ``rows(doc, context)`` gives a document's rows as tuples in the order of ``schema``.

    ``frame(rows, context)`` builds the stage's table from the rows of many documents (default:
    the schema's columns, with its types); ``table(docs, context)``, where given, computes the
    whole table of a list of documents at once, for a stage that is much faster that way.
    """
    name: str
    schema: Schema
    rows: Rows
    frame: Callable[[list[tuple], Context], pd.DataFrame] | None = None
    table: Callable[[list[Document], Context], pd.DataFrame] | None = None

    def run(self, docs: list[Document], context: Context) -> pd.DataFrame:
        """The table of ``docs``."""
        if self.table is not None:
            return self.table(docs, context)
        rows = [row for doc in docs for row in self.rows(doc, context)]
        return self.frame(rows, context) if self.frame is not None else typed_frame(rows, self.schema)


#: every stage by name; :func:`register` adds one
STAGES: dict[str, Stage] = {}


def register(stage: Stage) -> Stage:
    """Add ``stage`` to :data:`STAGES` (a stage of the same name is replaced)."""
    STAGES[stage.name] = stage
    return stage


def get_stage(name: str) -> Stage:
    """The stage called ``name``, or an error listing the stages there are."""
    try:
        return STAGES[name]
    except KeyError:
        raise InputError(f"no stage {name!r}: choose one of {', '.join(STAGES)}") from None


def run_stages(docs: pd.DataFrame, stages: Sequence[str], context: Context | None = None) -> dict[str, pd.DataFrame]:
    """The table of each stage in ``stages`` over a documents frame, each document made once.

    A module-level function of a documents frame, so a :class:`~unitynlp.runner.Runner` can run it
    on chunks of a corpus in worker processes: ``runner.map(run_stages, docs, stages=[…], context=…)``.
    """
    context = context if context is not None else Context()
    chosen = [get_stage(name) for name in stages]
    made = list(documents(docs, config=context.config))
    return {stage.name: stage.run(made, context) for stage in chosen}


def run_stage(docs: pd.DataFrame, stage: str, context: Context | None = None) -> pd.DataFrame:
    """The table of one stage over a documents frame (for ``Runner.map``)."""
    return run_stages(docs, [stage], context)[stage]


def typed_frame(rows: list[tuple], schema: Schema) -> pd.DataFrame:
    """A table of ``rows`` with the schema's columns and types."""
    import pandas as pd

    if not rows:
        return schema.empty()
    frame = pd.DataFrame(rows, columns=schema.names)
    types = {name: kind for name, kind in schema.columns if kind in ("int64", "float64", "bool", "Int64")}
    return frame.astype(types) if types else frame


# ----------------------------------------------------------------------------- the stages

def converted_rows(doc: Document, context: Context) -> list[tuple]:
    """The document in simplified characters, its script and how much conversion changed."""
    from .convert import count_changed

    conv = doc.converted
    changed = len(conv.text) != len(doc.text)
    n = count_changed(doc.text, conv.text) if not changed else abs(len(conv.text) - len(doc.text))
    return [(doc.doc_id, conv.text, conv.script, n, changed)]


def token_table(docs: list[Document], context: Context) -> pd.DataFrame:
    """Tokens of every document (the segmenter builds the columns at once: millions of rows)."""
    import pandas as pd

    frame = pd.DataFrame({"doc_id": [d.doc_id for d in docs], "text": [d.text for d in docs]})
    return context.segmenter.segment(frame)


def token_rows(doc: Document, context: Context) -> Iterable[tuple]:
    return token_table([doc], context).itertuples(index=False, name=None)


def line_rows(doc: Document, context: Context) -> list[tuple]:
    """The document's id, a tab and its tokens separated by spaces."""
    return [(f"{doc.doc_id}\t{' '.join(doc.tokens(context.segmenter))}",)]


def hit_rows(doc: Document, context: Context) -> list[tuple]:
    from .terms.counting import hit_rows as rows

    return rows(doc, context.lexicon, expansions=context.options.get("expansions", True))


def hit_frame(rows: list[tuple], context: Context) -> pd.DataFrame:
    from .terms.counting import hits_frame

    return hits_frame(rows)


def count_rows(doc: Document, context: Context) -> list[tuple]:
    """Each term's count in the document and its rate per 10,000 characters, most frequent first."""
    from .terms.counting import PER

    lexicon = context.lexicon
    counts = Counter(term for _, _, term in doc.hits(lexicon))
    n_chars = len(doc.text)
    return [(doc.doc_id, term, lexicon.categories[term], n, n * PER / n_chars if n_chars else float("nan"))
            for term, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def feature_rows(doc: Document, context: Context) -> list[tuple]:
    from .terms.keyness import feature_counts

    words = context.options.get("words", True)
    tally = feature_counts(doc, context.lexicon, context.segmenter if words else None)
    return [(doc.doc_id, term, n) for term, n in tally.items()]


def feature_frame(rows: list[tuple], context: Context) -> pd.DataFrame:
    from .terms.keyness import features_frame

    return features_frame(rows, context.lexicon)


def fact_rows(doc: Document, context: Context) -> Iterable[tuple]:
    from .facts import check_kinds
    from .facts import fact_rows as rows

    if not doc.text:
        return []
    return rows(doc.converted, doc.doc_id, check_kinds(context.options.get("kinds")), lexicon=context.lexicon)


def fact_frame(rows: list[tuple], context: Context) -> pd.DataFrame:
    from .facts import facts_frame

    return facts_frame(rows)


def unit_rows(doc: Document, context: Context) -> list[tuple]:
    """The clustering units of the document (itself, or its sections) with their feature tokens."""
    from .cluster.features import feature_tokens
    from .cluster.sectioning import split_sections

    if context.options.get("unit", "doc") == "doc":
        title = doc.meta.get("title")
        heading = title if isinstance(title, str) else ("" if "title" in doc.meta else doc.doc_id)
        return [(doc.doc_id, 0, 0, len(doc.text), heading, " ".join(feature_tokens(doc.tokens(context.segmenter))))]
    return [(doc.doc_id, n, start, end, heading, " ".join(feature_tokens(context.segmenter.cut(doc.text[start:end]))))
            for n, (start, end, heading) in enumerate(split_sections(doc.text))]


def unit_frame(rows: list[tuple], context: Context) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(rows, columns=schemas.UNITS.names)
    return frame.astype({"section": "int64", "start": "int64", "end": "int64"})


for _stage in (
        Stage("converted", schemas.CONVERTED, converted_rows),
        Stage("tokens", schemas.TOKENS, token_rows, table=token_table),
        Stage("lines", schemas.LINES, line_rows, frame=lambda rows, context: _object_frame(rows, schemas.LINES)),
        Stage("term_hits", schemas.TERM_HITS, hit_rows, frame=hit_frame),
        Stage("term_counts", schemas.TERM_COUNTS, count_rows),
        Stage("features", schemas.FEATURES, feature_rows, frame=feature_frame),
        Stage("facts", schemas.FACTS, fact_rows, frame=fact_frame),
        Stage("units", schemas.UNITS, unit_rows, frame=unit_frame)):
    register(_stage)


def _object_frame(rows: list[tuple], schema: Schema) -> pd.DataFrame:
    """Rows as a table of object columns (long strings are not copied into another string type)."""
    import pandas as pd

    return pd.DataFrame({name: pd.Series([row[i] for row in rows], dtype=object)
                         for i, name in enumerate(schema.names)})
