"""kwic: user regular expressions cannot hang the tool (issue 14 row 2, must-2), and ordinary ones
match as Python's ``re`` does."""
import re
import time

import pandas as pd
import pytest
from click.testing import CliRunner

from unitynlp.cli import cli
from unitynlp.convert import convert
from unitynlp.corpus import read_corpus
from unitynlp.errors import InputError
from unitynlp.runner import Runner
from unitynlp.terms.kwic import KWIC_COLUMNS, kwic

RUNAWAY = "(a|aa)+b"  # the regex package's own guards do not save this one: only the time limit does


@pytest.fixture(scope="module")
def seed():
    return read_corpus()


def docs(*texts):
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(1, len(texts) + 1)], "text": list(texts)})


# ---- the hangs of issue 14 ------------------------------------------------------------------

def test_nested_repetition_finishes_with_the_right_hits():
    found = kwic(docs("报告" + "a" * 40, "报告aaab"), "(a+)+b", regex=True, window=2)  # a hang would time out
    assert found[["doc_id", "start", "end", "left", "match", "right"]].values.tolist() == [
        ["d2", 2, 6, "报告", "aaab", ""]]


def test_the_bundled_corpus_pattern_finishes(seed):
    found = kwic(seed, "([^，。]+)+！", regex=True)
    assert list(found.columns) == KWIC_COLUMNS
    text = seed.set_index("doc_id")["text"]
    assert all(text[d][s:e].endswith(("！", "!")) for d, s, e in zip(found["doc_id"], found["start"], found["end"]))


def test_a_runaway_pattern_is_an_error_naming_pattern_and_document():
    with pytest.raises(InputError) as caught:
        kwic(docs("报告aab", "报告" + "a" * 40), RUNAWAY, regex=True, timeout=0.3)
    assert str(caught.value) == (
        "the pattern '(a|aa)+b' ran out of time (0.3 s) in document 'd2': simplify it (a repetition inside "
        "a repetition, as in (a|aa)+, can backtrack without end) or allow more time with --regex-timeout")


def test_the_time_limit_holds_in_worker_processes():
    many = docs(*(["报告aab" * 20_000] * 3 + ["报告" + "a" * 40]))
    start = time.perf_counter()
    with Runner(jobs=2, min_chars=0) as runner, pytest.raises(InputError, match="in document 'd4'"):
        runner.map(kwic, many, pattern=RUNAWAY, regex=True, timeout=0.3)
    assert time.perf_counter() - start < 60


def test_the_time_limit_must_be_positive():
    with pytest.raises(InputError, match="the time limit must be more than 0 seconds, not 0"):
        kwic(docs("报告"), "报告", regex=True, timeout=0)


@pytest.mark.parametrize("pattern, message", [
    ("([", r"invalid regular expression '\(\[' \(unterminated character set at position 2\); leave out --regex"),
    ("a{2,1}", r"invalid regular expression 'a\{2,1\}' \(min repeat greater than max repeat"),
    ("*增长", r"invalid regular expression '\*增长' \(nothing to repeat at position 0\)"),
])
def test_an_invalid_pattern_is_an_error_naming_it(pattern, message):
    with pytest.raises(InputError, match=message):
        kwic(docs("报告"), pattern, regex=True)


# ---- ordinary patterns match as re does ---------------------------------------------------------

ORDINARY = [r"[一二三四五六]个[^，。]{1,3}", r"[一二三四五六]個不忘", r"\d+(?:\.\d+)?%", r"“[^”]{1,8}”",
            r"(?<=坚持)[^，。]{2,4}", r"(?m)^[一二三四五六七八九十]+、", r"增长\d+(\.\d+)?%?", r"[^，。]{0,5}团结[^，。]{0,5}",
            r"a*", r"(?i)gdp", r"\s+", r".{,3}万元", r"两个(?=维护|确立)", r"民族|宗教", r"[\u4e00-\u9fff]{2}工程"]


def _with_re(frame: pd.DataFrame, pattern: str) -> list[tuple]:
    """The hits as the ``re`` module finds them in the simplified text, in original offsets."""
    compiled = re.compile(convert(pattern, script="traditional").text)
    hits = []
    for doc_id, text in zip(frame["doc_id"], frame["text"]):
        conv = convert(text)
        hits += [(doc_id, *conv.to_original(*m.span())) for m in compiled.finditer(conv.text) if m.end() > m.start()]
    return hits


@pytest.mark.parametrize("pattern", ORDINARY)
def test_ordinary_patterns_find_what_re_finds(seed, pattern):
    found = kwic(seed, pattern, regex=True)
    assert list(zip(found["doc_id"], found["start"], found["end"])) == _with_re(seed, pattern)


def test_word_characters_follow_unicode():
    text = "①增长5%，㈠稳中求进"
    assert kwic(docs(text), r"\w+", regex=True, window=0)["match"].tolist() == ["增长5", "稳中求进"]
    assert kwic(docs(text), r"[\w①-⑳㈠-㈩]+", regex=True, window=0)["match"].tolist() == ["①增长5", "㈠稳中求进"]


def test_a_plain_term_is_literal():
    assert kwic(docs("增长5.2%，增长5x2%"), "5.2%", window=1)["match"].tolist() == ["5.2%"]
    assert kwic(docs("(a+)+b 和 aab"), "(a+)+b", window=0)["match"].tolist() == ["(a+)+b"]


# ---- the command line -----------------------------------------------------------------------

def test_the_command_line_finishes_on_the_hangs_of_issue_14(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text("报告" + "a" * 40 + "\n", encoding="utf-8")
    for args in (["kwic", "(a+)+b", str(report), "--regex"], ["kwic", "([^，。]+)+！", "--regex"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
