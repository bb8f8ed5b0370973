"""Find where a report spells a numbered formula out, next to one of its hits.

Four shapes are recognised, on the simplified text around a hit ``[start, end)``:

* a parenthesis right after it: 三个不忘(不忘党的恩情、不忘祖国的温暖、…), 三非”活动(非法…、…)
* a numbered list after it: 五个一”活动:一是读一本…,二是看一部…,…  (the markers are dropped)
* 即 after it: 一场一馆一池两中心”的建设,即一个体育场,一个体育馆,…
* a list just before it: 唱响共产党好、社会主义好、…、人民军队好“六好”

Where the formula's number is known (三个不忘 → 3), the number of parts must match it.

>>> find_expansion("以“三个不忘”(不忘党的恩情、不忘祖国的温暖、不忘历程)为核心", 2, 6, "三个不忘")
'不忘党的恩情、不忘祖国的温暖、不忘历程'
"""
from __future__ import annotations

import re

DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NUMERALS = "一二三四五六七八九十"
_FULL_WIDTH = str.maketrans({",": "，", ";": "；", ":": "："})
_NUMBER = re.compile(r"^([一二两三四五六七八九十]+)([个项大条种把点])?")
_NUMERAL_RUN = re.compile(r"[一二两三四五六七八九十百千]+")
# what may stand between the hit and what follows: a closing quote and a few characters (活动, 的建设)
_PAREN = re.compile(r"[\"”」』]?[\u4e00-\u9fff]{0,4}[(（]([^()（）\n]{4,160})[)）]")
_MARKED = re.compile(r"[\"”」』]?[^\n。；;：:，,]{0,8}[：:，,]?\s*(?=一是)")
_SEE = re.compile(r"[\"”」』]?[\u4e00-\u9fff]{0,6}[，,]?即[：:]?")
_ITEM_END = "，,；;。\n"
_CLAUSE = re.compile(r"[，,。；;：:\n！？!?()（）“”\"]")
_SPLIT = re.compile(r"[、，,；;]")
_SPLIT_AND = re.compile(r"[、，,；;]|以及|和|及")
_VERBS = (r"(?:学习|开展|唱响|弘扬|践行|坚持|落实|贯彻|树立|宣传|深化|推进|实施|加强|围绕|突出|"
          r"做到|实现|强化|把握|增强|培育|牢记|铭记|倡导|推动|构建|发扬|统筹|争取|用好|发放|"
          r"培养|反对|领悟|建立|完善|提高|保卫|做好|抓好|打好|举起)")
_LEAD_VERB = re.compile(rf"^.*{_VERBS}[在以把对为从]?")  # 深入开展学习|党领导人民的奋斗史
_VERB_START = re.compile(rf"^{_VERBS}")
MAX_ITEM = 16  # characters of one listed part
SHORT_ITEM = 4  # parts of a preceding list this short need not share their last character
_BEFORE = re.compile(r"(?:的|这|这些|等)?[\"“「『]?$")


def formula_number(term: str) -> int | None:
    """How many parts the formula names: 三个不忘 → 3, 五个一 → 5; None for 十进十促 or 一场一馆."""
    match = _NUMBER.match(term)
    if not match or match.group(1) not in DIGITS:
        return None
    rest = term[match.end():]
    later = _NUMERAL_RUN.findall(rest)
    if later and not (match.group(2) and rest == later[0]):  # 五个一 / 六个一 keep their number
        return None
    return DIGITS[match.group(1)]


def find_expansion(text: str, start: int, end: int, term: str) -> str | None:
    """The parts of ``term`` spelled out around its hit ``text[start:end]``, or None."""
    if not _NUMERAL_RUN.search(term):
        return None  # only numbered formulas are spelled out
    n = formula_number(term)
    for rule, at in ((_parenthesis, end), (_marked_list, end), (_see_list, end), (_preceding_list, start)):
        found = rule(text, at, n)
        if found:
            return found.translate(_FULL_WIDTH)
    return None


def _fits(items: list[str], n: int | None) -> bool:
    """At least two non-empty parts, and as many as the formula's number where it is known."""
    if len(items) < 2 or any(not item for item in items):
        return False
    return n is None or len(items) == n


def _parenthesis(text: str, end: int, n: int | None) -> str | None:
    match = _PAREN.match(text, end)
    if not match:
        return None
    inner = re.sub(r"^(?:即|指)[：:]?", "", match.group(1).strip())
    ok = _fits(_SPLIT.split(inner), n) or (n is not None and _fits(_SPLIT_AND.split(inner), n))
    return inner if ok else None


def _marked_list(text: str, end: int, n: int | None) -> str | None:
    match = _MARKED.match(text, end)
    if not match:
        return None
    pos, items = match.end(), []
    for numeral in _NUMERALS[: n or len(_NUMERALS)]:
        item = re.compile(rf"{numeral}是([^{_ITEM_END}]+)[{_ITEM_END}]?").match(text, pos)
        if not item:
            break
        items.append(item.group(1).strip())
        pos = item.end()
    return "、".join(items) if _fits(items, n) else None


def _see_list(text: str, end: int, n: int | None) -> str | None:
    match = _SEE.match(text, end)
    if not match:
        return None
    first = match.end()
    head = re.match(r"[^。；;\n]*", text[first:first + 300])
    sentence = head.group() if head else ""
    separator = "、" if "、" in re.split(r"[，,]", sentence, maxsplit=1)[0] else "，,"
    last, count = first, 0
    for part in re.finditer(rf"([^{separator}]*)([{separator}]|$)", sentence):
        if not part.group(1) or len(part.group(1)) > MAX_ITEM:
            break
        last, count = first + part.end(1), count + 1
    if count < 2 or (n is not None and count != n):
        return None
    return text[first:last]


def _preceding_list(text: str, start: int, n: int | None) -> str | None:
    """A list that ends just before the hit (quote, 的, 这 or 等 between): 共产党好、…、人民军队好“六好”."""
    if n is None or n < 2:
        return None
    before = _BEFORE.search(text, max(0, start - 4), start)
    end = start - (len(before.group()) if before else 0)
    clause_start = max((m.end() for m in _CLAUSE.finditer(text, max(0, end - 200), end)), default=max(0, end - 200))
    clause = text[clause_start:end]
    items = _SPLIT_AND.split(clause)
    first = re.sub(r"^[在以把对为从]", "", _LEAD_VERB.sub("", items[0]))
    items = [first, *items[1:]]
    if len(items) != n or any(len(item) < 2 or len(item) > MAX_ITEM for item in items) \
            or any(_VERB_START.match(item) for item in items[1:]):
        return None
    if len({item[-1] for item in items}) > 1 and max(map(len, items)) > SHORT_ITEM:
        return None  # parts share their last character (…好, …史) or are short nouns (农业、工业、国防)
    return clause[len(clause) - sum(map(len, items)) - _separators(clause, items):]


def _separators(clause: str, items: list[str]) -> int:
    """Characters of separators between ``items`` at the end of ``clause``."""
    pos, length = len(clause), 0
    for item in reversed(items[1:]):
        pos -= len(item)
        sep = _SPLIT_AND.search(clause, max(0, pos - 2), pos)
        length += len(sep.group()) if sep else 0
        pos -= len(sep.group()) if sep else 0
    return length
