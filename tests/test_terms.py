"""Lexicon hits and counts against the gold, discovery, expansions, keyness, KWIC and their commands."""
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from unitynlp.cli import cli
from unitynlp.corpus import read_corpus
from unitynlp.errors import InputError
from unitynlp.lexicon import Lexicon
from unitynlp.terms import (
    COUNT_COLUMNS,
    DF_COLUMNS,
    DISCOVER_COLUMNS,
    GROUP_COLUMNS,
    HIT_COLUMNS,
    KEYNESS_COLUMNS,
    KWIC_COLUMNS,
    count_terms,
    discover,
    doc_frequency,
    find_expansion,
    find_terms,
    frequency_table,
    group_counts,
    keyness,
    keyness_table,
    kwic,
    term_tables,
)
from unitynlp.terms.discovery import numbered, series

GOLD = Path(__file__).parent / "data" / "gold"
SLOGANS = [json.loads(line) for line in (GOLD / "slogans.jsonl").read_text(encoding="utf-8").splitlines() if line]
DOCUMENTS = (GOLD / "documents.jsonl").read_text(encoding="utf-8").splitlines()
STARTS = {d["doc_id"]: d["start"] for d in map(json.loads, DOCUMENTS)}
SMALL_LEXICON = ("canonical\tcategory\tvariants\texpansion\tperiod\tnote\n"
                 "三个离不开\tnumbered_formula\t\t\t\t\n五个一\tnumbered_formula\t\t\t\t\n"
                 "五个一批\tnumbered_formula\t\t\t\t\n一场一馆\tnumbered_formula\t\t\t\t\n"
                 "一场一馆一池两中心\tnumbered_formula\t\t\t\t\n共同团结奋斗，共同繁荣发展\tslogan\t\t\t\t\n")


@pytest.fixture(scope="module")
def seed():
    return read_corpus()


@pytest.fixture(scope="module")
def seed_hits(seed):
    return find_terms(seed)


@pytest.fixture
def small_lexicon(tmp_path):
    path = tmp_path / "lexicon.tsv"
    path.write_text(SMALL_LEXICON, encoding="utf-8")
    return path


def _docs(*texts, **columns):
    docs = pd.DataFrame({"doc_id": [f"d{i + 1}" for i in range(len(texts))], "text": list(texts)})
    return docs.assign(**columns)


# --- counting against the gold -------------------------------------------------------------

@pytest.mark.parametrize("gold", [g for g in SLOGANS if g["must"]], ids=lambda g: g["canonical"])
def test_gold_counts_and_offsets(seed_hits, gold):
    hits = seed_hits[seed_hits["term"] == gold["canonical"]]
    counts = hits["doc_id"].value_counts().to_dict()
    assert {d: counts.get(d, 0) for d in gold["counts"]} == gold["counts"]
    found = sorted((STARTS[d] + s, STARTS[d] + e) for d, s, e in zip(hits["doc_id"], hits["start"], hits["end"]))
    assert found == sorted(map(tuple, gold["occurrences"]))
    assert set(hits["text"]) <= set(gold["surfaces"])


def test_gold_totals_of_must_slogans(seed_hits):
    must = {g["canonical"] for g in SLOGANS if g["must"]}
    totals = seed_hits[seed_hits["term"].isin(must)]["doc_id"].value_counts().to_dict()
    assert totals == {"seed-1": 8, "seed-2": 26, "seed-5": 4}


@pytest.mark.parametrize("text, expected", [
    ("开展五个一活动，落实五个一批", [("五个一", 2, 5), ("五个一批", 10, 14)]),
    ("建设一场一馆一池两中心和一场一馆", [("一场一馆一池两中心", 2, 11), ("一场一馆", 12, 16)]),
    ("牢固樹立“三個離不開的思想”", [("三个离不开", 5, 10)]),
    ("各族人民共同團結奮斗、共同繁榮發展的基礎", [("共同团结奋斗，共同繁荣发展", 4, 17)]),
    ("相互交流交往、共同團結奮斗,不斷鞏固", []),  # the lone half is not the slogan
    ("五個一批", [("五个一批", 0, 4)]),
])
def test_longest_listed_match_on_converted_text(small_lexicon, text, expected):
    lexicon = Lexicon.load([small_lexicon], include_default=False)
    hits = find_terms(_docs(text), lexicon=lexicon)
    assert list(zip(hits["term"], hits["start"], hits["end"])) == expected
    assert all(text[s:e] == t for s, e, t in zip(hits["start"], hits["end"], hits["text"]))


