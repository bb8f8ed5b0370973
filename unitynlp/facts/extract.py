"""The extractor: one regex pass over the simplified text, checks per candidate, then subjects."""
from __future__ import annotations

import bisect
import re
from functools import cache

from ..lexicon import Lexicon, default_lexicon
from .formulas import formula_spans
from .numerals import CN_BIG, CN_DIGITS, is_digitwise, parse_number
from .patterns import LIST_TAIL, PRE_QUALIFIERS, PRE_RE, candidates
from .subject import fill_subjects
from .units import TIME_UNITS, unit_table

FACT_COLUMNS = ["doc_id", "start", "end", "text", "value", "value_max", "unit", "kind", "qualifier",
                "qualifier_text", "subject", "base", "change", "date", "sentence"]

_DIGITS = "0123456789０１２３４５６７８９"
_OPEN_QUOTES = "“\"‘「『"
_FINANCIAL = "壹贰貳叁肆伍陆陸柒捌玖拾佰仟"
#: an opening quote that no closing quote (other than ") follows up to the end of the searched window
_OPEN_QUOTE_TAIL = re.compile(r"[“\"‘「『][^”’」』]*\Z")
_CLOSE_QUOTE = re.compile(r"[”\"’」』]")
_LATIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_SLASHES = "/／"
#: 一年 is a duration only in these contexts (过去一年, 一年来), not in 一年一度
_ONE_YEAR_BEFORE = ("过去", "近", "这", "用", "经过", "历时", "花了", "前", "后", "头", "半")
_ONE_YEAR_AFTER = ("来", "以来", "多", "内", "间", "半", "期", "后")
#: 成 is a tenth only when followed by these or by punctuation (七成以上), not in 一成不变
_CHENG_AFTER = ("以上", "以下", "左右", "多", "的", "是", "为", "来自", "以")
_MAX_SPAN = 40
_PER_UNIT = re.compile(r"[/／](月|年|天|日|人|户|吨|亩|斤|公斤|千克|平方米|立方米|千瓦时|度|小时|次|件|台|辆|头|只"
                       r"|套|间)")
_SCALE_PRE = ("近", "约", "逾", "超", "超过", "将近", "接近", "突破", "不足", "不到")
_PRE_LAST = frozenset(w[-1] for w in PRE_QUALIFIERS)  # 超过, 约: a qualifier ends with one of these
_ORDINAL_SEP = frozenset("、和至到-")
_ORDINAL_LIST = re.compile(r"第[0-9０-９一二三四五六七八九十]{1,3}[、和至到-]\Z")
_POINTS_TAIL = re.compile(r"(?:、|和|及|与)[0-9０-９]+(?:[.．][0-9０-９]+)?个百分点")
#: the rest of a short quoted name after its number (“15分钟就业服务圈”, “2小时重庆”)
_NAME_IN_QUOTES = re.compile(r"[^”\"’」』，。；、\n]{1,10}[”\"’」』]")
_QUOTE_HEAD = re.compile(r"“[^“”，。；\n]{1,5}\Z")
_NOUN_OF_HOUSEHOLDS = re.compile(r"(?:农牧|农|脱贫|贫困|低保|困难)户")
#: nouns of people that stand in for the measure word 人 (5111贫困人口, 9748万农村人口, 6600多万纳税人)
_NOUN_OF_PEOPLE = re.compile(r"(?:农村|贫困|城镇|农业|流动|常住|户籍|脱贫|搬迁|城市)?人口|纳税人|农民工|农牧民")


@cache
def _people_after_scale() -> re.Pattern:
    """After 万/亿, a short noun phrase naming people also stands in for 人 (358万居家老年人, 400万城乡居民).

    Compiled on first use: few texts need it, and its CJK ranges are slow to compile.
    """
    return re.compile(r"[\u4e00-\u9fff]{0,4}?(?:老年人|老人|居民|群众|学生|儿童|职工|患者|农民|游客|旅客|市民)"
               r"(?![\u4e00-\u9fff]{0,2}[0-9０-９])")


class _Cand(dict):
    """A fact being built, in converted-text offsets; private keys start with an underscore."""


def _year_ok(value: float) -> bool:
    return 1000 <= value <= 2100


