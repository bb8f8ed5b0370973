"""Run every ``unitynlp`` command over fixed corpora, and compare the outputs of two runs.

usage:
  python benchmarks/compare_outputs.py run --unitynlp EXE --out DIR [--corpus NAME=PATH ...]
                                           [--only GLOB ...] [--timeout 600]
  python benchmarks/compare_outputs.py diff BEFORE_DIR AFTER_DIR [--only GLOB ...] [--strict]
  python benchmarks/compare_outputs.py list [--corpus NAME=PATH ...]

``run`` runs a fixed list of command lines (the cases, see :func:`cases`) with the executable
EXE over each corpus, one after the other, and keeps under ``DIR/<corpus>/<case>/``: ``stdout``,
``stderr``, ``status.json`` (command line, exit status, seconds, timeout) and what ``-o`` wrote
(``out.csv``, ``out.xlsx``, the ``out/`` folder of ``analyze`` …). Each case runs in its own
folder with relative paths, so two runs give the same command lines wherever DIR is. Default
corpora: ``bundled`` (no CORPUS argument), ``national`` and ``provincial`` (the folders under
``/work/shared/corpora``); ``--corpus NAME=PATH`` replaces them (``--corpus bundled`` for the
bundled one). Progress goes to stderr.

``diff`` compares two such folders case by case: exit status and every output byte for byte
(text, CSV, JSON), ``.xlsx`` by the values of every cell of every sheet, ``.parquet`` by schema
and table content; it prints one line per case (identical / DIFFERS with the first differing
line or cell / missing / timeout) and a count, and exits 1 if an output differs or is missing.
Figures (``figures/*.svg``, ``*.png``) and ``report.html`` of ``analyze`` are reported in a
category of their own, and stderr in another: neither fails the comparison unless ``--strict``
(figures and report) is given.

Normalised before comparing, since they differ between two runs of the same code or between
two installations of it:

* the folder of the bundled corpus (``.../site-packages/unitynlp/corpora/seed`` in a normal
  install, ``<checkout>/corpora/seed`` in an editable one), found by each run and kept in
  ``DIR/run.json``: replaced by ``<BUNDLED>`` everywhere, also where a terminal table cut the
  path short (``/work/main/corpora/seed/see…``);
* the absolute path of DIR itself (``<OUT>``), should one appear;
* in SVG (and HTML) figures, matplotlib's ``<dc:date>`` and its random clip-path ids
  (``p`` + 10 hex digits), renumbered in order of appearance;
* in parquet files, the writer's version (``created_by``, ``pandas_version``, ``creator``):
  only schema and values are compared; in .xlsx files the zip's timestamps and
  ``docProps/core.xml``: only cell values are compared.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

SHARED = Path("/work/shared/corpora")
DEFAULT_CORPORA = {
    "bundled": None,
    "national": SHARED / "national_gwr",
    "provincial": SHARED / "provincial_gwr_2025",
}
#: the user lexicon of the lexicon cases (header of ``unitynlp/data/lexicon.tsv``): 六个必须 (in no
#: corpus: the shipped 六个必须坚持 is longer), 送温暖 (new; bundled, national) and 交往交流交融
#: (shipped as a policy_term, given again as a slogan with one more variant)
LEXICON_TSV = (
    "canonical\tcategory\tvariants\texpansion\tperiod\tnote\n"
    "六个必须\tnumbered_formula\t\t"
    "必须坚持人民至上、必须坚持自信自立、必须坚持守正创新、必须坚持问题导向、必须坚持系统观念、必须坚持胸怀天下"
    "\t2022-\tcompare_outputs.py: a user entry\n"
    "送温暖\tcampaign\t送溫暖\t\t\tcompare_outputs.py: not in the shipped lexicon\n"
    "交往交流交融\tslogan\t交流交往交融|交往交融交流\t\t\tcompare_outputs.py: replaces the shipped entry\n"
)
#: inputs the runner writes (the lexicon, a copy of one bundled report), relative to a case folder
INPUTS = "../../_inputs"
REGEX = "[一二三四五六]个[^，。]{1,3}"
TIMEOUT = 600


# --------------------------------------------------------------------------------------- corpora

@dataclass
class Profile:
    """What the cases of one corpus need: its argument and the metadata columns to use."""
    name: str
    path: str | None                 # None: the bundled corpus (no CORPUS argument)
    compare_by: str                  # a metadata column with 2+ values
    compare_target: str | None       # needed when the column has more than two values
    kwic_term: str
    single_file: str                 # one report given directly (facts FILE, facts - < FILE)
    sections: bool = True            # run cluster --unit section
    by_columns: list = field(default_factory=lambda: ["year", "region"])

    @property
    def corpus_args(self) -> list[str]:
        return [] if self.path is None else [self.path]


def profile_for(name: str, path: Path | None) -> Profile:
    """The profile of a default corpus, or one read from the metadata of any other folder."""
    if path is None:
        # 5 documents; level has 5 values, region_basis two (stated, inferred) and one missing
        return Profile(name, None, "region_basis", None, "民族团结", f"{INPUTS}/seed-2.txt")
    path = Path(path).resolve()
    if path == DEFAULT_CORPORA["national"]:
        # region is 全国 everywhere; doc_type: 52 government work reports, 20 NPC resolutions, 16 CPC
        return Profile(name, str(path), "doc_type", "government_work_report", "改革开放",
                       str(path / "txt/national_government_work_report_2024.txt"), sections=False)
    if path == DEFAULT_CORPORA["provincial"]:
        # one report per region, all of 2025
        return Profile(name, str(path), "region", "新疆维吾尔自治区", "新质生产力",
                       str(path / "txt/2025年新疆政府工作报告.txt"))
    rows = _metadata_rows(path)
    by, target = "", None
    for column in ("doc_type", "level", "region", "year"):
        values = [str(r[column]) for r in rows if r.get(column) not in (None, "")]
        distinct = sorted(set(values))
        if len(distinct) >= 2:
            by = column
            if len(distinct) > 2:
                target = max(distinct, key=values.count)
            break
    files = sorted(p for p in path.rglob("*") if p.suffix in (".txt", ".md", ".docx"))
    if not by or not files:
        sys.exit(f"{path}: no metadata column with two values, or no report; give another corpus")
    return Profile(name, str(path), by, target, "发展", str(files[0]))


def _metadata_rows(path: Path) -> list[dict]:
    if (path / "metadata.jsonl").exists():
        return [json.loads(line) for line in (path / "metadata.jsonl").read_text("utf-8").splitlines()
                if line.strip()]
    if (path / "metadata.csv").exists():
        import csv
        with open(path / "metadata.csv", encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))
    return []


# ----------------------------------------------------------------------------------------- cases

@dataclass
class Case:
    name: str
    args: list[str]                  # after the executable
    stdin: str | None = None         # a file piped in


def cases(p: Profile) -> list[Case]:
    """Every case of one corpus, in the order they run."""
    C = p.corpus_args
    J = ["--jobs", "2"]
    bundled = p.path is None
    lex = f"{INPUTS}/lexicon.tsv"
    cmp = ["--by", p.compare_by] + (["--target", p.compare_target] if p.compare_target else [])
    out: list[Case] = []

    def add(name, *args, only=None, stdin=None):
        if only is None or only:
            out.append(Case(name, [str(a) for a in args], stdin))

    # corpus
    add("corpus_table", "corpus", *C)
    add("corpus_csv", "corpus", *C, "--format", "csv")
    add("corpus_jsonl", "corpus", *C, "--format", "jsonl")
    add("corpus_json", "corpus", *C, "--format", "json")
    add("corpus_csv_file", "corpus", *C, "-o", "out.csv")
    add("corpus_text_jsonl", "corpus", *C, "--text", "--format", "jsonl", only=bundled)
    add("corpus_no_split_csv", "corpus", *C, "--no-split", "--format", "csv", only=bundled)
    # convert
    add("convert_text", "convert", *C, *J)
    add("convert_csv", "convert", *C, "--format", "csv", *J)
    add("convert_text_j1", "convert", *C, "--jobs", "1", only=bundled)
    add("convert_tw2sp_csv", "convert", *C, "--config", "tw2sp", "--format", "csv", *J, only=bundled)
    # segment
    add("segment_table", "segment", *C, *J, only=bundled)
    add("segment_csv", "segment", *C, "--format", "csv", "-o", "out.csv", *J)
    add("segment_jsonl", "segment", *C, "--format", "jsonl", *J)
    add("segment_text", "segment", *C, "--format", "text", *J)
    add("segment_text_no_hmm", "segment", *C, "--format", "text", "--no-hmm", *J)
    add("segment_csv_j1", "segment", *C, "--format", "csv", "--jobs", "1", only=bundled)
    add("segment_text_jieba", "segment", *C, "--format", "text", "--backend", "jieba", *J, only=bundled)
    add("segment_text_batches", "segment", *C, "--format", "text", "--batch-chars", "200000", *J,
        only=not bundled)
    # terms
    add("terms_counts", "terms", *C, *J)
    add("terms_counts_csv", "terms", *C, "--format", "csv", *J)
    add("terms_counts_j1", "terms", *C, "--format", "csv", "--jobs", "1", only=bundled)
    add("terms_hits_csv", "terms", *C, "--show", "hits", "--format", "csv", *J)
    add("terms_hits_jsonl", "terms", *C, "--show", "hits", "--format", "jsonl", *J)
    add("terms_df", "terms", *C, "--show", "df", *J)
    add("terms_df_csv", "terms", *C, "--show", "df", "--format", "csv", *J)
    for column in p.by_columns:
        add(f"terms_by_{column}_csv", "terms", *C, "--by", column, "--format", "csv", *J)
    add("terms_xlsx", "terms", *C, "-o", "out.xlsx", *J)
    add("terms_lexicon_csv", "terms", *C, "--lexicon", lex, "--format", "csv", *J)
    add("terms_lexicon_hits_csv", "terms", *C, "--lexicon", lex, "--show", "hits", "--format", "csv", *J)
    add("terms_lexicon_only_csv", "terms", *C, "--lexicon", lex, "--no-default", "--format", "csv", *J)
    # discover
    add("discover_table", "discover", *C, *J)
    add("discover_csv", "discover", *C, "--format", "csv", *J)
    add("discover_min_docs_top", "discover", *C, "--min-docs", "2", "--top", "50", *J)
    add("discover_numbered_csv", "discover", *C, "--kind", "numbered", "--format", "csv", *J)
    # compare
    add("compare_table", "compare", *C, *cmp, *J)
    add("compare_csv", "compare", *C, *cmp, "--format", "csv", *J)
    add("compare_terms_only_csv", "compare", *C, *cmp, "--terms-only", "--format", "csv", *J)
    add("compare_chi2_all_csv", "compare", *C, *cmp, "--measure", "chi2", "--top", "0", "--format", "csv",
        *J)
    add("compare_no_target_error", "compare", *C, "--by", "level", *J, only=bundled)  # 5 values: exit 1
    # kwic
    add("kwic_table", "kwic", p.kwic_term, *C, *J)
    add("kwic_text", "kwic", p.kwic_term, *C, "--format", "text", *J)
    add("kwic_csv", "kwic", p.kwic_term, *C, "--format", "csv", *J)
    add("kwic_simplified_csv", "kwic", p.kwic_term, *C, "--script", "simplified", "--window", "15",
        "--format", "csv", *J)
    add("kwic_regex_text", "kwic", REGEX, *C, "--regex", "--format", "text", *J)
    add("kwic_regex_csv", "kwic", REGEX, *C, "--regex", "--format", "csv", *J)
    # facts over the corpus
    add("facts_table", "facts", *C, *J)
    add("facts_csv", "facts", *C, "--format", "csv", *J)
    add("facts_jsonl", "facts", *C, "--format", "jsonl", *J)
    add("facts_json", "facts", *C, "--format", "json", *J)
    add("facts_xlsx", "facts", *C, "-o", "out.xlsx", *J)
    add("facts_money_csv", "facts", *C, "--kind", "money", "--format", "csv", *J)
    add("facts_min_value_csv", "facts", *C, "--min-value", "100", "--format", "csv", *J)
    add("facts_csv_j1", "facts", *C, "--format", "csv", "--jobs", "1", only=bundled)
    add("facts_csv_batches", "facts", *C, "--format", "csv", "--batch-chars", "200000", *J,
        only=not bundled)
    # facts on one file given directly (the quick path of unitynlp/entry.py), and on stdin
    f = p.single_file
    add("facts_file_table", "facts", f)
    add("facts_file_csv", "facts", f, "--format", "csv")
    add("facts_file_jsonl_kinds", "facts", f, "--format=jsonl", "--kind", "money", "--kind", "percent")
    add("facts_file_json", "facts", f, "--format", "json", *J)
    add("facts_file_min_value_csv", "facts", f, "--min-value=100", "--format", "csv")
    add("facts_file_xlsx", "facts", f, "-o", "out.xlsx")
    add("facts_file_bad_kind_error", "facts", f, "--kind", "bogus", only=bundled)  # click's message, exit 2
    add("facts_stdin_table", "facts", "-", stdin=f)
    add("facts_stdin_csv", "facts", "-", "--format", "csv", stdin=f)
    # cluster
    add("cluster_clusters", "cluster", *C, *J)
    add("cluster_clusters_csv", "cluster", *C, "--format", "csv", *J)
    add("cluster_assignments_csv", "cluster", *C, "--show", "assignments", "--format", "csv", *J)
    add("cluster_coords_csv", "cluster", *C, "--show", "coords", "--format", "csv", *J)
    add("cluster_k3_csv", "cluster", *C, "-k", "3", "--format", "csv", *J)
    add("cluster_k3_assignments_csv", "cluster", *C, "-k", "3", "--show", "assignments", "--format", "csv",
        *J)
    add("cluster_json_j1", "cluster", *C, "--format", "json", "--jobs", "1", only=bundled)
    add("cluster_section_csv", "cluster", *C, "--unit", "section", "--format", "csv", *J, only=p.sections)
    add("cluster_section_assignments_csv", "cluster", *C, "--unit", "section", "--show", "assignments",
        "--format", "csv", *J, only=p.sections)
    add("cluster_nmf_k3_csv", "cluster", *C, "--method", "nmf", "-k", "3", "--format", "csv", *J,
        only=p.sections)
    add("cluster_agglomerative_k3_assignments_csv", "cluster", *C, "--method", "agglomerative", "-k", "3",
        "--show", "assignments", "--format", "csv", *J, only=p.sections)
    # analyze (the whole folder)
    add("analyze", "analyze", *C, "-o", "out", *J)
    add("analyze_no_cluster", "analyze", *C, "-o", "out", "--no-cluster", *J)
    add("analyze_j1", "analyze", *C, "-o", "out", "--jobs", "1", only=bundled)
    add("analyze_lexicon_k3", "analyze", *C, "-o", "out", "--lexicon", lex, "-k", "3", *J, only=bundled)
    add("analyze_no_cluster_batches", "analyze", *C, "-o", "out", "--no-cluster", "--batch-chars", "300000",
        *J, only=not bundled)
    return out


def parse_corpora(specs: list[str] | None) -> list[Profile]:
    if not specs:
        return [profile_for(n, p) for n, p in DEFAULT_CORPORA.items()]
    profiles = []
    for spec in specs:
        name, eq, path = spec.partition("=")
        if not eq and name in DEFAULT_CORPORA:
            profiles.append(profile_for(name, DEFAULT_CORPORA[name]))
        elif not eq or not name:
            sys.exit(f"--corpus {spec}: give NAME=PATH, or bundled/national/provincial")
        else:
            profiles.append(profile_for(name, Path(path)))
    return profiles


def selected(key: str, only: list[str] | None) -> bool:
    """``key`` is ``corpus/case``; a GLOB matches it or the case name alone."""
    return not only or any(fnmatch.fnmatchcase(key, g) or fnmatch.fnmatchcase(key.split("/", 1)[1], g)
                           for g in only)


# ------------------------------------------------------------------------------------------- run

def bundled_dir(exe: str, env: dict) -> str | None:
    """The folder of the bundled corpus of ``exe`` (from ``corpus --format jsonl``)."""
    try:
        done = subprocess.run([exe, "corpus", "--format", "jsonl"], capture_output=True, env=env,
                              timeout=TIMEOUT, cwd="/")
        first = json.loads(done.stdout.decode("utf-8").splitlines()[0])
        return str(Path(first["source"]).parent)
    except Exception as exc:  # noqa: BLE001 - reported, the run goes on
        print(f"compare_outputs: cannot find the bundled corpus of {exe}: {exc}", file=sys.stderr)
        return None


def command_run(args) -> int:
    exe = str(Path(args.unitynlp).absolute())
    out = Path(args.out).absolute()
    profiles = parse_corpora(args.corpus)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    out.mkdir(parents=True, exist_ok=True)
    inputs = out / "_inputs"
    inputs.mkdir(exist_ok=True)
    (inputs / "lexicon.tsv").write_text(LEXICON_TSV, encoding="utf-8")
    bundled = bundled_dir(exe, env)
    if bundled and (Path(bundled) / "seed-2.txt").exists():
        shutil.copyfile(Path(bundled) / "seed-2.txt", inputs / "seed-2.txt")
    version = subprocess.run([exe, "--version"], capture_output=True, env=env).stdout.decode().strip()
    todo = [(p, c) for p in profiles for c in cases(p) if selected(f"{p.name}/{c.name}", args.only)]
    meta = {"unitynlp": exe, "version": version, "bundled_dir": bundled, "out": str(out),
            "corpora": {p.name: p.path for p in profiles}, "cases": [f"{p.name}/{c.name}" for p, c in todo],
            "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "timeout": args.timeout}
    (out / "run.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"compare_outputs: {len(todo)} cases with {exe} ({version}) into {out}", file=sys.stderr)
    start = time.perf_counter()
    failed = 0
    for i, (p, case) in enumerate(todo, 1):
        where = out / p.name / case.name
        if where.exists():
            shutil.rmtree(where)
        where.mkdir(parents=True)
        status = run_case(exe, case, where, env, args.timeout)
        failed += status["timeout"]
        print(f"[{i}/{len(todo)}] {p.name}/{case.name}: exit {status['exit']}, {status['seconds']:.1f} s"
              + (" TIMEOUT" if status["timeout"] else ""), file=sys.stderr)
    meta["seconds"] = round(time.perf_counter() - start, 1)
    meta["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    (out / "run.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"compare_outputs: {len(todo)} cases in {meta['seconds']:.0f} s; {failed} timed out",
          file=sys.stderr)
    return 1 if failed else 0


def run_case(exe: str, case: Case, where: Path, env: dict, timeout: float) -> dict:
    stdin = open(Path(where, case.stdin), "rb") if case.stdin else subprocess.DEVNULL
    begin = time.perf_counter()
    timed_out = False
    with open(where / "stdout", "wb") as so, open(where / "stderr", "wb") as se:
        try:
            proc = subprocess.Popen([exe, *case.args], stdin=stdin, stdout=so, stderr=se, cwd=where, env=env,
                                    start_new_session=True)
            try:
                code = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                os.killpg(proc.pid, 9)  # the command and its workers (its own session)
                code = proc.wait()
        finally:
            if case.stdin:
                stdin.close()
    status = {"args": case.args, "stdin": case.stdin, "exit": code, "timeout": timed_out,
              "seconds": round(time.perf_counter() - begin, 2)}
    (where / "status.json").write_text(json.dumps(status, ensure_ascii=False, indent=1), encoding="utf-8")
    return status


# ------------------------------------------------------------------------------------------ diff

class Normaliser:
    """Replaces what legitimately differs between two runs (see the module docstring)."""

    def __init__(self, meta: dict):
        self.bundled = (meta.get("bundled_dir") or "").rstrip("/")
        self.out = meta.get("out") or ""

    def text(self, s: str) -> str:
        if self.bundled:
            if "…" in s:
                s = self._cut_paths(s)
            s = s.replace(self.bundled, "<BUNDLED>")
        if self.out:
            s = s.replace(self.out, "<OUT>")
        return s

    def _cut_paths(self, s: str) -> str:
        """``/work/main/corpora/seed/see…`` (a table cell cut short) → ``<BUNDLED…`` of the same width."""
        pieces, last = [], 0
        for m in re.finditer("…", s):
            pos = m.start()
            best = 0
            for k in range(min(pos - last, len(self.bundled) + 40), 7, -1):
                seg = s[pos - k:pos]
                if self.bundled.startswith(seg) or seg.startswith(self.bundled + "/"):
                    if seg.startswith("/"):
                        best = k
                        break
            if best:
                pieces.append(s[last:pos - best])
                pieces.append("<BUNDLED…".ljust(best + 1))
                last = pos + 1
        pieces.append(s[last:])
        return "".join(pieces)

    def value(self, v):
        if isinstance(v, str):
            return self.text(v)
        if isinstance(v, float) and v != v:
            return "NaN"
        if isinstance(v, (list, tuple)):
            return [self.value(x) for x in v]
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items()}
        return v


_SVG_DATE = re.compile(r"<dc:date>[^<]*</dc:date>")
_SVG_ID = re.compile(r"\b(p|m|image)[0-9a-f]{10}\b")


def normalise_svg(s: str) -> str:
    """matplotlib's date and its random ids (clip paths p…, markers m…, images image… + 10 hex digits)."""
    s = _SVG_DATE.sub("<dc:date/>", s)
    ids: dict[str, str] = {}
    return _SVG_ID.sub(lambda m: ids.setdefault(m.group(0), f"{m.group(1)}-id{len(ids)}"), s)


