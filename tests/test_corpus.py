import io
import json
import sys
import zipfile

import pandas as pd
import pytest

from unitynlp.corpus import DOC_COLUMNS, decode_bytes, read_corpus, split_compiled
from unitynlp.errors import EmptyCorpusError, EncodingError, InputError


def test_bundled_corpus_is_the_default(gold_documents, seed_text):
    docs = read_corpus()
    assert list(docs.columns[: len(DOC_COLUMNS)]) == DOC_COLUMNS
    assert list(docs["doc_id"]) == [d["doc_id"] for d in gold_documents]
    for row, gold in zip(docs.itertuples(), gold_documents):
        assert row.text == seed_text[gold["start"]:gold["end"]]
        assert row.title == gold["title"]
        assert row.level == gold["org_level"]


def test_compiled_file_split_reproduces_gold_boundaries(tmp_path, seed_text, gold_documents):
    path = tmp_path / "seed_reports.txt"
    path.write_text(seed_text, encoding="utf-8")
    docs = read_corpus(path)
    assert list(zip(docs["source_start"], docs["source_end"], docs["title"])) == [
        (d["start"], d["end"], d["title"]) for d in gold_documents]
    assert list(docs["doc_id"]) == [f"seed_reports-{n}" for n in range(1, 6)]
    for row in docs.itertuples():
        assert seed_text[row.source_start:row.source_end] == row.text


def test_no_split_keeps_one_document(tmp_path, seed_text):
    path = tmp_path / "seed.txt"
    path.write_text(seed_text, encoding="utf-8")
    docs = read_corpus(path, split=False)
    assert len(docs) == 1 and docs.at[0, "text"] == seed_text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "big5", "utf-16", "utf-16-le", "utf-16-be"])
def test_encodings_read_back_identical(tmp_path, seed_text, encoding):
    text = seed_text
    if encoding == "big5":  # Big5 has no code for a few characters of the seed
        text = text.encode("big5", errors="ignore").decode("big5")
    path = tmp_path / "seed.txt"
    path.write_bytes(text.encode(encoding))
    docs = read_corpus(path, split=False)
    assert docs.at[0, "text"] == text


def test_gbk_simplified_report(tmp_path):
    text = "各位代表：现在，我代表省人民政府，向大会报告工作。全省地区生产总值增长5.2%。" * 3
    path = tmp_path / "gbk.txt"
    path.write_bytes(text.encode("gbk"))
    docs = read_corpus(path)
    assert docs.at[0, "text"] == text
    assert docs.at[0, "encoding"] == "gb18030"


def test_big5_is_not_mistaken_for_gbk(seed_text):
    text = seed_text[:3000].encode("big5", errors="ignore")
    assert decode_bytes(text, "x").encoding == "big5"


def test_folder_with_metadata_csv_and_docx(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("民族团结进步工作汇报。", encoding="utf-8")
    (tmp_path / "sub" / "b.docx").write_bytes(_docx(["第一段：三个离不开", "第二段"]))
    (tmp_path / "metadata.csv").write_text(
        "doc_id,title,year,region,level,funder\na,报告甲,2021,新疆,county,X\nsub/b,报告乙,2020,云南,town,Y\n",
        encoding="utf-8")
    docs = read_corpus(tmp_path)
    assert list(docs["doc_id"]) == ["a", "sub/b"]
    assert list(docs["year"]) == [2021, 2020]
    assert list(docs["funder"]) == ["X", "Y"]
    assert docs.at[1, "text"] == "第一段：三个离不开\n第二段"


def test_metadata_jsonl_matched_by_file(tmp_path):
    (tmp_path / "txt").mkdir()
    (tmp_path / "txt" / "r1.txt").write_text("报告正文", encoding="utf-8")
    (tmp_path / "metadata.jsonl").write_text(
        json.dumps({"id": "r-2025", "file": "txt/r1.txt", "year": 2025, "doc_type": "gwr"}) + "\n", encoding="utf-8")
    docs = read_corpus(tmp_path)
    assert docs.at[0, "doc_id"] == "r-2025" and docs.at[0, "doc_type"] == "gwr" and docs.at[0, "year"] == 2025


def test_bad_files_are_reported_by_name_and_skipped(tmp_path, capsys):
    (tmp_path / "good.txt").write_text("民族团结", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    docs = read_corpus(tmp_path)
    assert list(docs["doc_id"]) == ["good"]
    err = capsys.readouterr().err
    assert "empty.txt: the file is empty" in err and "binary.txt" in err
    assert len(docs.attrs["skipped"]) == 2


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty"),
    (b"\x00\x01\x02\x03PK\x00\xff\xfe\x00\x00" * 50, "binary"),
    (bytes([0x81, 0x30]) * 3 + b"\xff\xff", "pass --encoding"),
    (b"\xff\xfe\x00", "byte-order mark"),
])
def test_single_bad_file_raises_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        read_corpus(path)
    assert "bad.txt" in str(info.value)


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        read_corpus(tmp_path / "nope.txt")
    with pytest.raises(EmptyCorpusError, match="no readable"):
        read_corpus(tmp_path)


def test_explicit_wrong_encoding(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("民族团结".encode("utf-8"))
    with pytest.raises(EncodingError, match="leave out --encoding"):
        read_corpus(path, encoding="ascii")


def test_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("第一篇:甲\n正文\n第二篇:乙\n正文".encode("gb18030"))))
    docs = read_corpus("-")
    assert list(docs["title"]) == ["甲", "乙"] and list(docs["source"]) == ["-", "-"]


def test_split_keeps_preface_and_ignores_inline_mentions():
    text = "汇编说明\n第一篇:甲\n如第二篇所述\n第二篇 乙\n正文"
    spans = split_compiled(text)
    assert [(text[s:e].split("\n")[0], h) for s, e, h in spans] == [("汇编说明", ""), ("第一篇:甲", "甲"), ("第二篇 乙", "乙")]


def _docx(paragraphs):
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    xml = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w='
           '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           f"{body}</w:body></w:document>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", xml)
    return buffer.getvalue()
