import sys
from collections import Counter

import pytest

import unitynlp
import unitynlp.segment as segment_module
from unitynlp.convert import convert
from unitynlp.corpus import read_corpus
from unitynlp.errors import InputError
from unitynlp.lexicon import load_lexicon
from unitynlp.segment import NO_JIEBAC_ENV, TOKEN_COLUMNS, Segmenter, segment, stopwords

# the C extension is optional (no compiler, no extension): its tests are skipped without it
try:
    from unitynlp import _jiebac  # noqa: F401
except ImportError:
    BUILT = False
else:
    BUILT = True
needs_jiebac = pytest.mark.skipif(not BUILT, reason="unitynlp._jiebac was not built")
JIEBAC = pytest.param("jiebac", marks=needs_jiebac)


@pytest.fixture(scope="module")
def docs():
    return read_corpus()


@pytest.fixture(scope="module")
def jieba_segmenter():
    return Segmenter(backend="jieba")


@pytest.mark.parametrize("text, token", [
    ("堅持三個離不開的思想", "三个离不开"),
    ("培育和踐行社會主義核心價值觀", "社会主义核心价值观"),
    ("開展五個一活動", "五个一"),
    ("落實五個一批", "五个一批"),
    ("牢固樹立四個認同", "四个认同"),
])
def test_domain_terms_stay_whole(text, token):
    assert token in Segmenter().cut(text)


def test_every_token_maps_to_its_original_span(docs):
    tokens = segment(docs)
    assert list(tokens.columns) == TOKEN_COLUMNS
    texts = dict(zip(docs["doc_id"], docs["text"]))
    for row in tokens.itertuples():
        original = texts[row.doc_id][row.start:row.end]
        assert convert(original, script="traditional").text == row.token


@needs_jiebac
def test_the_c_backend_is_the_default_when_built(monkeypatch):
    monkeypatch.delenv(NO_JIEBAC_ENV, raising=False)
    assert Segmenter().backend == "jiebac"
    monkeypatch.setenv(NO_JIEBAC_ENV, "0")
    assert Segmenter().backend == "jiebac"


def test_without_the_c_backend_auto_falls_back_to_rjieba(monkeypatch):
    pytest.importorskip("rjieba")
    monkeypatch.delenv(NO_JIEBAC_ENV, raising=False)
    monkeypatch.setitem(sys.modules, "unitynlp._jiebac", None)  # import fails: as if never built
    monkeypatch.delattr(unitynlp, "_jiebac", raising=False)
    assert Segmenter().backend == "rjieba"
    with pytest.raises(InputError, match="jiebac backend was not built"):
        Segmenter(backend="jiebac")


def test_no_jiebac_env_makes_auto_use_rjieba_with_jieba_tokens(monkeypatch, docs, jieba_segmenter):
    pytest.importorskip("rjieba")
    monkeypatch.setenv(NO_JIEBAC_ENV, "1")
    fallback = Segmenter()
    assert fallback.backend == "rjieba"
    for text in docs["text"]:
        assert fallback.tokenize(text) == jieba_segmenter.tokenize(text)
        assert fallback.pieces(text) == jieba_segmenter.pieces(text)
    if BUILT:  # asked for by name, jiebac is still there
        assert Segmenter(backend="jiebac").backend == "jiebac"


@needs_jiebac
def test_a_missing_jieba_dictionary_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(segment_module, "_JIEBA_DICT", "no-such-dict.txt")
    with pytest.raises(InputError, match=r"jieba's dictionary is not at .*no-such-dict\.txt: reinstall jieba"):
        Segmenter(backend="jiebac")


@needs_jiebac
def test_a_malformed_jieba_dictionary_is_a_clear_error_naming_the_line(monkeypatch):
    monkeypatch.setattr(segment_module, "_jieba_dictionary", lambda: ("/jieba/dict.txt", b"a 3 n\nb x n\n"))
    with pytest.raises(InputError, match=r"invalid dictionary entry in /jieba/dict\.txt at Line 2: b'b x n'"):
        Segmenter(backend="jiebac")
    monkeypatch.setattr(segment_module, "_jieba_dictionary", lambda: ("d.txt", b"a 99999999999999999999 n\n"))
    with pytest.raises(InputError, match=r"frequency out of range .* in d\.txt at Line 1"):
        Segmenter(backend="jiebac")


@pytest.mark.parametrize("backend", [JIEBAC, "rjieba"])
def test_fast_backends_give_jieba_tokens_on_the_seed(docs, jieba_segmenter, backend):
    fast = Segmenter(backend=backend)
    for text in docs["text"]:
        assert fast.tokenize(text) == jieba_segmenter.tokenize(text)
        assert fast.pieces(text) == jieba_segmenter.pieces(text)


MIXED = ["增长3.5%，达到2015-2017年", "a+b C++ c#语言 x_y v1.2.3", "2,000亩 5%-6% １２３ＡＢＣ",
         "第1.%和12.34.56%", "\r\n\n\r\t　\xa0\x1c民族团结", "😀团结𠀀进步 ok", "", "鿕鿖一", "NUL\x00字"]