def short(x, width: int = 150) -> str:
    r = repr(x)
    return r if len(r) <= width else r[:width] + "…"


def first_line_diff(a: str, b: str) -> str | None:
    if a == b:
        return None
    la, lb = a.splitlines(keepends=True), b.splitlines(keepends=True)
    for i, (x, y) in enumerate(zip(la, lb), 1):
        if x != y:
            col = next((j for j, (c, d) in enumerate(zip(x, y)) if c != d), min(len(x), len(y)))
            lo = max(0, col - 60)
            return f"line {i} col {col + 1}: {short(x[lo:lo + 150])} != {short(y[lo:lo + 150])}"
    n = min(len(la), len(lb)) + 1
    return (f"line {n}: {short(la[n - 1]) if len(la) >= n else '<end of file>'} != "
            f"{short(lb[n - 1]) if len(lb) >= n else '<end of file>'} ({len(la)} vs {len(lb)} lines)")


def compare_text(a: Path, b: Path, na: Normaliser, nb: Normaliser) -> str | None:
    ba, bb = a.read_bytes(), b.read_bytes()
    if ba == bb:
        return None
    ta, tb = ba.decode("utf-8", "surrogateescape"), bb.decode("utf-8", "surrogateescape")
    if a.suffix in (".svg", ".html"):
        ta, tb = normalise_svg(ta), normalise_svg(tb)
    return first_line_diff(na.text(ta), nb.text(tb))


