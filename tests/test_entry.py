"""`unitynlp facts FILE` without click (unitynlp.entry) must do exactly what the click command does."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from unitynlp import entry
from unitynlp.cli import cli
from unitynlp.corpus import read_documents
from unitynlp.facts import KINDS, extract_facts, summary_line

from test_corpus import _docx  # noqa: I100 (a helper of the tests, not of the package)

SEED = Path(__file__).parent / "data" / "seed_reports.txt"
# the quick path; then whether it loaded click (it must not)
QUICK = ("import sys\nfrom unitynlp.entry import main\n"
         "try:\n    main(sys.argv[1:])\n"
         "finally:\n    print('click loaded:', 'click' in sys.modules, file=sys.stderr)\n")
CLICK = "import sys\nfrom unitynlp.cli import main\nmain(sys.argv[1:])\n"


@pytest.fixture
def files(tmp_path):
    """A compiled report (five reports, traditional), one short report, and files that are errors."""
    shutil.copy(SEED, tmp_path / "seed.txt")
    (tmp_path / "one.txt").write_text("现有干部职工738人，约占公司员工总数的9%，投入近3萬元。\n", encoding="utf-8")
    (tmp_path / "big5.txt").write_bytes("投入資金壹萬伍仟元，森林覆蓋率53.2%。".encode("big5"))
    (tmp_path / "gbk.txt").write_bytes("全年接待游客1.2億人次，同比增长15%。".encode("gb18030"))
    (tmp_path / "utf16.txt").write_text("新增就业岗位3200个，完成投资近3萬元。", encoding="utf-16")
    (tmp_path / "report.docx").write_bytes(_docx(["第一篇：城乡居民收入增长8.5%", "建成学校12所，投入壹萬伍仟元"]))
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    return tmp_path


CASES = [
    ["facts", "seed.txt"],
    ["facts", "seed.txt", "--format", "jsonl"],
    ["facts", "--format=csv", "seed.txt"],
    ["facts", "seed.txt", "--kind", "money", "--kind=percent", "--format", "json"],
    ["facts", "seed.txt", "--min-value", "1e4", "--format", "csv", "--format", "jsonl"],
    ["facts", "seed.txt", "--no-split", "--format", "jsonl"],
    ["facts", "seed.txt", "-j", "2", "--jobs=1", "--kind", "date"],
    ["facts", "one.txt", "--encoding", "utf-8"],
    ["facts", "big5.txt", "--format", "jsonl"],
    ["facts", "gbk.txt", "--format", "csv"],
    ["facts", "utf16.txt", "--format", "jsonl"],
    ["facts", "report.docx", "--format", "jsonl"],
    ["facts", "one.txt", "-o", "out.csv"],
    ["facts", "one.txt", "--output=out.jsonl", "--force"],
    ["facts", "one.txt", "-o", "out.xlsx", "--format", "csv"],
    # errors: the same one line and status
    ["facts", "big5.txt", "--encoding", "ascii"],
    ["facts", "empty.txt"],
    ["facts", "report.pdf"],
    ["facts", "one.txt", "-o", "missing/out.csv"],
]


def run(code: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True)


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.glob("out.*")}


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a[1:]))
def test_quick_path_writes_what_the_click_command_writes(files, monkeypatch, args):
    monkeypatch.chdir(files)
    assert entry.quick_facts_args(args) is not None
    (files / "out.jsonl").write_text("not replaced without --force\n")
    quick = run(QUICK, args, files)
    quick_files = outputs(files)
    for path in files.glob("out.*"):
        path.unlink()
    (files / "out.jsonl").write_text("not replaced without --force\n")
    slow = run(CLICK, args, files)
    assert quick.stderr.decode().endswith("click loaded: False\n")
    assert (quick.returncode, quick.stdout) == (slow.returncode, slow.stdout)
    assert quick.stderr.decode().replace("click loaded: False\n", "") == slow.stderr.decode()
    assert quick_files == outputs(files)
    assert slow.stderr.decode().count("\n") == 1  # a summary line or one error line, no traceback


def test_the_quick_path_writes_the_librarys_facts_of_the_compiled_seed(files, capsys):
    with pytest.raises(SystemExit) as stop:
        entry.main(["facts", str(files / "seed.txt"), "--format", "jsonl"])
    assert stop.value.code == 0
    out = capsys.readouterr()
    rows = [json.loads(line) for line in out.out.splitlines()]
    docs = read_documents(files / "seed.txt")
    assert [d["doc_id"] for d in docs] == ["seed-1", "seed-2", "seed-3", "seed-4", "seed-5"]
    expected = [r for d in docs for r in extract_facts(d["text"], doc_id=d["doc_id"])]
    assert [(r["doc_id"], r["start"], r["end"], r["value"], r["unit"]) for r in rows] == \
        [(r["doc_id"], r["start"], r["end"], r["value"], r["unit"]) for r in expected]
    assert len(rows) > 100 and out.err == f"unitynlp: {summary_line(expected)}\n"


@pytest.mark.parametrize("args", [
    ["facts"],  # the bundled corpus: a folder
    ["facts", "."],  # a folder
    ["facts", "-"],  # stdin
    ["facts", "--help"],
    ["facts", "one.txt", "-h"],
    ["facts", "one.txt", "two.txt"],
    ["facts", "one.txt", "--format", "xml"],
    ["facts", "one.txt", "--kind", "weight"],
    ["facts", "one.txt", "--kind"],
    ["facts", "one.txt", "--min-value", "many"],
    ["facts", "one.txt", "-j", "two"],
    ["facts", "one.txt", "-o=out.csv"],  # click reads the value as "=out.csv"
    ["facts", "one.txt", "-oout.csv"],
    ["facts", "one.txt", "--force=yes"],
    ["facts", "one.txt", "-o", "--force"],
    ["facts", "one.txt", "-o", "."],  # a folder
    ["facts", "one.txt", "--output="],
    ["facts", "one.txt", "--batch-chars", "100"],
    ["facts", "one.txt", "--dask"],
    ["facts", "one.txt", "--"],
    ["facts", "missing.txt"],
    ["terms", "one.txt"],
    ["--version"],
    [],
], ids=lambda a: " ".join(a) or "nothing")
def test_every_other_form_goes_to_click(files, monkeypatch, args):
    monkeypatch.chdir(files)
    (files / "two.txt").write_text("一个", encoding="utf-8")
    assert entry.quick_facts_args(args) is None


def test_options_read_without_click_are_the_click_commands():
    params = {opt: p for p in cli.commands["facts"].params for opt in p.opts}
    for option, (name, takes) in entry._OPTIONS.items():
        param = params[option]
        assert param.name == name, option
        assert param.is_flag == (takes == "flag"), option
        assert param.multiple == (name in entry._MULTIPLE), option
        if isinstance(takes, tuple):
            assert tuple(param.type.choices) == takes, option
        elif takes in ("int", "float"):
            assert isinstance(param.type, click.types.IntParamType if takes == "int" else click.types.FloatParamType)
    assert tuple(params["--kind"].type.choices) == KINDS
    # every option of the click command is either read without click or deliberately left to it
    left_to_click = {"--batch-chars", "--scheduler", "--dask"}
    assert set(params) == set(entry._OPTIONS) | left_to_click | {"corpus"}


@pytest.mark.parametrize("error, message", [(KeyboardInterrupt, "\nAborted!\n"), (BrokenPipeError, "")])
def test_an_interrupt_or_a_closed_pipe_ends_as_in_click(files, monkeypatch, capsys, error, message):
    """Ctrl-C: click's message; a reader that stopped early (head): quietly. Status 1 both."""
    import unitynlp.entry

    def stopped(*args, **kwargs):
        raise error

    silenced = []
    monkeypatch.setattr(unitynlp.entry, "write_facts", stopped)
    monkeypatch.setattr(unitynlp.entry, "_silence_stdout", lambda: silenced.append(True))
    with pytest.raises(SystemExit) as stop:
        entry.main(["facts", str(files / "one.txt")])
    assert stop.value.code == 1 and capsys.readouterr().err == message
    assert silenced == ([True] if error is BrokenPipeError else [])
