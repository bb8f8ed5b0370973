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


def test_a_folder_of_the_users_is_never_replaced_even_with_force(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    for force in ([], ["--force"]):
        refused = CliRunner().invoke(cli, ["analyze", "-o", str(out), *force])
        assert refused.exit_code == 1 and "holds no unitynlp results" in refused.stderr
        assert "pass --force" not in refused.stderr  # the refusal must not suggest what would delete it
        assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]  # no temporary folder or lock left behind


def test_earlier_results_are_replaced_only_with_force(tmp_path):
    out = tmp_path / "results"
    assert CliRunner().invoke(cli, ["analyze", "-o", str(out), "--no-cluster"]).exit_code == 0
    refused = CliRunner().invoke(cli, ["analyze", "-o", str(out), "--no-cluster"])
    assert refused.exit_code == 1 and "pass --force to replace them" in refused.stderr
    assert CliRunner().invoke(cli, ["analyze", "-o", str(out), "--no-cluster", "--force"]).exit_code == 0
    assert (out / "report.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


@pytest.mark.parametrize("where", ["corpus", "corpus/results", "."])
def test_results_are_never_written_over_or_inside_the_corpus(tmp_path, where):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "r.txt").write_text("坚持三个离不开，投入资金3000万元。", encoding="utf-8")
    for force in ([], ["--force"]):
        result = CliRunner().invoke(cli, ["analyze", str(corpus), "-o", str(tmp_path / where), *force])
        assert result.exit_code == 1 and "holds or lies inside the corpus" in result.stderr
    assert [p.name for p in corpus.iterdir()] == ["r.txt"]


def test_a_second_run_into_the_same_folder_is_told_plainly(tmp_path):
    import os

    from unitynlp.analyze.writers import TargetLock

    out = tmp_path / "results"
    with TargetLock(out):  # a live run (this process) writes there
        lock = tmp_path / ".results.lock"
        lock.write_text(str(os.getppid()))  # held by another live process
        result = CliRunner().invoke(cli, ["analyze", "-o", str(out)])
        assert result.exit_code == 1 and "another unitynlp run" in result.stderr
        lock.write_text(str(os.getpid()))
    assert not lock.exists()


def test_results_follow_the_umask(tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        out = tmp_path / "results"
        assert CliRunner().invoke(cli, ["analyze", "-o", str(out), "--no-cluster"]).exit_code == 0
        assert CliRunner().invoke(cli, ["facts", "-o", str(tmp_path / "facts.csv")]).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "csv" / "facts.csv").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "facts.csv").stat().st_mode) == 0o644


def test_failure_leaves_no_output_and_the_rerun_resumes(tmp_path, monkeypatch):
    import unitynlp.analyze.report as module

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


def test_workers_and_batches_write_the_files_of_one_process(tmp_path):
    import pandas as pd

    from unitynlp.analyze import run_analysis

    one, many = tmp_path / "one", tmp_path / "many"
    run_analysis(None, one, cluster=False)
    from unitynlp.runner import Runner

    with Runner(2, min_chars=0) as two:
        run_analysis(None, many, cluster=False, batch_chars=8000, runner=two)
    for name in ["documents", "term_hits", "term_counts", "facts", "term_frequency", "keyness", "summary"]:
        assert (one / "csv" / f"{name}.csv").read_bytes() == (many / "csv" / f"{name}.csv").read_bytes(), name
        pd.testing.assert_frame_equal(pd.read_parquet(one / "parquet" / f"{name}.parquet"),
                                      pd.read_parquet(many / "parquet" / f"{name}.parquet"))


def test_one_pass_over_each_text_gives_the_separate_stages():
    import pandas as pd

    from unitynlp.analyze import group_features
    from unitynlp.corpus import read_corpus
    from unitynlp.facts import facts
    from unitynlp.lexicon import load_lexicon
    from unitynlp.stages import Context, run_stages
    from unitynlp.terms import count_terms, find_terms, term_features

    docs, lexicon = read_corpus(), load_lexicon()
    tables = run_stages(docs, ["units", "term_hits", "term_counts", "features", "facts"], Context(lexicon))
    pd.testing.assert_frame_equal(tables["term_hits"], find_terms(docs, lexicon=lexicon))
    pd.testing.assert_frame_equal(tables["term_counts"], count_terms(docs, lexicon=lexicon))
    pd.testing.assert_frame_equal(tables["facts"], facts(docs))
    pd.testing.assert_frame_equal(tables["features"], term_features(docs, lexicon=lexicon))
    grouped = group_features(tables["features"], docs)
    assert {"level", "region"} <= set(grouped["by"]) and grouped["count"].sum() > 0


