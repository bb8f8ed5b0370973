from pathlib import Path

import pytest

from unitynlp.convert import Converter, convert, convert_docs
from unitynlp.corpus import read_corpus
from unitynlp.errors import InputError

SEED = Path(__file__).parent / "data" / "seed_reports.txt"


@pytest.mark.parametrize("original, simplified", [
    ("推進民族團結進步", "推进民族团结进步"),
    ("著力培育核心價值觀", "着力培育核心价值观"),      # post-correction table
    ("顯著成效", "显著成效"),                          # 著 kept where it is right
    ("隨著經濟發展", "随着经济发展"),
    ("核心價值", "核心价值"),                          # t2s never rewrites phrases (tw2sp: 内核)
    ("共同團結奮斗", "共同团结奋斗"),
])
def test_t2s(original, simplified):
    assert convert(original).text == simplified


def test_simplified_input_passes_through_unchanged():
    text = "全省地区生产总值增长5.2%，城镇新增就业48.81万人。" * 40 + "洪山菜薹远销各地。"
    conv = convert(text)
    assert conv.text == text and conv.script == "simplified" and conv.identity


def test_offsets_through_length_changing_conversion():
    conv = Converter("tw2sp").convert("我用網際網路寫部落格,在辛巴威。\n第二行", script="traditional")
    assert conv.text == "我用互联网写博客,在津巴布韦。\n第二行"
    pieces = {conv.text[i]: conv.original[slice(*conv.to_original(i, i + 1))] for i in range(len(conv.text))}
    assert pieces["联"] == "網際網路" and pieces["客"] == "部落格" and pieces["韦"] == "辛巴威"
    assert conv.original[slice(*conv.to_original(0, 2))] == "我用"
    assert conv.original[slice(*conv.to_original(2, 5))] == "網際網路"
    assert conv.original[slice(*conv.to_original(len(conv.text) - 3, len(conv.text)))] == "第二行"
    starts, ends = conv.map_spans([2, 5], [5, 8])
    assert [conv.original[s:e] for s, e in zip(starts, ends)] == ["網際網路", "寫部落格"]


def test_every_character_of_the_seed_maps_back(seed_text):
    conv = convert(seed_text)
    assert conv.script == "traditional" and len(conv.text) == len(seed_text)
    for i in range(0, len(seed_text), 7):
        s, e = conv.to_original(i, i + 1)
        assert convert(seed_text[s:e], script="traditional").text in (conv.text[i], )


def test_convert_docs_frame():
    frame = convert_docs(read_corpus())
    assert list(frame.columns) == ["doc_id", "text", "script", "n_changed", "length_changed"]
    assert (frame["script"] == "traditional").all() and (frame["n_changed"] > 0).all()


def test_unknown_config():
    with pytest.raises(InputError, match="choose one of"):
        Converter("s2x")
