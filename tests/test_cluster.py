"""Sections, clustering, labels, the streaming path and the ``cluster`` command (determinism across
processes: test_determinism.py)."""
import random

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.metrics import adjusted_rand_score

from unitynlp.cli import cli
from unitynlp.cluster import (
    ASSIGNMENT_COLUMNS,
    CLUSTER_COLUMNS,
    COORD_COLUMNS,
    SECTION_COLUMNS,
    cluster,
    parse_k,
    sections,
    split_sections,
    unit_tokens,
)
from unitynlp.cluster.features import feature_tokenizer
from unitynlp.cluster.sectioning import is_heading
from unitynlp.corpus import read_corpus
from unitynlp.errors import InputError
from unitynlp.segment import default_segmenter, segmenter_for, stopwords

TOLERANCE = 20  # characters a section boundary may sit from the gold one
BOILERPLATE = {"全省", "全区", "全市", "省委", "工作", "发展", "建设", "政府", "报告", "同志"}


@pytest.fixture(scope="module")
def docs():
    return read_corpus()


@pytest.fixture(scope="module")
def seed_sections(docs):
    return sections(docs)


@pytest.fixture(scope="module")
def section_result(docs):
    return cluster(docs, k="auto", unit="section", seed=0)


def _synthetic(n_per_theme: int, seed: int = 0) -> tuple[pd.DataFrame, list[int]]:
    """Short documents drawn from three themes plus report boilerplate shared by all."""
    themes = [["体育馆", "游泳池", "足球场", "全民健身", "体育", "场馆"],
              ["广播电视", "村村通", "卫星", "覆盖率", "电视", "户户通"],
              ["耕地", "粮食", "农业", "种植", "农机", "灌溉"]]
    boiler = ["全省", "省委", "工作", "发展", "各级", "落实"]
    rng = random.Random(seed)
    rows, truth = [], []
    for n in range(n_per_theme * 3):
        theme = n % 3
        words = rng.choices(themes[theme], k=12) + rng.choices(boiler, k=12)
        rng.shuffle(words)
        rows.append({"doc_id": f"d{n:03d}", "title": f"d{n:03d}", "text": "，".join(words) + "。"})
        truth.append(theme)
    return pd.DataFrame(rows), truth


@pytest.mark.parametrize("line, expected", [
    ("第一篇:推進民族團結進步", True),
    ("一、基本情況", True),
    ("（一）加強領導,周密部署。", True),
    ("(三)積極宣傳民族教育相關法律法規。", True),
    ("1.加強領導", True),
    ("加快少數民族聚居地區“一場一館”建設", True),       # bare title line
    ("提高廣播電視覆蓋率促進學校民族團結", True),
    ("1.5亿元用于改造农村公路，惠及群众。", False),                # a decimal, not a numbered item
    ("會議結束后,省政府隨即召開電視電話會議,副省長出席會議并講話。", False),
    ("“社會主義核心價值觀是精神文明的應有之義。”", False),  # sentence ending inside quotes
    ("各位代表：", False),
    ("2025", False),
    ("   ", False),
    ("这是一个很长的句子没有标点但是长度超过了标题所允许的最大字符数因此不能算作标题行而应该是正文的一部分", False),
])
def test_is_heading(line, expected):
    assert is_heading(line) is expected


def test_seed1_sections_match_gold(seed_sections, gold_documents):
    gold = next(d for d in gold_documents if d["doc_id"] == "seed-1")["sections"]
    found = seed_sections[seed_sections["doc_id"] == "seed-1"]
    assert len(found) == len(gold) == 3
    for (start, end), g in zip(found[["start", "end"]].values.tolist(), gold):
        assert abs(start - g["start"]) <= TOLERANCE and abs(end - g["end"]) <= TOLERANCE


def test_sections_cover_each_document_without_gaps(docs, seed_sections):
    assert list(seed_sections.columns) == SECTION_COLUMNS
    for doc_id, text in zip(docs["doc_id"], docs["text"]):
        part = seed_sections[seed_sections["doc_id"] == doc_id]
        assert part["start"].iloc[0] == 0 and part["end"].iloc[-1] == len(text)
        assert (part["start"].iloc[1:].values == part["end"].iloc[:-1].values).all()
        assert all(text[s:e] == t for s, e, t in zip(part["start"], part["end"], part["text"]))


def test_split_sections_merges_short_and_cuts_long():
    text = "一、回顾\n" + "过去一年，经济平稳。\n" * 30 + "二、任务\n短。\n三、保障\n" + "要加强保障。\n" * 40
    spans = split_sections(text, min_chars=50, max_chars=200)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(e - s <= 200 for s, e, _ in spans)
    assert any(h == "二、任务 / 三、保障" for _, _, h in spans)   # 二 has too short a body


def test_frames_have_fixed_columns(section_result):
    assert list(section_result.assignments.columns) == ASSIGNMENT_COLUMNS
    assert list(section_result.clusters.columns) == CLUSTER_COLUMNS
    assert list(section_result.coords.columns) == COORD_COLUMNS
    clusters = section_result.clusters
    assert clusters["size"].sum() == len(section_result.assignments)
    assert list(clusters["cluster"]) == list(range(len(clusters)))
    assert list(clusters["size"]) == sorted(clusters["size"], reverse=True)


def test_k_auto_within_bounds_and_best_silhouette(section_result):
    scores = section_result.scores
    assert list(scores) == list(range(2, 11))
    assert section_result.k == max(scores, key=lambda k: (scores[k], -k))
    assert section_result.clusters["cluster"].nunique() == section_result.k


