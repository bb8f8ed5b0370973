import csv
import pickle

import pandas as pd
import pytest

from unitynlp.convert import convert
from unitynlp.lexicon import (CATEGORIES, LEXICON_COLUMNS, SHIPPED, Lexicon, default_lexicon, load_lexicon,
                              normalize_punct)
from unitynlp.resources import data_text


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def shipped_rows() -> list[list[str]]:
    rows = csv.reader(data_text("lexicon.tsv").splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    return [r for r in rows if r and r[0].strip() and not r[0].startswith("#")][1:]


def test_every_shipped_row_is_an_entry_as_written():
    entries = default_lexicon().entries
    rows = shipped_rows()
    assert list(entries.columns) == LEXICON_COLUMNS + ["source"]
    assert entries["canonical"].tolist() == [r[0] for r in rows]
    assert entries["category"].tolist() == [r[1] for r in rows]
    assert entries["variants"].tolist() == [tuple(v for v in r[2].split("|") if v) for r in rows]
    assert entries["expansion"].tolist() == [r[3] for r in rows]
    assert set(entries["source"]) == {SHIPPED}
    assert set(entries["category"]) <= set(CATEGORIES)


def test_the_shipped_lexicon_loads_without_a_notice(capsys):
    Lexicon.load()
    assert capsys.readouterr().err == ""


def test_the_shipped_lexicon_is_simplified_and_every_surface_is_its_own():
    lexicon = default_lexicon()
    surfaces = [s for c, v in zip(lexicon.entries["canonical"], lexicon.entries["variants"]) for s in (c, *v)]
    assert [s for s in surfaces if convert(s, script="traditional").text != s] == []
    owners = {}
    for c, v in zip(lexicon.entries["canonical"], lexicon.entries["variants"]):
        for s in (c, *v):
            owners.setdefault(normalize_punct(s), set()).add(c)
    assert [s for s, c in owners.items() if len(c) > 1] == []  # no surface listed for two canonical forms


def test_find_is_leftmost_longest_on_folded_punctuation():
    lexicon = default_lexicon()
    assert lexicon.find("开展五个一活动，落实五个一批") == [(2, 5, "五个一"), (10, 14, "五个一批")]
    assert [c for _, _, c in lexicon.find("坚持一个中心,两个基本点")] == ["一个中心、两个基本点"]


def test_a_user_row_merges_and_replaces(tmp_path, capsys):
    path = write(tmp_path, "user.tsv", "canonical\tcategory\tvariants\texpansion\n"
                                       "六个必须\tnumbered_formula\t六个坚持必须\t\n"
                                       "三个离不开\tslogan\t\t改过的\n")
    lexicon = Lexicon.load([path])
    assert len(lexicon) == len(default_lexicon()) + 1
    assert lexicon.categories["六个必须"] == "numbered_formula"
    assert lexicon.categories["三个离不开"] == "slogan" and lexicon.expansions["三个离不开"] == "改过的"
    assert lexicon.find("坚持六个坚持必须") == [(2, 8, "六个必须")]
    assert capsys.readouterr().err == ""


def test_a_csv_user_file(tmp_path):
    path = write(tmp_path, "user.csv", 'canonical,category,variants\n"新时代,新征程",slogan,新时代新征程\n')
    lexicon = Lexicon.load([path], include_default=False)
    assert lexicon.entries["canonical"].tolist() == ["新时代,新征程"]
    assert [c for _, _, c in lexicon.find("迈上新时代、新征程")] == ["新时代,新征程"]


def test_only_user_files(tmp_path):
    path = write(tmp_path, "user.tsv", "canonical\tcategory\n六个必须\tnumbered_formula\n")
    assert Lexicon.load([path], include_default=False).entries["canonical"].tolist() == ["六个必须"]
    assert len(Lexicon.load(include_default=False)) == 0


def test_load_lexicon_caches_only_the_default(tmp_path):
    path = write(tmp_path, "user.tsv", "canonical\tcategory\n六个必须\tnumbered_formula\n")
    assert load_lexicon() is default_lexicon()
    assert load_lexicon([path]) is not load_lexicon([path])


def test_a_pickled_lexicon_keeps_its_entries_and_fingerprint():
    lexicon = default_lexicon()
    lexicon.find("五个一批")  # builds the automaton, which is not sent
    copy = pickle.loads(pickle.dumps(lexicon))
    pd.testing.assert_frame_equal(copy.entries, lexicon.entries)
    assert copy.fingerprint == lexicon.fingerprint and copy.find("五个一批") == [(0, 4, "五个一批")]


@pytest.mark.parametrize("text, folded", [("两不愁、三保障", "两不愁，三保障"), ("（试行）", "(试行)"), ("“两个维护”", '"两个维护"')])
def test_normalize_punct_keeps_the_length(text, folded):
    assert normalize_punct(text) == folded and len(folded) == len(text)