def _date(m: re.Match, s: str) -> _Cand | None:
    if m.group("y"):
        year = parse_number(m.group("y"))
        if not _year_ok(year):
            return None
        norm = f"{int(year):04d}"
        cand = _Cand(value=year, value_max=None, unit="年", kind="date")
        if m.group("y2"):
            y2 = parse_number(m.group("y2"))
            if not _year_ok(y2) or y2 <= year:
                return None
            cand["value_max"], norm = y2, f"{norm}/{int(y2):04d}"
        elif m.group("mo"):
            month = parse_number(m.group("mo"))
            if not 1 <= month <= 12:
                return None
            norm += f"-{int(month):02d}"
            if m.group("mo2"):
                norm += f"/{int(year):04d}-{int(parse_number(m.group('mo2'))):02d}"
            elif m.group("d"):
                norm += f"-{int(parse_number(m.group('d'))):02d}"
        cand["date"] = norm
        return cand
    month = parse_number(m.group("m1"))
    if not 1 <= month <= 12:
        return None
    if m.group("m1")[0] not in _DIGITS and not m.group("d1") and not _cn_month_ok(s, m.start(), m.end()):
        return None
    cand = _Cand(value=month, value_max=None, unit="月", kind="date", date=f"--{int(month):02d}")
    if m.group("m2"):
        m2 = parse_number(m.group("m2"))
        if not month < m2 <= 12:
            return None
        cand["value_max"], cand["date"] = m2, f"--{int(month):02d}/--{int(m2):02d}"
    elif m.group("d1"):
        cand["date"] += f"-{int(parse_number(m.group('d1'))):02d}"
    return cand


def _cn_month_ok(s: str, start: int, end: int) -> bool:
    """三月 alone is a month in 每年的三月、九月 or 三月份, not in 一月接着一月 or “三月三”."""
    return s[end:end + 1] in "份底初末中上下、的，,。" or s[max(0, start - 1):start] in ("年", "、", "的")


def _percent_words(m: re.Match) -> _Cand:
    unit = "%" if m.group("pcn") == "百分之" else "‰"
    value_max = parse_number(m.group("pn2")) if m.group("pn2") else None
    return _Cand(value=parse_number(m.group("pn")), value_max=value_max, unit=unit, kind="percent")


def _fraction(m: re.Match) -> _Cand | None:
    """三分之一 (Chinese: denominator first) or 1/3 (Arabic)."""
    if m.group("fd"):
        denominator, numerator = parse_number(m.group("fd")), parse_number(m.group("fn"))
    else:
        numerator, denominator = parse_number(m.group("fa")), parse_number(m.group("fb"))
    if not denominator or numerator > denominator:
        return None
    return _Cand(value=numerator / denominator, value_max=None, unit="", kind="ratio")


def _ratio(m: re.Match, s: str) -> _Cand | None:
    start = m.start()
    if "比" not in s[max(0, start - 12):start]:
        return None
    b = parse_number(m.group("rb"))
    return _Cand(value=parse_number(m.group("ra")) / b if b else None, value_max=None, unit="",
                 kind="ratio")


def _chinese_ok(n: str, unit: str, surface: str, s: str, start: int, end: int, pre: str) -> bool:
    """Checks for a quantity written in Chinese numerals (a lone 一 is first decided by :func:`_one_counts`)."""
    if len(n) > 1 and is_digitwise(n):  # 三五年, 七八个: vague
        return False
    if n in ("零", "〇", "○"):
        return False
    if CN_DIGITS.keys().isdisjoint(n):  # 千亿, 百万: a scale, unless 突破千亿 / 近万人
        return pre in _SCALE_PRE and unit != "年" and not s.startswith(("的", "以上"), end)
    if n == "二" and surface not in ("年", "个月", "天", "小时", "倍", "番", "成") and unit != "%":
        return False  # 二轮, 二次, 二期: ordinals
    if s[max(0, start - (end - start)):start] == s[start:end]:  # 一个一个
        return False
    if surface == "个" and s[end:end + 1] in _OPEN_QUOTES:  # 三个“一号工程”
        return False
    if end < len(s) and s[end] in "零〇一二两三四五六七八九十":  # 五位一体, 一场四馆, 五个一
        return False
    if _in_short_quote(s, start, end):
        return False  # “两个维护”, “科创板八条”: a formula in quotes
    if len(n) < 2 and n in _FINANCIAL and unit != "元":
        return False  # 大陆首只, 入伍: a lone financial numeral is a word
    return True


def _one_counts(s: str, start: int, end: int, surface: str) -> bool:
    """一 + measure word counts only as a duration (过去一年), 一倍/一番 or in a list of counts."""
    if surface == "年":
        return s[max(0, start - 2):start].endswith(_ONE_YEAR_BEFORE) or s[end:end + 2].startswith(_ONE_YEAR_AFTER)
    if surface == "个月":
        return s[max(0, start - 2):start].endswith(_ONE_YEAR_BEFORE)
    return surface in ("倍", "番") or _in_arabic_list(s, start, surface)


def _in_arabic_list(s: str, start: int, surface: str) -> bool:
    """一片 is a count in a list with Arabic counts of the same measure word (10片、2片、一片)."""
    window = s[max(0, start - 25):start]
    i = window.rfind(surface)
    while i > 0:
        if window[i - 1] in _DIGITS:
            between = window[i + len(surface):]
            return "。" not in between and any(sep in between for sep in "、，,；;")
        i = window.rfind(surface, 0, i)
    return False


