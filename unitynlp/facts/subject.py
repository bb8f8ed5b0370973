"""The metric phrase a number measures (subject), the whole of a share (base) and the change.

>>> s = "现有干部职工738人，其中少数民族员工68人，约占公司员工总数的9%。"
>>> subject_before(s, s.index("738"))
'干部职工'
>>> share_base(s, s.index("9%"))
('公司员工总数', '约', 23)
"""
from __future__ import annotations

import bisect
import re

from .patterns import CHANGE_RE, CLAUSE_SEP, DECREASE, POST_CLASS, PRE_QUALIFIERS, SENTENCE_END, SHARE_RE
from .units import TIME_UNITS

_QUALIFIED_VERB = re.compile(r"(大约|(?<![节制签履合违预契公条誓相邀集])约|(?<![最附邻就亲靠])近|逾)(?:为|有|达|计|合)\Z")

_SEP_CLASS = re.escape(CLAUSE_SEP)
_CLAUSE_TAIL = re.compile(rf"[^{_SEP_CLASS}]{{0,40}}\Z")
_CLAUSE_HEAD = re.compile(rf"[^{_SEP_CLASS}0-9０-９]{{0,30}}")
_LEAD = re.compile(r"^(?:其中|另外|此外|同时|截至目前|截止目前|截至|截止|目前|当前|现有|拥有|共有|全年|今年|去年|现(?![代金场状行象实])|"
                   r"[12][0-9]{3}年(?:[0-9]{1,2}月)?(?:底|末|初)?|年末|年底|我[省市区县州镇乡]|全[省市区县州镇乡]?共?有|"
                   r"累计|已|共|有|总计|合计|并|在|将|使|让|把|对|的|和|及|、)+")
_TRAIL = re.compile(r"(?:同比|比上年|比去年|较上年|年均|分别|累计|平均|合计|总计|共计|已经|已|均|将|可|要|再|"
                    r"连续|持续|继续|首次|又|还|仍|稳定在|保持在|控制在|净增|净|"
                    r"(?:低于|高于|快于|慢于|超出)(?:全国|全省|全市|全区)?(?:平均水平)?|"
                    r"达到|达|为|是|有|共|计|约|大约|近|将近|超过|超|逾|不足|不到|不少于|增长|增加|提高|上升|提升|"
                    r"增|下降|减少|降低|降|减|缩小|扩大|占|实现|完成|突破|至|到|由|从|已|了|均|的|在|保持|稳定|控制|"
                    r"以|之|于|新增|共有|拥有|总|计划|预计|力争|确保|全部|合计|总计|共计|分别)+\Z")
_AFTER_CUT = re.compile(r"(?<=.)(?:的|得到|全部|实现|完成|获得|通过|开工|投入|用于|建成|达到|达|中$|等|和|及|与|共|都)")
_FUNCTION_START = re.compile(r"(?:的|以|和|及|或|在|是|为|了|到|至|等|左右|以上|以下|之|用于|其中|共|均|"
                             r"分别|比|较|同比|增长|下降|提高|占|达|将|后|前|间|来|内|时|起|次|年|月|日|"
                             r"超|近|约|逾|突破|不足|不到|/)")
_DATE_AFTER = re.compile(r"[^，,；;。！？!?\n、：:（）()0-9０-９]{0,30}")
_DATE_LEAD = re.compile(r"^(?:确定为|定为|是|为|起|以来|前|底|末|初|中旬|上旬|下旬|期间|，)+")
_BASE_TAIL = re.compile(r"(?:的)?(?:比重|比例|份额)?(?:提高|上升|下降|保持|稳定)?(?:到|至|在)?\Z")


def clause_before(text: str, start: int, floor: int = 0) -> str:
    """The clause of ``text`` ending at ``start`` (back to the previous punctuation or ``floor``)."""
    m = _CLAUSE_TAIL.search(text, max(0, floor, start - 40), start)
    return m.group(0) if m else ""


def clause_after(text: str, end: int) -> str:
    """The words after ``end`` up to the next punctuation or number."""
    m = _CLAUSE_HEAD.match(text, end)
    return m.group(0) if m else ""


def clean(phrase: str) -> str:
    """Strip leading connectives and dates and trailing verbs from a clause."""
    for _ in range(3):
        new = _TRAIL.sub("", _LEAD.sub("", phrase))
        if new == phrase:
            break
        phrase = new
    i = phrase.find("已", 1)
    if i > 0:  # 连户路已完成硬化 → 连户路
        phrase = phrase[:i]
    return phrase.replace("*", "").strip(" \t·.\u3000")


