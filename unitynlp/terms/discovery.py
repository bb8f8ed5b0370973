"""Discovery of numbered formulas and slogans from the text alone, with the lexicon switched off.

Three generators propose candidates on the simplified text; every candidate is then counted
over the whole corpus with one Aho–Corasick automaton (leftmost-longest, as lexicon terms):

* ``numbered``: a numeral, an optional measure word and a short head, taken from the word
  segmentation (三个离不开, 五观, 三大攻坚战) and chained where numerals repeat (一带一路,
  两学一做, 一场一馆一池两中心);
* ``quoted``: a short phrase in quotation marks (“放管服”);
* ``series``: parallel items sharing a character (共居·共学·共事·共乐, 稳就业、稳金融、稳外贸;
  交往交流交融).

Quantities (50位, 三个月), ordinals (第一), dates, enumerators (一是) and ordinary words
holding a numeral (进一步, 统一, 一定, idioms such as 一心一意) are not candidates.

The two passes over the text work document by document (:func:`propose`, then
:func:`count_candidates` with the candidates of the whole corpus), so they can run in worker
processes; choosing the candidates and ranking them is done once over the corpus.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import pandas as pd

from ..convert import Config
from ..lexicon import LEXICON_COLUMNS, Lexicon
from ..runner import Runner
from ..segment import Segmenter, stopwords
from .counting import converted, match_doc

DISCOVER_COLUMNS = ["candidate", "kind", "count", "n_docs", "n_quoted", "doc_id", "start", "end", "example"]
PROPOSAL_COLUMNS = ["doc_id", "candidate", "source", "extended"]
FOUND_COLUMNS = ["doc_id", "candidate", "count", "start", "end", "example"]
KINDS = ("numbered", "quoted", "series")
NUMERALS = "一二三四五六七八九十两"
_ALL_NUMERALS = NUMERALS + "百千万亿零〇0123456789０１２３４５６７８９"
_MEASURES = "个项大条种把点位"
_NUM_HEAD = re.compile(rf"^[{NUMERALS}][{_MEASURES}]?$")
_NUMERAL_RUNS = re.compile(rf"[{NUMERALS}]+")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
_QUOTED = re.compile(r"[“\"]([^“”\"\n]{2,12})[”\"]")
_SERIES = re.compile(r"[\u4e00-\u9fff]{2,6}(?:[·、][\u4e00-\u9fff]{2,4}){2,7}")
_REPEATED = re.compile(r"([\u4e00-\u9fff])[\u4e00-\u9fff](?:\1[\u4e00-\u9fff]){2,3}")
_QUOTED_BAD = re.compile(r"[。！？；：!?;:0-9０-９%％《》()（）]")
_NOT_CANDIDATE = re.compile(
    rf"^(?:第|[{_ALL_NUMERALS}]+[{_MEASURES}]?(?:年|月|日|天|周|小时|分钟|季度|世纪|岁|倍|人|名|次|元|是|要|则|曰|、|$)"
    rf"|[{NUMERALS}][{NUMERALS}]|.*(?:左右|以上|以下|多|余)$)")
#: heads that make a numeral a quantity, an enumerator or a generic count, not a formula
STOP_HEADS = frozenset(
    "是 月 年 日 天 周 小时 分钟 季度 世纪 百分点 倍 人 名 位 次 岁 步 类 级 批 家 户 所 座 件 些 样 成 分 半 元 "
    "万 亿 点 期 届 季 方面 问题 部分 阶段 环节 国家 地区 时期 领域 方向 层次 月份 条件 原则 任务 目标 内容 措施 "
    "重点 主要 重要 特别 地方 城市 左右 以上 以下 省 省区 省市 市 区 县 村 乡 镇 "
    "单位 企业 部门 同志 代表团 会议 文件".split())
#: a quoted phrase is a candidate when at least this share of its occurrences are in quotation marks
QUOTED_SHARE = 0.4
#: a numbered formula is extended by the next word when that word follows this share of its occurrences
EXTEND_SHARE = 0.8
RARE_WORD = 10  # jieba frequency below which a dictionary word with two numerals may be a formula



def discover(docs: pd.DataFrame, *, min_count: int = 1, min_docs: int = 1, context: int = 12,
             config: Config = "t2s", progress=None, runner: Runner | None = None) -> pd.DataFrame:
    """Candidate formulas and slogans in ``docs`` ranked by documents then count (``DISCOVER_COLUMNS``).

    ``example`` is the first occurrence with ``context`` characters each side (original text;
    ``doc_id``/``start``/``end`` locate it); ``n_quoted`` counts occurrences in quotation marks.
    ``runner`` runs the two per-document passes, :func:`propose` and :func:`count_candidates`
    (in this process by default); choosing and ranking the candidates over the corpus happens here.
    """
    runner = runner or Runner()
    kinds, quoted, unquoted = _merge(runner.map(propose, docs, config=config, progress=progress))
    lexicon = Lexicon(pd.DataFrame({"canonical": list(kinds), "category": list(kinds.values()),
                                    "variants": [()] * len(kinds)}).reindex(columns=LEXICON_COLUMNS, fill_value=""))
    found = runner.map(count_candidates, docs, lexicon=lexicon, context=context, config=config)
    return _rank(found, kinds, quoted, unquoted, min_count=min_count, min_docs=min_docs)


def propose(docs: pd.DataFrame, *, config: Config = "t2s", progress=None) -> pd.DataFrame:
    """Every candidate each generator proposes, document by document (``PROPOSAL_COLUMNS``).

    ``source`` is the generator (quoted, series, numbered); ``extended`` is a numbered formula
    with the word after it (四项基本原则), or empty.
    """
    segmenter = _plain_segmenter(config)
    rows: list[tuple] = []
    for doc_id, conv in converted(docs, config=config, progress=progress):
        rows.extend((doc_id, phrase, "quoted", "") for phrase in quoted_phrases(conv.text))
        rows.extend((doc_id, phrase, "series", "") for phrase in series(conv.text))
        rows.extend((doc_id, phrase, "numbered", extended or "")
                    for phrase, extended in numbered(segmenter.tokenize(conv.text)))
    return pd.DataFrame(rows, columns=PROPOSAL_COLUMNS)


def _merge(proposals: pd.DataFrame) -> tuple[dict[str, str], Counter, set[str]]:
    """The candidates of the corpus with their kind, the count of each quoted phrase, and the
    candidates some generator other than quotation marks found."""
    kinds: dict[str, str] = {}
    quoted: Counter = Counter()
    unquoted: set[str] = set()
    formulas: Counter = Counter()
    extensions: Counter = Counter()
    for phrase, source, extended in zip(proposals["candidate"], proposals["source"], proposals["extended"]):
        if source == "quoted":
            quoted[phrase] += 1
            kinds.setdefault(phrase, _kind(phrase))
        elif source == "series":
            kinds.setdefault(phrase, "series")
            unquoted.add(phrase)
        else:
            formulas[phrase] += 1
            extensions[phrase, extended] += 1
    for phrase in _complete(formulas, extensions):
        kinds.setdefault(phrase, "numbered")
        unquoted.add(phrase)
    return kinds, quoted, unquoted


def _complete(formulas: Counter, extensions: Counter) -> list[str]:
    """Each numbered formula, extended by the word that nearly always follows it (四项基本 → 四项基本原则)."""
    best: dict[str, tuple[int, str]] = {}
    for (phrase, extended), n in extensions.items():
        if extended and n > best.get(phrase, (0, ""))[0]:
            best[phrase] = (n, extended)
    out = []
    for phrase, n in formulas.items():
        m, extended = best.get(phrase, (0, ""))
        out.append(extended if m >= 2 and m >= EXTEND_SHARE * n and len(extended) <= 10 else phrase)
    return out


def count_candidates(docs: pd.DataFrame, *, lexicon: Lexicon, context: int = 12,
                     config: Config = "t2s") -> pd.DataFrame:
    """How often each candidate of ``lexicon`` occurs in each document, with its first occurrence
    there (original offsets, ``context`` characters each side): ``FOUND_COLUMNS``."""
    rows: list[tuple] = []
    for doc_id, conv in converted(docs, config=config):
        _, _, (starts, ends), terms = match_doc(conv, lexicon)
        counts = Counter(terms)
        first: dict[str, tuple[int, int]] = {}
        for term, start, end in zip(terms, starts.tolist(), ends.tolist()):
            first.setdefault(term, (start, end))
        rows.extend((doc_id, term, counts[term], start, end,
                     conv.original[max(0, start - context):end + context].replace("\n", " "))
                    for term, (start, end) in first.items())
    return pd.DataFrame(rows, columns=FOUND_COLUMNS)


def _rank(found: pd.DataFrame, kinds: dict, quoted: Counter, unquoted: set, *, min_count: int,
          min_docs: int) -> pd.DataFrame:
    """Sum the counts over the corpus and rank the candidates; drop quoted phrases mostly seen unquoted."""
    if found.empty:
        return pd.DataFrame(columns=DISCOVER_COLUMNS)
    table = found.groupby("candidate", sort=False).agg(count=("count", "sum"), n_docs=("doc_id", "size"))
    first = found.drop_duplicates("candidate").set_index("candidate")[["doc_id", "start", "end", "example"]]
    table = table.join(first).reset_index()
    table["kind"] = table["candidate"].map(kinds)
    table["n_quoted"] = table["candidate"].map(quoted).fillna(0).astype("int64")
    rarely_quoted = ~table["candidate"].isin(unquoted) & (table["n_quoted"] < QUOTED_SHARE * table["count"])
    table = table[(table["count"] >= min_count) & (table["n_docs"] >= min_docs) & ~rarely_quoted]
    table = table.sort_values(["n_docs", "count", "n_quoted", "candidate"], ascending=[False, False, False, True],
                              kind="stable")
    return table.reset_index(drop=True)[DISCOVER_COLUMNS]


def quoted_phrases(text: str) -> list[str]:
    """Short phrases in quotation marks that could be slogans (no sentence punctuation, no digits)."""
    out = []
    for match in _QUOTED.finditer(text):
        phrase = match.group(1).strip()
        if len(phrase) >= 2 and re.search(r"[\u4e00-\u9fff]", phrase) and not _QUOTED_BAD.search(phrase) \
                and not _NOT_CANDIDATE.match(phrase) and phrase not in stopwords() \
                and not (phrase[0] in NUMERALS and "的" in phrase):  # 三个离不开的思想
            out.append(phrase)
    return out


def _kind(phrase: str) -> str:
    if re.search(r"[·、，,]", phrase):
        return "series"
    return "numbered" if len(phrase) <= 8 and phrase[0] in NUMERALS else "quoted"


def series(text: str) -> list[str]:
    """Parallel series whose items share their first or last character: 共居·共学·共事·共乐, 交往交流交融."""
    out = []
    for match in _SERIES.finditer(text):
        items = re.split(r"[·、]", match.group())
        size = len(items[1])
        items[0] = items[0][-size:]
        same = len({i[0] for i in items}) == 1 or ("·" in match.group() and len({i[-1] for i in items}) == 1)
        if all(len(item) == size for item in items) and same:
            head = match.group()
            out.append(head[len(head) - sum(map(len, items)) - (len(items) - 1):])
    out.extend(m.group() for m in _REPEATED.finditer(text) if m.group()[0] not in NUMERALS + "全各每不")
    return out


def numbered(tokens: list[tuple[str, int, int]]) -> list[tuple[str, str | None]]:
    """Numbered formulas among segmented ``tokens`` (a numeral, a measure word and a head, chained).

    Each comes with its extension by the next word (四项基本 → 四项基本原则), or None.
    """
    words = [t for t, _, _ in tokens]
    out, i = [], 0
    while i < len(words):
        before = words[i - 1][-1] if i else ""
        listed = before == "、" and i > 1 and words[i - 2][-1] in _ALL_NUMERALS  # 一、二、三产业
        if words[i][0] not in NUMERALS or before in "第之" or before in _ALL_NUMERALS or listed:
            i += 1
            continue
        parts: list[str] = []
        j = i
        while j < len(words) and words[j][0] in NUMERALS and len(parts) < 4:
            part, k = _part(words, j, chained=bool(parts))
            if part is None or tokens[k - 1][2] - tokens[j][1] != len(part):
                break
            parts.append(part)
            j = k
        if parts and _acceptable(parts):
            after = words[j] if j < len(words) else ""
            extend = _HAN.match(after) and len(after) <= 4 and tokens[j][1] == tokens[j - 1][2]
            out.append(("".join(parts), "".join(parts) + after if extend else None))
        i = max(j, i + 1)
    return out


def _part(words: list[str], j: int, *, chained: bool) -> tuple[str | None, int]:
    """One numeral unit at ``words[j]`` and the index after it: 三个+离不开, 五观, 一带."""
    word = words[j]
    if _NUM_HEAD.match(word):
        k = j + 1
        if len(word) == 1 and k < len(words) and words[k] in _MEASURES:
            word, k = word + words[k], k + 1
        if k >= len(words):
            return None, j
        head = words[k]
        measured = len(word) == 2
        if (not _HAN.match(head) or len(head) > 4 or head in STOP_HEADS or (len(head) == 1 and head in stopwords())
                or (head[0] in NUMERALS and not (measured and len(head) <= 2))):
            return (word, k) if chained and len(word) == 1 else (None, j)
        return word + head, k + 1
    if _HAN.match(word) and len(word) <= 6 and word[1] not in _ALL_NUMERALS:
        return word, j + 1
    return None, j


def _acceptable(parts: list[str]) -> bool:
    phrase = "".join(parts)
    if len(phrase) < 3 or len(phrase) > 10 or _NOT_CANDIDATE.match(phrase):
        return False  # two characters (五观, 三农) only when quoted
    if len(parts) > 1:
        return len(set(parts)) > 1  # 一带一路, 两学一做; not 一次一次
    if phrase[0] == "一" and phrase[1] in _MEASURES or phrase[1] == phrase[2]:
        return False  # 一个国家, 一项工作: an indefinite article; 一块块
    if phrase[1] not in _MEASURES and (_ordinary(phrase) or _ordinary(phrase[:2])):
        return False  # 一定要, 两岸关系, 十分重视: a word that merely begins with a numeral
    return True


def _ordinary(word: str) -> bool:
    """A jieba dictionary word, unless a rare one with two numerals (五位一体)."""
    freq = _numeral_words().get(word)
    return freq is not None and not (freq < RARE_WORD and len(_NUMERAL_RUNS.findall(word)) > 1)


@lru_cache(maxsize=1)
def _numeral_words() -> dict[str, int]:
    """jieba dictionary words that begin with a numeral, with their frequencies."""
    import jieba

    words = {}
    with jieba.get_dict_file() as fh:
        for line in fh:
            word, freq, *_ = line.decode("utf-8").split()
            if word[0] in NUMERALS:
                words[word] = int(freq)
    return words


@lru_cache(maxsize=4)
def _plain_segmenter(config: Config) -> Segmenter:
    """A segmenter without lexicon terms, so that discovery sees the text alone."""
    return Segmenter(lexicon=Lexicon(pd.DataFrame(columns=LEXICON_COLUMNS)), config=config)
