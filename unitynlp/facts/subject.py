"""The metric phrase a number measures (subject), the whole of a share (base) and the change.

>>> s = "现有干部职工738人，其中少数民族员工68人，约占公司员工总数的9%。"
>>> subject_before(s, s.index("738"))
'干部职工'
>>> share_base(s, s.index("9%"))
('公司员工总数', '约', 23)
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from .patterns import CHANGE_RE, CLAUSE_SEP, DECREASE, POST_CLASS, PRE_QUALIFIERS, SENTENCE_END, SHARE_RE
from .units import TIME_UNITS

_QUALIFIED_VERB = re.compile(r"(大约|(?<![节制签履合违预契公条誓相邀集])约|(?<![最附邻就亲靠])近|逾)"
                             r"(?:为|有|达|计|合)\Z")

#: a subject may contain quoted words (全球“灯塔工厂”, “两重”项目): quotes do not end its clause
_SEP_CLASS = re.escape("".join(ch for ch in CLAUSE_SEP if ch not in "“”\"‘’《》"))
#: the list separators inside a clause (原煤、原油、天然气产量)
_HARD_SEP_CLASS = re.escape("".join(ch for ch in CLAUSE_SEP if ch not in "“”\"‘’《》、"))
_QUOTE_SEP_CLASS = re.escape(CLAUSE_SEP)
#: a window up to its last separator: a clause starts after it (matching back from the end of the
#: window is linear in the clause, where a search for the clause itself retries every start)
_TO_LAST_HARD_SEP = re.compile(rf"(?s:.*)[{_HARD_SEP_CLASS}]")
_TO_LAST_SEP = re.compile(rf"(?s:.*)[{_SEP_CLASS}]")
_TO_SENTENCE_END = re.compile(r"(?s:.*)[。！？!?\n\r]")
#: the words after a number: a leading quoted name (“两重”项目, “4+1”专项基金) then up to a separator
_CLAUSE_HEAD = re.compile(rf"(?:“[^”{_HARD_SEP_CLASS}]{{1,12}}”)?[^{_QUOTE_SEP_CLASS}0-9０-９]{{0,30}}")
_LEAD = re.compile(r"^(?:[①-⑳]|其中|而|但是|但|预计|力争|确保|按可比价格?计算|按现价计算|扣除(?:物价|价格)因素后?|"
            r"全[省市区国疆](?![内外际委场域面])|(?:实现|完成)(?![率值了])|另外|此外|同时|截至目前|截止目前|截至|截止|"
            r"目前|当前|现有|拥有|共有|全年|今年|去年|现(?![代金场状行象实])|"
            r"(?:[12１２][0-9０-９]{3}|[一二三四五六七八九〇○零]{4})年(?:[0-9０-９]{1,2}月)?(?:底|末|初)?|年末|年底|我[省市区县州镇乡]|全[省市区县州镇乡]?共?有|"
            r"[一二三四五六七八九十]{1,2}是|累计|已|共(?![建享同])|有(?![序效力关所机利益])|总计|合计|并|在|将|使|让|把|对|的|和|及|、)+")
_TRAIL_WORDS = (r"(?:比前|较前|(?:比|较|同)(?:上年|去年|上年同期|同期|上一年|前一年|"
                r"前[一二三四五六七八九十两0-9]{1,2}年|[12１２][0-9０-９]{3}年|[一二三四五六七八九〇]{4}年)(?:年初预算|同期|末|底)?(?:相比)?|"
                r"等于|相当于|拟按|拟|实际|名义|压降|压减|削减|缩减|同口径|可比口径|上涨|下跌|回落|下滑|回升|增产|减产|增收|减收|就有|平均每年|每年平均|每年|年平均|递增|递减|调整|迈上|跨上|跃上|站上|跻身|扩展|增至|升至|降至|减至|"
                r"同比|比上年|比去年|较上年|年均|分别|累计|平均|合计|总计|共计|已经|已|(?<!人)均|将|可|要|再|"
                r"连续|持续|继续|首次|又|还|仍|稳定在|保持在|控制在|净增|净|"
                r"(?:低于|高于|快于|慢于|超出)(?:全国|全省|全市|全区)?(?:平均水平)?|"
                r"达到|达|为|是|有|共|计|约|大约|近|将近|超过|超|逾|不足|不到|不少于|增长|增加|提高|上升|提升|"
                r"增|下降|减少|降低|降|减|缩小|扩大|占|实现|完成|突破|至|到|由|从|已|了|(?<!人)均|的|在|保持|稳定|控制|"
                r"以|之|于|新增|共有|拥有|总|计划|预计|力争|确保|全部|合计|总计|共计|分别)+\Z")
#: words that end a subject after a figure; searched from the phrase's second character
_AFTER_CUT = re.compile(r"(?:以及|的|得到|全部|全面|已|正在|有序|加快|顺利|成功|实现|完成|获得|通过|开工|投入|"
                        r"用于|建成|达到|达|中$|等|和|及|与|共|都)")
_FUNCTION_START = re.compile(r"(?:的|以|和|及|或|在|是|为|了|到|至|等|左右|以上|以下|之|用于|其中|共|均|"
                      r"分别|比|较|同比|增长|下降|提高|占|达|将|后|前|间|来|内|时|起|次|年(?!度)|月|日|"
                      r"超|近|约|逾|突破|不足|不到|/)")
_DATE_AFTER = re.compile(r"[^，,；;。！？!?\n、：:（）()0-9０-９]{0,30}")
_DATE_LEAD = re.compile(r"^(?:确定为|定为|是|为|起|以来|前|底|末|初|中旬|上旬|下旬|期间|，)+")
_BASE_TAIL = re.compile(r"(?:的)?(?:比重|比例|份额)?(?:提高|上升|下降|保持|稳定)?(?:到|至|在)?\Z")


def _after_last(to_last: re.Pattern, text: str, lo: int, end: int) -> str:
    """``text[lo:end]`` after the last separator that ``to_last`` finds in it."""
    if end <= lo:  # also a negative ``end`` (占 not found): nothing, as a regex window would give
        return ""
    m = to_last.match(text, lo, end)
    return text[m.end() if m else lo:end]


def clause_before(text: str, start: int, floor: int = 0) -> str:
    """The clause of ``text`` ending at ``start`` (back to the previous punctuation, ``floor`` or 40 characters)."""
    return _after_last(_TO_LAST_SEP, text, max(0, floor, start - 40), start)


def _list_clause(text: str, start: int, floor: int = 0) -> str:
    """The clause ending at ``start`` with its lists (原煤、原油、天然气产量), at most 60 characters."""
    return _after_last(_TO_LAST_HARD_SEP, text, max(0, floor, start - 60), start)


def clause_after(text: str, end: int) -> str:
    """The words after ``end`` up to the next punctuation or number."""
    m = _CLAUSE_HEAD.match(text, end)
    return m.group(0) if m else ""


_NUMERAL_CHAR = re.compile(r"[0-9０-９一二两三四五六七八九十百千万亿]")
#: a figure written in Chinese numerals with its unit, inside the words after a date
_CN_FIGURE = re.compile(r"百分之|[一二两三四五六七八九十百千万亿零〇]+(?:点[一二三四五六七八九零]+)?(?:亿|万)?"
                        r"(?:元|吨|个|亩|斤|担|人|户|倍)")
_DATED_TAIL = re.compile(r"(?:由|从|比|较|同|到|至)?"
                  r"(?:(?:[12１２][0-9０-９]{3}|[一二三四五六七八九〇○零]{4})年(?:[0-9０-９]{1,2}月)?(?:底|末|初)?"
                  r"|上年|去年|上一年|前一年)(?:的|相比)?\Z")


def _chars_of(*patterns: str) -> frozenset:
    """Every character written in the patterns (a superset of those a match can start or end with)."""
    chars = set("".join(patterns))
    chars.update("0123456789０１２３４５６７８９" + "".join(chr(c) for c in range(ord("①"), ord("⑳") + 1)))
    return frozenset(chars)


_LEAD_FIRST = _chars_of(_LEAD.pattern)
_CHANGE_LAST = _chars_of(CHANGE_RE.pattern)
_TAIL_LAST = _chars_of(_TRAIL_WORDS, _DATED_TAIL.pattern)
#: the characters a dated tail ends with (2019年, 上年末, 去年的, 上年相比)
_DATED_LAST = frozenset("年月底末初的比")
_TRAIL = re.compile(_TRAIL_WORDS)
#: the characters a match of each end pattern can hold (see :func:`_cut_tail`)
_TRAIL_CHARS = "".join(sorted(_chars_of(_TRAIL_WORDS)))
_DATED_CHARS = "".join(sorted(_chars_of(_DATED_TAIL.pattern)))


def _cut_tail(pattern: re.Pattern, chars: str, phrase: str) -> str:
    """``pattern.sub("", phrase)`` for a pattern that ends with ``\\Z`` and matches only ``chars``.

    A match can start only inside the run of ``chars`` that ends the phrase, so the search starts
    there rather than at every character of the phrase.
    """
    start = len(phrase.rstrip(chars))
    m = pattern.search(phrase, start) if start < len(phrase) else None
    return phrase[:m.start()] if m else phrase


#: words after a figure that name a threshold, not the metric (突破2万亿元大关, 迈上1200亿台阶)
_NOT_SUBJECT_AFTER = frozenset({"大关", "关口", "台阶", "水平", "规模", "量级", "受益", "受惠"})
#: money nouns: 中央149.2亿元乡村振兴补助资金 names the money after the figure
_MONEY_NOUN_END = ("资金", "基金", "经费", "补助", "补贴", "债券", "国债", "贷款", "奖金", "资本")
#: nouns after “N%的” that describe the figure itself, not a population it is a share of
_RATE_NOUNS = ("速度", "速率", "增速", "增幅", "幅度", "水平", "目标", "比例", "比重", "标准", "要求", "任务", "增长")
#: second characters after 比/较 that make a word, not a comparison (比重, 较大面积)
_NOT_COMPARISON = frozenset("重例率大高小低多少好快")
#: bare heads that name the metric of the figure before them (总量, 总产)
_GENERIC_HEADS = frozenset({"总量", "总产", "总产量", "总额", "总规模", "增速", "增幅"})
#: words naming a dimension, not the thing measured (长达4000公里的管道)
_DIMENSIONS = frozenset({"长", "全长", "总长", "高", "宽", "深", "总面积", "面积", "总里程", "里程"})
_FUNCTION_WORDS = frozenset({"比", "较", "同", "与", "和", "中", "而", "就", "内", "其", "这", "该"})


@lru_cache(maxsize=4096)  # 4 in 10 phrases repeat (增长, 比上年增长, 城镇新增就业), within a report and across
def clean(phrase: str) -> str:
    """Strip leading connectives and dates and trailing verbs from a clause."""
    for _ in range(3):  # the substitutions run only when the first or last character can start or end a match
        new = _LEAD.sub("", phrase) if phrase[:1] in _LEAD_FIRST else phrase
        last = new[-1:]
        if last in _TAIL_LAST:
            if last in _DATED_LAST:
                new = _cut_tail(_DATED_TAIL, _DATED_CHARS, new)
            new = _cut_tail(_TRAIL, _TRAIL_CHARS, new)
        if new == phrase:
            break
        phrase = new
    i = phrase.find("已", 1)
    if i > 0:  # 连户路已完成硬化 → 连户路
        phrase = phrase[:i]
    phrase = phrase.replace("*", "").strip(" \t·.\u3000")
    if phrase.endswith("“") or phrase.startswith("”"):  # 稳增长“18条”: an unbalanced quote
        phrase = phrase.strip("“”")
    return "" if phrase in _FUNCTION_WORDS else phrase


def subject_before(text: str, start: int, floor: int = 0) -> str:
    """The phrase before a number (after ``floor``, the end of the previous one): 现有干部职工738人 → 干部职工."""
    clause = clause_before(text, start, floor)
    head = start - len(clause)
    if head > floor + 1 and text[head - 1] in "）)" and clause:  # 天然气（页岩气）产量 → 天然气产量
        opened = max(text.rfind("（", max(floor, head - 12), head), text.rfind("(", max(floor, head - 12), head))
        if opened > floor and not _NUMERAL_CHAR.search(text, opened, head):
            outer = clause_before(text, opened, floor)
            if outer and not _NUMERAL_CHAR.search(outer):
                return clean(outer + clause)  # the note in brackets is left out
    if head > floor and text[head - 1:head] == "、":  # 入围全国百强县、百强区20个: the whole list
        listed = _list_clause(text, start, floor)
        items = listed[:len(listed) - len(clause) - 1].split("、")
        if all(0 < len(x) <= 6 for x in items) and not _NUMERAL_CHAR.search("".join(items)):
            clause = listed  # short noun items only, not 重点项目加快推进、总投资
    return clean(clause)


def subject_after(text: str, end: int) -> str:
    """The noun after a measure word: 建成5座中小型水电站 → 中小型水电站."""
    after = clause_after(text, end)
    if not after or _FUNCTION_START.match(after) or after[0] == "*":
        return ""
    m = _AFTER_CUT.search(after, 1)  # a cut word never starts the phrase
    after = after[: m.start()] if m else after
    return "" if after in _FUNCTION_WORDS or after in _NOT_SUBJECT_AFTER else after


def date_subject(text: str, end: int) -> str:
    """The dated event after a date: 2月6日召开的全国…会议 → 全国…会议; 每年5月是…教育月 → …教育月."""
    m = _DATE_AFTER.match(text, end)
    after = _DATE_LEAD.sub("", m.group(0) if m else "")
    i = after.find("的")
    if 0 <= i <= 6:
        after = after[i + 1:]
    if _NUMERAL_CHAR.match(after):  # 一九七八年的百分之三十六点五: the date qualifies a figure
        return ""
    figure = _CN_FIGURE.search(after)
    if figure:  # 一九八二年全国工农业总产值达到八千二百九十一亿元: the metric, not the figure
        after = after[:figure.start()]
    after = clean(after.strip("“”\"‘’「」 "))
    return after[:-1] if after.endswith(("比", "较")) else after  # １９５５年工业总产值比１９５４年


def share_base(text: str, start: int) -> tuple[str, str, int] | None:
    """For 约占公司员工总数的9%: the base, the qualifier word before 占 and its position."""
    if text.find("占", max(0, start - 40), start) < 0:  # the clause is at most the 40 characters before
        return None
    clause = clause_before(text, start)
    m = SHARE_RE.search(clause)
    if not m or "占" not in clause:
        return None
    if "由" in m.group("base") or "从" in m.group("base"):
        return None  # 农业所占比重由27.8%提高到33.6%: the base was named earlier
    base = _BASE_TAIL.sub("", clean(m.group("base")))
    if len(base) < 2:  # 占比
        base = ""
    qpos = start - len(clause) + m.start(1) if m.group(1) else -1
    return base, m.group(1) or "", qpos


def change_of(text: str, start: int) -> str:
    """``increase``/``decrease`` when the number follows a verb of change (增长5.8%), else ``""``."""
    if text[start - 1:start] not in _CHANGE_LAST:
        return ""
    m = CHANGE_RE.search(text, max(0, start - 6), start)
    if not m:
        return ""
    return "decrease" if m.group(1) in DECREASE else "increase"


def _qualify(cand: dict, s: str) -> None:
    """The qualifier class and the span of its word, from the words kept in the span."""
    start, end = cand["_span"]
    if cand.get("_pre"):
        cand["qualifier"], cand["_qspan"] = PRE_QUALIFIERS[cand["_pre"]], (start, start + len(cand["_pre"]))
    elif cand.get("_mid"):
        pos = s.find(cand["_mid"], start, end)
        cand["qualifier"], cand["_qspan"] = "more_than", (pos, pos + 1)
    elif cand.get("_post"):
        cand["qualifier"], cand["_qspan"] = POST_CLASS[cand["_post"]], (end - len(cand["_post"]), end)
    else:
        cand["qualifier"] = "exact"


def _sentence_at(s: str, pos: int, lo: int) -> tuple[int, int]:
    """The sentence holding ``pos``, found from ``lo``, a sentence start at or before it."""
    m = _TO_SENTENCE_END.match(s, lo, pos)
    end = SENTENCE_END.search(s, pos)
    return m.end() if m else lo, end.end() if end else len(s)


def fill_subjects(cands: Sequence[dict], s: str) -> None:
    """Fill qualifier, change, base and subject of each candidate (in order) from its context."""
    sentence = (0, 0)
    last_subject, prev_end, prev_change, floor_end, prev_unit = "", 0, "", 0, None
    last_kind = last_unit = ""
    for c in cands:
        start, end = c["_span"]
        kind, unit = c["kind"], c["unit"]
        if not sentence[0] <= start < sentence[1]:  # a new sentence: searched from the previous one on
            sentence = _sentence_at(s, start, sentence[1] if start >= sentence[1] else 0)
            last_subject, floor_end = "", 0
        _qualify(c, s)
        change = change_of(s, start)
        if not change and start - prev_end == 1 and s[prev_end] in "、和及与" \
                and (unit == prev_unit or not prev_unit) and not c.get("_pre"):
            change = prev_change  # 分别下降39.7%和39.1%, not 增长6.1%、突破2万亿元
        c["change"] = prev_change = change
        prev_unit = unit
        share = share_base(s, start) if kind in ("percent", "ratio") else None
        c["base"] = share[0] if share else ""
        if share and share[1] and c["qualifier"] == "exact":
            c["qualifier"] = PRE_QUALIFIERS.get(share[1], "exact")
            c["_qspan"] = (share[2], share[2] + len(share[1]))
        elif c["qualifier"] == "exact" and s[start - 1:start] in "为有达计合" \
                and (verb := _QUALIFIED_VERB.search(s, max(0, start - 3), start)):
            c["qualifier"], c["_qspan"] = PRE_QUALIFIERS[verb.group(1)], verb.span(1)  # 约为, 近达
        # a date inside the clause (积累率由一九七八年的36.5%) does not end the subject's clause
        floor = floor_end
        subj = _subject(c, s, start, end, share is not None, floor)
        prev_end = end
        if kind != "date":
            floor_end = end
            if not subj:
                duration = kind == "measure" and unit in TIME_UNITS
                subj = (not duration and _previous_clause(s, start, floor)) or last_subject
            if subj[:1] in ("比", "较") and subj[1:2] not in _NOT_COMPARISON:
                subj = last_subject or subj  # 比１９５５年决算数增长９．８４％: the metric was named before
        if subj in _GENERIC_HEADS and last_subject and not last_subject.endswith(subj) \
                and (last_kind == "percent" or last_unit == unit):
            subj = last_subject + subj  # 国内生产总值增长6.6%，总量突破90万亿元: 国内生产总值总量
        if subj and kind != "date":
            last_subject, last_kind, last_unit = subj, kind, unit
        c["subject"] = subj
        c["_sentence"] = sentence
    for a, b in zip(reversed(cands[:-1]), reversed(cands[1:])):  # 三月、九月的集中宣传时机
        if not a["subject"] and b["subject"] and b["_span"][0] == a["_span"][1] + 1 and s[a["_span"][1]] == "、":
            a["subject"] = b["subject"]
    for a, b in zip(reversed(cands[:-1]), reversed(cands[1:])):  # 12类55件民生实事: one noun for both
        if a["_span"][1] == b["_span"][0] and a["kind"] == b["kind"] == "count" and a["unit"] and b["unit"] \
                and b["subject"] \
                and not subject_after(s, a["_span"][1]):
            a["subject"] = b["subject"]
    _pair_lists(cands, s)


def _leads_to_figure(s: str, end: int) -> bool:
    """The words after ``end`` run straight into another number (增加到2012年…, 稳定在1300亿斤)."""
    after = clause_after(s, end)
    return s[end + len(after):end + len(after) + 1].isdigit()


def _previous_clause(s: str, start: int, floor: int) -> str:
    """糖的产量，比上一年增加十七万三千吨: the clause before, when it holds no figure, names the metric."""
    head = start - len(clause_before(s, start, floor))
    if head - 1 <= floor or s[head - 1] not in "，,":
        return ""
    prev = subject_before(s, head - 1, floor)
    return "" if _NUMERAL_CHAR.search(prev) else prev


_ENUMERATOR = re.compile(r"[0-9０-９一二三四五六七八九十]{1,3}[是)）.．]?")
_ITEM_SPLIT = re.compile(r"、")
_ITEM_SPLIT_WIDE = re.compile(r"、|和|及|与")


def _list_items(s: str, start: int) -> list[str]:
    """The parallel subjects before a list of numbers: 原煤、原油、天然气产量达到 → [原煤, 原油, 天然气产量]."""
    phrase = _list_clause(s, start)
    phrase = clean(phrase[:phrase.find("分别")] if "分别" in phrase else phrase)  # 水利分别完成投资
    if "、" not in phrase and "和" not in phrase:
        return []
    items = [clean(x) for x in _ITEM_SPLIT.split(phrase)]
    return items if all(items) and not any(_ENUMERATOR.fullmatch(x) for x in items) else []  # not 一、过去一年和五年


def _pair_lists(cands: Sequence[dict], s: str) -> None:
    """原煤、原油产量分别达到6640.8万吨、1253.6万吨: each number takes its own item of the list.

    A run of numbers joined by 、/和 takes the items of the list of subjects before it when the
    counts agree; a second run of the same length in the same sentence (，分别增长9.3%、7.3%)
    reuses those items.
    """
    i, n = 0, len(cands)
    last_items: list[str] = []
    last_sentence = None
    while i < n:
        j = i
        while j + 1 < n and cands[j + 1]["_span"][0] - cands[j]["_span"][1] == 1 \
                and s[cands[j]["_span"][1]] in "、和及与" and cands[j + 1]["kind"] == cands[i]["kind"]:
            j += 1
        size = j - i + 1
        sentence = cands[i].get("_sentence")
        if sentence != last_sentence:
            last_items, last_sentence = [], sentence
        if size >= 2 and cands[i]["kind"] != "date":
            start = cands[i]["_span"][0]
            items = _list_items(s, start)
            if len(items) != size:
                wide = [clean(x) for x in _ITEM_SPLIT_WIDE.split(clean(_list_clause(s, start)))]
                fits = len(wide) == size and all(wide) and not any(_ENUMERATOR.fullmatch(x) for x in wide)
                items = wide if fits else []
            respective = s[cands[i]["_span"][0] - 6:cands[i]["_span"][0]].find("分别") >= 0
            if not items and len(last_items) == size and respective:
                items = last_items
            head = start - len(clause_before(s, start))
            if not items and s[head - 1:head] in ("，", ",") and not clean(s[head:start]) \
                    and (respective or change_of(s, start)):
                # 城镇…9422元，农村…2936元，分别增长7.7%和6.8%: the clause names nothing, the figures before do
                before = [c for c in cands[:i] if c.get("_sentence") == sentence and c["kind"] != "date"][-size:]
                if len(before) == size and all(c["subject"] for c in before) \
                        and len({c["subject"] for c in before}) == size:
                    items = [c["subject"] for c in before]
            if items:
                for k in range(size):
                    cands[i + k]["subject"] = items[k]
                last_items = items
        i = j + 1


def _subject(c: dict, s: str, start: int, end: int, is_share: bool, floor: int) -> str:
    if is_share:
        clause_end = s.rfind("占", max(0, start - 30), start)
        if s[clause_end + 1:clause_end + 2] == "比":  # 产业项目占比超过60％: 占比 is the metric's name
            return subject_before(s, start, floor)
        before = subject_before(s, clause_end - (1 if s[clause_end - 1:clause_end] in "约近超" else 0), floor)
        return before
    if c["kind"] == "date":
        return date_subject(s, end) or subject_before(s, start, floor)
    if c["kind"] == "measure" and c["unit"] in TIME_UNITS:
        # 连续8年稳定在1300亿斤以上: a verb leading to the next figure (not after an age: 60岁以上老年人)
        after = "" if c["unit"] not in ("岁", "周岁") and _leads_to_figure(s, end) else subject_after(s, end)
        return subject_before(s, start, floor) or after
    if c["unit"] in ("县", "县区", "市州"):  # 卓尼、临潭2县: the places are named before
        return subject_before(s, start, floor) or subject_after(s, end)
    if c["kind"] == "count" and c["unit"] or (c["kind"] == "measure" and c["unit"] not in TIME_UNITS):
        before = subject_after(s, end) or subject_before(s, start, floor)
        if before in _DIMENSIONS and s[end:end + 1] == "的":  # 长达4000公里的西气东输管道
            return subject_after(s, end + 1) or before
        return before
    if c["kind"] == "money":  # 下达的90亿元消费品以旧换新资金, 中央149.2亿元乡村振兴补助资金
        after = subject_after(s, end)
        if after and not _NUMERAL_CHAR.search(after) and not _leads_to_figure(s, end) \
                and (s[start - 1:start] == "的" or after.endswith(_MONEY_NOUN_END)):
            return after
    if s[end:end + 1] == "的" and c["kind"] in ("percent", "ratio"):  # 80%的中小学纳入教联体: a share of 中小学
        after = subject_after(s, end + 1)
        if after and not after.startswith(_RATE_NOUNS):  # not 以百分之七点五的速度前进
            return after
    if s[start - 1:start] in ("和", "与", "及"):  # 所有乡镇和90%以上行政村: the share of what follows
        return subject_after(s, end) or subject_before(s, start, floor)
    if c["change"] and "\u4e00" <= s[end:end + 1] <= "\u9fff":  # 减少1/3行政审批事项: what changed follows
        after = subject_after(s, end)
        if after and not _NUMERAL_CHAR.search(after):
            return after
    return subject_before(s, start, floor) or subject_after(s, end)
