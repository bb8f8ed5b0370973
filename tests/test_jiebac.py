"""unitynlp._jiebac on its own: threads sharing a segmenter, one __init__ per object, the
dictionary parse (bytes in, bounded frequencies), and random slices of the corpus against jieba.

Skipped where the extension was not built (it is optional: see pyproject.toml)."""
import io
import random
import threading

import jieba
import jieba.finalseg as finalseg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unitynlp.convert import convert
from unitynlp.corpus import read_corpus
from unitynlp.lexicon import load_lexicon
from unitynlp.segment import Segmenter, _jieba_dictionary

_jiebac = pytest.importorskip("unitynlp._jiebac")

THREADS = 6
MIXED = ["增长3.5%，达到2015-2017年", "a+b C++ c#语言 x_y v1.2.3", "\r\n\n\r\t　\xa0\x1c民族团结",
         "😀团结𠀀进步 ok", "", "鿕鿖一", "NUL\x00字", "\ud800孤立代理"]
HMM_TABLES = (finalseg.start_P, finalseg.trans_P, finalseg.emit_P)


def tiny(data, added=(), **kwargs):
    """A _jiebac.Segmenter from dictionary bytes and finalseg's tables."""
    return _jiebac.Segmenter(data, list(added), *HMM_TABLES, **kwargs)


@pytest.fixture(scope="module")
def texts():
    """Simplified texts of every size: the bundled corpus (whole, so the GIL is released while
    they are cut, and in short lines, so it is not), with mixed runs."""
    docs = [convert(text).text for text in read_corpus()["text"]]
    lines = [line for doc in docs for line in doc.splitlines()[:12]]
    return docs + lines + MIXED + ["".join(docs[:3]) + " x😀\r\n"]


@pytest.fixture(scope="module")
def cutter():
    return Segmenter(backend="jiebac")._cut._seg


def results(seg, text, hits):
    """Everything a _jiebac.Segmenter gives for a text, with and without the HMM."""
    return tuple((seg.ends(text, hmm), seg.line(text, hmm), seg.pieces(text, hmm),
                  list(seg.counts(text, hits, hmm).items())) for hmm in (True, False))


def run_threads(work, n=THREADS):
    """Run work(i) in n threads started together; the exceptions they raised, re-raised here."""
    barrier, errors = threading.Barrier(n), []

    def body(i):
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:  # noqa: BLE001 (re-raised in the main thread)
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def test_one_segmenter_shared_by_threads_gives_the_single_thread_results(cutter, texts):
    lexicon = load_lexicon()
    # the lexicon's hits as spans to skip (its matcher takes no lone surrogate)
    jobs = [(text, lexicon.find(text) if "\ud800" not in text else [(1, 2)]) for text in texts]
    expected = [results(cutter, text, hits) for text, hits in jobs]
    got = [[None] * len(jobs) for _ in range(THREADS)]

    def work(i):
        order = list(range(len(jobs))) * 3
        random.Random(i).shuffle(order)
        for k in order:
            got[i][k] = results(cutter, *jobs[k])
            assert got[i][k] == expected[k]

    run_threads(work)
    assert all(row == expected for row in got)


def test_separate_segmenters_built_and_used_in_threads_agree(cutter, texts):
    _, data = _jieba_dictionary()
    added = [("三个离不开", 5000), ("七彩云南行", 5000)]
    reference = tiny(data, added)
    expected = [results(reference, text, ()) for text in texts]
    got = [None] * THREADS

    def work(i):
        own = tiny(data, added)   # built while the others build or segment
        got[i] = [results(own, text, ()) for text in texts]

    run_threads(work)
    assert all(row == expected for row in got)


def test_a_second_init_is_refused_even_while_threads_segment(cutter, texts):
    _, data = _jieba_dictionary()
    expected, total = [cutter.line(text) for text in texts], cutter.total
    done = threading.Event()
    refused = []

    def work(i):
        if i == 0:  # keeps trying to rebuild the shared segmenter while the others cut
            while not done.is_set():
                with pytest.raises(RuntimeError, match="initialised once"):
                    cutter.__init__(b"a 1\n", [], *HMM_TABLES)
                refused.append(1)
            return
        try:
            for _ in range(3):
                assert [cutter.line(text) for text in texts] == expected
        finally:
            if i == 1:
                done.set()

    run_threads(work, 3)
    assert refused
    with pytest.raises(RuntimeError, match="initialised once"):
        cutter.__init__(data, [], *HMM_TABLES)
    assert [cutter.line(text) for text in texts] == expected and cutter.total == total


def test_a_failed_or_missing_init_leaves_an_unusable_object_not_a_crash():
    seg = _jiebac.Segmenter.__new__(_jiebac.Segmenter)
    for call in (lambda: seg.line("民族团结"), lambda: seg.ends("x"), lambda: seg.pieces("x"),
                 lambda: seg.counts("x"), lambda: seg.freq("x")):
        with pytest.raises(RuntimeError, match="not initialised"):
            call()
    with pytest.raises(ValueError, match="Line 2"):
        seg.__init__(b"a 1\nb\n", [], *HMM_TABLES)
    with pytest.raises(RuntimeError, match="not initialised"):
        seg.line("民族团结")
    with pytest.raises(RuntimeError, match="initialised once"):  # not even after a failure
        seg.__init__(b"a 1\n", [], *HMM_TABLES)


