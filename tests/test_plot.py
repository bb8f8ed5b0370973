import warnings

import pandas as pd
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("mplfonts")

from unitynlp import plot  # noqa: E402


def _render(fig):
    import matplotlib.pyplot as plt
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        images = plot.render(fig)
    plt.close(fig)
    assert images["png"].startswith(b"\x89PNG") and b"<svg" in images["svg"]
    return [str(w.message) for w in caught]


GROUPS = pd.DataFrame({"group": ["新疆", "新疆", "云南", "云南"], "term": ["三个离不开", "铸牢中华民族共同体意识"] * 2,
                       "count": [3, 1, 0, 2], "rate_per_10k": [1.5, 0.5, 0.0, 1.0]})


@pytest.mark.parametrize("build", [
    lambda: plot.term_rates(GROUPS, title="术语使用率：按地区"),
    lambda: plot.term_trend(pd.DataFrame({2019: [1.0, 2.0], 2020: [2.0, 0.5]}, index=["两个维护", "四个意识"])),
    lambda: plot.keyness_bars(pd.DataFrame({"term": ["援疆", "民族团结", "港口"], "G2": [30.0, 12.0, 9.0],
                                            "log_ratio": [2.0, 1.0, -1.5]}), title="关键词：新疆对其余"),
    lambda: plot.fact_distribution(pd.DataFrame({"kind": ["count", "money"], "unit": ["人", "元"]})),
    lambda: plot.cluster_map(pd.DataFrame({"doc_id": ["甲", "乙"], "section": [0, 0], "cluster": [0, 1],
                                           "x": [0.0, 1.0], "y": [1.0, 0.0]}),
                             pd.DataFrame({"cluster": [0, 1], "label": ["体育设施、场馆", "广播电视、村村通"]})),
], ids=["rates", "trend", "keyness", "facts", "clusters"])
def test_chinese_labels_have_every_glyph(build):
    messages = _render(build())
    assert not [m for m in messages if "missing from" in m.lower() or "glyph" in m.lower()], messages


def test_font_is_found_without_system_fonts():
    from matplotlib import font_manager

    family = plot.cjk_font()
    assert family.startswith("Noto Sans CJK")
    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert "mplfonts" in path


def test_style_does_not_leak():
    import matplotlib
    before = list(matplotlib.rcParams["font.sans-serif"])
    with plot.style():
        pass
    assert matplotlib.rcParams["font.sans-serif"] == before
