"""The command line tried as a hostile user would (issue 14): nothing lost, nothing hangs, nothing silent.

Each row of the issue's table has its tests; those that belong to one module live beside it:

=====  ==========================================================================================
row    tests
=====  ==========================================================================================
1      test_analyze.py: test_a_folder_of_the_users_is_never_replaced_even_with_force,
       test_earlier_results_are_replaced_only_with_force, test_results_are_never_written_over_or_inside_the_corpus
2      test_kwic.py (catastrophic patterns end with an error naming pattern and document)
3      test_runner.py: test_workers_die_with_their_parent, test_a_killed_run_leaves_no_hidden_file_behind
4      test_faults_corpus.py (files named with non-UTF-8 bytes)
5, 6   test_faults_corpus.py (metadata joined or reported; years as written)
7      test_faults_lexicon.py (bad lexicon rows name the file and line)
8      here: test_analyze_refuses_more_clusters_than_documents_as_cluster_does
9      test_analyze.py: test_results_follow_the_umask
10     test_analyze.py: test_a_second_run_into_the_same_folder_is_told_plainly
11     here: test_closed_stdin_is_one_line, test_ascii_only_stdout_is_one_line
12     here: test_usage_errors_are_clicks_and_input_errors_one_line
13     test_report.py (the report embeds the CJK glyphs it uses; readable tables)
=====  ==========================================================================================
"""
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from unitynlp.cli import cli


def _unitynlp(*args, **options):
    env = {**os.environ, **options.pop("env", {})}
    return subprocess.run([sys.executable, "-m", "unitynlp", *args], capture_output=True, text=True, env=env,
                          **options)


@pytest.mark.parametrize("command", [["analyze", "-o", "OUT"], ["cluster"]], ids=["analyze", "cluster"])
def test_analyze_refuses_more_clusters_than_documents_as_cluster_does(tmp_path, command):
    args = [a.replace("OUT", str(tmp_path / "out")) for a in command]
    result = CliRunner().invoke(cli, [*args, "-k", "1000"])
    assert result.exit_code == 1 and "-k 1000 is more than the 5" in result.stderr
    assert len(result.stderr.strip().splitlines()[-1:]) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_closed_stdin_is_one_line():
    result = _unitynlp("facts", "-", stdin=subprocess.DEVNULL, preexec_fn=lambda: os.close(0))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: CORPUS is - but there is no standard input to read; pipe a report in, or give a file"]


@pytest.mark.parametrize("command", [["terms"], ["facts"], ["corpus"], ["kwic", "三个离不开"]])
def test_ascii_only_stdout_is_one_line(command):
    result = _unitynlp(*command, env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: standard output cannot show Chinese (ascii); write to a file with -o FILE, or set PYTHONIOENCODING=utf-8")


def test_ascii_only_stdout_still_writes_files(tmp_path):
    result = _unitynlp("terms", "-o", str(tmp_path / "t.csv"), env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0 and "三个离不开" in (tmp_path / "t.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("args", [["facts", "--format", "xml"], ["terms", "-o", "."], ["nonsense"],
                                  ["terms", "--no-such-option"]])
def test_usage_errors_are_clicks_and_input_errors_one_line(tmp_path, args):
    """A mistyped command line gets click's usage message and status 2, as the README says; an input
    that cannot be used gets one line and status 1."""
    usage = CliRunner().invoke(cli, args, prog_name="unitynlp")
    assert usage.exit_code == 2 and usage.stderr.startswith("Usage: unitynlp") and "Error:" in usage.stderr
    bad = CliRunner().invoke(cli, ["facts", str(tmp_path / "missing.txt")])
    assert bad.exit_code == 1 and len(bad.stderr.strip().splitlines()) == 1
