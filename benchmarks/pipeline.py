"""Throughput of every stage of ``unitynlp analyze``, in one process and over N jobs, next to the peers.

usage: python benchmarks/pipeline.py CORPUS [--repeat 3] [--jobs 1,2]

CORPUS is anything :func:`unitynlp.corpus.read_corpus` reads (a folder, a file). Every figure
is characters of original text a second, the median of ``--repeat`` runs, all measured in
this one run:

* each stage as ``unitynlp analyze`` calls it, on the whole documents frame in this process:
  read (``read_corpus``), convert (``convert_docs``), segment (default backend), terms
  (``find_terms``), facts, term_features (the keyness input: terms and words per document),
  one pass (``unitynlp.analyze.batches.batch_parts``: what an ``analyze`` worker does with its
  share of a batch: the stages term_hits, term_counts, features and facts over one document
  object per text, encoded as CSV, Arrow and pickles), and end to end:
  ``run_analysis(..., cluster=False)`` into a temporary folder (reading, the stages, the summary
  tables, CSV/Parquet/Excel, figures and the HTML report);
* the same stages through ``Runner.map`` at each ``--jobs`` value: one
  :class:`~unitynlp.runner.Runner` per value, kept for all the stages as ``analyze`` keeps its
  workers for a run, its workers started and warmed up on each stage before the timings and used
  whatever the corpus size (``min_chars=0``); and end to end with ``runner=Runner(N)`` as the
  command line's ``--jobs N`` makes it (workers started within the timing, batches queued
  ahead); each with the speed-up over the single process;
* the peers on the same text where they are installed: ``jieba.lcut`` (default dictionary)
  and cntext's ``word_count`` on the converted text, jionlp's ``extract_money`` on the original
  text, each printed as the ratio of our stage's speed to the peer's.

Set-up (loading the lexicon, the segmenter, OpenCC and the patterns) is done once, outside the
timings, in this process and in each worker.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import jieba_lcut_time, median_time  # noqa: E402

from unitynlp.analyze import run_analysis  # noqa: E402
from unitynlp.analyze.batches import BATCH_STAGES, batch_parts  # noqa: E402
from unitynlp.convert import convert_docs, get_converter  # noqa: E402
from unitynlp.corpus import read_corpus  # noqa: E402
from unitynlp.facts import facts  # noqa: E402
from unitynlp.lexicon import load_lexicon  # noqa: E402
from unitynlp.runner import Runner, default_jobs  # noqa: E402
from unitynlp.segment import Segmenter, segment_with, segmenter_for  # noqa: E402
from unitynlp.stages import Context  # noqa: E402
from unitynlp.terms import find_terms, term_features  # noqa: E402


def speed(chars: int, seconds: float) -> str:
    return f"{chars / seconds / 1e6:7.3f} M chars/s"


def stages(lexicon) -> dict[str, tuple]:
    """Stage name → (module-level function, options), as ``analyze`` runs them."""
    return {
        "convert": (convert_docs, {}),
        "segment": (segment_with, {"lexicon": lexicon}),
        "terms": (find_terms, {"lexicon": lexicon}),
        "facts": (facts, {}),
        "term_features": (term_features, {"lexicon": lexicon}),
        "one pass": (batch_parts, {"context": Context(lexicon), "stages": BATCH_STAGES}),
    }


def end_to_end(corpus: str, lexicon, folder: Path, runner: Runner | None = None) -> None:
    """``run_analysis`` without clustering into a new sub-folder of ``folder`` (it closes ``runner``)."""
    out = Path(tempfile.mkdtemp(dir=folder)) / "out"
    run_analysis(corpus, out, lexicon=lexicon, cluster=False, runner=runner)


def set_up(docs) -> tuple:
    """Load everything the stages cache (outside the timings); returns the lexicon."""
    start = time.perf_counter()
    lexicon = load_lexicon()
    sample = docs.head(1).assign(text=docs["text"].iloc[0][:2000])
    segmenter_for(lexicon)
    for fn, options in stages(lexicon).values():
        fn(sample, **options)
    import matplotlib  # noqa: F401  (figures: imported once, as a long-running session would)

    return lexicon, time.perf_counter() - start


def single_process(corpus, docs, lexicon, repeat, folder) -> dict[str, float]:
    """Seconds of each stage over the whole frame in this process, and end to end."""
    seconds = {"read": median_time(lambda: read_corpus(corpus), repeat)}
    for name, (fn, options) in stages(lexicon).items():
        seconds[name] = median_time(lambda fn=fn, options=options: fn(docs, **options), repeat)
    seconds["end to end"] = median_time(lambda: end_to_end(corpus, lexicon, folder), repeat)
    return seconds


def parallel(corpus, docs, lexicon, jobs: list[int], repeat, folder) -> dict[int, dict[str, float]]:
    """Seconds of each stage through ``Runner.map`` at each jobs value, and end to end."""
    out = {}
    for n in jobs:
        seconds = {}
        with Runner(n, min_chars=0) as runner:
            for name, (fn, options) in stages(lexicon).items():
                runner.map(fn, docs, **options)  # warm-up: each worker loads what the stage caches
                seconds[name] = median_time(lambda fn=fn, options=options: runner.map(fn, docs, **options), repeat)
        seconds["end to end"] = median_time(lambda n=n: end_to_end(corpus, lexicon, folder, runner=Runner(n)), repeat)
        out[n] = seconds
    return out


def peers(texts: list[str], simplified: list[str], repeat: int) -> dict[str, tuple[str, float]]:
    """Peer name → (our stage it compares with, seconds), for the peers that are installed."""
    found: dict[str, tuple[str, float]] = {}
    try:
        import jieba  # noqa: F401
    except ImportError:
        print("jieba.lcut: skipped, jieba is not installed", file=sys.stderr)
    else:
        found["jieba.lcut"] = ("segment", jieba_lcut_time(simplified, repeat))
    try:
        import jionlp
    except ImportError:
        print("jionlp.extract_money: skipped (pip install jionlp)", file=sys.stderr)
    else:
        money = jionlp.ner.extract_money
        money(texts[0][:2000])
        found["jionlp.extract_money"] = ("facts", median_time(lambda: [money(t) for t in texts], repeat))
    try:
        import cntext
    except ImportError:
        print("cntext.word_count: skipped (pip install cntext)", file=sys.stderr)
    else:
        cntext.word_count(simplified[0][:2000])
        found["cntext.word_count"] = ("term_features",
                                      median_time(lambda: [cntext.word_count(t) for t in simplified], repeat))
    return found


def same_tokens(texts: list[str]) -> tuple[int, int, str]:
    """Documents whose default-backend tokens equal the jieba backend's (same dictionary)."""
    fast = segmenter_for()
    if fast.backend == "jieba":
        return len(texts), len(texts), "jieba"
    reference = Segmenter(backend="jieba")
    return sum(fast.tokenize(t) == reference.tokenize(t) for t in texts), len(texts), fast.backend


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    load = f" (load average {os.getloadavg()[0]:.1f})" if hasattr(os, "getloadavg") else ""
    return f"{default_jobs()} cores, {model}, Python {platform.python_version()}{load}"


