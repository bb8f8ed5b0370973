"""Issue 14 rows 4-6: file names that are not UTF-8, metadata that does not match, years as written."""
import csv
import io
import json
import math
import os

import pandas as pd
import pytest
from click.testing import CliRunner

from unitynlp.corpus import iter_corpus, printable, read_corpus
from unitynlp.errors import InputError
from unitynlp.metadata import parse_year

GBK_NAME = os.fsdecode("报告".encode("gbk"))  # b"\xb1\xa8\xb8\xe6" as Python holds it: lone surrogates
SHOWN = "\\xb1\\xa8\\xb8\\xe6"  # ... and as unitynlp shows it
TEXT = "全省地区生产总值增长5.2%，粮食产量达到1200万吨。"


def _utf8(text: str) -> str:
    """``text`` if it can be written as UTF-8 (no lone surrogates), else an AssertionError."""
    text.encode("utf-8")
    return text


# ----------------------------------------------------------------------------- row 4: file names

@pytest.mark.parametrize("name, shown", [
    ("报告.txt", "报告.txt"),
    (GBK_NAME + ".txt", SHOWN + ".txt"),
    ("a" + os.fsdecode(b"\xff") + "b", "a\\xffb"),
    ("\ud800x", "\\ud800x"),  # a lone surrogate that no byte stands for (a broken Windows name)
])
def test_printable_escapes_what_is_not_utf8(name, shown):
    assert printable(name) == shown


@pytest.fixture
def gbk_folder(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / (GBK_NAME + ".txt")).write_text(TEXT, encoding="utf-8")
    (folder / "ok.txt").write_text("民族团结进步。", encoding="utf-8")
    return folder


def test_gbk_named_file_in_a_folder_is_read_and_shown_escaped(gbk_folder):
    docs = read_corpus(gbk_folder)
    assert list(docs["doc_id"]) == ["ok", SHOWN]
    row = docs.iloc[1]
    assert row["text"] == TEXT and row["title"] == TEXT
    assert row["source"] == str(gbk_folder / SHOWN) + ".txt"
    for column in ("doc_id", "title", "source"):
        assert all(_utf8(v) for v in docs[column])


def test_gbk_named_file_given_directly(gbk_folder):
    docs = read_corpus(gbk_folder / (GBK_NAME + ".txt"))
    assert list(docs["doc_id"]) == [SHOWN] and docs.at[0, "text"] == TEXT
    assert docs.at[0, "source"] == f"{gbk_folder}/{SHOWN}.txt"
    assert docs.at[0, "title"] == TEXT


def test_gbk_named_file_without_text_gets_escaped_title(tmp_path):
    (tmp_path / (GBK_NAME + ".txt")).write_text("\n\n正文", encoding="utf-8")
    (tmp_path / (GBK_NAME + ".md")).write_text("", encoding="utf-8")  # unreadable: skipped, named escaped
    docs = read_corpus(tmp_path)
    assert list(docs["doc_id"]) == [SHOWN]
    assert docs.attrs["skipped"] == [f"{tmp_path}/{SHOWN}.md: the file is empty; remove it or add its text"]


def test_gbk_named_bad_file_gives_a_printable_error(tmp_path):
    path = tmp_path / (GBK_NAME + ".txt")
    path.write_bytes(b"")
    with pytest.raises(InputError) as info:
        read_corpus(path)
    assert _utf8(str(info.value)) == f"{tmp_path}/{SHOWN}.txt: the file is empty; remove it or add its text"
    with pytest.raises(InputError, match="no such file") as info:
        read_corpus(tmp_path / (GBK_NAME + "x.txt"))
    assert SHOWN in _utf8(str(info.value))


def test_gbk_named_folder_with_metadata_reports_in_utf8(tmp_path, capsys):
    folder = tmp_path / GBK_NAME
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / (GBK_NAME + ".txt")).write_text(TEXT, encoding="utf-8")
    (folder / "metadata.csv").write_text("doc_id,year\na,2021\n", encoding="utf-8")
    docs = read_corpus(folder)
    assert docs.attrs["metadata_report"] == [f"{tmp_path}/{SHOWN}/metadata.csv: 1 document has no row: {SHOWN}"]
    assert _utf8(capsys.readouterr().err) == f"unitynlp: {docs.attrs['metadata_report'][0]}\n"


def test_metadata_can_name_a_gbk_named_file_by_its_escaped_name(gbk_folder):
    (gbk_folder / "metadata.csv").write_text(f"file,year\n{SHOWN}.txt,2021\nok.txt,2020\n", encoding="utf-8")
    docs = read_corpus(gbk_folder)
    assert list(docs["year"]) == [2020, 2021] and docs.attrs["metadata_report"] == []


