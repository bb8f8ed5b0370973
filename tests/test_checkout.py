"""A plain checkout works as the installed package does: the bundled corpus lives inside ``unitynlp``."""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_top_level_corpora_seed_is_the_bundled_corpus():
    """``corpora/seed`` (the README's and the help's examples) is the package's corpus, not a copy."""
    top, bundled = ROOT / "corpora" / "seed", ROOT / "unitynlp" / "corpora" / "seed"
    assert top.is_symlink() and top.resolve() == bundled.resolve()
    assert (top / "seed-3.txt").is_file()


def test_package_copied_onto_sys_path_finds_its_corpus(tmp_path):
    """No install: the ``unitynlp`` folder alone on ``PYTHONPATH`` reads the bundled corpus from itself."""
    shutil.copytree(ROOT / "unitynlp", tmp_path / "unitynlp",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.c"))
    code = ("import unitynlp, unitynlp.corpus as c; p = c.bundled_corpus_path();"
            "print(unitynlp.__file__, p, len(c.read_corpus(p)), sep='\\n')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                            env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr[-2000:]
    module, corpus, count = result.stdout.split("\n")[:3]
    assert module.startswith(str(tmp_path)) and corpus == str(tmp_path / "unitynlp" / "corpora" / "seed")
    assert count == "5"
