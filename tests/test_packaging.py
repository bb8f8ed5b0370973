"""The built wheel carries the data files, and they resolve from the installed layout."""
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "-q", "-w", str(out), str(ROOT)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    return next(out.glob("unitynlp-*.whl"))


def test_wheel_holds_data_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = [p.relative_to(ROOT).as_posix() for p in (ROOT / "unitynlp" / "data").iterdir()
               if p.suffix in (".tsv", ".txt", ".csv")]
    assert len(shipped) >= 6
    for name in shipped + ["unitynlp/corpora/seed/metadata.jsonl", "unitynlp/corpora/seed/seed-1.txt",
                           "unitynlp/corpora/seed/seed-5.txt"]:
        assert name in names


def test_data_resolves_from_installed_wheel(wheel, tmp_path):
    zipfile.ZipFile(wheel).extractall(tmp_path)
    code = ("import unitynlp, unitynlp.corpus as c, unitynlp.lexicon as l, unitynlp.segment as s;"
            "assert str(tmp) in unitynlp.__file__;"
            "d = c.read_corpus(); assert len(d) == 5;"
            "assert len(l.default_lexicon()) >= 200; assert '全省' in s.stopwords(); print('ok')")
    env_code = f"import pathlib; tmp = pathlib.Path({str(tmp_path)!r}); " + code
    result = subprocess.run([sys.executable, "-c", env_code], capture_output=True, text=True,
                            cwd=tmp_path, env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin",
                                               "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


def test_every_subpackage_is_in_the_wheel(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in (ROOT / "unitynlp").rglob("__init__.py"):
        if "__pycache__" not in init.parts:
            assert init.relative_to(ROOT).as_posix() in names