def subject_before(text: str, start: int, floor: int = 0) -> str:
    """The phrase before a number (after ``floor``, the end of the previous one): 现有干部职工738人 → 干部职工."""
    return clean(clause_before(text, start, floor))


def subject_after(text: str, end: int) -> str:
    """The noun after a measure word: 建成5座中小型水电站 → 中小型水电站."""
    after = clause_after(text, end)
    if not after or _FUNCTION_START.match(after) or after[0] == "*":
        return ""
    m = _AFTER_CUT.search(after)
    return after[: m.start()] if m else after


def date_subject(text: str, end: int) -> str:
    """The dated event after a date: 2月6日召开的全国…会议 → 全国…会议; 每年5月是…教育月 → …教育月."""
    after = _DATE_LEAD.sub("", _DATE_AFTER.match(text, end).group(0))
    i = after.find("的")
    if 0 <= i <= 6:
        after = after[i + 1:]
    return clean(after.strip("“”\"‘’「」 "))


def share_base(text: str, start: int) -> tuple[str, str, int] | None:
    """For 约占公司员工总数的9%: the base, the qualifier word before 占 and its position."""
    clause = clause_before(text, start)
    m = SHARE_RE.search(clause)
    if not m or "占" not in clause:
        return None
    base = _BASE_TAIL.sub("", clean(m.group("base")))
    if len(base) < 2:  # 占比
        base = ""
    qpos = start - len(clause) + m.start(1) if m.group(1) else -1
    return base, m.group(1) or "", qpos


def change_of(text: str, start: int) -> str:
    """``increase``/``decrease`` when the number follows a verb of change (增长5.8%), else ``""``."""
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


def _sentence_bounds(s: str) -> list[int]:
    return [m.end() for m in SENTENCE_END.finditer(s)]


def fill_subjects(cands: list[dict], s: str) -> None:
    """Fill qualifier, change, base and subject of each candidate (in order) from its context."""
    bounds = _sentence_bounds(s)
    last_sentence, last_subject, prev_end, prev_change = -1, "", 0, ""
    for c in cands:
        start, end = c["_span"]
        si = bisect.bisect_right(bounds, start)
        if si != last_sentence:
            last_sentence, last_subject = si, ""
        _qualify(c, s)
        c["change"] = change_of(s, start)
        if not c["change"] and si == last_sentence and s[prev_end:start] in ("、", "和", "及", "与"):
            c["change"] = prev_change  # 分别下降39.7%和39.1%
        prev_change = c["change"]
        share = share_base(s, start) if c["kind"] in ("percent", "ratio") else None
        c["base"] = share[0] if share else ""
        if share and share[1] and c["qualifier"] == "exact":
            c["qualifier"] = PRE_QUALIFIERS.get(share[1], "exact")
            c["_qspan"] = (share[2], share[2] + len(share[1]))
        elif c["qualifier"] == "exact" and (verb := _QUALIFIED_VERB.search(s, max(0, start - 3), start)):
            c["qualifier"], c["_qspan"] = PRE_QUALIFIERS[verb.group(1)], verb.span(1)  # 约为, 近达
        subj = _subject(c, s, start, end, share is not None, prev_end if si == last_sentence else 0)
        prev_end = end
        if not subj and c["kind"] != "date":
            subj = last_subject
        if subj and c["kind"] != "date":
            last_subject = subj
        c["subject"] = subj
        c["_sentence"] = (bounds[si - 1] if si else 0, bounds[si] if si < len(bounds) else len(s))
    for a, b in zip(reversed(cands[:-1]), reversed(cands[1:])):  # 三月、九月的集中宣传时机
        if not a["subject"] and b["subject"] and b["_span"][0] == a["_span"][1] + 1 and s[a["_span"][1]] == "、":
            a["subject"] = b["subject"]


def _subject(c: dict, s: str, start: int, end: int, is_share: bool, floor: int) -> str:
    if is_share:
        clause_end = s.rfind("占", max(0, start - 30), start)
        before = subject_before(s, clause_end - (1 if s[clause_end - 1:clause_end] in "约近超" else 0), floor)
        return before
    if c["kind"] == "date":
        return date_subject(s, end) or subject_before(s, start, floor)
    if c["kind"] == "count" or (c["kind"] == "measure" and c["unit"] not in TIME_UNITS):
        return subject_after(s, end) or subject_before(s, start, floor)
    return subject_before(s, start, floor) or subject_after(s, end)
