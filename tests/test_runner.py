"""The runner: parallel and distributed runs give exactly the single-process results, and workers
never outlive the process that started them."""
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from click.testing import CliRunner

from unitynlp.cli import cli
from unitynlp.cluster import cluster
from unitynlp.corpus import read_corpus
from unitynlp.facts import facts
from unitynlp.runner import Runner, chunk_docs, resolve_jobs
from unitynlp.segment import segment_with
from unitynlp.terms import discover, find_terms


@pytest.fixture(scope="module")
def docs():
    return read_corpus()


@pytest.fixture(scope="module")
def two():
    """Two worker processes, even on the small bundled corpus."""
    with Runner(2, min_chars=0) as runner:
        yield runner


@pytest.mark.parametrize("fn", [facts, find_terms, segment_with], ids=lambda f: f.__name__)
def test_two_processes_equal_one(docs, two, fn):
    pd.testing.assert_frame_equal(two.map(fn, docs), fn(docs))


def test_discover_with_two_processes_equals_one(docs, two):
    pd.testing.assert_frame_equal(discover(docs, runner=two), discover(docs))


@pytest.mark.parametrize("options", [{"unit": "doc"}, {"unit": "section"},
                                     {"unit": "section", "k": 3, "stream_threshold": 10, "batch_size": 8}],
                         ids=["doc", "section", "streaming"])
def test_cluster_with_two_processes_equals_one(docs, two, options):
    one, many = cluster(docs, seed=0, **options), cluster(docs, seed=0, runner=two, **options)
    for name in ("assignments", "clusters", "coords"):
        pd.testing.assert_frame_equal(getattr(many, name), getattr(one, name))
    assert (many.k, many.scores, many.streaming) == (one.k, one.scores, one.streaming)


def test_chunks_are_contiguous_and_complete(docs):
    many = pd.concat([docs] * 7, ignore_index=True).assign(doc_id=lambda d: [f"d{i}" for i in range(len(d))])
    chunks = chunk_docs(many, jobs=2)
    assert len(chunks) == 8
    assert pd.concat(chunks)["doc_id"].tolist() == many["doc_id"].tolist()


def test_jobs_resolution():
    assert resolve_jobs(1) == 1 and resolve_jobs(0) >= 1 and resolve_jobs(-100) == 1


def test_small_corpora_stay_in_process(docs, monkeypatch):
    import unitynlp.runner

    monkeypatch.setattr(unitynlp.runner, "ProcessPoolExecutor", None)  # would fail if used
    with Runner(2) as runner:
        assert runner.map(facts, docs).equals(facts(docs))


def _pid(docs):
    return pd.DataFrame({"pid": [os.getpid()] * len(docs)})


def test_workers_live_as_long_as_the_runner(docs):
    with Runner(2, min_chars=0) as runner:
        first = set(runner.map(_pid, docs)["pid"])
        second = set(runner.map(_pid, docs)["pid"])
    assert len(first | second) <= 2 and os.getpid() not in first  # the same two workers
    with Runner(2, min_chars=0) as runner:
        assert set(runner.map(_pid, docs)["pid"]).isdisjoint(first | second)  # another runner: new ones


def test_workers_are_not_forked_from_this_process():
    import unitynlp.runner

    context = unitynlp.runner._context()
    assert context.get_start_method() in ("forkserver", "spawn")


def test_dask_local_cluster_of_two_workers(docs):
    pytest.importorskip("dask.distributed")
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster_, \
            Runner(scheduler=cluster_.scheduler_address) as runner:
        result = runner.map(facts, docs)
    pd.testing.assert_frame_equal(result, facts(docs))


def test_unreachable_scheduler_is_a_clear_error(docs):
    pytest.importorskip("dask.distributed")
    result = CliRunner().invoke(cli, ["facts", "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 1 and "cannot reach the Dask scheduler" in result.stderr


@pytest.mark.parametrize("args", [["facts", "--format", "csv"],
                                  ["convert", "--format", "csv"], ["kwic", "民族团结", "--format", "csv"],
                                  ["segment", "--format", "csv"], ["terms", "--format", "csv"],
                                  ["discover", "--format", "csv"],
                                  ["cluster", "--unit", "section", "--show", "assignments", "--format", "csv"]],
                         ids=lambda a: a[0])
def test_commands_same_output_with_jobs(monkeypatch, args):
    import unitynlp.runner

    monkeypatch.setattr(unitynlp.runner, "PARALLEL_MIN_CHARS", 0)
    one = CliRunner().invoke(cli, [*args, "--jobs", "1"])
    two = CliRunner().invoke(cli, [*args, "--jobs", "2"])
    assert one.exit_code == two.exit_code == 0 and one.stdout == two.stdout and one.stdout.count("\n") > 5


def test_a_segmenter_of_ones_own_goes_to_the_workers(docs, two):
    from unitynlp.segment import Segmenter

    own = Segmenter(words=["民族团结进步创建"], hmm=False)
    one = cluster(docs, seed=0, unit="section", segmenter=own)
    many = cluster(docs, seed=0, unit="section", segmenter=own, runner=two)
    pd.testing.assert_frame_equal(many.assignments, one.assignments)
    pd.testing.assert_frame_equal(two.map(segment_with, docs, hmm=False), segment_with(docs, hmm=False))


def _big_corpus(folder, copies: int):
    folder.mkdir()
    text = "\n".join(read_corpus()["text"])
    for n in range(copies):
        (folder / f"r{n:03d}.txt").write_text(text, encoding="utf-8")


def _children(pid: int) -> set[int]:
    """Every process descended from ``pid`` (from /proc)."""
    found, frontier = set(), {pid}
    while frontier:
        parent = frontier.pop()
        try:
            with open(f"/proc/{parent}/task/{parent}/children") as fh:
                kids = {int(k) for k in fh.read().split()}
        except OSError:
            kids = set()
        frontier |= kids - found
        found |= kids
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().split(") ", 1)[1][0] != "Z":  # a zombie has ended
                    alive.add(pid)
        except OSError:
            pass
    return alive


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("command", [["analyze", "-o", "OUT", "--no-cluster"], ["segment", "-o", "OUT.csv"]],
                         ids=["analyze", "segment"])
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "kill"])
def test_workers_die_with_their_parent(tmp_path, command, how):
    corpus = tmp_path / "big"
    _big_corpus(corpus, 60)  # ~800,000 characters: a few seconds of work for two workers
    args = [a.replace("OUT", str(tmp_path / "out")) for a in command]
    main = subprocess.Popen([sys.executable, "-m", "unitynlp", args[0], str(corpus), *args[1:], "--jobs", "2",
                             "--batch-chars", "200000"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(workers) < 2 and main.poll() is None:
        time.sleep(0.1)
        workers = _children(main.pid)
    assert len(workers) >= 2, "no workers started"  # the fork server and its workers
    family = _children(main.pid)
    os.kill(main.pid, how)
    main.wait()
    deadline = time.monotonic() + 10
    while _alive(family) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(family), f"processes outlived their parent: {_alive(family)}"


def test_a_killed_run_leaves_no_hidden_file_behind(tmp_path):
    """The temporary file of a killed `-o` write is removed by the next write of that file."""
    from unitynlp.output import atomic_write

    target = tmp_path / "x.csv"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".x.csv.{dead.pid}.abc.part"
    stale.write_bytes(b"half a file")
    atomic_write(target, b"done")
    assert target.read_bytes() == b"done" and not stale.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]