def _in_short_quote(s: str, start: int, end: int) -> bool:
    """The span sits in a quotation of a few characters (“两个维护”, “五城三小时经济圈”)."""
    return bool(_OPEN_QUOTE_TAIL.search(s, max(0, start - 6), start) and _CLOSE_QUOTE.search(s, end, end + 8))


def _quantity(m: re.Match, s: str) -> list[_Cand]:
    """A number with its unit (or a multiplier), a qualifier and possibly a range head."""
    lo, n, mult, surface, written_post, q1, q2 = m.group("lo", "n", "m", "u", "post", "q1", "q2")
    arabic = n[0] in _DIGITS
    m_end = m.end()
    if not surface:
        if not mult:  # a bare number: most are not facts; the cheap checks first
            if arabic:
                if not (_NOUN_OF_PEOPLE.match(s, m_end) or LIST_TAIL.match(s, m.end("n"))):
                    return []
            elif len(n) < 2 or n[-1] not in CN_BIG:
                return []
    elif n == "一" and not _one_counts(s, m.start("n"), m.end("u"), surface):
        return []  # the commonest rejection (一个, 一批: "a"), decided before any other check
    n_start = m.start("n")
    head = m.start("lo") if lo else n_start
    before = s[head - 1:head] if head else ""
    pre_m = PRE_RE.search(s, max(0, head - 3), head) if before in _PRE_LAST else None
    pre = pre_m.group(0) if pre_m else ""
    if before in _ORDINAL_SEP and _ORDINAL_LIST.search(s, max(0, head - 6), head):
        return []  # 第1、2名: the 第 governs the whole list
    found = _unit_of(m, s, n, surface, mult, arabic, pre)
    if found is None:
        return []
    unit, kind = found
    post = written_post or ""
    end = m_end
    if post and post in ("多", "余") \
            and not (unit in TIME_UNITS or unit == "倍" or (not surface and (mult or n[-1] in CN_BIG))):
        post = ""  # 100多名 keeps its 多 inside; 3年多 and 3万多 take it after
        end -= 1
    if surface and not post and s[end:end + 1] in _SLASHES:
        per = _PER_UNIT.match(s, end)
        if per:  # 485元/月, 30元/吨, 16.8万元/人左右
            unit, end = f"{unit}/{per.group(1)}", per.end()
            post = next((w for w in ("及以上", "以上", "以下", "左右", "以内") if s.startswith(w, end)), "")
            end += len(post)
    if s.startswith("级", end):  # 百亿级, 千万千瓦级: a scale, not a quantity
        return []
    if arabic:
        if before in _OPEN_QUOTES and _NAME_IN_QUOTES.match(s, end) \
                or s[end:end + 1] == "”" and _QUOTE_HEAD.search(s, max(0, head - 6), head):
            return []  # “15分钟健身圈”, “3个100”, “两个70%”: a name, not a quantity
        if not mult and kind == "count" and not lo and n[-1] in _DIGITS and unit not in ("", "人次", "户次") \
                and (n_start == 0 or s[n_start - 1] in "\n\r"):
            dot = max(n.find("."), n.find("．"))
            if dot > 0:  # 8.6个重大科技专项 at the start of a line: list number 8, then 6个
                n, n_start = n[dot + 1:], n_start + dot + 1
    cand = _Cand(value=parse_number(n + mult if mult else n), value_max=None, unit=unit, kind=kind,
                 _mid=q1 or q2 or "", _post=post)
    if pre and not (pre in ("近", "将近") and unit in ("年", "个月")):  # 近5年: the last five years
        cand["_pre"] = pre
        cand["_span"] = (n_start - len(pre), end)
    else:
        cand["_span"] = (n_start, end)
    return _with_range(m, cand, arabic, mult) if lo else [cand]


