"""Precompiled regular expressions of the facts stage; all run on simplified text.

Every pattern is a sequence of bounded character classes and alternations of literals with no
nested unbounded repetition, so matching is linear in the input.
"""
from __future__ import annotations

import re
from functools import cache

from .numerals import CN_DIGITS
from .units import unit_table

_D = "0-9０-９"
_CN_D = "".join(CN_DIGITS)
_CN_ALL = _CN_D + "十拾佰仟万萬亿億百千"
#: an Arabic number: thousands separators, decimals (not "1.2019年", an enumerator before a year)
ARABIC = (rf"(?:[{_D}]+(?:[,，][{_D}]{{3}}(?![{_D}]))*(?:[.．](?![12][0-9]{{3}}年)[{_D}]+)?(?! [{_D}])"
          rf"|[{_D}](?: [{_D}])+(?: ?[.．] ?[{_D}](?: [{_D}])*)?)")  # 1 9 9 7, 1 0 ．3 (national reports)
#: a Chinese or financial numeral; 千/百 stay out when they start a unit (千瓦, 百分点)
CHINESE = rf"(?:[{_CN_D}十拾佰仟万萬亿億]|千(?![瓦米克伏])|百(?!分))+(?:点[{_CN_D}]+)?"
#: multipliers after an Arabic number (3万, 1.6万亿, 3千万)
MULT = r"(?:[万萬亿億]{1,2}|[千百](?![瓦米克伏分])[万萬亿億]?)"
SEP = r"[-－—–~～〜至到]"

_A_START = r"(?<![0-9０-９A-Za-z第每])(?:(?<![0-9][.．])|(?<=\s[0-9][.．]))"
_C_START = rf"(?<![{_CN_ALL}第几数每])"
NUM_HEAD = rf"(?:{_A_START}{ARABIC}|{_C_START}{CHINESE})"
NUM = rf"(?:{ARABIC}|{CHINESE})"

_YEAR = rf"(?:[12１２][{_D}]{{3}}|[12](?: [0-9]){{3}} ?|[〇零○一二三四五六七八九]{{4}})"
_MONTH = r"(?:[1１][0-2０-２]|[0０]?[1-9１-９]|十[一二]?|[一二三四五六七八九])"
_DAY = (r"(?:[3３][01０１]|[12１２][0-9０-９]|[0０]?[1-9１-９]"
        r"|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])")

#: the characters of a run of numerals: the only places where a candidate can start
_RUN_CHARS = _D + _CN_ALL

#: units repeated before a range separator (5%-6%, 3个至5个); other ranges write the unit once
RANGE_UNITS = "个百分点|%|％|‰|倍|年|个月|天|岁|个|元|人|户|家|公里|米|亩|吨"

#: a number sharing the unit of the next one: 分别高4.2和0.7个百分点
LIST_TAIL = re.compile(rf"(?:、|和|及|与)[{_D}]+(?:[.．][{_D}]+)?(?P<u>{RANGE_UNITS})")

POST_QUALIFIERS = ("及以上", "以上", "以下", "左右", "以内", "之内", "多", "余")


#: the first characters of the commonest units in reports, tried first (see :func:`_unit_alternation`)
_COMMON_UNIT_FIRST = "个年元%人％项吨批种公倍条斤次件亩美千户方套周家平"


def _unit_alternation() -> str:
    """The unit words, longest first, grouped by first character: the engine then tries only the words
    starting with the character at hand (the same matches as one flat alternation, faster).

    The groups start with different characters, so at most one can match: their order changes
    no match, and the groups of the commonest units come first (the engine tries the groups in turn).
    """
    by_first: dict[str, list[str]] = {}
    for surface, unit in sorted(unit_table().items(), key=lambda kv: -len(kv[0])):
        # one lookahead per word: (?!行|川) would become a class of CJK characters, slow to compile
        rest = re.escape(surface[1:]) + "".join(f"(?!{re.escape(w)})" for w in unit.not_followed_by)
        by_first.setdefault(surface[0], []).append(rest)
    order = sorted(by_first, key=lambda ch: (ch not in _COMMON_UNIT_FIRST, _COMMON_UNIT_FIRST.find(ch)))
    return "|".join(re.escape(first) + (f"(?:{'|'.join(by_first[first])})" if len(by_first[first]) > 1
                                        else by_first[first][0])
                    for first in order)


