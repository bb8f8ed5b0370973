"""The frame around the stages: each document is read, converted and segmented once; stages come from
one registry, and a new stage is one function and one entry."""
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from unitynlp.cli import cli
from unitynlp.corpus import read_corpus
from unitynlp.schemas import SCHEMAS, Schema
from unitynlp.stages import STAGES, Context, Stage, register, run_stages


def test_analyze_reads_converts_and_segments_each_document_once(tmp_path, monkeypatch):
    import unitynlp.convert
    import unitynlp.corpus
    import unitynlp.segment
    from unitynlp.analyze import run_analysis

    texts = dict(zip(read_corpus()["text"], read_corpus()["doc_id"]))
    reads: list[str] = []
    conversions: list[str] = []
    segmentations: list[str] = []
    real_read = unitynlp.corpus.read_file

    def read_file(path, **options):
        reads.append(str(path))
        return real_read(path, **options)

    real_convert = unitynlp.convert.Converter.convert

    def convert(self, text, **options):
        if text in texts:
            conversions.append(texts[text])
        return real_convert(self, text, **options)

    simplified = {unitynlp.convert.convert(text).text: doc_id for text, doc_id in texts.items()}
    for method in ("pieces", "counts", "cut", "line", "spans", "tokenize"):
        real = getattr(unitynlp.segment.Segmenter, method)

        def counted(self, text, *args, real=real, **options):
            if text in simplified or text in texts:
                segmentations.append(simplified.get(text) or texts[text])
            return real(self, text, *args, **options)

        monkeypatch.setattr(unitynlp.segment.Segmenter, method, counted)
    monkeypatch.setattr(unitynlp.corpus, "read_file", read_file)
    monkeypatch.setattr(unitynlp.convert.Converter, "convert", convert)
    run_analysis(None, tmp_path / "out", k=2)  # clustering included, in this process
    assert (tmp_path / "out" / "csv" / "clusters.csv").exists()
    assert sorted(p.rsplit("/", 1)[-1] for p in reads) == [f"seed-{n}.txt" for n in range(1, 6)]
    assert sorted(conversions) == sorted(texts.values())
    assert sorted(segmentations) == sorted(texts.values())


def _sentence_rows(doc, context):
    return [(doc.doc_id, n, len(s)) for n, s in enumerate(doc.converted.text.split("。")) if s.strip()]


SENTENCES = Schema("sentences", (("doc_id", "string"), ("n", "int64"), ("length", "int64")),
                   "one row per sentence")


@pytest.fixture
def sentences_stage():
    register(Stage("sentences", SENTENCES, _sentence_rows))
    yield
    del STAGES["sentences"]


def test_a_stage_of_ones_own_runs_through_analyze(tmp_path, sentences_stage):
    from unitynlp.analyze import analyze, run_analysis

    docs = read_corpus()
    table = run_stages(docs, ["sentences"])["sentences"]
    assert table.columns.tolist() == ["doc_id", "n", "length"] and len(table) > 50
    assert not SENTENCES.problems(table)
    assert analyze(docs, stages=("sentences",)).tables["sentences"].equals(table)
    run_analysis(None, tmp_path / "out", stages=("sentences",), cluster=False)
    written = pd.read_csv(tmp_path / "out" / "csv" / "sentences.csv", encoding="utf-8-sig")
    assert written["length"].tolist() == table["length"].tolist()
    assert "sentences" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_every_stage_gives_its_schema_even_when_empty():
    docs = read_corpus()
    empty = docs.head(0)
    context = Context(options={"unit": "doc"})
    for name in STAGES:
        for frame in (docs, empty):
            table = run_stages(frame, [name], context)[name]
            assert not STAGES[name].schema.problems(table), (name, len(frame), table.dtypes.to_dict())
    assert set(STAGES) <= set(SCHEMAS)


def test_an_unknown_stage_names_the_stages_there_are():
    from unitynlp.errors import InputError

    with pytest.raises(InputError, match="no stage 'senses': choose one of converted, tokens"):
        run_stages(read_corpus(), ["senses"])


def test_a_user_lexicon_formula_is_a_term_and_never_a_fact_in_every_command(tmp_path):
    lexicon = tmp_path / "user.tsv"
    lexicon.write_text("canonical\tcategory\tvariants\texpansion\tperiod\tnote\n六个必须\tnumbered_formula\t\t\t\t\n",
                       encoding="utf-8")
    report = tmp_path / "r.txt"
    report.write_text("我们坚持六个必须，投入资金3000万元。", encoding="utf-8")
    run = CliRunner()
    terms = run.invoke(cli, ["terms", str(report), "--lexicon", str(lexicon), "--format", "csv"])
    assert "六个必须,numbered_formula,1" in terms.stdout
    facts = run.invoke(cli, ["facts", str(report), "--lexicon", str(lexicon), "--format", "jsonl"])
    assert facts.exit_code == 0 and [json.loads(line)["text"] for line in facts.stdout.splitlines()] == ["3000万元"]
    default = run.invoke(cli, ["facts", str(report), "--format", "jsonl"])  # the shipped lexicon lacks it
    assert "六个" in [json.loads(line)["text"] for line in default.stdout.splitlines()]
    out = tmp_path / "out"
    assert run.invoke(cli, ["analyze", str(report), "-o", str(out), "--lexicon", str(lexicon)]).exit_code == 0
    written = pd.read_csv(out / "csv" / "facts.csv", encoding="utf-8-sig")
    assert written["text"].tolist() == ["3000万元"]