def _unit_of(m: re.Match, s: str, n: str, surface: str | None, mult: str | None, arabic: bool,
             pre: str) -> tuple[str, str] | None:
    """(unit, kind) of a quantity, or None when the candidate is not a fact."""
    if not surface:
        if arabic:
            m_end = m.end()
            if _NOUN_OF_PEOPLE.match(s, m_end):
                return "人", "count"  # 5111贫困人口, 9748万农村人口
            if _NOUN_OF_HOUSEHOLDS.match(s, m_end):
                return "户", "count"  # 78万农牧户
            if mult:
                if _people_after_scale().match(s, m_end):
                    return "人", "count"  # 358万居家老年人
                if s[m_end:m_end + 1] not in _LATIN:
                    return "", "count"  # 3万, 1.2亿
                return None
            shared = LIST_TAIL.match(s, m.end("n"))
            if shared:  # 4.2和0.7个百分点: the unit is written once
                info = unit_table()[shared.group("u")]
                return info.unit, info.kind
            return None
        if len(n) > 1 and n[-1] in CN_BIG and any(ch in CN_DIGITS for ch in n) and not is_digitwise(n[:-1]):
            return "", "count"  # 十二万
        return None
    info = unit_table()[surface]
    if arabic:
        u_end = m.end("u")
        if surface == "个" and _POINTS_TAIL.match(s, u_end):
            return "百分点", "percent"  # 分别高于全省2.2个和3.7个百分点
        n_end = m.end("n")
        if s[n_end:n_end + 1] in _LATIN and surface[0] not in _LATIN:
            return None  # 5G, 3A级
    elif info.arabic_only:
        return None
    else:
        u_end = m.end("u")
    if surface == "成" and "\u4e00" <= s[u_end:u_end + 1] <= "\u9fff" and not s.startswith(_CHENG_AFTER, u_end):
        return None  # 一成不变
    if surface == "番":
        start = m.start("n")
        if not (s[max(0, start - 1):start] == "翻" or s[max(0, start - 2):start] == "翻了"):
            return None
    if not arabic and not _chinese_ok(n, info.unit, surface, s, m.start("n"), u_end, pre):
        return None
    return info.unit, info.kind


def _with_range(m: re.Match, cand: _Cand, arabic: bool, mult: str | None) -> list[_Cand]:
    """Merge a range head (2015-2017年, 5%-6%, 3-5万元) into ``cand``, or emit it as its own fact."""
    table = unit_table()
    lo_info = table[m.group("lou")] if m.group("lou") else None
    lo_unit = lo_info.unit if lo_info else cand["unit"]
    lo = parse_number(m.group("lo") + (m.group("lom") or (mult if not lo_info else "") or ""))
    if lo_unit == cand["unit"] and lo < cand["value"] and (m.group("lo")[0] in _DIGITS) == arabic:
        cand["value_max"], cand["value"] = cand["value"], lo
        cand["_span"] = (m.start("lo") - len(cand.get("_pre", "")), cand["_span"][1])
        return [cand]
    if lo_info is None:
        return [cand]
    lo_cand = _Cand(value=lo, value_max=None, unit=lo_unit, kind=lo_info.kind, _mid="", _post="",
                    _span=(m.start("lo"), m.end("lou")))
    return [lo_cand, cand]


def _candidates(s: str) -> list[_Cand]:
    out: list[_Cand] = []
    for m in candidates(s):
        if m.end() - m.start() > _MAX_SPAN:  # digit soups, not figures
            continue
        branch = m.lastgroup  # the named alternative of master() that matched
        if branch == "qty":
            out.extend(_quantity(m, s))
            continue
        if branch == "date":
            cand = _date(m, s)
        elif branch == "pct":
            cand = _percent_words(m)
        elif branch == "frac":
            cand = _fraction(m)
        else:
            cand = _ratio(m, s)
        if cand is not None:
            cand.setdefault("_span", m.span())
            cand.setdefault("_post", "")
            if branch == "pct" or branch == "frac":
                _attach_pre_post(cand, s)
            out.append(cand)
    return out


def _attach_pre_post(cand: _Cand, s: str) -> None:
    start, end = cand["_span"]
    pre = PRE_RE.search(s, max(0, start - 3), start)
    if pre:
        cand["_pre"] = pre.group(0)
        start -= len(pre.group(0))
    for word in ("及以上", "以上", "以下", "左右", "以内"):
        if s.startswith(word, end):
            cand["_post"] = word
            end += len(word)
            break
    cand["_span"] = (start, end)


def _overlaps(starts: list[int], reach: list[int], start: int, end: int) -> bool:
    """The span overlaps one of the three formulas starting last before its end.

    ``reach[j]`` is the furthest end of formulas ``j-2`` to ``j``.
    """
    i = bisect.bisect_right(starts, end - 1)
    return i > 0 and reach[i - 1] > start


def extract_simplified(s: str, lexicon: Lexicon | None = None) -> list[_Cand]:
    """Facts of a simplified text, in its own offsets (the core of :func:`extract_facts`).

    The numeral-bearing terms of ``lexicon`` (default: the shipped one) are formulas, not facts.
    """
    formula = formula_spans(s, default_lexicon() if lexicon is None else lexicon)
    starts = [a for a, _ in formula]
    ends = [e for _, e in formula]
    reach = [max(ends[max(0, j - 2):j + 1]) for j in range(len(ends))]
    cands = [c for c in _candidates(s) if not _overlaps(starts, reach, *c["_span"])]
    fill_subjects(cands, s)
    return cands


__all__ = ["FACT_COLUMNS", "extract_simplified"]
