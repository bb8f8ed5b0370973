"""Plots with Chinese labels: term rates by group, trends, keyness, facts, the cluster map.

Chinese text needs a CJK font; unitynlp uses Noto Sans CJK SC as shipped by the ``mplfonts``
package (``pip install "unitynlp[plot]"``), so no system font is needed. Styles apply inside
each function only (``matplotlib.rc_context``): the caller's settings are never changed.
"""
from __future__ import annotations

import contextlib
from functools import lru_cache
from pathlib import Path

from .errors import UnityNLPError

FONT_FILE = "NotoSansCJKsc-Regular.otf"
ANNOTATE_POINTS = 40  # the cluster map names each point up to this many


class PlotError(UnityNLPError):
    """Plotting is not available (matplotlib or the CJK font is missing)."""


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register the bundled CJK font with matplotlib and return its family name."""
    try:
        import matplotlib
        import mplfonts
        from matplotlib import font_manager
    except ImportError:
        raise PlotError('plotting needs matplotlib and mplfonts: pip install "unitynlp[plot]"') from None
    del matplotlib
    path = Path(mplfonts.__file__).parent / "fonts" / FONT_FILE
    if not path.exists():
        raise PlotError(f"{path}: the CJK font is missing from mplfonts; reinstall it "
                        '(pip install --force-reinstall mplfonts)')
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


@contextlib.contextmanager
def style():
    """A matplotlib style with the CJK font, for the duration of a ``with`` block."""
    import matplotlib.pyplot as plt

    with plt.rc_context({"font.family": "sans-serif", "font.sans-serif": [cjk_font(), "DejaVu Sans"],
                         "axes.unicode_minus": False, "svg.fonttype": "path",
                         "figure.dpi": 100, "savefig.dpi": 150, "savefig.bbox": "tight"}):
        yield plt


def render(fig, formats=("png", "svg")) -> dict[str, bytes]:
    """``fig`` drawn in each format, with the CJK style: format → bytes."""
    import io

    images = {}
    with style():
        for fmt in formats:
            buffer = io.BytesIO()
            fig.savefig(buffer, format=fmt)
            images[fmt] = buffer.getvalue()
    return images


def save(fig, stem: str | Path, *, formats=("png", "svg")) -> list[Path]:
    """Write ``fig`` as ``stem.png`` and ``stem.svg`` (atomically); returns the paths."""
    from .output import atomic_write

    paths = []
    for fmt, data in render(fig, formats).items():
        path = Path(f"{stem}.{fmt}")
        atomic_write(path, data)
        paths.append(path)
    return paths


def term_rates(groups, *, top: int = 15, title: str = ""):
    """Heatmap of the rate per 10,000 characters of the most frequent terms in each group.

    ``groups`` is :func:`unitynlp.terms.group_counts` output (group, term, rate_per_10k, count).
    """
    totals = groups.groupby("term")["count"].sum().sort_values(ascending=False, kind="stable")
    terms = list(totals.index[:top])
    table = (groups[groups["term"].isin(terms)]
             .pivot_table(index="term", columns="group", values="rate_per_10k", aggfunc="sum", sort=False)
             .reindex(terms).fillna(0.0))
    with style() as plt:
        fig, ax = plt.subplots(figsize=(1.2 + 0.9 * max(len(table.columns), 2), 1.0 + 0.38 * max(len(terms), 1)))
        image = ax.imshow(table.to_numpy(), aspect="auto", cmap="YlOrRd")
        ax.set_xticks(range(len(table.columns)), [str(c) for c in table.columns], rotation=45, ha="right")
        ax.set_yticks(range(len(terms)), terms)
        fig.colorbar(image, ax=ax, label="每万字频次")
        ax.set_title(title or "术语使用率（每万字）")
        fig.tight_layout()
    return fig


def term_trend(table, *, terms=None, top: int = 6, title: str = ""):
    """Lines of term rates over a numeric axis (years): ``table`` is term × year (frequency_table)."""
    table = table.copy()
    years = [c for c in table.columns if str(c).lstrip("-").isdigit()]
    table = table[years]
    if terms is None:
        terms = list(table.sum(axis=1).sort_values(ascending=False, kind="stable").index[:top])
    with style() as plt:
        fig, ax = plt.subplots(figsize=(8, 4.5))
        for term in terms:
            if term in table.index:
                ax.plot([int(y) for y in years], table.loc[term].to_numpy(), marker="o", ms=3, label=term)
        ax.set_xlabel("年份")
        ax.set_ylabel("每万字频次")
        ax.set_title(title or "术语使用趋势")
        if len(terms):
            ax.legend(fontsize=8, ncol=2)
        fig.tight_layout()
    return fig


def keyness_bars(table, *, top: int = 12, title: str = ""):
    """Horizontal bars of G², signed by the log ratio: the target's key terms right, the reference's left."""
    import pandas as pd

    signed = table["G2"].abs() * table["log_ratio"].map(lambda v: 1.0 if v >= 0 else -1.0)
    ranked = table.assign(signed=signed).sort_values("signed", kind="stable")
    shown = pd.concat([ranked[ranked["signed"] < 0].head(top), ranked[ranked["signed"] > 0].tail(top)])
    with style() as plt:
        fig, ax = plt.subplots(figsize=(7, 0.8 + 0.32 * max(len(shown), 1)))
        ax.barh(range(len(shown)), shown["signed"],
                color=["#c0392b" if v >= 0 else "#2c7fb8" for v in shown["signed"]])
        ax.set_yticks(range(len(shown)), list(shown["term"]))
        ax.axvline(0, color="#555", lw=0.8)
        ax.set_xlabel("G²（右：目标组，左：参照组）")
        ax.set_title(title or "关键词")
        fig.tight_layout()
    return fig


def fact_distribution(facts, *, top_units: int = 12, title: str = ""):
    """Two panels: facts by kind, and the most frequent units."""
    return fact_counts(facts["kind"].value_counts(), facts["unit"].value_counts(), len(facts),
                       top_units=top_units, title=title)


def fact_counts(kinds, units, total: int, *, top_units: int = 12, title: str = ""):
    """:func:`fact_distribution` from the counts of each kind and unit (as ``value_counts`` gives them)."""
    with style() as plt:
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
        left.bar(list(map(str, kinds.index)), kinds.to_numpy(), color="#3b7dd8")
        left.set_title("按类型")
        units = units.head(top_units)
        labels = [str(u) if u != "" else "（无）" for u in units.index]
        right.barh(labels[::-1], units.to_numpy()[::-1], color="#e08a2c")
        right.set_title("常见单位")
        fig.suptitle(title or f"数字事实（共 {total} 条）")
        fig.tight_layout()
    return fig


def cluster_map(coords, clusters=None, *, title: str = ""):
    """Scatter of the 2-D coordinates of each unit, coloured by cluster, labelled by its terms."""
    labels = dict(zip(clusters["cluster"], clusters["label"])) if clusters is not None else {}
    with style() as plt:
        fig, ax = plt.subplots(figsize=(7.5, 6))
        for cluster_id, part in coords.groupby("cluster", sort=True):
            ax.scatter(part["x"], part["y"], s=28, alpha=0.8,
                       label=f"{cluster_id}: {labels.get(cluster_id, '')}".strip(": "))
        if len(coords) <= ANNOTATE_POINTS:
            for row in coords.itertuples():
                name = str(row.doc_id) + (f"#{row.section}" if "section" in coords and row.section == row.section
                                          and str(row.section) not in ("", "0") else "")
                ax.annotate(name, (row.x, row.y), fontsize=7, xytext=(3, 3), textcoords="offset points")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title or "主题聚类")
        ax.legend(fontsize=8, loc="best")
        fig.tight_layout()
    return fig
