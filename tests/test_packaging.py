"""The built wheel carries the data files, and they resolve from the installed layout."""
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _files_under(folder: Path) -> list[str]:
    """Every file of a package folder that is not Python code, as a path in the wheel."""
    return sorted(p.relative_to(ROOT).as_posix() for p in folder.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".py", ".pyc"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "-q", "-w", str(out), str(ROOT)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    return next(out.glob("unitynlp-*.whl"))


def test_wheel_holds_data_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    data = _files_under(ROOT / "unitynlp" / "data")
    corpus = _files_under(ROOT / "unitynlp" / "corpora")
    assert len(data) >= 6
    assert {"unitynlp/corpora/seed/metadata.jsonl", "unitynlp/corpora/seed/seed-1.txt",
            "unitynlp/corpora/seed/seed-5.txt"} <= set(corpus)
    missing = [name for name in data + corpus + ["unitynlp/py.typed"] if name not in names]
    assert not missing, f"not in the wheel: {missing}; see [tool.setuptools.package-data]"


def test_wheel_holds_only_the_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")} == {"unitynlp"}
    assert not [name for name in names if name.endswith((".c", ".pyc"))]


def test_data_resolves_from_installed_wheel(wheel, tmp_path):
    zipfile.ZipFile(wheel).extractall(tmp_path)
    code = ("import importlib.resources as r, unitynlp, unitynlp.corpus as c, unitynlp.lexicon as l,"
            " unitynlp.segment as s;"
            "assert str(tmp) in unitynlp.__file__;"
            "assert str(tmp) in str(c.bundled_corpus_path());"
            "d = c.read_corpus(); assert len(d) == 5;"
            "assert r.files('unitynlp').joinpath('py.typed').is_file();"
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
