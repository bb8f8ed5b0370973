"""The figures an analysis allows, and the self-contained HTML report (images and styles inline)."""
from __future__ import annotations

import base64
import html
from typing import TYPE_CHECKING, Callable

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


_CSS = """body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em auto;
max-width:1100px;color:#222;line-height:1.5}h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;
padding-bottom:.2em;margin-top:2em}table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#f4f4f4}
img{max-width:100%;border:1px solid #eee;margin:.5em 0}.note{color:#666;font-size:.9em}"""


def report_html(analysis: Analysis, images: dict[str, bytes], *, title: str) -> str:
    """A self-contained HTML report: summary, figures (inline PNG) and the head of each table."""
    parts = [f"<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"]
    parts.append(analysis.tables["summary"].to_html(index=False, escape=True))
    if images:
        parts.append("<h2>Figures</h2>")
        for name, png in images.items():
            data = base64.b64encode(png).decode("ascii")
            parts.append(f"<figure><img alt='{html.escape(name)}' src='data:image/png;base64,{data}'>"
                         f"<figcaption class='note'>{html.escape(name)} (figures/{html.escape(name)}.svg)"
                         "</figcaption></figure>")
    for name, table in analysis.tables.items():
        if name == "summary":
            continue
        table = as_table(table)
        parts.append(f"<h2>{html.escape(name)}</h2><p class='note'>{table.rows:,} rows; "
                     f"all in csv/{html.escape(name)}.csv</p>")
        shown = table.head(REPORT_ROWS).copy()
        for column in shown.columns:
            if shown[column].dtype == object:
                shown[column] = shown[column].map(lambda v: v[:80] + "…" if isinstance(v, str) and len(v) > 80 else v)
        parts.append(shown.to_html(index=False, escape=True, na_rep=""))
    parts.append("</body></html>")
    return "\n".join(parts)