def compare_xlsx(a: Path, b: Path, na: Normaliser, nb: Normaliser) -> str | None:
    import openpyxl

    wa = openpyxl.load_workbook(a, read_only=True, data_only=True)
    wb = openpyxl.load_workbook(b, read_only=True, data_only=True)
    try:
        if wa.sheetnames != wb.sheetnames:
            return f"sheets {wa.sheetnames} != {wb.sheetnames}"
        for name in wa.sheetnames:
            ra = wa[name].iter_rows(values_only=True)
            rb = wb[name].iter_rows(values_only=True)
            r = 0
            while True:
                x, y = next(ra, None), next(rb, None)
                r += 1
                if x is None and y is None:
                    break
                if x is None or y is None:
                    return f"sheet {name!r} row {r}: {short(x)} != {short(y)} (one sheet ends)"
                x, y = na.value(list(x)), nb.value(list(y))
                if x != y:
                    for c in range(max(len(x), len(y))):
                        cx = x[c] if c < len(x) else None
                        cy = y[c] if c < len(y) else None
                        if cx != cy:
                            return f"sheet {name!r} cell {_column(c)}{r}: {short(cx)} != {short(cy)}"
        return None
    finally:
        wa.close()
        wb.close()


def _column(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        s = chr(65 + rem) + s
    return s


def compare_parquet(a: Path, b: Path, na: Normaliser, nb: Normaliser) -> str | None:
    import pyarrow.parquet as pq

    ta, tb = pq.read_table(a), pq.read_table(b)
    fa = [(f.name, str(f.type)) for f in ta.schema]
    fb = [(f.name, str(f.type)) for f in tb.schema]
    if fa != fb:
        return f"schema {fa} != {fb}"
    ma, mb = _pandas_meta(ta.schema), _pandas_meta(tb.schema)
    if ma != mb:
        return f"pandas metadata {short(ma, 300)} != {short(mb, 300)}"
    if ta.num_rows != tb.num_rows:
        return f"{ta.num_rows} rows != {tb.num_rows} rows"
    for name in ta.column_names:
        ca, cb = ta.column(name), tb.column(name)
        if ca.equals(cb):
            continue
        xa, xb = na.value(ca.to_pylist()), nb.value(cb.to_pylist())
        if xa != xb:
            row = next(i for i, (x, y) in enumerate(zip(xa, xb)) if x != y)
            return f"column {name!r} row {row}: {short(xa[row])} != {short(xb[row])}"
    return None


def _pandas_meta(schema) -> dict | None:
    raw = (schema.metadata or {}).get(b"pandas")
    if raw is None:
        return None
    meta = json.loads(raw)
    for key in ("creator", "pandas_version"):
        meta.pop(key, None)
    return meta


def compare_file(a: Path, b: Path, na: Normaliser, nb: Normaliser) -> str | None:
    if a.suffix == ".xlsx":
        return compare_xlsx(a, b, na, nb)
    if a.suffix == ".parquet":
        return compare_parquet(a, b, na, nb)
    if a.suffix == ".png":
        x, y = a.read_bytes(), b.read_bytes()
        if x == y:
            return None
        at = next((i for i, (c, d) in enumerate(zip(x, y)) if c != d), min(len(x), len(y)))
        return f"bytes differ from offset {at} ({len(x)} and {len(y)} bytes)"
    return compare_text(a, b, na, nb)


def is_figure(rel: str) -> bool:
    """Figures and the report: a category of their own."""
    return rel.startswith("out/figures/") or rel == "out/report.html"


OWN_FILES = {"status.json", "stderr"}


def compare_case(da: Path, db: Path, na: Normaliser, nb: Normaliser) -> dict:
    """``{"outputs": [...], "figures": [...], "stderr": str|None, "timeout": bool}``."""
    sa = json.loads((da / "status.json").read_text("utf-8"))
    sb = json.loads((db / "status.json").read_text("utf-8"))
    result = {"outputs": [], "figures": [], "stderr": None, "timeout": sa["timeout"] or sb["timeout"]}
    if sa["exit"] != sb["exit"]:
        result["outputs"].append(f"exit status {sa['exit']} != {sb['exit']}")
    files_a = {str(p.relative_to(da)) for p in da.rglob("*") if p.is_file()} - OWN_FILES
    files_b = {str(p.relative_to(db)) for p in db.rglob("*") if p.is_file()} - OWN_FILES
    for rel in sorted(files_a | files_b, key=lambda r: (r != "stdout", r)):
        kind = "figures" if is_figure(rel) else "outputs"
        if rel not in files_b:
            result[kind].append(f"{rel}: only in BEFORE")
            continue
        if rel not in files_a:
            result[kind].append(f"{rel}: only in AFTER")
            continue
        try:
            d = compare_file(da / rel, db / rel, na, nb)
        except Exception as exc:  # noqa: BLE001 - an unreadable file is a difference
            d = f"cannot compare: {type(exc).__name__}: {exc}"
        if d:
            result[kind].append(f"{rel}: {d}")
    result["stderr"] = compare_text(da / "stderr", db / "stderr", na, nb)
    return result


def command_diff(args) -> int:
    before, after = Path(args.before).absolute(), Path(args.after).absolute()
    ma = json.loads((before / "run.json").read_text("utf-8"))
    mb = json.loads((after / "run.json").read_text("utf-8"))
    na, nb = Normaliser(ma), Normaliser(mb)
    print(f"BEFORE {before}: {ma.get('unitynlp')} ({ma.get('version')})")
    print(f"AFTER  {after}: {mb.get('unitynlp')} ({mb.get('version')})")

    def case_dirs(root: Path) -> dict[str, Path]:
        return {f"{s.parent.name}/{s.name}": s for s in (p.parent for p in root.glob("*/*/status.json"))}

    ca, cb = case_dirs(before), case_dirs(after)
    order: dict[str, int] = {}
    for k in ma.get("cases", []) + mb.get("cases", []):
        order.setdefault(k, len(order))
    keys = sorted(set(ca) | set(cb), key=lambda k: (order.get(k, len(order)), k))  # the order of the runs
    keys = [k for k in keys if selected(k, args.only)]
    counts = {"identical": 0, "DIFFERS": 0, "missing": 0, "timeout": 0}
    figure_lines, stderr_lines = [], []
    for key in keys:
        if key not in ca or key not in cb:
            counts["missing"] += 1
            print(f"missing    {key}  (only in {'AFTER' if key in cb else 'BEFORE'})")
            continue
        if sys.stderr.isatty():
            print(f"... {key}\033[K", file=sys.stderr, end="\r")
        r = compare_case(ca[key], cb[key], na, nb)
        if r["timeout"]:
            state = "timeout"
        elif r["outputs"]:
            state = "DIFFERS"
        else:
            state = "identical"
        counts[state] += 1
        detail = f"  {r['outputs'][0]}" + (f" (+{len(r['outputs']) - 1} more)" if len(r["outputs"]) > 1 else "") \
            if r["outputs"] else ""
        notes = []
        if r["figures"]:
            notes.append(f"figures/report differ: {len(r['figures'])}")
            figure_lines += [f"{key}: {line}" for line in r["figures"]]
        if r["stderr"]:
            notes.append("stderr differs")
            stderr_lines.append(f"{key}: {r['stderr']}")
        print(f"{state:<10} {key}{detail}" + (f"  [{'; '.join(notes)}]" if notes else ""))
        if args.verbose and len(r["outputs"]) > 1:
            for line in r["outputs"][1:]:
                print(f"{'':<11}{line}")
    if figure_lines:
        print("\nfigures and report.html (" + ("they fail the comparison: --strict" if args.strict else
                                             "reported only; --strict makes them fail") + "):")
        for line in figure_lines:
            print(f"  {line}")
    if stderr_lines:
        print("\nstderr (reported only):")
        for line in stderr_lines:
            print(f"  {line}")
    print(f"\n{len(keys)} cases: {counts['identical']} identical, {counts['DIFFERS']} differ, "
          f"{counts['missing']} missing, {counts['timeout']} timed out; "
          f"{len({line.split(':')[0] for line in figure_lines})} with figure/report differences, "
          f"{len(stderr_lines)} with stderr differences")
    bad = counts["DIFFERS"] + counts["missing"] + counts["timeout"] + (bool(figure_lines) and args.strict)
    return 1 if bad else 0


def command_list(args) -> int:
    for p in parse_corpora(args.corpus):
        for c in cases(p):
            if selected(f"{p.name}/{c.name}", args.only):
                line = " ".join(_quote(a) for a in c.args)
                print(f"{p.name}/{c.name}: unitynlp {line}" + (f" < {c.stdin}" if c.stdin else ""))
    return 0


def _quote(a: str) -> str:
    return a if re.fullmatch(r"[\w./=,:+\-\u4e00-\u9fff]+", a) else "'" + a.replace("'", "'\\''") + "'"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run every case with one executable")
    r.add_argument("--unitynlp", required=True, help="the unitynlp executable")
    r.add_argument("--out", required=True, help="folder for the outputs")
    r.add_argument("--corpus", action="append", metavar="NAME=PATH",
                   help="a corpus (repeatable; default: bundled, national, provincial)")
    r.add_argument("--only", action="append", metavar="GLOB", help="run only these cases (corpus/case or case)")
    r.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds per case [600]")
    d = sub.add_parser("diff", help="compare two run folders")
    d.add_argument("before")
    d.add_argument("after")
    d.add_argument("--only", action="append", metavar="GLOB", help="compare only these cases")
    d.add_argument("--strict", action="store_true", help="figure/report.html differences fail too")
    d.add_argument("-v", "--verbose", action="store_true", help="every difference of a case, not the first")
    ls = sub.add_parser("list", help="print the cases")
    ls.add_argument("--corpus", action="append", metavar="NAME=PATH")
    ls.add_argument("--only", action="append", metavar="GLOB")
    args = ap.parse_args(argv)
    return {"run": command_run, "diff": command_diff, "list": command_list}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