def _cli(args):
    from unitynlp.cli import cli

    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes.decode("utf-8")  # strict: raw bytes in a doc_id would fail here


def test_cli_corpus_csv_and_jsonl_of_gbk_names(gbk_folder):
    rows = list(csv.DictReader(io.StringIO(_cli(["corpus", str(gbk_folder), "--format", "csv"]))))
    assert [r["doc_id"] for r in rows] == ["ok", SHOWN]
    lines = [json.loads(line) for line in _cli(["corpus", str(gbk_folder), "--format", "jsonl"]).splitlines()]
    assert [r["doc_id"] for r in lines] == ["ok", SHOWN]
    one = _cli(["corpus", str(gbk_folder / (GBK_NAME + ".txt")), "--format", "jsonl"])
    assert json.loads(one)["doc_id"] == SHOWN


@pytest.mark.parametrize("given", ["folder", "file"])
def test_cli_facts_jsonl_of_gbk_names(gbk_folder, given):
    target = gbk_folder if given == "folder" else gbk_folder / (GBK_NAME + ".txt")
    rows = [json.loads(line) for line in _cli(["facts", str(target), "--format", "jsonl"]).splitlines()]
    assert rows and {r["doc_id"] for r in rows} == {SHOWN}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_cli_facts_files_of_gbk_names(gbk_folder, tmp_path, suffix):
    out = tmp_path / f"facts{suffix}"
    _cli(["facts", str(gbk_folder), "-o", str(out)])
    frame = pd.read_csv(out, encoding="utf-8") if suffix == ".csv" else pd.read_excel(out)
    assert set(frame["doc_id"]) == {SHOWN}


# ----------------------------------------------------------------------------- row 5: metadata matching

@pytest.fixture
def folder(tmp_path):
    """``2021/yunnan.txt``, ``2021/guizhou.txt`` and ``other.txt``; the tests add a metadata file."""
    (tmp_path / "2021").mkdir()
    (tmp_path / "2021" / "yunnan.txt").write_text("云南报告正文。", encoding="utf-8")
    (tmp_path / "2021" / "guizhou.txt").write_text("贵州报告正文。", encoding="utf-8")
    (tmp_path / "other.txt").write_text("其他报告正文。", encoding="utf-8")
    return tmp_path


def _read(folder, capsys, metadata: str, name="metadata.csv"):
    """The documents of ``folder`` with ``metadata``, its report, and what went to stderr."""
    (folder / name).write_text(metadata, encoding="utf-8")
    docs = read_corpus(folder)
    err = capsys.readouterr().err
    assert err == "".join(f"unitynlp: {line}\n" for line in docs.attrs["metadata_report"])  # each said once
    return docs.set_index("doc_id"), [line.split(": ", 1)[1] for line in docs.attrs["metadata_report"]]


def test_metadata_by_file_without_doc_id(folder, capsys):
    docs, report = _read(folder, capsys, "file,year,region\n2021/yunnan.txt,2021,云南\n"
                                         "2021/guizhou.txt,2020,贵州\nother.txt,2019,\n")
    assert report == []
    assert docs.loc["2021/yunnan", ["year", "region"]].tolist() == [2021, "云南"]
    assert docs.loc["2021/guizhou", "year"] == 2020 and docs.loc["other", "year"] == 2019


@pytest.mark.parametrize("written", ["2021\\yunnan.txt", "./2021/yunnan.txt", ".\\2021\\yunnan.txt",
                                     "2021//yunnan.txt", "2021/yunnan"])
def test_metadata_file_paths_are_normalised(folder, capsys, written):
    docs, report = _read(folder, capsys, f"file,region\n{written},云南\n2021/guizhou.txt,贵州\nother.txt,其他\n")
    assert report == [] and docs.loc["2021/yunnan", "region"] == "云南"


def test_metadata_row_with_extra_field_is_reported_and_the_rest_joined(folder, capsys):
    docs, report = _read(folder, capsys, "file,year,region\n2021/yunnan.txt,2021,云南,多余\n"
                                         "2021/guizhou.txt,2020,贵州\nother.txt,2019,其他\n")
    assert report == ["1 malformed line: line 2 (4 fields for a 3-column header; skipped)",
                      "1 document has no row: 2021/yunnan"]
    assert docs.loc["2021/guizhou", "region"] == "贵州" and pd.isna(docs.loc["2021/yunnan", "region"])