def test_counts_rates_and_document_frequency(small_lexicon):
    lexicon = Lexicon.load([small_lexicon], include_default=False)
    docs = _docs("三個離不開" + "。" * 95, "五個一和三個離不開，三個離不開", "沒有", region=["a", "b", "b"])
    counts = count_terms(docs, lexicon=lexicon)
    assert list(counts.columns) == COUNT_COLUMNS
    assert counts[["doc_id", "term", "count"]].values.tolist() == [
        ["d1", "三个离不开", 1], ["d2", "三个离不开", 2], ["d2", "五个一", 1]]
    assert counts["rate_per_10k"].tolist() == pytest.approx([100.0, 2 * 10_000 / 15, 10_000 / 15])
    df = doc_frequency(counts, docs)
    assert list(df.columns) == DF_COLUMNS
    assert df[["term", "count", "n_docs"]].values.tolist() == [["三个离不开", 3, 2], ["五个一", 1, 1]]
    assert df["doc_share"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert df["rate_per_10k"].tolist() == pytest.approx([3 * 10_000 / 117, 10_000 / 117])


def test_group_counts_include_zeros_and_pivot(small_lexicon):
    lexicon = Lexicon.load([small_lexicon], include_default=False)
    docs = _docs("三個離不開", "五個一和三個離不開", "沒有", year=[2020, 2021, 2021])
    counts = count_terms(docs, lexicon=lexicon)
    table = group_counts(counts, docs, by="year")
    assert list(table.columns) == GROUP_COLUMNS
    assert table[["group", "term", "count", "n_docs", "group_docs"]].values.tolist() == [
        [2020, "三个离不开", 1, 1, 1], [2020, "五个一", 0, 0, 1],
        [2021, "三个离不开", 1, 1, 2], [2021, "五个一", 1, 1, 2]]
    wide = frequency_table(counts, docs, by="year", value="count")
    assert wide.loc["五个一"].tolist() == [0, 1] and wide.columns.name == "year"
    with pytest.raises(InputError, match="no metadata column 'province'"):
        group_counts(counts, docs, by="province")


def test_documents_without_a_group_value_come_last(small_lexicon):
    lexicon = Lexicon.load([small_lexicon], include_default=False)
    docs = _docs("三個離不開", "三個離不開", "三個離不開", year=pd.array([2021, None, 2020], dtype="Int64"))
    table = group_counts(count_terms(docs, lexicon=lexicon), docs, by="year")
    assert table["group"].tolist() == [2020, 2021, "(missing)"] and table["count"].tolist() == [1, 1, 1]


def test_empty_results_keep_their_columns(small_lexicon):
    lexicon = Lexicon.load([small_lexicon], include_default=False)
    docs = _docs("沒有口號")
    assert list(find_terms(docs, lexicon=lexicon).columns) == HIT_COLUMNS
    assert list(count_terms(docs, lexicon=lexicon).columns) == COUNT_COLUMNS
    assert list(kwic(docs, "口号").columns) == KWIC_COLUMNS and len(kwic(docs, "五观")) == 0


def _in_batches(docs, counts):
    from unitynlp.corpus import iter_corpus

    batches = list(iter_corpus(batch_chars=1000))  # the seed read 1,000 characters at a time
    assert len(batches) >= 3
    return [count_terms(batch) for batch in batches]


def _with_empty_parts(docs, counts):
    first = counts["doc_id"].isin(["seed-1", "seed-2"])
    return [counts.iloc[:0], counts[first], counts.iloc[:0], counts[~first], counts.iloc[:0]]


SPLITS = {"batches": _in_batches,
          "a document a part": lambda docs, counts: [counts[counts["doc_id"] == d] for d in docs["doc_id"]],
          "empty parts between": _with_empty_parts,
          "one part": lambda docs, counts: [counts]}


@pytest.mark.parametrize("split", SPLITS.values(), ids=SPLITS.keys())
def test_term_tables_summed_part_by_part_are_those_of_the_whole_frame(seed, split):
    years = {"seed-1": 2019, "seed-2": 2020, "seed-3": 2020, "seed-5": 2021}  # seed-4 has none
    docs = seed.assign(year=pd.array([years.get(d) for d in seed["doc_id"]], dtype="Int64"))
    whole, by = count_terms(seed), ["level", "region", "year"]
    frequency, groups = term_tables(split(docs, whole), docs, by=by)
    pd.testing.assert_frame_equal(frequency, doc_frequency(whole, docs))
    for column in by:
        pd.testing.assert_frame_equal(groups[column], group_counts(whole, docs, by=column))
    # the sums, counted another way
    totals = whole.groupby("term").agg(count=("count", "sum"), n_docs=("doc_id", "nunique"))
    assert frequency.set_index("term")[["count", "n_docs"]].sort_index().to_dict() == totals.to_dict()
    year = whole["doc_id"].map(lambda d: years.get(d, "(missing)"))
    per_year = whole.assign(year=year).groupby(["year", "term"])["count"].sum()
    summed = groups["year"].set_index(["group", "term"])["count"]
    assert summed[summed > 0].to_dict() == per_year.to_dict()
    assert list(groups["year"]["group"].unique()) == [2019, 2020, 2021, "(missing)"]


# --- expansions ----------------------------------------------------------------------------

@pytest.mark.parametrize("term", ["三个不忘", "六史", "六好", "三非", "五个一", "一场一馆一池两中心"])
def test_expansions_attached_as_in_gold(seed_hits, term):
    gold = next(g for g in SLOGANS if g["canonical"] == term)
    found = set(seed_hits.loc[seed_hits["term"] == term, "expansion"].dropna())
    assert found == {gold["expansion"]}


def test_no_expansion_where_none_is_spelled_out(seed_hits):
    for term in ("四个认同", "五观", "五把钥匙", "十进十促"):
        assert seed_hits.loc[seed_hits["term"] == term, "expansion"].isna().all(), term


@pytest.mark.parametrize("text, term, expected", [
    ("以“三个不忘”(不忘甲、不忘乙、不忘丙)为核心", "三个不忘", "不忘甲、不忘乙、不忘丙"),
    ("以“三个不忘”(不忘甲、不忘乙)为核心", "三个不忘", None),  # two parts for three
    ("开展“五个一”活动:一是读书,二是看电影,三是唱歌,四是讨论,五是办板报,营造氛围。", "五个一",
     "读书、看电影、唱歌、讨论、办板报"),
    ("唱响甲好、乙好、丙好“三好”主旋律", "三好", "甲好、乙好、丙好"),
    ("唱响甲好、乙好“三好”主旋律", "三好", None),
    ("以“五观”、“四个认同”、“三个离不开”教育为着力点", "三个离不开", None),
    ("“一场两馆”建设,即一个体育场,一个体育馆,将逐步构建起市县乡镇村五级健身设施体系", "一场两馆",
     "一个体育场，一个体育馆"),
])
def test_find_expansion_cases(text, term, expected):
    start = text.index(term)
    assert find_expansion(text, start, start + len(term), term) == expected


# --- discovery -----------------------------------------------------------------------------

def test_discovery_recall_of_gold_numbered_formulas(seed):
    found = discover(seed)
    assert list(found.columns) == DISCOVER_COLUMNS
    formulas = [g["canonical"] for g in SLOGANS if g["category"] == "numbered_formula"]
    recall = sum(f in set(found["candidate"]) for f in formulas) / len(formulas)
    assert recall >= 0.9
    row = found.set_index("candidate").loc["三个离不开"]
    assert (row["count"], row["n_docs"], row["doc_id"]) == (3, 1, "seed-2")
    assert "三個離不開" in row["example"]
    assert seed.set_index("doc_id").loc["seed-2", "text"][row["start"]:row["end"]] == "三個離不開"


def test_discovery_finds_series_and_unquoted_formulas():
    docs = _docs("坚持四个全面战略布局，落实共居·共学·共事·共乐，交往交流交融。",
                 "协调推进四个全面，统筹推进五位一体，开展两学一做。")
    found = discover(docs).set_index("candidate")
    assert found.loc["四个全面", ["kind", "count", "n_docs"]].tolist() == ["numbered", 2, 2]
    assert {"共居·共学·共事·共乐", "交往交流交融", "两学一做"} <= set(found.index)


@pytest.mark.parametrize("phrase", ["50位", "三个月", "一是", "二是", "第一", "进一步", "统一", "一定", "一个国家",
                                    "十二五", "两年", "一要", "百分之五十左右", "五庭", "十月", "二〇二五年", "三八"])
def test_not_candidates(phrase):
    text = ("共有50位老人，用了三个月时间。一是加强领导，二是抓好落实。第一要务。进一步统一思想，一定要做好。"
            "一个国家。十二五时期。两年来。一要稳定。占百分之五十左右。第一、二、三、四、五庭。"
            "二〇二五年十月，“三八”国际劳动妇女节。")
    found = discover(_docs(text, text))
    assert not any(phrase in c for c in found["candidate"]), found["candidate"].tolist()


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="一二三四五六七八九十两个项大是第“”、·，。(（)）即:：和的好史化不忘共学事乐国家五观",
               max_size=80))