def test_the_dictionary_is_bytes_and_parsed_as_jieba_parses_it():
    _, data = _jieba_dictionary()
    freq, total = jieba.Tokenizer().gen_pfdict(io.BytesIO(data))
    seg = tiny(data)
    assert seg.total == total and seg.nodes == len(freq)
    words = list(freq)
    for word in words[::97] + words[-50:]:
        assert seg.freq(word) == freq[word]
    head = data[:data.index(b"\n", 5000) + 1]
    for same in (bytearray(head), memoryview(head)):
        assert tiny(same).total == tiny(head).total
    with pytest.raises(TypeError):
        tiny("/a/path/dict.txt")  # a path is no longer accepted: this module opens no file


I64 = 2**63 - 1


@pytest.mark.parametrize("data, message", [
    (b"a 9223372036854775808\n", r"frequency out of range .* at Line 1: b'a 9223372036854775808'"),
    (b"a 1\nb 99999999999999999999999999999 n\n", r"frequency out of range .* at Line 2"),
    (b"a -9223372036854775808\n", r"frequency out of range .* at Line 1"),
    (b"a 9223372036854775807\nb 1\n", r"total frequency out of range .* at Line 2"),
    (b"a -9223372036854775807\nb -2\n", r"total frequency out of range .* at Line 2"),
    (b"a 1\n\nb 2\n", r"invalid dictionary entry in <dictionary> at Line 2"),
    (b"a 1\nb 1x\n", r"invalid dictionary entry .* at Line 2: b'b 1x'"),
    (b"a 1\n\xff 1\n", r"invalid dictionary entry .* at Line 2"),
])
def test_a_bad_dictionary_line_is_a_value_error_naming_it(data, message):
    with pytest.raises(ValueError, match=message):
        tiny(data)


def test_frequencies_at_the_bounds_are_kept_exactly():
    seg = tiny(b"a 9223372036854775807\nb -5\nc +5\n")
    assert (seg.freq("a"), seg.freq("b"), seg.freq("c"), seg.total) == (I64, -5, 5, I64)
    assert tiny(b"a 9223372036854775807\n", [("a", 5)]).total == 5  # replaced, not added
    with pytest.raises(ValueError, match="total frequency out of range after adding 'b'"):
        tiny(b"a 9223372036854775807\n", [("b", 1)])
    with pytest.raises(ValueError, match="total frequency out of range after adding 'a'"):
        tiny(b"a -5\nb 9223372036854775807\n", [("a", I64)])
    with pytest.raises(OverflowError):
        tiny(b"a 1\n", [("b", I64 + 1)])


def test_the_dictionary_name_is_in_its_errors():
    with pytest.raises(ValueError, match="in 词典/dict.txt at Line 1"):
        tiny(b"x\n", name="词典/dict.txt")


WORDS = ["a", "ab", "民族", "民", "民族团结", "团结进步", "b\xa0"]
TAGS = ["", "", " n", " n x", "\r"]
GOOD_LINE = st.tuples(st.sampled_from(WORDS), st.just(" "), st.integers(1, 50), st.sampled_from(TAGS))
ODD_LINE = st.tuples(st.sampled_from(WORDS + [""]), st.sampled_from([" ", "  ", "\t"]),
                     st.one_of(st.integers(-3, 2**64), st.sampled_from(["", "+", "-", "1x", "٣", "+7", " 7"])),
                     st.sampled_from(TAGS))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(GOOD_LINE, min_size=1, max_size=6), st.one_of(st.none(), ODD_LINE), st.integers(0, 6),
       st.one_of(st.just(b""), st.binary(max_size=12)))
def test_random_dictionaries_parse_like_jieba_or_fail_cleanly(lines, odd, at, junk):
    if odd is not None:
        lines.insert(at, odd)
    data = b"\n".join(f"{w}{sep}{f}{tag}".encode() for w, sep, f, tag in lines) + junk
    try:
        freq, total = jieba.Tokenizer().gen_pfdict(io.BytesIO(data))
    except ValueError:
        freq = None
    try:
        seg = tiny(data)
    except ValueError:
        return  # refused, with a message (jieba takes a few lines this does not: int(' 7'), int('٣'))
    if freq is not None:
        assert (seg.total, seg.nodes) == (total, len(freq))
        assert {w: seg.freq(w) for w in freq} == freq


def test_random_slices_of_the_corpus_give_jieba_pieces(texts):
    rng = random.Random(13)
    fast = {hmm: Segmenter(backend="jiebac", hmm=hmm) for hmm in (True, False)}
    reference = {hmm: Segmenter(backend="jieba", hmm=hmm) for hmm in (True, False)}
    corpus = "".join(texts)
    extra = "0123456789.%-+#_&abcXYZ 　\r\n\t😀𠀀鿕\ud800，。"
    for _ in range(150):
        a = rng.randrange(len(corpus))
        piece = list(corpus[a:a + rng.choice([1, 5, 40, 300, 1200])])
        for _ in range(rng.randrange(6)):
            piece.insert(rng.randrange(len(piece) + 1), rng.choice(extra) * rng.randrange(1, 4))
        text = "".join(piece)
        for hmm in (True, False):
            pieces = fast[hmm].pieces(text)
            assert "".join(pieces) == text
            assert pieces == reference[hmm].pieces(text), text