@pytest.mark.parametrize("hmm", [True, False])
@pytest.mark.parametrize("backend", [JIEBAC, "rjieba"])
@pytest.mark.parametrize("text", MIXED)
def test_fast_backends_match_jieba_on_mixed_runs(text, hmm, backend):
    reference = Segmenter(backend="jieba", hmm=hmm)
    fast = Segmenter(backend=backend, hmm=hmm)
    assert fast.cut(text) == reference.cut(text)
    assert fast.tokenize(text) == reference.tokenize(text)
    assert fast.line(text) == reference.line(text) == " ".join(reference.cut(text))


@needs_jiebac
def test_the_c_backend_token_frame_equals_the_jieba_backend(docs, jieba_segmenter):
    texts = docs.assign(text=docs["text"] + " \r\n 2015-2017年　x😀")
    fast, reference = segment(texts, segmenter=Segmenter(backend="jiebac")), segment(texts, segmenter=jieba_segmenter)
    for column in TOKEN_COLUMNS:
        assert fast[column].tolist() == reference[column].tolist(), column


def test_module_level_jieba_is_untouched():
    import jieba

    before = (jieba.dt.initialized, len(jieba.dt.FREQ), dict(jieba.dt.user_word_tag_tab))
    Segmenter(backend="jieba").cut("三个离不开")
    assert (jieba.dt.initialized, len(jieba.dt.FREQ), dict(jieba.dt.user_word_tag_tab)) == before


def test_quiet(capfd):
    Segmenter(backend="jieba").cut("民族团结")
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_user_words_and_lexicon_agree(tmp_path):
    extra = tmp_path / "mine.tsv"
    extra.write_text("canonical\tcategory\tvariants\texpansion\tperiod\tnote\n"
                     "七彩云南行\tcampaign\t\t\t\t\n", encoding="utf-8")
    seg = Segmenter(lexicon=load_lexicon([extra]))
    assert "七彩云南行" in seg.cut("开展七彩云南行活动")


def test_stopwords_cover_boilerplate():
    assert {"全省", "全区", "我省", "我州", "各级", "进一步", "的", "，"} <= stopwords()


def test_token_frame_is_the_same_with_arrow_or_python_strings(docs, monkeypatch):
    import unitynlp.segment as seg

    pytest.importorskip("pyarrow")
    texts = docs.assign(text=docs["text"] + " \r\n 2015-2017年　x")  # whitespace pieces are dropped
    arrow = segment(texts)
    monkeypatch.setattr(seg, "_arrow_strings", lambda: None)
    plain = segment(texts)
    assert plain["token"].dtype == object
    if arrow["token"].dtype != object:  # pandas 3: Arrow-backed str
        assert str(arrow["token"].dtype) == "str"
    assert arrow["token"].tolist() == plain["token"].tolist()
    for column in ("doc_id", "position", "start", "end", "stopword"):
        assert arrow[column].tolist() == plain[column].tolist()
    assert plain["stopword"].any() and not plain["stopword"].all()
    seg_ = Segmenter()
    assert plain["token"][plain["doc_id"] == "seed-2"].tolist() == seg_.cut(texts["text"].iloc[1])


def test_cut_gives_the_tokens_of_spans_without_offsets(docs):
    seg = Segmenter()
    for text in [*docs["text"], "2015-2017年\r\n　增长 3.5% \t x_y", "  \n", ""]:
        assert seg.cut(text) == seg.spans(text)[0]


def _counted(segmenter, text, skip):
    """What Segmenter.counts must give: the pieces outside every span, counted in order."""
    kept, start, spans = [], 0, list(skip)
    for piece in segmenter.pieces(text):
        end = start + len(piece)
        if not any(s < end and start < e for s, e, *_ in spans):
            kept.append(piece)
        start = end
    return list(Counter(kept).items())


@needs_jiebac
def test_counts_leave_out_the_lexicons_hits_on_the_seed(docs, jieba_segmenter):
    lexicon, fast = load_lexicon(), Segmenter(backend="jiebac")
    for text in docs["text"]:
        simplified = convert(text).text
        hits = lexicon.find(simplified)
        expected = _counted(jieba_segmenter, simplified, hits)
        assert hits and list(fast.counts(simplified, skip=hits).items()) == expected
        assert list(jieba_segmenter.counts(simplified, skip=hits).items()) == expected
        assert list(fast.counts(simplified).items()) == list(Counter(jieba_segmenter.pieces(simplified)).items())


@pytest.mark.parametrize("backend", [JIEBAC, "rjieba", "jieba"])
@pytest.mark.parametrize("skip", [[], [(0, 2, "x")], [(0, 1), (1, 3), (5, 6)], [(3, 40)], [(0, 99)], [(10, 11)]])
@pytest.mark.parametrize("text", MIXED + ["民族团结进步民族团结 \n 进步进步"])
def test_counts_at_span_edges_and_on_mixed_runs(text, skip, backend):
    segmenter = Segmenter(backend=backend)
    assert list(segmenter.counts(text, skip=skip).items()) == _counted(segmenter, text, skip)


@needs_jiebac
def test_counts_refuse_malformed_spans():
    segmenter = Segmenter(backend="jiebac")
    for bad in ([1, 2], [("a", 2)], [(1,)], 5):
        with pytest.raises(TypeError):
            segmenter.counts("民族团结", skip=bad)
