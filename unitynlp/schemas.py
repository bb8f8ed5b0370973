"""The columns and types of every table unitynlp produces, declared in one place.

Each stage and each table of ``analyze`` has a :class:`Schema`: its columns in order, with one
of these kinds per column:

========= ===================================================================
string    text (pandas ``str`` or ``object`` holding strings; missing: NA)
int64     whole numbers, never missing
Int64     whole numbers that may be missing (pandas' nullable integer)
float64   numbers (missing: NaN)
bool      true or false
object    anything (lists, mixed values)
========= ===================================================================

Empty results still have every column of their schema (:meth:`Schema.empty`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

KINDS = ("string", "int64", "Int64", "float64", "bool", "object")
_EMPTY_DTYPES: dict[str, str | type] = {"string": object, "int64": "int64", "Int64": "Int64", "float64": "float64",
                                         "bool": bool, "object": object}


@dataclass(frozen=True)
class Schema:
    """A table's name, and its columns with their kinds (see the module docs)."""
    name: str
    columns: tuple[tuple[str, str], ...]
    doc: str = ""

    @property
    def names(self) -> list[str]:
        """The column names in order."""
        return [name for name, _ in self.columns]

    def empty(self) -> pd.DataFrame:
        """A table with these columns and no row."""
        import pandas as pd

        return pd.DataFrame({name: pd.Series(dtype=_EMPTY_DTYPES[kind]) for name, kind in self.columns})

    def problems(self, frame: pd.DataFrame) -> list[str]:
        """How ``frame`` departs from the schema (empty: it conforms)."""
        if list(frame.columns) != self.names:
            return [f"{self.name}: columns {list(frame.columns)} instead of {self.names}"]
        return [f"{self.name}.{name}: {frame[name].dtype} is not {kind}"
                for name, kind in self.columns if not _fits(frame[name], kind)]


def _fits(series: pd.Series, kind: str) -> bool:
    import pandas as pd

    dtype = series.dtype
    if kind == "object":
        return True
    if kind == "string":
        return isinstance(dtype, pd.StringDtype) or (dtype.kind == "O" and all(
            isinstance(v, str) or v is None or v is pd.NA or v != v for v in series.head(1000)))
    if kind == "Int64":
        return str(dtype) in ("Int64", "int64")
    return str(dtype) == kind


def _schema(name: str, doc: str, *columns: str) -> Schema:
    """A schema from ``"column:kind"`` strings."""
    pairs = (c.split(":") for c in columns)
    return Schema(name, tuple((column, kind) for column, kind in pairs), doc)


DOCUMENTS = _schema("documents", "one row per document (then any extra metadata columns)",
                    "doc_id:string", "title:string", "year:Int64", "region:string", "level:string", "source:string",
                    "source_start:int64", "source_end:int64", "encoding:string", "n_chars:int64")
CONVERTED = _schema("converted", "each document in simplified characters",
                    "doc_id:string", "text:string", "script:string", "n_changed:int64", "length_changed:bool")
TOKENS = _schema("tokens", "one row per token, offsets into the original",
                 "doc_id:string", "position:int64", "token:string", "start:int64", "end:int64", "stopword:bool")
LINES = _schema("lines", "one row per document: its id, a tab and its tokens separated by spaces", "line:string")
TERM_HITS = _schema("term_hits", "one row per hit of a lexicon term",
                    "doc_id:string", "term:string", "category:string", "start:int64", "end:int64", "text:string",
                    "expansion:object")
TERM_COUNTS = _schema("term_counts", "one row per document and term that occurs",
                      "doc_id:string", "term:string", "category:string", "count:int64", "rate_per_10k:float64")
FEATURES = _schema("features", "counts of lexicon terms and ordinary words per document (keyness)",
                   "doc_id:string", "term:string", "category:string", "count:int64")
FACTS = _schema("facts", "one row per numeric fact",
                "doc_id:string", "start:int64", "end:int64", "text:string", "value:float64", "value_max:float64",
                "unit:string", "kind:string", "qualifier:string", "qualifier_text:string", "subject:string",
                "base:string", "change:string", "date:string", "sentence:string")
UNITS = _schema("units", "documents or sections with their clustering tokens separated by spaces",
                "doc_id:string", "section:int64", "start:int64", "end:int64", "heading:string", "tokens:string")
KWIC = _schema("kwic", "one row per hit of a term or pattern with its context",
               "doc_id:string", "start:int64", "end:int64", "left:string", "match:string", "right:string")
TERM_FREQUENCY = _schema("term_frequency", "one row per term over the corpus",
                         "term:string", "category:string", "count:int64", "n_docs:int64", "doc_share:float64",
                         "rate_per_10k:float64")
GROUP_FEATURES = _schema("group_features", "feature counts summed per metadata group",
                         "by:string", "group:string", "term:string", "count:int64")
KEYNESS = _schema("keyness", "each group of each grouping column against the rest",
                  "by:string", "target:object", "term:string", "category:string", "G2:float64", "chi2:float64",
                  "p:float64", "log_ratio:float64", "n_target:int64", "n_reference:int64")
CLUSTER_ASSIGNMENTS = _schema("cluster_assignments", "each unit's cluster",
                              "doc_id:string", "section:int64", "start:int64", "end:int64", "cluster:int64",
                              "label:string", "score:float64")
CLUSTERS = _schema("clusters", "one row per cluster", "cluster:int64", "size:int64", "label:string",
                   "terms:string", "representatives:string")
CLUSTER_COORDS = _schema("cluster_coords", "a 2-D map of the units", "doc_id:string", "section:int64",
                         "cluster:int64", "x:float64", "y:float64")
SUMMARY = _schema("summary", "what the run did", "item:string", "value:string")

SCHEMAS: dict[str, Schema] = {s.name: s for s in (
    DOCUMENTS, CONVERTED, TOKENS, LINES, TERM_HITS, TERM_COUNTS, FEATURES, FACTS, UNITS, KWIC, TERM_FREQUENCY,
    GROUP_FEATURES, KEYNESS, CLUSTER_ASSIGNMENTS, CLUSTERS, CLUSTER_COORDS, SUMMARY)}