def test_an_error_met_while_reading_ahead_stops_the_run_cleanly(tmp_path):
    corpus = tmp_path / "reports"
    corpus.mkdir()
    (corpus / "r1.txt").write_bytes(bytes(range(256)) * 4)
    (corpus / "r2.txt").write_bytes(b"")
    result = CliRunner().invoke(cli, ["analyze", str(corpus), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "r1.txt" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_analyze_on_a_local_dask_cluster_writes_the_files_of_one_process(tmp_path, monkeypatch):
    pytest.importorskip("dask.distributed")
    import unitynlp.runner

    monkeypatch.setattr(unitynlp.runner, "PARALLEL_MIN_CHARS", 0)
    one, dask = tmp_path / "one", tmp_path / "dask"
    args = ["--no-cluster", "--batch-chars", "10000"]
    assert CliRunner().invoke(cli, ["analyze", "-o", str(one), "-j", "1", *args]).exit_code == 0
    result = CliRunner().invoke(cli, ["analyze", "-o", str(dask), "--dask", "-j", "2", *args])
    assert result.exit_code == 0, result.stderr
    for name in ["documents", "term_hits", "term_counts", "facts", "keyness"]:
        assert (one / "csv" / f"{name}.csv").read_bytes() == (dask / "csv" / f"{name}.csv").read_bytes(), name


def test_queued_batches_on_workers_write_the_files_of_one_process(tmp_path, monkeypatch):
    import unitynlp.runner
    from unitynlp.corpus import read_corpus

    corpus = tmp_path / "reports"
    corpus.mkdir()
    for copy in range(3):  # 15 reports: several batches of several documents
        for doc_id, text in zip(read_corpus()["doc_id"], read_corpus()["text"]):
            (corpus / f"{doc_id}-{copy}.txt").write_text(text, encoding="utf-8")
    monkeypatch.setattr(unitynlp.runner, "PARALLEL_MIN_CHARS", 0)  # workers even for a small corpus
    one, two = tmp_path / "one", tmp_path / "two"
    args = [str(corpus), "--no-cluster", "--batch-chars", "8000"]
    assert CliRunner().invoke(cli, ["analyze", "-o", str(one), "-j", "1", *args]).exit_code == 0
    queued = []
    real = unitynlp.runner.Pending
    monkeypatch.setattr(unitynlp.runner, "Pending", lambda **k: queued.append("futures" in k) or real(**k))
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

    from unitynlp.analyze import Analysis
    from unitynlp.analyze.parts import StoredTable
    from unitynlp.analyze.report import REPORT_ROWS, report_html
    from unitynlp.analyze.writers import write_analysis_workbook
    from unitynlp.runner import concat

    n = REPORT_ROWS  # the report shows the first batch only, and shortens long values of text (object) columns
    parts = [pd.DataFrame({"doc_id": [f"a{i}" for i in range(n)], "region": (["north", ""] * n)[:n],
                           "rank": range(n), "url": ["https://example.org/" + "a" * 80] * n}),
             pd.DataFrame({"doc_id": ["b"], "region": [None], "rank": [float("nan")], "url": [None]}),
             pd.DataFrame({c: pd.Series(dtype=object) for c in ["doc_id", "region", "rank", "url"]})]
    _batch_folders(tmp_path, "documents", parts)
    whole, lazy = concat(parts), StoredTable(tmp_path, "documents", joined=True)
    assert dict(parts[0].dtypes) != dict(whole.dtypes)  # a batch's own types are not those of the whole table
    assert lazy.rows == n + 1
    pd.testing.assert_frame_equal(concat(list(lazy.parts())), whole)
    pd.testing.assert_frame_equal(lazy.head(n), whole.head(n))
    summary = pd.DataFrame({"item": ["documents"], "value": [str(n + 1)]})
    on_disk, in_memory = (Analysis({"summary": summary, "documents": table}) for table in (lazy, whole))
    assert report_html(on_disk, {}, title="t") == report_html(in_memory, {}, title="t")
    write_analysis_workbook(on_disk, tmp_path / "on_disk.xlsx")
    write_analysis_workbook(in_memory, tmp_path / "in_memory.xlsx")
    books = [zipfile.ZipFile(tmp_path / name) for name in ("on_disk.xlsx", "in_memory.xlsx")]
    for member in books[1].namelist():
        if member != "docProps/core.xml":  # the time it was written
            assert books[0].read(member) == books[1].read(member), member


@pytest.mark.parametrize("arrow", [True, False])
def test_value_counts_of_a_table_on_disk_are_those_of_the_joined_column(tmp_path, arrow):
    import pandas as pd

    from unitynlp.analyze.parts import StoredTable, encode
    from unitynlp.runner import concat

    if arrow:
        pytest.importorskip("pyarrow")
    units = [["元", "", "人", "元", "%"], ["人", "户", "", "亩"], [], ["户", "万元", "亩", "%", "元"]]
    parts = [pd.DataFrame({"kind": ["count"] * len(u), "unit": pd.Series(u, dtype=object)}) for u in units]
    _batch_folders(tmp_path, "facts", parts)
    if arrow:
        for number, part in enumerate(parts):
            (tmp_path / f"batch-{number:05d}" / "facts.000.arrow").write_bytes(encode("facts", part)["arrow"])
    whole, lazy = concat(parts), StoredTable(tmp_path, "facts")
    for column in ("unit", "kind"):
        expected = whole[column].value_counts()
        got = lazy.value_counts(column)
        assert got.index.tolist() == expected.index.tolist() and got.tolist() == expected.tolist()