def report(chars, single, by_jobs, peer_times, agreement) -> None:
    ours = {name: chars / seconds for name, seconds in single.items()}
    notes = {stage: f"({ours[stage] / (chars / seconds):.2f}x {peer})" for peer, (stage, seconds) in peer_times.items()}
    print("\nsingle process (chars/s of the original text; ratio: our speed / the peer's)")
    for name, seconds in single.items():
        print(f"  {name:14s} {speed(chars, seconds)}  {seconds:8.2f} s  {notes.get(name, '')}".rstrip())
    if by_jobs:
        print("\nRunner.map by jobs (speed-up over the single process)")
        print(f"  {'':14s} " + "".join(f"{'jobs=' + str(n):>30s}" for n in by_jobs))
        for name in by_jobs[next(iter(by_jobs))]:
            cells = [f"{speed(chars, s[name])} ({single[name] / s[name]:4.2f}x)" for s in by_jobs.values()]
            print(f"  {name:14s} " + "".join(f"{cell:>30s}" for cell in cells))
        for peer, (stage, seconds) in peer_times.items():  # the peers run in one process
            cells = [f"{seconds / s[stage]:.2f}x {peer}" for s in by_jobs.values()]
            print(f"  {stage:14s} " + "".join(f"{cell:>30s}" for cell in cells))
    if peer_times:
        print("\npeers on the same text")
        for peer, (stage, seconds) in peer_times.items():
            print(f"  {peer:22s} {speed(chars, seconds)}  {seconds:8.2f} s  ({stage}: {notes[stage][1:-1]})")
    same, total, backend = agreement
    print(f"\nidentical tokens, {backend} (default) vs jieba backend with the same dictionary: "
          f"{same}/{total} documents")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="a folder or file read_corpus reads")
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is printed")
    ap.add_argument("--jobs", default="1,2", help="comma-separated worker counts for Runner.map (empty: none)")
    ap.add_argument("--no-peers", action="store_true", help="leave out jieba, jionlp and cntext")
    args = ap.parse_args(argv)
    jobs = [int(n) for n in args.jobs.split(",") if n.strip()]
    docs = read_corpus(args.corpus)
    texts = list(docs["text"])
    chars = sum(map(len, texts))
    lexicon, setup = set_up(docs)
    print(f"corpus: {args.corpus}: {len(docs)} documents, {chars:,} characters; median of {args.repeat} runs")
    print(f"machine: {machine()}")
    print(f"set-up (lexicon, segmenter, OpenCC, patterns), not timed below: {setup:.2f} s")
    with tempfile.TemporaryDirectory(prefix="unitynlp-bench-") as tmp:
        single = single_process(args.corpus, docs, lexicon, args.repeat, Path(tmp))
        by_jobs = parallel(args.corpus, docs, lexicon, jobs, args.repeat, Path(tmp))
    converter = get_converter()
    simplified = [converter.convert(t).text for t in texts]
    peer_times = {} if args.no_peers else peers(texts, simplified, args.repeat)
    report(chars, single, by_jobs, peer_times, same_tokens(texts))


if __name__ == "__main__":
    main()