def test_extractors_never_fail(text):
    numbered([(ch, i, i + 1) for i, ch in enumerate(text)])
    series(text)
    assert list(discover(_docs(text)).columns) == DISCOVER_COLUMNS
    for i in range(0, len(text) - 1, 7):
        find_expansion(text, i, i + 2, text[i:i + 2] or "五观")


# --- keyness -------------------------------------------------------------------------------

def test_keyness_matches_hand_computed_two_by_two():
    # x: 10 of 30 tokens in the target, 5 of 70 in the reference. N = 100, E(x, target) = 4.5.
    # G2 = 2 Σ O ln(O/E) = 10.3264; chi2 = N (ad - bc)^2 / (row and column sums) = 100·550²/2,677,500 = 11.2979;
    # Yates (|ad - bc| ≥ N/2 and an expected count < 5): cells moved by 0.5 → G2 8.5446, chi2 9.3371;
    # log ratio = log2((10/30) / (5/70)) = 2.2224.
    target, reference = pd.Series({"x": 10, "y": 20}), pd.Series({"x": 5, "y": 65})
    plain = keyness_table(target, reference, correction="none")
    assert list(plain.columns) == KEYNESS_COLUMNS
    assert plain.loc[0, ["term", "n_target", "n_reference"]].tolist() == ["x", 10, 5]
    assert plain.loc[0, ["G2", "chi2", "log_ratio"]].tolist() == pytest.approx([10.32636, 11.29785, 2.22239], abs=1e-5)
    assert plain.loc[1, "G2"] == pytest.approx(-10.32636, abs=1e-5)  # signed: y is less frequent in the target
    yates = keyness_table(target, reference)
    assert yates.loc[0, ["G2", "chi2"]].tolist() == pytest.approx([8.54465, 9.33707], abs=1e-5)
    assert yates.loc[0, "p"] == pytest.approx(math.erfc(math.sqrt(8.54465 / 2)), rel=1e-4)


