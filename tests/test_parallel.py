"""Parallel and distributed runs give exactly the single-process results."""
import pandas as pd
import pytest
from click.testing import CliRunner

from unitynlp.cli import cli
from unitynlp.cluster import cluster
from unitynlp.corpus import read_corpus
from unitynlp.facts import facts
from unitynlp.parallel import chunk_docs, map_docs, resolve_jobs
from unitynlp.segment import segment_with
from unitynlp.terms import discover, find_terms


@pytest.fixture(scope="module")
def docs():
    return read_corpus()


@pytest.mark.parametrize("fn", [facts, find_terms, segment_with], ids=lambda f: f.__name__)
def test_two_processes_equal_one(docs, fn):
    pd.testing.assert_frame_equal(map_docs(fn, docs, jobs=2, min_chars=0), fn(docs))


def _two_workers(fn, docs, **options):
    """A ``run`` that uses two worker processes even on the small bundled corpus."""
    return map_docs(fn, docs, jobs=2, min_chars=0, **options)


def test_discover_with_two_processes_equals_one(docs):
    pd.testing.assert_frame_equal(discover(docs, run=_two_workers), discover(docs))


@pytest.mark.parametrize("options", [{"unit": "doc"}, {"unit": "section"},
                                     {"unit": "section", "k": 3, "stream_threshold": 10, "batch_size": 8}],
                         ids=["doc", "section", "streaming"])
def test_cluster_with_two_processes_equals_one(docs, options):
    one, two = cluster(docs, seed=0, **options), cluster(docs, seed=0, run=_two_workers, **options)
    for name in ("assignments", "clusters", "coords"):
        pd.testing.assert_frame_equal(getattr(two, name), getattr(one, name))
    assert (two.k, two.scores, two.streaming) == (one.k, one.scores, one.streaming)


def test_chunks_are_contiguous_and_complete(docs):
    many = pd.concat([docs] * 7, ignore_index=True).assign(doc_id=lambda d: [f"d{i}" for i in range(len(d))])
    chunks = chunk_docs(many, jobs=2)
    assert len(chunks) == 8
    assert pd.concat(chunks)["doc_id"].tolist() == many["doc_id"].tolist()


def test_jobs_resolution():
    assert resolve_jobs(1) == 1 and resolve_jobs(0) >= 1 and resolve_jobs(-100) == 1


def test_facts_cli_same_output_with_jobs(monkeypatch):
    import unitynlp.parallel

    monkeypatch.setattr(unitynlp.parallel, "PARALLEL_MIN_CHARS", 0)
    one = CliRunner().invoke(cli, ["facts", "--format", "csv", "--jobs", "1"])
    two = CliRunner().invoke(cli, ["facts", "--format", "csv", "--jobs", "2"])
    assert one.exit_code == two.exit_code == 0 and one.stdout == two.stdout


def test_small_corpora_stay_in_process(docs, monkeypatch):
    import unitynlp.parallel

    monkeypatch.setattr(unitynlp.parallel, "ProcessPoolExecutor", None)  # would fail if used
    assert map_docs(facts, docs, jobs=2).equals(facts(docs))


def test_dask_local_cluster_of_two_workers(docs):
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = map_docs(facts, docs, scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(result, facts(docs))
    del Client


def test_unreachable_scheduler_is_a_clear_error(docs):
    pytest.importorskip("dask.distributed")
    result = CliRunner().invoke(cli, ["facts", "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 1 and "cannot reach the Dask scheduler" in result.stderr


@pytest.mark.parametrize("args", [["convert", "--format", "csv"], ["kwic", "民族团结", "--format", "csv"],
                                  ["segment", "--format", "csv"], ["terms", "--format", "csv"],
                                  ["discover", "--format", "csv"],
                                  ["cluster", "--unit", "section", "--show", "assignments", "--format", "csv"]],
                         ids=lambda a: a[0])
def test_commands_same_output_with_jobs(monkeypatch, args):
    import unitynlp.parallel

    monkeypatch.setattr(unitynlp.parallel, "PARALLEL_MIN_CHARS", 0)
    one = CliRunner().invoke(cli, [*args, "--jobs", "1"])
    two = CliRunner().invoke(cli, [*args, "--jobs", "2"])
    assert one.exit_code == two.exit_code == 0 and one.stdout == two.stdout and one.stdout.count("\n") > 5


def test_a_segmenter_of_ones_own_goes_to_the_workers(docs):
    from unitynlp.segment import Segmenter

    own = Segmenter(words=["民族团结进步创建"], hmm=False)
    one = cluster(docs, seed=0, unit="section", segmenter=own)
    two = cluster(docs, seed=0, unit="section", segmenter=own, run=_two_workers)
    pd.testing.assert_frame_equal(two.assignments, one.assignments)
    pd.testing.assert_frame_equal(map_docs(segment_with, docs, jobs=2, min_chars=0, hmm=False),
                                  segment_with(docs, hmm=False))
