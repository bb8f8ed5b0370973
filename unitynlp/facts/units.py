"""The unit table (``data/units.tsv``): surface form → normalised unit, kind and allowed numerals."""
from __future__ import annotations

from collections import namedtuple
from functools import cache

from ..errors import DataFileError
from ..resources import data_text

KINDS = ("count", "money", "percent", "measure", "date", "ratio", "other")
UNIT_COLUMNS = ["surface", "unit", "kind", "numerals", "not_followed_by", "note"]

#: units of time that take a trailing 多/余 (3年多, 半年多)
TIME_UNITS = frozenset({"年", "个月", "个季度", "天", "周", "小时", "分钟", "工作日", "周年", "岁", "周岁"})


#: one row of the table; ``not_followed_by`` lists words that must not follow (元 not before 化)
Unit = namedtuple("Unit", "surface unit kind arabic_only not_followed_by")


@cache
def unit_table() -> dict[str, Unit]:
    """Surface form → :class:`Unit`, read once from ``data/units.tsv``."""
    lines = data_text("units.tsv").splitlines()
    if not lines or lines[0].split("\t")[:5] != UNIT_COLUMNS[:5]:
        raise DataFileError("units.tsv: the header must start with " + "\t".join(UNIT_COLUMNS[:5]))
    table: dict[str, Unit] = {}
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        cells = (line.split("\t") + [""] * 6)[:6]
        surface, unit, kind, numerals, nfb = (c.strip() for c in cells[:5])
        if kind not in KINDS or numerals not in ("any", "arabic") or not surface:
            raise DataFileError(f"units.tsv line {n}: need a surface, a kind in {KINDS} and "
                                f"numerals 'any' or 'arabic'; got {cells[:4]!r}")
        table[surface] = Unit(surface, unit, kind, numerals == "arabic",
                              tuple(w for w in nfb.split("|") if w))
    return table