def test_keyness_groups_from_counts_and_metadata():
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "region": ["新疆维吾尔自治区", "云南省", "云南省"]})
    counts = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "term": ["x", "y", "x", "y"],
                           "count": [10, 20, 5, 65], "category": "word"})
    table = keyness(counts, docs=docs, by="region", target="新疆", correction="none")
    assert table.loc[0, ["term", "n_target", "n_reference"]].tolist() == ["x", 10, 5]
    assert table.loc[0, "G2"] == pytest.approx(10.32636, abs=1e-5)
    two = keyness(counts, docs=docs.assign(region=["x", "y", "y"]), by="region")  # two groups: the first is the target
    assert two.loc[0, "n_target"] == 10
    with pytest.raises(InputError, match="no metadata column 'province'"):
        keyness(counts, docs=docs, by="province")
    with pytest.raises(InputError, match="no document has region = '西藏'"):
        keyness(counts, docs=docs, by="region", target="西藏")


def test_keyness_on_documents_counts_terms_whole_and_words(small_lexicon):
    lexicon = Lexicon.load([small_lexicon], include_default=False)
    docs = _docs("堅持三個離不開的思想，堅持五個一", "發展經濟的思想", "發展經濟", group=["t", "r", "r"])
    table = keyness(docs, by="group", target="t", lexicon=lexicon).set_index("term")
    assert table.loc["三个离不开", ["category", "n_target", "n_reference"]].tolist() == ["numbered_formula", 1, 0]
    assert table.loc["思想", ["category", "n_target", "n_reference"]].tolist() == ["word", 1, 1]
    assert table.loc["经济", ["n_target", "n_reference"]].tolist() == [0, 2]
    assert not {"离不开", "的", "，", "坚持", "发展"} & set(table.index)  # inside a term, or stopwords
    assert table["G2"].is_monotonic_decreasing


def test_keyness_on_seed_needs_a_target(seed):
    table = keyness(seed, by="level", target="company")
    assert table.set_index("term").loc["三个离不开", ["n_target", "n_reference"]].tolist() == [3, 0]
    with pytest.raises(InputError, match="choose the target group with --target"):
        keyness(seed, by="level")


