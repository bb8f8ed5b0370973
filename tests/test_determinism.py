"""The same input gives byte-identical output in two processes with different ``PYTHONHASHSEED``.

The order of a set or dict of strings changes with the hash seed, so an output that depends on
it differs from one process to the next; a call compared with itself in one process cannot show
that. Each case runs twice at once, in fresh processes with the seeds 0 and 12345, on the
bundled corpus with one job, and compares stdout, stderr and the files written byte for byte.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

SEEDS = ("0", "12345")
TIMEOUT = 300  # seconds: a guard against a hang, not a speed target


def run_both(args: list[str], tmp_path: Path) -> list[Path]:
    """Run ``python ARGS`` under each seed, each in a folder of its own (its stdout and stderr
    kept there as files); both folders."""
    folders, procs = [], []
    for seed in SEEDS:
        folder = tmp_path / f"hashseed-{seed}"
        folder.mkdir()
        env = dict(os.environ, PYTHONHASHSEED=seed)
        with open(folder / "stdout", "wb") as out, open(folder / "stderr", "wb") as err:
            procs.append(subprocess.Popen([sys.executable, *args], cwd=folder, env=env, stdout=out, stderr=err))
        folders.append(folder)
    for proc, folder in zip(procs, folders):
        try:
            status = proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            for p in procs:
                p.kill()
            raise
        assert status == 0, (folder / "stderr").read_text(encoding="utf-8", errors="replace")
    return folders


def assert_same(folders: list[Path], name: str) -> bytes:
    """The file ``name`` is the same in both folders; its content."""
    first, second = ((folder / name).read_bytes() for folder in folders)
    assert first == second, f"{name} differs between PYTHONHASHSEED={SEEDS[0]} and {SEEDS[1]}"
    return first


def test_the_seeds_reach_the_processes(tmp_path):
    folders = run_both(["-c", "print(hash('民族团结'), ' '.join({'一', '二', '三', '四', '五', '六'}))"], tmp_path)
    hashes = [(folder / "stdout").read_text(encoding="utf-8").split()[0] for folder in folders]
    assert hashes[0] != hashes[1]


@pytest.mark.parametrize("args, min_lines", [
    pytest.param(["cluster", "--seed", "0", "--show", "assignments", "--format", "csv"], 6, id="cluster-doc"),
    pytest.param(["cluster", "--seed", "0", "--show", "assignments", "--format", "csv", "--unit", "section"], 16,
                 id="cluster-section"),
    pytest.param(["discover", "--format", "csv"], 20, id="discover"),
    pytest.param(["terms", "--format", "csv"], 20, id="terms"),
    pytest.param(["compare", "--by", "level", "--target", "company", "--format", "csv"], 20, id="compare"),
    pytest.param(["facts", "--format", "csv"], 100, id="facts"),
])
def test_command_output(tmp_path, args, min_lines):
    folders = run_both(["-m", "unitynlp", *args, "--jobs", "1"], tmp_path)
    stdout = assert_same(folders, "stdout").decode("utf-8")
    assert_same(folders, "stderr")  # the chosen k and silhouettes, the tally of facts
    assert stdout.count("\n") >= min_lines, stdout


@pytest.mark.parametrize("cluster", [False, True], ids=["no-cluster", "cluster"])
def test_analyze_tables(tmp_path, cluster):
    folders = run_both(["-m", "unitynlp", "analyze", "-o", "out", "--jobs", "1",
                        *([] if cluster else ["--no-cluster"])], tmp_path)
    assert_same(folders, "stdout")
    names = [sorted(p.name for p in (folder / "out" / "csv").iterdir()) for folder in folders]
    assert names[0] == names[1]
    assert {"documents.csv", "term_hits.csv", "term_counts.csv", "facts.csv", "keyness.csv"} <= set(names[0])
    assert ("cluster_assignments.csv" in names[0]) == cluster
    lines = {name: assert_same(folders, f"out/csv/{name}").count(b"\n") for name in names[0]}
    assert lines["facts.csv"] > 100 and lines["term_hits.csv"] > 100 and lines["keyness.csv"] > 20, lines
    if cluster:
        assert lines["cluster_assignments.csv"] == 6 and lines["clusters.csv"] >= 3, lines


CLUSTER_METHODS = """
import sys
from unitynlp.cluster import cluster_units, unit_tokens
from unitynlp.corpus import read_corpus

units = unit_tokens(read_corpus(), unit="section")
for method, threshold in [("kmeans", 10 ** 12), ("kmeans", 0), ("agglomerative", 10 ** 12), ("nmf", 10 ** 12)]:
    result = cluster_units(units, k="auto", k_range=(2, 4), unit="section", method=method, seed=0,
                           stream_threshold=threshold, batch_size=8)  # threshold 0: the streaming path
    sys.stdout.write(f"{method} streaming={result.streaming} k={result.k} {result.scores}\\n")
    for frame in (result.assignments, result.clusters, result.coords):
        sys.stdout.write(frame.to_csv(index=False))
"""


def test_every_clustering_path(tmp_path):
    """KMeans in memory and streaming, agglomerative and NMF, on the sections of the bundled corpus."""
    folders = run_both(["-c", CLUSTER_METHODS], tmp_path)
    stdout = assert_same(folders, "stdout").decode("utf-8")
    assert "kmeans streaming=True" in stdout and "kmeans streaming=False" in stdout
    assert stdout.count("doc_id,section,start,end,cluster") == 4 and stdout.count("\n") > 4 * 40, stdout
