import json
import re

import pytest
from click.testing import CliRunner

from unitynlp.cli import cli

pytest.importorskip("matplotlib")
pytest.importorskip("pyarrow")

TABLES = ["documents", "term_hits", "term_counts", "term_frequency", "term_groups", "keyness", "facts",
          "cluster_assignments", "clusters", "cluster_coords", "summary"]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "results"
    result = CliRunner().invoke(cli, ["analyze", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return out, result


def test_every_table_in_every_format(results):
    import openpyxl
    import pandas as pd

    out, _ = results
    for name in TABLES:
        assert (out / "csv" / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf")
        csv = pd.read_csv(out / "csv" / f"{name}.csv", encoding="utf-8-sig")
        parquet = pd.read_parquet(out / "parquet" / f"{name}.parquet")
        assert len(csv) == len(parquet)
    assert set(openpyxl.load_workbook(out / "unitynlp.xlsx", read_only=True).sheetnames) == set(TABLES)


def test_tables_hold_the_stages_results(results):
    import pandas as pd

    out, _ = results
    counts = pd.read_csv(out / "csv" / "term_counts.csv", encoding="utf-8-sig")
    assert counts.query("doc_id == 'seed-2' and term == '三个离不开'")["count"].item() == 3
    facts = pd.read_csv(out / "csv" / "facts.csv", encoding="utf-8-sig")
    assert {"738人", "壹萬伍仟元"} <= set(facts["text"])
    keyness = pd.read_csv(out / "csv" / "keyness.csv", encoding="utf-8-sig")
    assert {"level", "region"} <= set(keyness["by"])


def test_figures_and_self_contained_report(results):
    out, result = results
    figures = {p.name for p in (out / "figures").iterdir()}
    for stem in ["facts", "cluster_map", "term_rates_level", "keyness_level"]:
        assert {f"{stem}.png", f"{stem}.svg"} <= figures
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "the report must not load anything"
    assert "三个离不开" in page
    assert "documents" in result.stdout and "facts" in result.stdout


def test_refuses_a_non_empty_folder_and_replaces_with_force(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    refused = CliRunner().invoke(cli, ["analyze", "-o", str(out)])
    assert refused.exit_code == 1 and "is not empty" in refused.stderr and "--force" in refused.stderr
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert CliRunner().invoke(cli, ["analyze", "-o", str(out), "--force"]).exit_code == 0
    assert (out / "report.html").exists() and not (out / "notes.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]  # no temporary folder left behind


def test_failure_leaves_no_output_and_the_rerun_resumes(tmp_path, monkeypatch):
    import unitynlp.analyze as module

    real = module.report_html
    monkeypatch.setattr(module, "report_html", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")))
    out = tmp_path / "results"
    with pytest.raises(RuntimeError):
        CliRunner().invoke(cli, ["analyze", "-o", str(out), "--batch-chars", "1000"], catch_exceptions=False)
    assert not out.exists()
    assert json.loads((tmp_path / ".results.partial" / "manifest.json").read_text())["batches"] == 4
    monkeypatch.setattr(module, "report_html", real)
    again = CliRunner().invoke(cli, ["analyze", "-o", str(out), "--batch-chars", "1000"])
    assert again.exit_code == 0 and "resuming after batch 4" in again.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["results"]


def test_other_options_never_mix_with_an_unfinished_run(tmp_path):
    out = tmp_path / "results"
    work = tmp_path / ".results.partial"
    work.mkdir()
    (work / "manifest.json").write_text(json.dumps({"config": {"seed": 99}, "batches": 3}))
    result = CliRunner().invoke(cli, ["analyze", "-o", str(out)])
    assert result.exit_code == 0 and "other options is discarded" in result.stderr
    assert "resuming" not in result.stderr


def test_batches_give_the_tables_of_one_pass(tmp_path):
    one, many = tmp_path / "one", tmp_path / "many"
    assert CliRunner().invoke(cli, ["analyze", "-o", str(one), "--jobs", "1"]).exit_code == 0
    assert CliRunner().invoke(cli, ["analyze", "-o", str(many), "--batch-chars", "1000", "--jobs", "2"]).exit_code == 0
    for name in TABLES:
        assert (one / "csv" / f"{name}.csv").read_bytes() == (many / "csv" / f"{name}.csv").read_bytes(), name


def _two_workers(fn, docs, **options):
    """A ``run`` with two worker processes even on the small bundled corpus."""
    from unitynlp.parallel import map_docs

    return map_docs(fn, docs, jobs=2, min_chars=0, **options)


def test_workers_and_batches_write_the_files_of_one_process(tmp_path):
    import pandas as pd

    from unitynlp.analyze import run_analysis

    one, many = tmp_path / "one", tmp_path / "many"
    run_analysis(None, one, cluster=False)
    run_analysis(None, many, cluster=False, batch_chars=8000, run=_two_workers)
    for name in ["documents", "term_hits", "term_counts", "facts", "term_frequency", "keyness", "summary"]:
        assert (one / "csv" / f"{name}.csv").read_bytes() == (many / "csv" / f"{name}.csv").read_bytes(), name
        pd.testing.assert_frame_equal(pd.read_parquet(one / "parquet" / f"{name}.parquet"),
                                      pd.read_parquet(many / "parquet" / f"{name}.parquet"))


def test_one_pass_over_each_text_gives_the_separate_stages():
    import pandas as pd

    from unitynlp.analyze import document_tables, group_features
    from unitynlp.corpus import read_corpus
    from unitynlp.facts import facts
    from unitynlp.lexicon import load_lexicon
    from unitynlp.terms import count_terms, find_terms, term_features

    docs, lexicon = read_corpus(), load_lexicon()
    tables = document_tables(docs, lexicon=lexicon)
    pd.testing.assert_frame_equal(tables["term_hits"], find_terms(docs, lexicon=lexicon))
    pd.testing.assert_frame_equal(tables["term_counts"], count_terms(docs, lexicon=lexicon))
    pd.testing.assert_frame_equal(tables["facts"], facts(docs))
    pd.testing.assert_frame_equal(tables["features"], term_features(docs, lexicon=lexicon))
    grouped = document_tables(docs, lexicon=lexicon, grouped=True)["group_features"]
    pd.testing.assert_frame_equal(grouped, group_features(tables["features"], docs))
    assert {"level", "region"} <= set(grouped["by"]) and grouped["count"].sum() > 0


def test_an_error_met_while_reading_ahead_stops_the_run_cleanly(tmp_path):
    corpus = tmp_path / "reports"
    corpus.mkdir()
    (corpus / "r1.txt").write_bytes(bytes(range(256)) * 4)
    (corpus / "r2.txt").write_bytes(b"")
    result = CliRunner().invoke(cli, ["analyze", str(corpus), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "r1.txt" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def _pid(docs):
    import os

    import pandas as pd

    return pd.DataFrame({"pid": [os.getpid()] * len(docs)})


def test_workers_are_started_once_for_many_calls():
    from unitynlp.corpus import read_corpus
    from unitynlp.parallel import map_docs, shared_workers

    docs = read_corpus()
    with shared_workers():
        first = set(map_docs(_pid, docs, jobs=2, min_chars=0)["pid"])
        second = set(map_docs(_pid, docs, jobs=2, min_chars=0)["pid"])
    assert len(first | second) <= 2  # the same two workers (one may have taken every chunk of a call)
    assert set(map_docs(_pid, docs, jobs=2, min_chars=0)["pid"]).isdisjoint(first | second)  # outside: new ones


def test_analyze_on_a_local_dask_cluster_writes_the_files_of_one_process(tmp_path, monkeypatch):
    pytest.importorskip("dask.distributed")
    import unitynlp.parallel

    monkeypatch.setattr(unitynlp.parallel, "PARALLEL_MIN_CHARS", 0)
    one, dask = tmp_path / "one", tmp_path / "dask"
    args = ["--no-cluster", "--batch-chars", "10000"]
    assert CliRunner().invoke(cli, ["analyze", "-o", str(one), "-j", "1", *args]).exit_code == 0
    result = CliRunner().invoke(cli, ["analyze", "-o", str(dask), "--dask", "-j", "2", *args])
    assert result.exit_code == 0, result.stderr
    for name in ["documents", "term_hits", "term_counts", "facts", "keyness"]:
        assert (one / "csv" / f"{name}.csv").read_bytes() == (dask / "csv" / f"{name}.csv").read_bytes(), name


def test_queued_batches_on_workers_write_the_files_of_one_process(tmp_path, monkeypatch):
    import unitynlp.parallel
    from unitynlp.corpus import read_corpus

    corpus = tmp_path / "reports"
    corpus.mkdir()
    for copy in range(3):  # 15 reports: several batches of several documents
        for doc_id, text in zip(read_corpus()["doc_id"], read_corpus()["text"]):
            (corpus / f"{doc_id}-{copy}.txt").write_text(text, encoding="utf-8")
    monkeypatch.setattr(unitynlp.parallel, "PARALLEL_MIN_CHARS", 0)  # workers even for a small corpus
    one, two = tmp_path / "one", tmp_path / "two"
    args = [str(corpus), "--no-cluster", "--batch-chars", "8000"]
    assert CliRunner().invoke(cli, ["analyze", "-o", str(one), "-j", "1", *args]).exit_code == 0
    queued = []
    real = unitynlp.parallel.Pending
    monkeypatch.setattr(unitynlp.parallel, "Pending", lambda **k: queued.append("futures" in k) or real(**k))
    assert CliRunner().invoke(cli, ["analyze", "-o", str(two), "-j", "2", *args]).exit_code == 0
    assert sum(queued) >= 3  # batches handed to the workers before the previous one was saved
    for name in ["documents", "term_hits", "term_counts", "facts", "keyness", "term_frequency"]:
        assert (one / "csv" / f"{name}.csv").read_bytes() == (two / "csv" / f"{name}.csv").read_bytes(), name


def test_summing_up_part_by_part_gives_the_term_tables_of_the_whole_frame(tmp_path):
    import pandas as pd

    from unitynlp.analyze import group_columns, run_analysis
    from unitynlp.corpus import read_corpus
    from unitynlp.terms import count_terms, doc_frequency, group_counts

    corpus = tmp_path / "reports"
    corpus.mkdir()
    seed = read_corpus()
    for doc_id, text in zip(seed["doc_id"], seed["text"]):
        (corpus / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    pd.DataFrame({"doc_id": seed["doc_id"], "year": pd.array([2019, 2020, 2020, None, 2021], dtype="Int64"),
                  "level": seed["level"], "region": ["north", "south", "south", None, "north"]}
                 ).to_csv(corpus / "metadata.csv", index=False)
    stages = []
    tables = run_analysis(corpus, tmp_path / "out", cluster=False, batch_chars=1000, stage=stages.append).tables
    assert sum(message.startswith("batch ") for message in stages) >= 3
    docs = read_corpus(corpus)
    counts = count_terms(docs)
    pd.testing.assert_frame_equal(tables["term_frequency"], doc_frequency(counts, docs))
    pd.testing.assert_frame_equal(tables["term_years"], group_counts(counts, docs, by="year"))
    assert group_columns(docs) == ["region", "level"]
    for column in ["region", "level"]:
        part = tables["term_groups"][tables["term_groups"]["by"] == column]
        pd.testing.assert_frame_equal(part.drop(columns="by").reset_index(drop=True),
                                      group_counts(counts, docs, by=column))
    assert tables["summary"].set_index("item").loc["distinct terms", "value"] == str(counts["term"].nunique())


def _batch_folders(work, name, parts):
    """``parts`` of table ``name`` kept as a run keeps them, one batch folder each."""
    import pickle

    for number, part in enumerate(parts):
        folder = work / f"batch-{number:05d}"
        folder.mkdir()
        (folder / f"{name}.000.pkl").write_bytes(pickle.dumps(part))
        (folder / "rows.json").write_text(json.dumps({name: [len(part)]}), encoding="utf-8")


def test_documents_kept_on_disk_show_as_the_joined_table(tmp_path):
    import zipfile

    import pandas as pd

    from unitynlp.analyze import REPORT_ROWS, Analysis, _Lazy, report_html, write_workbook
    from unitynlp.parallel import concat

    n = REPORT_ROWS  # the report shows the first batch only, and shortens long values of text (object) columns
    parts = [pd.DataFrame({"doc_id": [f"a{i}" for i in range(n)], "region": (["north", ""] * n)[:n],
                           "rank": range(n), "url": ["https://example.org/" + "a" * 80] * n}),
             pd.DataFrame({"doc_id": ["b"], "region": [None], "rank": [float("nan")], "url": [None]}),
             pd.DataFrame({c: pd.Series(dtype=object) for c in ["doc_id", "region", "rank", "url"]})]
    _batch_folders(tmp_path, "documents", parts)
    whole, lazy = concat(parts), _Lazy(tmp_path, "documents", joined=True)
    assert dict(parts[0].dtypes) != dict(whole.dtypes)  # a batch's own types are not those of the whole table
    assert len(lazy) == n + 1 and lazy["rank"].sum() == sum(range(n))
    pd.testing.assert_frame_equal(concat(list(lazy.parts())), whole)
    pd.testing.assert_frame_equal(lazy.head(n), whole.head(n))
    summary = pd.DataFrame({"item": ["documents"], "value": [str(n + 1)]})
    on_disk, in_memory = (Analysis({"summary": summary, "documents": table}) for table in (lazy, whole))
    assert report_html(on_disk, {}, title="t") == report_html(in_memory, {}, title="t")
    write_workbook(on_disk, tmp_path / "on_disk.xlsx")
    write_workbook(in_memory, tmp_path / "in_memory.xlsx")
    books = [zipfile.ZipFile(tmp_path / name) for name in ("on_disk.xlsx", "in_memory.xlsx")]
    for member in books[1].namelist():
        if member != "docProps/core.xml":  # the time it was written
            assert books[0].read(member) == books[1].read(member), member


@pytest.mark.parametrize("arrow", [True, False])
def test_value_counts_of_a_table_on_disk_are_those_of_the_joined_column(tmp_path, arrow):
    import pandas as pd

    from unitynlp.analyze import _formats, _Lazy
    from unitynlp.parallel import concat

    if arrow:
        pytest.importorskip("pyarrow")
    units = [["元", "", "人", "元", "%"], ["人", "户", "", "亩"], [], ["户", "万元", "亩", "%", "元"]]
    parts = [pd.DataFrame({"kind": ["count"] * len(u), "unit": pd.Series(u, dtype=object)}) for u in units]
    _batch_folders(tmp_path, "facts", parts)
    if arrow:
        for number, part in enumerate(parts):
            (tmp_path / f"batch-{number:05d}" / "facts.000.arrow").write_bytes(_formats(part)["arrow"])
    whole, lazy = concat(parts), _Lazy(tmp_path, "facts")
    for column in ("unit", "kind"):
        expected = whole[column].value_counts()
        got = lazy.value_counts(column)
        assert got.index.tolist() == expected.index.tolist() and got.tolist() == expected.tolist()