# --- KWIC ----------------------------------------------------------------------------------

def test_kwic_offsets_and_context(seed):
    gold = next(g for g in SLOGANS if g["canonical"] == "六好")
    rows = kwic(seed, "六好", window=4)
    assert rows[["doc_id", "start", "end"]].values.tolist() == [
        ["seed-2", gold["occurrences"][0][0] - STARTS["seed-2"], gold["occurrences"][0][1] - STARTS["seed-2"]]]
    assert rows.loc[0, ["left", "match", "right"]].tolist() == ["軍隊好“", "六好", "”主旋律"]
    simplified = kwic(seed, "六好", window=4, script="simplified")
    assert simplified.loc[0, ["left", "match", "right"]].tolist() == ["军队好“", "六好", "”主旋律"]


def test_kwic_regex_traditional_term_and_punctuation_variants(seed):
    text = seed.set_index("doc_id")["text"]
    found = kwic(seed, r"[一二三四五六]個不忘", regex=True, window=0)
    assert [text[d][s:e] for d, s, e in zip(found["doc_id"], found["start"], found["end"])] == ["三個不忘"]
    assert len(kwic(seed, "共同團結奮斗，共同繁榮發展")) == 3
    with pytest.raises(InputError, match="invalid regular expression"):
        kwic(seed, "([", regex=True)


# --- the commands --------------------------------------------------------------------------

@pytest.fixture
def run():
    def invoke(*args):
        return CliRunner().invoke(cli, [str(a) for a in args])
    return invoke


@pytest.fixture
def report(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("堅持三個離不開，開展五個一活動，落實五個一批。", encoding="utf-8")
    return path


def test_terms_command_exact_csv(run, report, small_lexicon):
    result = run("terms", report, "--lexicon", small_lexicon, "--no-default", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("doc_id,term,category,count,rate_per_10k\n"
                             "r,三个离不开,numbered_formula,1,434.7826086956522\n"
                             "r,五个一,numbered_formula,1,434.7826086956522\n"
                             "r,五个一批,numbered_formula,1,434.7826086956522\n")


def test_terms_command_hits_and_groups(run, report, small_lexicon):
    hits = run("terms", report, "--lexicon", small_lexicon, "--no-default", "--show", "hits", "--format", "jsonl")
    rows = [json.loads(line) for line in hits.stdout.splitlines()]
    assert [(r["term"], r["start"], r["end"], r["text"]) for r in rows] == [
        ("三个离不开", 2, 7, "三個離不開"), ("五个一", 10, 13, "五個一"), ("五个一批", 18, 22, "五個一批")]
    grouped = run("terms", "--by", "level", "--format", "csv")
    assert grouped.exit_code == 0 and grouped.stdout.startswith(",".join(GROUP_COLUMNS) + "\n")


def test_kwic_command_text(run, report):
    result = run("kwic", "五個一", report, "--window", "3", "--format", "text")
    assert result.exit_code == 0
    assert result.stdout == "r:10\t，開展【五個一】活動，\nr:18\t，落實【五個一】批。\n"  # every hit, as in 五個一批


def test_discover_and_compare_commands(run):
    found = run("discover", "--kind", "numbered", "--top", "3", "--format", "csv")
    assert found.exit_code == 0 and found.stdout.startswith(",".join(DISCOVER_COLUMNS) + "\n")
    assert len(found.stdout.splitlines()) == 4
    compared = run("compare", "--by", "level", "--target", "company", "--terms-only", "--top", "1", "--format", "jsonl")
    assert json.loads(compared.stdout)["term"] == "共居·共学·共事·共乐"


@pytest.mark.parametrize("args, message", [
    (["terms", "--by", "province"], "no metadata column 'province' in this corpus; choose one of: doc_id"),
    (["compare", "--by", "province"], "no metadata column 'province'"),
    (["compare", "--by", "level"], "column 'level' has 5 values"),
    (["compare", "--by", "level", "--target", "army"], "no document has level = 'army'"),
    (["kwic", "([", "--regex"], "invalid regular expression"),
    (["terms", "--no-default"], "--no-default needs at least one --lexicon FILE"),
])
def test_commands_reject_bad_input(run, args, message):
    result = run(*args)
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output


def test_compare_needs_by(run):
    result = run("compare")
    assert result.exit_code == 2 and "Missing option '--by'" in result.stderr
