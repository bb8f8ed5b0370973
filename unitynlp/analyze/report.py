"""The figures an analysis allows, and the self-contained HTML report (images, styles and the CJK font inline)."""
from __future__ import annotations

import base64
import functools
import html
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .parts import as_table

if TYPE_CHECKING:
    from . import Analysis

REPORT_ROWS = 15       # rows of each table shown in the HTML report


def figures(tables: dict[str, pd.DataFrame], groups: list[str]) -> dict[str, Callable]:
    """Builders of the figures the tables allow (each returns a matplotlib figure)."""
    from .. import plot

    builders: dict[str, Callable] = {}
    term_groups = tables["term_groups"]
    for column in groups[:3]:
        part = term_groups[term_groups["by"] == column]
        if not part.empty:
            builders[f"term_rates_{column}"] = lambda part=part, column=column: plot.term_rates(
                part, title=f"术语使用率：按 {column}")
    if "term_years" in tables and not tables["term_years"].empty:
        wide = tables["term_years"].pivot_table(index="term", columns="group", values="rate_per_10k", aggfunc="sum")
        builders["term_trend"] = lambda: plot.term_trend(wide)
    key = tables["keyness"]
    for column in groups[:3]:
        part = key[key["by"] == column]
        if not part.empty:
            target = part["target"].value_counts().index[0]
            chosen = part[part["target"] == target]
            builders[f"keyness_{column}"] = lambda chosen=chosen, column=column, target=target: plot.keyness_bars(
                chosen, title=f"关键词：{column} = {target} 对其余")
    facts = as_table(tables["facts"])
    if facts.rows:
        builders["facts"] = lambda: plot.fact_counts(facts.value_counts("kind"), facts.value_counts("unit"), facts.rows)
    if "cluster_coords" in tables:
        builders["cluster_map"] = lambda: plot.cluster_map(tables["cluster_coords"], tables["clusters"])
    return builders


SHORT = 20             # a text column whose shown values are all this short is kept on one line
CUT = 80               # longer text values are cut to this many characters in the report

# Tables scroll sideways in their own box rather than squeezing columns: short values and numbers
# stay on one line, long text wraps (anywhere: paths have no spaces) within a readable width
_CSS = """body{font-family:%s"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em auto;
max-width:1100px;padding:0 1em;color:#222;line-height:1.5}h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;
padding-bottom:.2em;margin-top:2em}.table{overflow-x:auto;max-width:100%%;margin:.5em 0}
table{border-collapse:collapse;font-size:.85em}th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;
vertical-align:top}th{background:#f4f4f4;white-space:nowrap}td.short,td.num{white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.text{min-width:16em;max-width:32em;
overflow-wrap:anywhere}img{max-width:100%%;border:1px solid #eee;margin:.5em 0}.note{color:#666;font-size:.9em}"""


def report_html(analysis: Analysis, images: dict[str, bytes], *, title: str) -> str:
    """A self-contained HTML report: summary, figures (inline PNG), the head of each table, and the
    CJK font its text needs (:mod:`.fonts`), so that it reads alike on any machine."""
    summary = as_table(analysis.tables["summary"])
    summary_frame = summary.head(summary.rows)
    body = [f"<h1>{html.escape(title)}</h1>", table_html(summary_frame, cut=None)]
    noted = set(summary_frame["value"])
    notes = [note for note in analysis.notes if note not in noted]  # those written after the summary
    if images:
        body += ["<h2>Figures</h2>", *map(_figure_html, images.items())]
    for name, table in analysis.tables.items():
        if name != "summary":
            rows = as_table(table)
            body.append(f"<h2>{html.escape(name)}</h2><p class='note'>{rows.rows:,} rows; "
                        f"all in csv/{html.escape(name)}.csv</p>" + table_html(rows.head(REPORT_ROWS)))
    face, family = _font(title + "".join(body) + "".join(notes), notes)
    body[1:1] = [f"<p class='note'>{html.escape(note)}</p>" for note in notes]
    return "\n".join([f"<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
                      f"<style>{face}\n{_CSS % family}</style></head><body>", *body, "</body></html>"])


def _figure_html(item: tuple[str, bytes]) -> str:
    name, png = html.escape(item[0]), base64.b64encode(item[1]).decode("ascii")
    return (f"<figure><img alt='{name}' src='data:image/png;base64,{png}'>"
            f"<figcaption class='note'>{name} (figures/{name}.svg)</figcaption></figure>")


def _font(text: str, notes: list[str]) -> tuple[str, str]:
    """The ``@font-face`` rule for ``text`` and the family to put first, or nothing and a note why."""
    from .fonts import FAMILY, FontUnavailable, font_face

    try:
        face, lacking = font_face(text)
    except FontUnavailable as exc:
        notes.append(f"Chinese text is shown in the system's fonts (no CJK font embedded: {exc})")
        return "", ""
    notes.extend(lacking)
    return face, f'"{FAMILY}",'


def table_html(frame: pd.DataFrame, *, cut: int | None = CUT) -> str:
    """``frame`` as an HTML table in a scrolling box: missing values empty, whole numbers without
    ``.0``, text longer than ``cut`` characters cut; each column classed ``num``, ``short`` or ``text``."""
    cell = functools.partial(_cell, cut=cut)
    kinds = [_kind(frame[column], cell) for column in frame.columns]
    head = "".join(f"<th class='{kind}'>{html.escape(str(column))}</th>" for column, kind in zip(frame.columns, kinds))
    rows = ["<tr>" + "".join(f"<td class='{kind}'>{html.escape(cell(value))}</td>" for value, kind in zip(row, kinds))
            + "</tr>" for row in frame.itertuples(index=False, name=None)]
    return f"<div class='table'><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"


def _kind(column: pd.Series, cell: Callable[[object], str]) -> str:
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return "num"
    return "text" if any(len(cell(value)) > SHORT for value in column) else "short"


def _cell(value, *, cut: int | None = CUT) -> str:
    """A value as the report shows it: missing (None, NaN, NA, NaT) as nothing, 3.0 as 3."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, (float, np.floating)):
        return str(int(value)) if value.is_integer() else format(value, ".6g")
    text = str(value)
    return text[:cut] + "…" if cut is not None and len(text) > cut else text
