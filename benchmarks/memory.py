"""Peak memory and speed of ``unitynlp analyze --no-cluster`` on a corpus replicated 1×, 4×, 16× ….

usage: python benchmarks/memory.py CORPUS [--replicate 1,4,16] [--jobs N] [--batch-chars N]
                                   [--command analyze|segment|facts] [--peer]

Each replicated corpus is built in a temporary folder (never inside the repository): N copies
of CORPUS's text files, each copy under its own sub-folder (``copy-000/`` …). When CORPUS has a
``metadata.csv`` or ``metadata.jsonl`` at its root, a replicated one is written beside the
copies (ids and file paths prefixed with the copy's folder), so the grouping and keyness
tables are built as for the original. ``unitynlp analyze COPY -o OUT --no-cluster`` then runs in
a subprocess, and the script prints for each size: characters, wall time, chars/s, the peak
resident memory of the largest single process (``ru_maxrss`` of the child, as ``/usr/bin/time
-f %M`` reports it) and the peak of the whole process tree summed (main process and worker
processes, sampled every 50 ms with psutil when it is installed), with the ratios to the
first size. Memory that stays flat as the corpus grows is the point of the batch-wise run.

``--command segment`` runs ``unitynlp segment COPY --format text -o OUT`` instead (one line of
tokens per document), ``--command facts`` runs ``unitynlp facts COPY --format csv -o OUT``.
``--peer`` (with segment) also times ``jieba.lcut`` (one process, jieba's own dictionary, on the
converted text) over CORPUS once and prints each size's speed as a ratio to it.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEXT_SUFFIXES = (".txt", ".md", ".docx")
METADATA = ("metadata.csv", "metadata.jsonl")


def replicate(corpus: Path, times: int, target: Path) -> int:
    """``times`` copies of the text files of ``corpus`` under ``target``; returns the characters."""
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
    if not files:
        sys.exit(f"{corpus}: no .txt, .md or .docx files; pass a corpus folder")
    chars = sum(len(p.read_text(encoding="utf-8", errors="replace")) for p in files if p.suffix != ".docx")
    for n in range(times):
        for path in files:
            copy = target / f"copy-{n:03d}" / path.relative_to(corpus)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
    _replicate_metadata(corpus, times, target)
    return chars * times


def _replicate_metadata(corpus: Path, times: int, target: Path) -> None:
    """A root metadata file for the copies: ``doc_id``/``id`` and ``file`` prefixed per copy."""
    for name in METADATA:
        source = corpus / name
        if not source.exists():
            continue
        if name.endswith(".jsonl"):
            rows = [json.loads(line) for line in source.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
        else:
            with source.open(encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.DictReader(fh))
        out = []
        for n in range(times):
            for row in rows:
                row = dict(row)
                for key in ("doc_id", "id", "file"):
                    if row.get(key):
                        row[key] = f"copy-{n:03d}/{row[key]}"
                out.append(row)
        if name.endswith(".jsonl"):
            (target / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
        else:
            with (target / name).open("w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else [])
                writer.writeheader()
                writer.writerows(out)
        return


def run(command: list[str]) -> tuple[float, float, float | None, str, str]:
    """Wall seconds, the largest process's peak RSS (MB), the tree's summed peak (MB), stdout, error."""
    try:
        import psutil
    except ImportError:
        psutil = None
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(command, stdout=out, stderr=err)
        tree_peak = _watch(psutil, child) if psutil is not None else 0.0
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
    error = (lines[-1] if lines else f"exit code {child.returncode}") if child.returncode else ""
    return seconds, usage.ru_maxrss / 1024, (tree_peak / 2 ** 20 if psutil else None), stdout, error


def analysed_chars(summary: str, fallback: int) -> int:
    """The ``characters`` row of the summary ``unitynlp analyze`` prints."""
    found = re.search(r"^\s*characters\s+(\d+)\s*$", summary, re.M)
    return int(found.group(1)) if found else fallback


def _watch(psutil, child: subprocess.Popen) -> float:
    """Sample the summed RSS of ``child`` and its descendants until it exits; the peak in bytes."""
    peak = 0.0
    try:
        proc = psutil.Process(child.pid)
        while proc.status() != psutil.STATUS_ZOMBIE:
            total = 0
            for p in [proc, *proc.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            peak = max(peak, total)
            time.sleep(0.05)
    except psutil.Error:
        pass
    return peak


COMMANDS = {  # what --command runs on a copy, writing into OUT
    "analyze": lambda corpus, out: ["analyze", corpus, "-o", out, "--no-cluster"],
    "segment": lambda corpus, out: ["segment", corpus, "--format", "text", "-o", f"{out}.txt"],
    "facts": lambda corpus, out: ["facts", corpus, "--format", "csv", "-o", f"{out}.csv"],
}


def jieba_speed(corpus: Path) -> float:
    """Characters a second of ``jieba.lcut`` over the converted text of ``corpus`` (one process)."""
    from _timing import jieba_lcut_time

    from unitynlp.convert import get_converter
    from unitynlp.corpus import read_corpus

    converter = get_converter()
    texts = [converter.convert(t).text for t in read_corpus(corpus)["text"]]
    return sum(map(len, texts)) / jieba_lcut_time(texts, 1)


def unitynlp_command() -> list[str]:
    script = Path(sys.executable).with_name("unitynlp")
    return [str(script)] if script.exists() else [sys.executable, "-m", "unitynlp"]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path, help="a corpus folder")
    ap.add_argument("--replicate", default="1,4,16", help="comma-separated replication factors")
    ap.add_argument("--jobs", type=int, default=None, help="passed to unitynlp analyze (default: its own, every core)")
    ap.add_argument("--batch-chars", type=int, default=None, help="passed to unitynlp analyze")
    ap.add_argument("--command", choices=sorted(COMMANDS), default="analyze", help="the command to run")
    ap.add_argument("--peer", action="store_true", help="with segment: ratio to jieba.lcut on CORPUS")
    args = ap.parse_args(argv)
    factors = [int(n) for n in args.replicate.split(",") if n.strip()]
    extra = (["--jobs", str(args.jobs)] if args.jobs is not None else []) + \
            (["--batch-chars", str(args.batch_chars)] if args.batch_chars else [])
    shown = " ".join(COMMANDS[args.command]("COPY", "OUT"))
    print(f"corpus: {args.corpus}; unitynlp {shown} {' '.join(extra)}".rstrip())
    peer = jieba_speed(args.corpus) if args.peer and args.command == "segment" else None
    if peer:
        print(f"jieba.lcut on {args.corpus} (one process): {peer / 1e6:.3f} M chars/s")
    print(f"{'copies':>6} {'characters':>13} {'seconds':>8} {'M chars/s':>10} {'peak MB':>8} {'tree MB':>8}"
          f"   ratios to {factors[0]}x: chars, seconds, peak, tree" + ("; speed / jieba.lcut" if peer else ""))
    first = None
    for times in factors:
        with tempfile.TemporaryDirectory(prefix=f"unitynlp-mem-{times}x-") as tmp:
            corpus = Path(tmp) / "corpus"
            chars = replicate(args.corpus, times, corpus)
            out = Path(tmp) / "out"
            command = [*unitynlp_command(), *COMMANDS[args.command](str(corpus), str(out)), *extra]
            seconds, peak, tree, stdout, error = run(command)
        if error:
            print(f"{times:>5}x failed: {error}", flush=True)
            continue
        chars = analysed_chars(stdout, chars)
        row = (chars, seconds, peak, tree or 0.0)
        first = first or row
        ratios = ", ".join(f"{a / b:.2f}" if b else "-" for a, b in zip(row, first))
        tree_cell = f"{tree:8.0f}" if tree is not None else f"{'-':>8}"
        versus = f"; {chars / seconds / peer:.1f}x" if peer else ""
        print(f"{times:>5}x {chars:>13,} {seconds:>8.1f} {chars / seconds / 1e6:>10.3f} {peak:>8.0f} {tree_cell}"
              f"   {ratios}{versus}", flush=True)


if __name__ == "__main__":
    main()