def test_labels_have_no_stopword_boilerplate_or_number(section_result):
    stop = stopwords()
    for terms in section_result.clusters["terms"]:
        for term in terms.split():
            assert term not in stop and term not in BOILERPLATE and not term.isdigit()


@pytest.mark.parametrize("text, expected", [
    ("加强体育场馆建设", ["体育场馆"]),                       # 加强/建设 are stopwords
    ("2025年粮食产量增长3.5%", ["粮食产量", "增长"]),         # numbers and % dropped
    ("xx县和XXX镇的水、电、路", ["县", "镇", "水", "电", "路"]),  # one-character words kept, xx dropped
    ("我们要把这些工作做好", ["做好"]),                       # pronouns and particles dropped
])
def test_feature_tokens(text, expected):
    assert feature_tokenizer(default_segmenter())(text) == expected


def test_unit_tokens_are_each_units_feature_tokens(docs, seed_sections):
    units = unit_tokens(docs, unit="section")
    assert list(units.columns) == [*SECTION_COLUMNS[:-1], "tokens"]
    pd.testing.assert_frame_equal(units.drop(columns="tokens"), seed_sections.drop(columns="text"))
    tokenize = feature_tokenizer(default_segmenter())
    assert [t.split() for t in units["tokens"]] == [tokenize(text) for text in seed_sections["text"]]


@pytest.mark.parametrize("backend", ["rjieba", "jieba"])
def test_tokens_never_hold_whitespace(backend):
    """``unit_tokens`` joins tokens with spaces: every kind of whitespace must stay between tokens."""
    spaces = [chr(c) for c in range(0x3001) if chr(c).isspace()]
    text = "".join(f"民族团结{s}COVID{s}19疫情{s}x_y{s}A-B{s}" for s in spaces)
    tokens = segmenter_for(backend=backend).cut(text)
    assert tokens and not [t for t in tokens if not t or any(c.isspace() for c in t)]


def test_boilerplate_found_everywhere_never_labels():
    docs, truth = _synthetic(8)
    result = cluster(docs, k=3, seed=0)
    assert adjusted_rand_score(truth, result.assignments["cluster"]) == 1.0
    terms = " ".join(result.clusters["terms"]).split()
    assert not set(terms) & {"全省", "省委", "工作", "发展", "各级", "落实"}
    assert set(result.clusters["label"].str.split("、").str[0]) <= {"体育馆", "游泳池", "足球场", "全民健身",
                                                                     "体育", "场馆", "广播电视", "村村通", "卫星",
                                                                     "覆盖率", "电视", "户户通", "耕地", "粮食",
                                                                     "农业", "种植", "农机", "灌溉"}


@pytest.mark.parametrize("method", ["agglomerative", "nmf"])
def test_other_methods_separate_themes(method):
    docs, truth = _synthetic(6)
    result = cluster(docs, k=3, method=method, seed=0)
    assert adjusted_rand_score(truth, result.assignments["cluster"]) == 1.0


def test_streaming_path_on_small_corpus():
    docs, truth = _synthetic(20)
    result = cluster(docs, k="auto", k_range=(2, 4), seed=0, stream_threshold=10, batch_size=16)
    assert result.streaming and result.k == 3 and list(result.scores) == [2, 3, 4]
    assert adjusted_rand_score(truth, result.assignments["cluster"]) == 1.0
    assert np.isfinite(result.coords[["x", "y"]].values).all()


@pytest.mark.parametrize("value, expected", [("auto", "auto"), ("AUTO", "auto"), ("3", 3), (5, 5)])
def test_parse_k(value, expected):
    assert parse_k(value) == expected


@pytest.mark.parametrize("value", ["1", "0", "-2", "many", ""])
def test_parse_k_rejects(value):
    with pytest.raises(InputError, match="at least 2, or auto"):
        parse_k(value)


def test_too_large_k_is_a_clean_error(docs):
    with pytest.raises(InputError, match="more than the 5 units"):
        cluster(docs, k=6)


def test_cli_clusters_csv():
    result = CliRunner().invoke(cli, ["cluster", "-k", "3", "--unit", "section", "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ",".join(CLUSTER_COLUMNS) and len(lines) == 4
    assert "k=3; silhouette: k=3:" in result.stderr


def test_cli_assignments_and_bad_k():
    runner = CliRunner()
    result = runner.invoke(cli, ["cluster", "-k", "2", "--show", "assignments", "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == ",".join(ASSIGNMENT_COLUMNS)
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == [f"seed-{n}" for n in range(1, 6)]
    bad = runner.invoke(cli, ["cluster", "-k", "1"])
    assert bad.exit_code == 1
    assert bad.stderr.strip().endswith("Error: -k 1: give a number of clusters of at least 2, or auto")


def test_line_cut_mid_sentence_is_not_a_title():
    paragraph = ("过去一年，我们坚持稳中求进工作总基调，统筹发展和安全，扎实推进改革开放各项任务，"
                 "全省经济运行\n总体平稳\n，稳中有进。\n")
    text = "一、回顾\n" + paragraph * 3
    assert [h for _, _, h in split_sections(text, min_chars=0)] == ["一、回顾"]


def test_docstring_examples():
    import doctest

    import unitynlp.cluster.sectioning as sectioning

    assert doctest.testmod(sectioning).failed == 0