def test_metadata_row_with_fewer_fields_is_reported_and_kept(folder, capsys):
    docs, report = _read(folder, capsys, "file,year,region\n2021/yunnan.txt,2021\n"
                                         "2021/guizhou.txt,2020,贵州\nother.txt,2019,其他\n")
    assert report == ["1 malformed line: line 2 (2 fields for a 3-column header; the rest left empty)"]
    assert docs.loc["2021/yunnan", "year"] == 2021 and pd.isna(docs.loc["2021/yunnan", "region"])


def test_metadata_rows_without_document_and_documents_without_row(folder, capsys):
    docs, report = _read(folder, capsys, "doc_id,file,region\n,2021/gone.txt,西藏\nx,,新疆\n"
                                         "2021/yunnan,,云南\n,2021/guizhou.txt,贵州\n")
    assert report == ["2 rows match no document: line 2 (file '2021/gone.txt'), line 3 (doc_id 'x')",
                      "1 document has no row: other"]
    assert docs.loc["2021/yunnan", "region"] == "云南" and docs.loc["2021/guizhou", "region"] == "贵州"


def test_metadata_report_counts_and_names_the_first_three(tmp_path, capsys):
    for n in range(5):
        (tmp_path / f"r{n}.txt").write_text("正文。", encoding="utf-8")
    docs, report = _read(tmp_path, capsys, "doc_id,year\n" + "".join(f"x{n},2021\n" for n in range(5)))
    assert report == ["5 rows match no document: line 2 (doc_id 'x0'), line 3 (doc_id 'x1'), "
                      "line 4 (doc_id 'x2') and 2 more",
                      "5 documents have no row: r0, r1, r2 and 2 more"]


def test_metadata_repeated_doc_id_is_reported(folder, capsys):
    docs, report = _read(folder, capsys, "doc_id,region\n2021/yunnan,云南\n2021/guizhou,贵州\nother,甲\n"
                                         "other,乙\n")
    assert report == ["1 row matches no document: line 5 (doc_id 'other', as on line 4)"]
    assert docs.loc["other", "region"] == "甲"


def test_metadata_malformed_jsonl_lines(folder, capsys):
    lines = [json.dumps({"id": "y", "file": "2021/yunnan.txt", "year": 2021}), "{not json", "[1, 2]", "",
             json.dumps({"id": "g", "file": "2021/guizhou.txt"}), json.dumps({"id": "other", "year": "2019年"})]
    docs, report = _read(folder, capsys, "\n".join(lines) + "\n", name="metadata.jsonl")
    assert report == ["2 malformed lines: line 2 (not JSON: Expecting property name enclosed in double quotes; "
                      "skipped), line 3 (not a JSON object; skipped)"]
    assert list(docs.index) == ["g", "y", "other"]
    assert docs.loc["y", "year"] == 2021 and docs.loc["other", "year"] == 2019 and pd.isna(docs.loc["g", "year"])


