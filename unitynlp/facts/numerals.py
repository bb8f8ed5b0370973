"""Parse the numbers of Chinese text: Arabic (half- and full-width), Chinese and financial numerals.

>>> parse_number("1,234.5")
1234.5
>>> parse_number("二〇二四")
2024.0
>>> parse_number("三亿五千万")
350000000.0
>>> parse_number("壹萬伍仟")
15000.0
>>> parse_number("三十六点九")
36.9
"""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

#: Chinese and financial digits, simplified and traditional forms
CN_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
    "六": 6, "七": 7, "八": 8, "九": 9, "壹": 1, "贰": 2, "貳": 2, "叁": 3, "肆": 4, "伍": 5,
    "陆": 6, "陸": 6, "柒": 7, "捌": 8, "玖": 9,
}
CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
CN_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL) + "".join(CN_BIG)
_CN_DIGIT_CHARS = "".join(CN_DIGITS)

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_ARABIC_START = "0123456789０１２３４５６７８９"


def arabic_value(text: str) -> float:
    """``1,234.5``, ``１２３``, ``3．5`` → float."""
    return float(text.translate(_FULLWIDTH).replace(",", "").replace(" ", ""))


def is_digitwise(text: str) -> bool:
    """True for Chinese numerals written digit by digit (一九五八, 三五), with no 十百千万亿."""
    return not text.strip(_CN_DIGIT_CHARS)


def chinese_value(text: str) -> float:
    """Value of a Chinese or financial numeral, with an optional 点 decimal part."""
    whole, _, frac = text.partition("点")
    value = float(_chinese_integer(whole)) if whole else 0.0
    digits = frac.rstrip("万萬亿億千百")
    if digits:
        value += float("0." + "".join(str(CN_DIGITS.get(ch, 0)) for ch in digits))
    for ch in frac[len(digits):]:  # 三点五亿
        value *= CN_BIG.get(ch) or CN_SMALL[ch]
    return value


def _chinese_integer(text: str) -> int:
    if is_digitwise(text):
        return int("".join(str(CN_DIGITS[ch]) for ch in text))
    total = section = number = 0
    last_big = 0
    for ch in text:
        if ch in CN_DIGITS:
            number = CN_DIGITS[ch]
        elif ch in CN_SMALL:
            section += (number or 1) * CN_SMALL[ch]
            number = 0
        else:  # 万 / 亿
            big = CN_BIG[ch]
            part = (section + number) or (0 if total else 1)
            total = (total + part) * big if big >= last_big else total + part * big
            last_big = max(last_big, big)
            section = number = 0
    return total + section + number


@lru_cache(maxsize=8192)  # a corpus repeats the same few thousand numbers (一, 两, 2024, 3万)
def parse_number(text: str) -> float:
    """Value of an Arabic, Chinese or mixed number (``3万``, ``1.6万亿``, ``十二万``)."""
    text = text.replace(" ", "")
    head = text.rstrip("万萬亿億千百 ")
    if head and head[0] in _ARABIC_START:
        if len(head) == len(text):
            return arabic_value(head)
        value = Decimal(head.translate(_FULLWIDTH).replace(",", ""))  # 133.7亿 exactly, not 13369999999.999998
        for ch in text[len(head):]:
            value *= CN_BIG.get(ch) or CN_SMALL[ch]
        return float(value)
    return chinese_value(text)
