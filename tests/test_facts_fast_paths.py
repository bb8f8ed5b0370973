"""The fast paths of the facts stage give what the plain regex calls they stand for give."""
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unitynlp.facts.patterns import _CN_D, _RUN_CHARS, _lone_follow, candidates, master
from unitynlp.facts.subject import _DATED_CHARS, _DATED_TAIL, _TRAIL, _TRAIL_CHARS, _cut_tail

NUMERALISH = "0123456789０１２３４５６７８９.,，%％∶:/-—~至到一二两三四五六七八九十百千万亿零〇点分之年月日号个人元亩吨倍多余以及上下左右第每“”、。\n "
RUNS = re.compile(f"[{_RUN_CHARS}]+")
TAIL_WORDS = "比上年同期增长人均下降达到为了的至2019年去年底相比平均共计分别净增新增约近超过已经在"


def _finditer_matches(text: str) -> list[tuple]:
    """``master().finditer`` less the lone Chinese digits that :func:`candidates` does not try.

    A lone digit is a one-character match that ends a run of numerals, that no character of
    ``_lone_follow`` follows, and that is the whole run or what is left of the run after a match
    that started before the run.
    """
    run_start = {}
    for run in RUNS.finditer(text):
        run_start.update(dict.fromkeys(range(*run.span()), run.start()))
    follow, out, prev = _lone_follow(), [], (0, 0)
    for m in master().finditer(text):
        start, end = m.span()
        lone = end - start == 1 and text[start] in _CN_D and text[end:end + 1] not in follow \
            and not RUNS.match(text, end) \
            and (start == run_start[start] or prev[0] < run_start[start] and prev[1] == start)
        if not lone:
            out.append((m.span(), m.lastgroup, m.groups()))
        prev = start, end
    return out


@pytest.mark.parametrize("text", ["", "一", "一体化", "三中全会", "两重", "一个一个", "2024年3月5日", "3-5万元",
                                  "5%-6%", "百分之三十六点九", "1/3", "3∶2", "增长1 9 9 7年", "十一五", "一年来",
                                  "1.2019年", "4.2和0.7个百分点", "一" * 50, "1" * 50 + "万元", "三个“一号工程”"])
def test_candidates_are_the_matches_of_the_master_pattern(text):
    assert [(m.span(), m.lastgroup, m.groups()) for m in candidates(text)] == _finditer_matches(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=NUMERALISH, max_size=200))
def test_candidates_are_the_matches_of_the_master_pattern_on_any_text(text):
    assert [(m.span(), m.lastgroup, m.groups()) for m in candidates(text)] == _finditer_matches(text)


@pytest.mark.parametrize("phrase", ["", "增长", "产量比上年增长", "城镇新增就业", "人均", "居民人均收入",
                                    "粮食产量2019年", "比上年同期", "总产值比上年", "的", "已经达到了", "工业增加值"])
@pytest.mark.parametrize(("pattern", "chars"), [(_TRAIL, _TRAIL_CHARS), (_DATED_TAIL, _DATED_CHARS)])
def test_cut_tail_is_the_substitution(phrase, pattern, chars):
    assert _cut_tail(pattern, chars, phrase) == pattern.sub("", phrase)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=TAIL_WORDS + "工业总产值居民收入", max_size=30))
def test_cut_tail_is_the_substitution_on_any_phrase(phrase):
    assert _cut_tail(_TRAIL, _TRAIL_CHARS, phrase) == _TRAIL.sub("", phrase)
    assert _cut_tail(_DATED_TAIL, _DATED_CHARS, phrase) == _DATED_TAIL.sub("", phrase)
