import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from unitynlp.cli import cli


@pytest.fixture
def run():
    def invoke(*args, input=None):
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return invoke


def test_corpus_lists_bundled_documents(run):
    result = run("corpus", "--format", "jsonl")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 0
    assert [r["doc_id"] for r in rows] == ["seed-1", "seed-2", "seed-3", "seed-4", "seed-5"]
    assert rows[1]["region"] == "乌鲁木齐/新疆" and "text" not in rows[0]


def test_convert_stdin_exact_output(run):
    result = run("convert", "-", input="著力推進民族團結進步\n".encode("big5"))
    assert result.exit_code == 0
    assert result.stdout == "着力推进民族团结进步\n"


def test_segment_text_format_exact(run, tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("堅持三個離不開，鑄牢中華民族共同體意識。", encoding="utf-8")
    result = run("segment", str(path), "--format", "text")
    assert result.stdout == "r\t坚持 三个离不开 ， 铸牢中华民族共同体意识 。\n"


def test_segment_csv_offsets_into_original(run, tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("堅持三個離不開", encoding="utf-8")
    result = run("segment", str(path), "--format", "csv")
    assert result.stdout == ("doc_id,position,token,start,end,stopword\n"
                             "r,0,坚持,0,2,True\nr,1,三个离不开,2,7,False\n")


def test_output_file_with_bom_and_no_overwrite(run, tmp_path):
    out = tmp_path / "docs.csv"
    assert run("corpus", "-o", str(out)).exit_code == 0
    assert out.read_bytes().startswith("\ufeffdoc_id".encode("utf-8"))
    again = CliRunner().invoke(cli, ["corpus", "-o", str(out)])
    assert again.exit_code == 1 and "exists already" in again.stderr and "--force" in again.stderr
    assert run("corpus", "-o", str(out), "--force").exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["corpus", "missing.txt"], "missing.txt: no such file or folder"),
    (["segment", "EMPTY"], "no readable"),
    (["convert", "BAD"], "pass --encoding"),
])
def test_bad_input_one_line_error(tmp_path, args, message):
    (tmp_path / "EMPTY").mkdir()
    (tmp_path / "BAD").mkdir()
    (tmp_path / "BAD" / "x.txt").write_bytes(bytes([0x81, 0x30]) * 3 + b"\xff\xff")
    args = [str(tmp_path / a) if a in ("EMPTY", "BAD") else a for a in args]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_python_dash_m_and_version():
    out = subprocess.run([sys.executable, "-m", "unitynlp", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "unitynlp, version 0.1.0"


def test_help_everywhere(run):
    for command in cli.commands:
        result = run(command, "--help")
        assert result.exit_code == 0 and "Example" in result.stdout


def test_os_errors_are_one_line(tmp_path, monkeypatch):
    import unitynlp.output

    def refuse(target, data):
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr(unitynlp.output, "atomic_write", refuse)
    result = CliRunner().invoke(cli, ["corpus", "-o", str(tmp_path / "docs.csv")])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {tmp_path / 'docs.csv'}: Permission denied"


def test_facts_of_one_report_through_the_console_entry_point(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text("现有干部职工738人，森林覆盖率53.2%。", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "unitynlp", "facts", str(report), "--format", "jsonl"],
                         capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.count('"doc_id": "r"') == 2
    assert out.stderr.strip() == "unitynlp: 2 facts in 1 documents: 1 count, 1 percent"


def test_every_command_with_per_document_work_takes_jobs(run):
    takes = {name for name in cli.commands if "--jobs" in run(name, "--help").stdout}
    assert takes == set(cli.commands) - {"corpus"}


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "text"])
def test_frames_render_as_their_rows_do(fmt):
    import pandas as pd

    from unitynlp.corpus import read_corpus
    from unitynlp.output import render_frame, render_records
    from unitynlp.segment import segment_with

    mixed = pd.DataFrame({"a": [1, None, 3], "b": pd.array([1, None, 2], dtype="Int64"), "c": [True, False, True],
                          "d": ["x,y", 'q"', None], "e": [[1, 2], (3,), "z"], "f": [1.5, float("nan"), 2.0],
                          "g": pd.array(["a", None, "b"], dtype="string"), "h": ["a,b", 'c"d', "\n"],
                          "i": pd.Series(["多", "x y", ""]).astype("string")})
    for frame in (mixed, segment_with(read_corpus().head(2))):
        columns = [*map(str, frame.columns), "absent"]
        assert render_frame(frame, columns, fmt) == render_records(frame.to_dict("records"), columns, fmt)


def test_segment_text_lines_hold_the_token_frame(run, tmp_path):
    from unitynlp.corpus import read_corpus
    from unitynlp.segment import segment

    tokens = segment(read_corpus())
    expected = "".join(f"{doc_id}\t{' '.join(group)}\n" for doc_id, group in tokens.groupby("doc_id", sort=False)["token"])
    assert run("segment", "--format", "text").stdout == expected
    out = tmp_path / "tokens.txt"
    assert run("segment", "--format", "text", "-o", str(out), "-j", "2").exit_code == 0
    assert out.read_text(encoding="utf-8") == expected


@pytest.mark.parametrize("command, fmt", [("segment", "text"), ("segment", "csv"), ("segment", "jsonl"),
                                          ("facts", "csv")])
def test_batched_commands_on_kept_workers_write_what_one_process_writes(tmp_path, monkeypatch, command, fmt):
    import unitynlp.runner
    from unitynlp.corpus import read_corpus

    corpus = tmp_path / "reports"
    corpus.mkdir()
    for copy in range(3):  # 15 reports in several batches
        for doc_id, text in zip(read_corpus()["doc_id"], read_corpus()["text"]):
            (corpus / f"{doc_id}-{copy}.txt").write_text(text, encoding="utf-8")
    monkeypatch.setattr(unitynlp.runner, "PARALLEL_MIN_CHARS", 0)  # workers even for a small corpus
    pools = []
    real = unitynlp.runner.ProcessPoolExecutor
    monkeypatch.setattr(unitynlp.runner, "ProcessPoolExecutor", lambda **k: pools.append(1) or real(**k))
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"{command}-{jobs}.{fmt}"
        result = CliRunner().invoke(cli, [command, str(corpus), "--format", fmt, "-o", str(out), "-j", jobs,
                                          "--batch-chars", "8000"])
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] and len(outputs[0]) > 1000
    assert len(pools) == 1  # one pool of workers for all the batches of the -j 2 run
