"""Start-up cost of the command line: ``unitynlp facts`` on one report against a bare ``python -c pass``.

usage: python benchmarks/startup.py [FILE] [--runs 10]

Runs each command ``--runs`` times (after one untimed run that fills the OS file cache and
unitynlp's own caches) and prints the median and the fastest wall time, and the ratio of the
median to the median of ``python -c pass``: ``python -c pass``, ``unitynlp --version``,
``unitynlp facts FILE`` as a table and ``--format jsonl`` (the click command, as every command
line runs), the same facts through the library alone (``read_corpus`` and
``unitynlp.facts.extract_facts``, written as JSON Lines: what the command adds to them is click
and its output formats), and ``unitynlp segment FILE``. FILE defaults to the bundled
``seed-2.txt``. Output goes to /dev/null, so printing is not measured. The figures are
measurements to compare between versions; there is no target to meet.

It measures the unitynlp that ``python`` imports: an editable install adds its import hook to
every run (``python -c pass`` included), and with ``PYTHONDONTWRITEBYTECODE`` set a checkout
without ``.pyc`` files is compiled on every run, a cost a normal install does not pay.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

LIBRARY_FACTS = """import json, sys
from unitynlp.corpus import read_corpus
from unitynlp.facts import extract_facts
docs = read_corpus(sys.argv[1])
rows = [r for doc_id, text in zip(docs["doc_id"], docs["text"]) for r in extract_facts(text, doc_id=doc_id)]
sys.stdout.write("".join(json.dumps(r, ensure_ascii=False) + "\\n" for r in rows))
"""


def wall_times(command: list[str], runs: int) -> list[float]:
    """Wall seconds of ``runs`` runs of ``command`` (one untimed run first)."""
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return times


def default_file() -> Path:
    """The bundled seed-2.txt, found in the checkout (importing unitynlp from it would shadow the
    installed package under test)."""
    return Path(__file__).resolve().parents[1] / "corpora" / "seed" / "seed-2.txt"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", type=Path, help="one report (default: the bundled seed-2.txt)")
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args(argv)
    path = str(args.file or default_file())
    script = Path(sys.executable).with_name("unitynlp")
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "unitynlp"]
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "unitynlp --version": [*cli, "--version"],
        "unitynlp facts FILE": [*cli, "facts", path],  # the terminal table
        "unitynlp facts FILE --format jsonl": [*cli, "facts", path, "--format", "jsonl"],
        # the same work through the library, without the command line (click)
        "library: read_corpus + extract_facts": [sys.executable, "-c", LIBRARY_FACTS, path],
        "unitynlp segment FILE": [*cli, "segment", path],
    }
    chars = len(Path(path).read_text(encoding="utf-8", errors="replace"))
    print(f"FILE: {path} ({chars:,} characters); {args.runs} runs each, median and fastest")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("PYTHONDONTWRITEBYTECODE is set: modules without a .pyc file are compiled on every run")
    base = None
    for name, command in commands.items():
        times = wall_times(command, args.runs)
        median = statistics.median(times)
        base = base or median
        print(f"{name:38s} {median * 1000:8.0f} ms  (fastest {min(times) * 1000:5.0f} ms)  "
              f"{median / base:6.1f}x python")


if __name__ == "__main__":
    main()
