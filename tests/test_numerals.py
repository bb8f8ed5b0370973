import pytest

from unitynlp.facts.numerals import chinese_value, is_digitwise, parse_number


@pytest.mark.parametrize("text, value", [
    ("738", 738),
    ("1,234.5", 1234.5),
    ("１２３", 123),
    ("3．5", 3.5),
    ("0.016", 0.016),
    ("3万", 30_000),
    ("32.17万", 321_700),
    ("1.6万亿", 1.6e12),
    ("13.7万亿", 13.7e12),
    ("3千万", 30_000_000),
    ("十", 10),
    ("十二", 12),
    ("两", 2),
    ("二十", 20),
    ("一百四十一", 141),
    ("一千零五", 1005),
    ("一千零十", 1010),
    ("八千", 8000),
    ("十二万", 120_000),
    ("二十万", 200_000),
    ("一万二千三百", 12_300),
    ("三亿五千万", 350_000_000),
    ("二十五亿七千万", 2_570_000_000),
    ("一万亿", 1e12),
    ("五万万", 500_000_000),  # old usage: 五万万农民
    ("二〇二四", 2024),
    ("一九五八", 1958),
    ("三十六点九", 36.9),
    ("二十八点八", 28.8),
    ("三点五亿", 350_000_000),
    ("〇点两億", 20_000_000),
    ("壹萬伍仟", 15_000),
    ("叁佰", 300),
    ("玖拾", 90),
    ("陆仟", 6000),
    ("貳拾", 20),
])
def test_parse_number(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text, expected", [
    ("一九五八", True), ("三五", True), ("十二", False), ("两万", False),
])
def test_is_digitwise(text, expected):
    assert is_digitwise(text) is expected


def test_chinese_decimal_without_integer_part():
    assert chinese_value("点五") == pytest.approx(0.5)