def _class_of(chars) -> str:
    """A character class of ``chars`` (each escaped)."""
    return "[" + "".join(re.escape(ch) for ch in sorted(set(chars))) + "]"


def _opt(pattern: str) -> str:
    """``(?:pattern)?`` written as an alternation with nothing: the same matches, tried in the same order.

    The engine runs ``(...)?`` around a named group through its general repeat machinery, slow to
    enter at every try; the alternation does without it (a fifth off a quantity's match).
    """
    return f"(?:{pattern}|)"


#: every character a number can be written with (ARABIC, CHINESE, MULT, a year, a month)
_NUM_CHARS = rf"{_D}{_CN_ALL},，.． 点"


def _run_ends_with(chars: str) -> str:
    """A lookahead: the run of number characters from here ends before one of ``chars``.

    A branch whose number is followed by a word outside that run (年/月, 分之, a range separator) can
    match only then, so the lookahead changes no match; it spares the branch's full try at most
    numbers. A run longer than 40 characters passes, so the cost per position stays bounded.
    """
    return rf"(?=[{_NUM_CHARS}]{{0,40}}[{re.escape(chars)}]|[{_NUM_CHARS}]{{41}})"


@cache
def master() -> re.Pattern:
    """The one pattern that finds every candidate: dates, percentages, fractions, ratios, quantities."""
    units = _unit_alternation()
    seps = SEP[1:-1]
    date = (rf"(?P<y>{_A_START}{_YEAR}|{_C_START}{_YEAR})"
            + _opt(rf"年?{SEP}(?P<y2>{_YEAR})") + "年(?!级|代|轻)"
            + _opt(rf"(?P<mo>{_MONTH})" + _opt(rf"{SEP}(?P<mo2>{_MONTH})") + "月" + _opt(rf"(?P<d>{_DAY})[日号]"))
            + rf"|(?P<m1>{_A_START}{_MONTH}|{_C_START}{_MONTH})" + _opt(rf"{SEP}(?P<m2>{_MONTH})") + "月"
            + "(?!份额|球|饼|亮|光|嫂|刊|薪)" + _opt(rf"(?P<d1>{_DAY})[日号]"))
    pct = rf"{_C_START}(?P<pcn>百分之|千分之)(?P<pn>{NUM})" + _opt(rf"{SEP}(?:百分之|千分之)?(?P<pn2>{NUM})")
    frac = (rf"(?P<fd>{NUM_HEAD})分之(?P<fn>{NUM})"
            rf"|(?<![/／])(?P<fa>{_A_START}[{_D}]{{1,3}})[/／](?P<fb>[{_D}]{{1,3}})(?![{_D}/／.．A-Za-z])")  # 1/3
    ratio = rf"(?P<ra>{_A_START}{ARABIC})[:：∶](?P<rb>{ARABIC})(?![0-9])"
    range_first = "".join(dict.fromkeys(w[0] for w in RANGE_UNITS.split("|")))
    # a range head (5-6, 5%-6%, 3个至5个) is a run of number characters, perhaps a range unit, then a
    # separator: the lookahead rejects the other numbers before the head is parsed
    sep_class = f"[{re.escape(seps)}]"
    range_ahead = (rf"(?=[{_NUM_CHARS}]{{0,40}}(?:{sep_class}|(?=[{range_first}])(?:{RANGE_UNITS}){sep_class})"
                   rf"|[{_NUM_CHARS}]{{41}})")
    # the lookahead before the units: most numbers are followed by no unit, and the engine would
    # try the unit groups one by one before knowing
    unit_ahead = _class_of(surface[0] for surface in unit_table())
    qty = (_opt(rf"{range_ahead}(?P<lo>{NUM_HEAD}){_opt(f'(?P<lom>{MULT})')}{_opt(f'(?P<lou>{RANGE_UNITS})')}"
                rf"(?P<sep>{SEP})(?=[{_D}{_CN_D}十])")
           + rf"(?P<n>{NUM_HEAD})" + _opt("(?P<q1>[多余])") + _opt(f"(?P<m> ?{MULT})") + _opt("(?P<q2>[多余])")
           + _opt(rf" ?(?={unit_ahead})(?P<u>{units})") + _opt(f"(?P<post>{'|'.join(POST_QUALIFIERS)})"))
    # the first four branches need a word after their number's run (年/月, a separator, 分之, /, a colon)
    words_after = _run_ends_with("年月" + seps + "分/／:：∶")
    return re.compile(rf"(?:{words_after}(?:(?P<date>{date})|(?P<pct>{pct})|(?P<frac>{frac})|(?P<ratio>{ratio}))"
               rf"|(?P<qty>{qty}))")