def test_metadata_numeric_json_id_matches(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("正文。", encoding="utf-8")
    docs, report = _read(tmp_path, capsys, json.dumps({"id": 3, "file": "a.txt", "region": "云南"}) + "\n",
                         name="metadata.jsonl")
    assert report == [] and docs.loc["3", "region"] == "云南"


def test_good_metadata_says_nothing(folder, capsys):
    docs, report = _read(folder, capsys, "doc_id,file,year\n甲,2021/yunnan.txt,2021\n乙,2021/guizhou.txt,2020\n"
                                         "丙,other.txt,2019\n")
    assert report == [] and list(docs.index) == ["乙", "甲", "丙"]


def test_compiled_file_matched_by_file_gives_each_report_its_row(tmp_path, capsys):
    (tmp_path / "compiled.txt").write_text("第一篇：甲报告\n正文一\n第二篇：乙报告\n正文二\n", encoding="utf-8")
    docs, report = _read(tmp_path, capsys, "doc_id,file,title,year,region\nhb,compiled.txt,汇编,2021年,云南\n")
    assert report == []
    assert docs[["title", "year", "region"]].to_dict("index") == {
        "hb-1": {"title": "甲报告", "year": 2021, "region": "云南"},
        "hb-2": {"title": "乙报告", "year": 2021, "region": "云南"}}
    whole = read_corpus(tmp_path, split=False)  # one document: the row's title too
    assert whole[["doc_id", "title"]].values.tolist() == [["hb", "汇编"]]


def test_compiled_file_reports_matched_by_their_ids(tmp_path, capsys):
    (tmp_path / "compiled.txt").write_text("第一篇：甲\n正文一\n第二篇：乙\n正文二\n", encoding="utf-8")
    docs, report = _read(tmp_path, capsys, "doc_id,title,region\ncompiled-1,一号,云南\ncompiled-2,,贵州\n")
    assert report == [] and docs[["title", "region"]].values.tolist() == [["一号", "云南"], ["乙", "贵州"]]


def test_single_file_gets_its_row_and_no_report_on_the_other_rows(folder, capsys):
    (folder / "metadata.csv").write_text("file,year\nother.txt,二〇二三年\n2021/gone.txt,2020\n", encoding="utf-8")
    docs = read_corpus(folder / "other.txt")
    assert docs[["doc_id", "year"]].values.tolist() == [["other", 2023]]
    assert docs.attrs["metadata_report"] == [] and capsys.readouterr().err == ""
    (folder / "alone.txt").write_text("正文。", encoding="utf-8")
    docs = read_corpus(folder / "alone.txt")
    assert docs.attrs["metadata_report"] == [f"{folder}/metadata.csv: 1 document has no row: alone"]
    assert capsys.readouterr().err == f"unitynlp: {folder}/metadata.csv: 1 document has no row: alone\n"


def test_batches_say_each_problem_once_and_the_last_has_the_whole_report(folder, capsys):
    (folder / "metadata.csv").write_text("file,year\n2021/yunnan.txt,去年\n2021/gone.txt,2020\n", encoding="utf-8")
    batches = list(iter_corpus(folder, batch_chars=1))
    assert [len(b) for b in batches] == [1, 1, 1]
    where = f"{folder}/metadata.csv"
    first = [f"{where}: 1 unreadable year left empty: line 2 ('去年')"]
    assert [b.attrs["metadata_report"] for b in batches[:2]] == [first, first]
    assert batches[2].attrs["metadata_report"] == first + [
        f"{where}: 1 row matches no document: line 3 (file '2021/gone.txt')",
        f"{where}: 2 documents have no row: 2021/guizhou, other"]
    assert capsys.readouterr().err == "".join(f"unitynlp: {line}\n" for line in batches[2].attrs["metadata_report"])


def test_metadata_without_key_column_is_an_error(folder):
    (folder / "metadata.csv").write_text("title,year\n甲,2021\n", encoding="utf-8")
    with pytest.raises(InputError, match="needs a 'doc_id' \\(or 'id'\\) or a 'file' column"):
        read_corpus(folder)


# ----------------------------------------------------------------------------- row 6: years as written

@pytest.mark.parametrize("value, year", [
    (2021, 2021), (2021.0, 2021), ("2020", 2020), (" 2020 ", 2020), ("21", 21), ("2021.0", 2021),
    ("2020年", 2020), ("2020年度", 2020), ("２０２３年", 2023),
    ("二〇二三年", 2023), ("二〇二三", 2023), ("二零二三年", 2023), ("二○二三年", 2023),
    ("2023-06-01", 2023), ("2023/6/1", 2023), ("2023.06", 2023), ("2023.10", 2023), ("2023-06", 2023),
    ("2021.5", 2021), ("20230601", 20230601),  # 2021.5 is written for May 2021; a bare number stays a number
    ("2023年6月1日", 2023), ("2023年6月", 2023), ("2023年 6 月", 2023), ("2023-06-01 00:00:00", 2023),
    (None, None), ("", None), ("  ", None), (math.nan, None), (pd.NA, None),
])
def test_parse_year(value, year):
    assert parse_year(value) == year


@pytest.mark.parametrize("value", ["去年", "二〇二三年底前", "2022-2023", "2021.55", "20.5", "2023-13-01", "20xx", True,
                                   "nan", [2021]])
def test_parse_year_refuses(value):
    with pytest.raises(ValueError):
        parse_year(value)


def test_years_in_written_forms_are_read(folder, capsys):
    docs, report = _read(folder, capsys, "file,year\n2021/yunnan.txt,2020年\n2021/guizhou.txt,二〇二三\n"
                                         "other.txt,2023-06-01\n")
    assert report == []
    assert docs["year"].dtype == "Int64" and docs["year"].tolist() == [2023, 2020, 2023]


def test_unreadable_year_is_reported_and_the_row_still_joined(folder, capsys):
    docs, report = _read(folder, capsys, "file,year,region\n2021/yunnan.txt,去年,云南\n2021/guizhou.txt,2020,贵州\n"
                                         "other.txt,2019,其他\n")
    assert report == ["1 unreadable year left empty: line 2 ('去年')"]
    assert pd.isna(docs.loc["2021/yunnan", "year"]) and docs.loc["2021/yunnan", "region"] == "云南"
