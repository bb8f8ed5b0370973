"""Issue 14 (row 7, must-6): nothing a lexicon file gives is dropped silently.

A malformed row is an error naming the file and the line; a traditional canonical form is
converted to simplified with a notice, and then matches; a surface listed twice gets a notice.
"""
import json

import pytest
from click.testing import CliRunner

from unitynlp.cli import cli
from unitynlp.errors import DataFileError
from unitynlp.facts import extract_facts
from unitynlp.lexicon import Lexicon

HEADER = "canonical\tcategory\tvariants\texpansion\tperiod\tnote\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name, text, message", [
    ("one_column.tsv", HEADER + "六个必须 numbered_formula\n",
     r"one_column\.tsv line 2: one column where at least canonical and category are needed, separated by a tab"),
    ("spaces.tsv", HEADER + "六个必须\tnumbered_formula\n\n六个坚持    slogan\n",
     r"spaces\.tsv line 4: one column"),
    ("extra.tsv", "canonical\tcategory\tvariants\n六个必须\tnumbered_formula\t六个坚持\t六个务必\n",
     r"extra\.tsv line 2: column 4 is not named in the header \(canonical, category, variants\); "
     r"separate columns with a tab and variants with \|"),
    ("extra.csv", "canonical,category\n六个必须,numbered_formula,六个坚持\n",
     r"extra\.csv line 2: column 3 is not named in the header .*separate columns with a comma"),
    ("empty_canonical.tsv", HEADER + "三个离不开\tnumbered_formula\t\t\t\t\n\tslogan\t两个维护\t\t\t\n",
     r"empty_canonical\.tsv line 3: the canonical form \(first column\) is empty"),
    ("duplicate.tsv", HEADER + "六个必须\tnumbered_formula\t\t\t\t\n# note\n六个必须\tslogan\t\t\t\t\n",
     r"duplicate\.tsv lines 2 and 4 both list '六个必须': keep one row"),
    ("duplicate_scripts.tsv", HEADER + "六個必須\tnumbered_formula\t\t\t\t\n六个必须\tnumbered_formula\t\t\t\t\n",
     r"duplicate_scripts\.tsv lines 2 and 3 both list '六个必须'"),
    ("category.tsv", HEADER + "六个必须\tformula\t\t\t\t\n",
     r"category\.tsv line 2: category 'formula' is not one of numbered_formula, slogan, campaign, policy_term"),
    ("header.tsv", "canonical\tcategory\tvariant\n六个必须\tnumbered_formula\t六个坚持\n",
     r"header\.tsv line 1: unknown column 'variant' \(columns: canonical, category, variants"),
    ("twice.tsv", "canonical\tcategory\tvariants\tvariants\n六个必须\tnumbered_formula\ta\tb\n",
     r"twice\.tsv line 1: a column named twice"),
    ("no_header.tsv", "六个必须\tnumbered_formula\n", r"no_header\.tsv: the header must start with 'canonical\tcategory'"),
])
def test_a_bad_row_is_an_error_naming_file_and_line(tmp_path, name, text, message):
    with pytest.raises(DataFileError, match=message):
        Lexicon.load([write(tmp_path, name, text)])


@pytest.mark.parametrize("text", [
    HEADER + "\n\t\t\t\t\t\n六个必须\tnumbered_formula\t\t\t\t\n",  # blank lines, empty cells
    HEADER + "# 用户词表\n六个必须\tnumbered_formula\n",  # a comment, short row
    "canonical\tcategory\t\n六个必须\tnumbered_formula\t\n",  # a trailing tab on every line
])
def test_blank_lines_comments_and_trailing_tabs_are_fine(tmp_path, text, capsys):
    lexicon = Lexicon.load([write(tmp_path, "user.tsv", text)], include_default=False)
    assert lexicon.entries["canonical"].tolist() == ["六个必须"]
    assert capsys.readouterr().err == ""


def test_a_traditional_canonical_form_is_converted_with_a_notice(tmp_path, capsys):
    path = write(tmp_path, "user.tsv", HEADER + "測試詞\tslogan\t測驗詞|测评词\t\t\t\n")
    lexicon = Lexicon.load([path])
    err = capsys.readouterr().err
    assert err == (f"unitynlp: {path}: 2 term(s) in traditional characters converted to simplified, as the texts "
                   "are before matching (line 2 測試詞 → 测试词; line 2 測驗詞 → 测验词)\n")
    row = lexicon.entries.iloc[-1]
    assert (row["canonical"], row["variants"], row["source"]) == ("测试词", ("测验词", "测评词"), str(path))
    assert lexicon.find("坚持测试词、测验词") == [(2, 5, "测试词"), (6, 9, "测试词")]


def test_a_traditional_formula_is_no_fact(tmp_path):
    lexicon = Lexicon.load([write(tmp_path, "user.tsv", HEADER + "六個必須\tnumbered_formula\t\t\t\t\n")])
    assert [r["text"] for r in extract_facts("堅持六個必須，完成3個項目")] == ["六個", "3個"]
    assert [r["text"] for r in extract_facts("堅持六個必須，完成3個項目", lexicon=lexicon)] == ["3個"]
    assert [r["text"] for r in extract_facts("坚持六个必须", lexicon=lexicon)] == []


def test_a_surface_of_another_term_gets_a_notice(tmp_path, capsys):
    path = write(tmp_path, "user.tsv", HEADER + "民族团结教育\tcampaign\t三个离不开\t\t\t\n")
    lexicon = Lexicon.load([path])
    assert capsys.readouterr().err == (
        f"unitynlp: {path} line 2: '三个离不开' (listed for '民族团结教育') is already a form of '三个离不开' "
        "(unitynlp/data/lexicon.tsv line 2); its hits count as '三个离不开'\n")
    assert lexicon.find("三个离不开") == [(0, 5, "三个离不开")]


def test_the_command_line_counts_a_traditional_row_and_says_so(tmp_path):
    lexicon = write(tmp_path, "user.tsv", HEADER + "測試詞\tslogan\t\t\t\t\n")
    report = write(tmp_path, "r.txt", "堅持測試詞，推進测试词。\n")
    result = CliRunner().invoke(cli, ["terms", str(report), "--lexicon", str(lexicon), "--no-default",
                                      "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert [(r["term"], r["count"]) for r in map(json.loads, result.stdout.splitlines())] == [("测试词", 2)]
    assert f"{lexicon}: 1 term(s) in traditional characters converted to simplified" in result.stderr


def test_the_command_line_reports_a_bad_row_in_one_line(tmp_path):
    lexicon = write(tmp_path, "user.tsv", HEADER + "\tslogan\t\t\t\t\n")
    report = write(tmp_path, "r.txt", "坚持六个必须。\n")
    result = CliRunner().invoke(cli, ["terms", str(report), "--lexicon", str(lexicon)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {lexicon} line 2: the canonical form (first column) is empty\n"