@cache
def _lone_follow() -> frozenset:
    """Characters after a lone Chinese digit that can make it a fact: a unit, 年/月, 分之, 多/余, a range."""
    chars = {surface[0] for surface in unit_table()} | set("年月日号分多余点之以及左上个") | set(SEP[1:-1]) | {" ", ""}
    return frozenset(chars)


@cache
def numeral_runs() -> re.Pattern:
    """Runs of numeral characters, less the lone Chinese digits nothing can make a figure (一体, 三中, 两重).

    A lone Chinese digit is kept when a character of :func:`_lone_follow` or the end of the text
    follows it. The pattern starts with a single character class, so the engine finds the start
    of a run with its fast class search (``[…]+`` would be tried at every position).
    """
    follow = "".join(re.escape(ch) for ch in sorted(_lone_follow()) if ch)
    return re.compile(rf"[{_RUN_CHARS}](?:[{_RUN_CHARS}]+|(?<![{_CN_D}])|(?=[{follow}]|\Z))")


def candidates(text: str):
    """Matches of :func:`master` in ``text``, tried only inside :func:`numeral_runs`.

    The same matches as ``master().finditer(text)`` (every match starts with a numeral), but
    the scan for a start is a plain character-class search, several times faster; a lone Chinese
    digit that no unit, date or range word follows (一体, 三中) is not tried (it cannot be a fact).
    """
    match = master().match
    follow = _lone_follow()
    pos = 0
    for run in numeral_runs().finditer(text):
        p, stop = run.span()
        if p < pos:  # the previous match ran into this run
            p = pos
            if stop - p == 1 and text[p] in _CN_D and text[stop:stop + 1] not in follow:
                continue  # what is left of the run is a lone Chinese digit (see numeral_runs)
        while p < stop:
            m = match(text, p)
            if m:
                yield m
                pos = p = m.end()
            else:
                p += 1


#: qualifiers written before the number, longest first, with their class
PRE_QUALIFIERS = {
    "不少于": "more_than", "不低于": "more_than", "多于": "more_than", "高于": "more_than",
    "超过": "more_than", "突破": "more_than", "逾": "more_than", "超": "more_than",
    "至少": "more_than", "超出": "more_than", "跨越": "more_than",
    "不足": "less_than", "不到": "less_than", "不超过": "less_than", "低于": "less_than",
    "少于": "less_than", "不高于": "less_than",
    "大约": "approx", "约": "approx", "将近": "approx", "接近": "approx", "近": "approx",
}
POST_CLASS = {"及以上": "more_than", "以上": "more_than", "多": "more_than", "余": "more_than",
              "以下": "less_than", "以内": "less_than", "之内": "less_than",
              "左右": "approx", "上下": "approx"}
#: characters that make a qualifier word part of another word (节约, 最近, 赶超)
_NOT_QUALIFIER_AFTER = {"约": "节制签履合违预契公条誓相邀集", "近": "最附邻就亲靠", "超": "赶高"}
PRE_RE = re.compile("(?:" + "|".join(
    (f"(?<![{_NOT_QUALIFIER_AFTER[w]}])" if w in _NOT_QUALIFIER_AFTER else "") + w
    for w in sorted(PRE_QUALIFIERS, key=len, reverse=True)) + ")\\Z")

SENTENCE_END = re.compile(r"[。！？!?\n\r]")
CLAUSE_SEP = "，,；;：:。！？!?\n\r\t、（）()“”\"《》【】[]…—"
#: words of change directly before a number
CHANGE_RE = re.compile(r"(增产|减产|增收|减收|增长|增加|提高|上升|提升|(?<!新)增|扩大|上涨|攀升|递增|多|"
                       r"下降|减少|降低|下滑|回落|缩小|压减|减|降|削减|下调|缩减)(了|约|近|超过|超)?\Z")
DECREASE = frozenset({"减产", "减收", "下降", "减少", "降低", "下滑", "回落",
                      "缩小", "压减", "减", "降", "削减", "下调", "缩减"})
SHARE_RE = re.compile(r"(约|近|超过|不足|超)?占(?P<base>[^，,；;。：:]{0,20}?)(?:的)?(?:比重|比例)?(?:达到|达|为)?\Z")
