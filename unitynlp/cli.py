"""The ``unitynlp`` command line: each command parses, calls one library function, prints.

Results go to stdout (or ``-o FILE``); progress bars and messages go to stderr. Library
errors become one-line messages with exit status 1.
"""
from __future__ import annotations

import contextlib
import functools
import sys

import click

from . import __version__
from .errors import UnityNLPError
from .facts.units import KINDS

FORMATS = ("table", "csv", "jsonl", "json")
#: the formats of ``unitynlp facts``
FACT_FORMATS = ("table", "csv", "jsonl", "json", "xlsx")
#: the columns ``unitynlp facts`` shows in its terminal table (other formats carry them all)
FACT_TABLE_COLUMNS = ["doc_id", "start", "text", "value", "value_max", "unit", "kind", "qualifier",
                      "subject", "change", "date"]


def error_line(exc: BaseException) -> str | None:
    """The one line the command line prints for an error the user can fix, or None for a bug."""
    if isinstance(exc, UnityNLPError):
        return f"Error: {exc}"
    if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):  # a full disk, no permission …
        return f"Error: {exc.filename or ''}: {exc.strerror or exc}".replace(": : ", ": ")
    return None


class _Group(click.Group):
    """Turns library errors into one clean line on stderr."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UnicodeEncodeError as exc:  # PYTHONIOENCODING=ascii, or a terminal set to Latin-1
            if exc.object is not None and not isinstance(exc.object, str):
                raise
            _say(f"Error: standard output cannot show Chinese ({sys.stdout.encoding}); write to a file with "
                 "-o FILE, or set PYTHONIOENCODING=utf-8")
            ctx.exit(1)
        except (UnityNLPError, OSError) as exc:  # a broken pipe is left to click (quiet, status 1)
            line = error_line(exc)
            if line is None:
                raise
            _say(line)
            ctx.exit(1)


def _say(line: str) -> None:
    """A message on stderr, escaped where stderr cannot show it."""
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    click.echo(line.encode(encoding, "backslashreplace").decode(encoding), err=True)


def _stdin_open(ctx, param, value):
    """CORPUS ``-`` needs a standard input to read."""
    if value == "-" and (sys.stdin is None or sys.stdin.closed):
        from .errors import InputError

        raise InputError("CORPUS is - but there is no standard input to read; pipe a report in, or give a file")
    return value


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="unitynlp")
def cli():
    """Analyse Chinese work reports: read, convert, segment, count terms, extract facts.

    CORPUS is a .txt/.md/.docx file, a folder of them (with an optional metadata.csv or
    metadata.jsonl), or - for stdin. Without CORPUS every command runs on the bundled
    corpus of five reports.

    \b
    Example:
      unitynlp corpus
      unitynlp segment corpora/seed/seed-3.txt --format text
    """


def output_options(*formats: str, default: str = "table"):
    """``--format``, ``-o/--output`` and ``--force``, shared by every command that prints rows."""
    choices = formats or FORMATS

    def decorate(fn):
        @click.option("--format", "fmt", type=click.Choice(choices), default=None,
                      help=f"Output format [default: {default}, or from the -o suffix].")
        @click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
                      help="Write to this file instead of stdout.")
        @click.option("--force", is_flag=True, help="Replace the output file if it exists.")
        @functools.wraps(fn)
        def wrapper(*args, fmt, output, force, **kwargs):
            from .output import infer_format

            return fn(*args, out=_Out(infer_format(output, fmt, default), output, force), **kwargs)

        return wrapper

    return decorate


class _Out:
    def __init__(self, fmt: str, path: str | None, force: bool):
        self.fmt, self.path, self.force = fmt, path, force

    def frame(self, frame):
        from .output import write_frame

        write_frame(frame, self.path, self.fmt, force=self.force)

    def chunks(self, chunks, columns):
        """Rows in chunks: CSV and JSON Lines are written as they come."""
        from .output import write_chunks

        write_chunks(chunks, columns, self.path, self.fmt, force=self.force)

    def records(self, rows, columns):
        from .output import write_records

        write_records(rows, columns, self.path, self.fmt, force=self.force)

    def text(self, text: str):
        from .output import write_text

        write_text(text, self.path, force=self.force)


# Options several commands share, declared once.
corpus_argument = click.argument("corpus", required=False, type=click.Path(allow_dash=True), callback=_stdin_open)
encoding_option = click.option("--encoding", default=None,
                               help="Decode text files with this codec instead of detecting it.")
no_split_option = click.option("--no-split", is_flag=True, help="Do not split compiled files at 第N篇 headings.")
batch_chars_option = click.option("--batch-chars", type=int, default=None,
                                  help="Characters read at a time from a folder [default: 5,000,000].")


def corpus_options(fn):
    """The CORPUS argument with ``--encoding`` and ``--no-split``; the command gets ``docs``."""
    @corpus_argument
    @encoding_option
    @no_split_option
    @functools.wraps(fn)
    def wrapper(*args, corpus, encoding, no_split, **kwargs):
        from .corpus import read_corpus

        with progress_bar("reading") as bar:
            docs = read_corpus(corpus, encoding=encoding, split=not no_split, progress=bar)
        return fn(*args, docs=docs, **kwargs)

    return wrapper


def batched_corpus_options(fn):
    """As :func:`corpus_options` with ``--batch-chars``; the command gets ``batches``, read lazily
    so memory holds one batch."""
    @corpus_argument
    @encoding_option
    @no_split_option
    @batch_chars_option
    @functools.wraps(fn)
    def wrapper(*args, corpus, encoding, no_split, batch_chars, **kwargs):
        from .corpus import BATCH_CHARS, iter_corpus

        batches = iter_corpus(corpus, batch_chars=batch_chars or BATCH_CHARS, encoding=encoding,
                              split=not no_split)
        return fn(*args, batches=batches, **kwargs)

    return wrapper


def lexicon_options(fn):
    """``--lexicon FILE`` (repeatable) and ``--no-default``; the command gets ``lexicons``, ``no_default``."""
    fn = click.option("--no-default", is_flag=True, help="Use only the --lexicon files, not the shipped lexicon.")(fn)
    return click.option("--lexicon", "lexicons", multiple=True, type=click.Path(exists=True, dir_okay=False),
                        help="Extra lexicon file (TSV/CSV) merged with the shipped one; repeatable.")(fn)


def _load_lexicon(lexicons, no_default):
    from .errors import InputError
    from .lexicon import load_lexicon

    if no_default and not lexicons:
        raise InputError("--no-default needs at least one --lexicon FILE")
    return load_lexicon(lexicons, include_default=not no_default)


def jobs_options(fn):
    """``--jobs``, ``--scheduler`` and ``--dask``: where the per-document work runs; the command gets
    ``runner``, a :class:`~unitynlp.runner.Runner` closed when the command ends."""
    @click.option("-j", "--jobs", type=int, default=0, show_default=True,
                  help="Worker processes (0: every core; 1: this process only).")
    @click.option("--scheduler", default=None, metavar="ADDRESS",
                  help="Run on an existing Dask cluster (tcp://HOST:8786).")
    @click.option("--dask", "local_dask", is_flag=True, help="Start a local Dask cluster and run on it.")
    @functools.wraps(fn)
    def wrapper(*args, jobs, scheduler, local_dask, **kwargs):
        from .runner import Runner

        with Runner(jobs, scheduler=scheduler or ("local" if local_dask else None)) as runner:
            return fn(*args, runner=runner, **kwargs)

    return wrapper


@contextlib.contextmanager
def progress_bar(label: str):
    """A wrapper that shows a progress bar on stderr (a terminal) for more than one item."""
    def wrap(items):
        items = list(items)
        if len(items) < 2 or not sys.stderr.isatty():
            yield from items
            return
        with click.progressbar(items, label=label, file=sys.stderr) as bar:
            yield from bar

    yield wrap


@cli.command()
@corpus_options
@click.option("--text", "with_text", is_flag=True, help="Include the full text column.")
@output_options()
def corpus(docs, with_text, out):
    """List the documents of CORPUS with their metadata.

    \b
    Example:
      unitynlp corpus ../reports --format csv -o documents.csv
    """
    out.frame(docs if with_text else docs.drop(columns=["text"]))


@cli.command()
@corpus_options
@click.option("--config", type=click.Choice(["t2s", "hk2s", "tw2s", "tw2sp"]), default="t2s",
              show_default=True, help="OpenCC conversion (tw2sp also rewrites Taiwan phrases).")
@jobs_options
@output_options("text", *FORMATS, default="text")
def convert(docs, config, runner, out):
    """Convert CORPUS to simplified characters.

    The text format prints the converted text (documents separated by a blank line);
    the other formats give one row per document.

    \b
    Example:
      unitynlp convert report.txt -o report.simplified.txt
    """
    from .convert import convert_docs

    converted = runner.map(convert_docs, docs, config=config)
    if out.fmt == "text":
        out.text("\n".join(t if t.endswith("\n") else t + "\n" for t in converted["text"]))
    else:
        out.frame(converted)


@cli.command()
@batched_corpus_options
@click.option("--backend", type=click.Choice(["auto", "jiebac", "rjieba", "jieba"]), default="auto",
              show_default=True, help="Segmentation engine; all give jieba's tokens. auto: jiebac "
              "(built with unitynlp, fastest), else rjieba.")
@click.option("--no-hmm", is_flag=True, help="Switch off jieba's HMM for unknown words.")
@lexicon_options
@jobs_options
@output_options("text", *FORMATS, default="table")
def segment(batches, backend, no_hmm, lexicons, no_default, runner, out):
    """Segment CORPUS into words with the domain dictionary.

    Rows carry doc_id, position, token (simplified), start/end (offsets into the original
    text) and stopword. The text format prints one line per document: its tokens
    separated by spaces. CSV, JSON Lines and text are written batch by batch.

    \b
    Example:
      unitynlp segment corpora/seed/seed-3.txt --format text
    """
    from .output import STREAMED, rendered
    from .segment import TOKEN_COLUMNS, segment_with

    options = {"lexicon": _load_lexicon(lexicons, no_default), "backend": backend, "hmm": not no_hmm}
    stage, columns = (token_lines, ["line"]) if out.fmt == "text" else (segment_with, TOKEN_COLUMNS)
    if out.fmt in STREAMED:  # the workers format their own rows: millions of tokens
        done = runner.stream(rendered, batches, stage=stage, columns=columns, fmt=out.fmt, **options)
        out.chunks((text for batch in done for text in batch["text"]), columns)
    else:
        out.chunks(runner.stream(stage, batches, **options), columns)


def token_lines(docs, *, lexicon=None, backend="auto", hmm=True):
    """One row per document: ``line`` holds its doc_id, a tab and its tokens separated by spaces."""
    import pandas as pd

    from .segment import segmenter_for

    line = segmenter_for(lexicon, backend=backend, hmm=hmm).line
    lines = [f"{d}\t{line(text)}" for d, text in zip(docs["doc_id"], docs["text"])]
    return pd.DataFrame({"line": pd.Series(lines, dtype=object)})  # not copied into Arrow and back


@cli.command("cluster")
@corpus_options
@click.option("-k", "k", default="auto", show_default=True,
              help="Number of clusters, or auto to choose it by silhouette between 2 and 10.")
@click.option("--unit", type=click.Choice(["doc", "section"]), default="doc", show_default=True,
              help="Cluster whole documents, or sections split at their headings.")
@click.option("--method", type=click.Choice(["kmeans", "agglomerative", "nmf"]), default="kmeans",
              show_default=True, help="KMeans, agglomerative (Ward) clustering, or NMF topics.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: same seed, same output.")
@click.option("--show", type=click.Choice(["clusters", "assignments", "coords"]), default="clusters",
              show_default=True, help="Print the clusters, each unit's cluster, or 2-D map coordinates.")
@jobs_options
@output_options()
def cluster_command(docs, k, unit, method, seed, show, runner, out):
    """Group the documents or sections of CORPUS by theme, each group named by its terms.

    The chosen k and the silhouette of every k tried are reported on stderr.

    \b
    Example:
      unitynlp cluster ../reports --unit section -k auto
      unitynlp cluster ../reports -k 3 --show assignments -o assignments.csv
    """
    from .cluster import cluster, parse_k

    with progress_bar("segmenting") as bar:
        result = cluster(docs, k=parse_k(k), unit=unit, method=method, seed=seed, progress=bar, runner=runner)
    click.echo(f"unitynlp: {result.summary()}", err=True)
    out.frame(getattr(result, show))


@cli.command("analyze")
@corpus_argument
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default="unitynlp-results",
              show_default=True, help="Folder for the results (created; must be new or empty).")
@click.option("--force", is_flag=True, help="Replace a non-empty output folder.")
@lexicon_options
@click.option("-k", "k", default="auto", show_default=True, help="Number of clusters, or auto.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the clustering.")
@batch_chars_option
@click.option("--no-cluster", is_flag=True, help="Leave out the clustering (it holds every document in memory).")
@encoding_option
@no_split_option
@jobs_options
def analyze_command(corpus, out_dir, force, lexicons, no_default, k, seed, batch_chars, no_cluster, encoding,
                    no_split, runner):
    """Run every stage over CORPUS and write tables, figures and a report to a folder.

    Writes csv/ (UTF-8 with BOM) and parquet/ tables, unitynlp.xlsx (a sheet per table),
    figures/ (PNG and SVG) and report.html (self-contained, opens offline): documents,
    term hits, counts, frequencies, groups and keyness by each metadata column, facts,
    clusters and a summary. The corpus is read in batches, so memory stays flat; an
    interrupted run started again resumes after its last finished batch. The folder
    appears complete or not at all.

    \b
    Example:
      unitynlp analyze -o results
      unitynlp analyze ../reports -o results --jobs 4 --force
    """
    from .analyze import run_analysis
    from .cluster import parse_k

    lexicon = _load_lexicon(lexicons, no_default)
    with _percent_bar("analysing") as (stage, advance):
        analysis = run_analysis(corpus, out_dir, lexicon=lexicon, k=parse_k(k), seed=seed, force=force,
                                batch_chars=batch_chars, runner=runner, stage=stage, advance=advance,
                                encoding=encoding, split=not no_split, cluster=not no_cluster)
    click.echo(f"unitynlp: wrote {out_dir}/report.html", err=True)
    click.echo(analysis.tables["summary"].to_string(index=False))


@contextlib.contextmanager
def _percent_bar(label: str):
    """``(stage, advance)`` callbacks: a progress bar on a terminal, else one line per step."""
    if not sys.stderr.isatty():
        yield (lambda message: click.echo(f"unitynlp: {message}", err=True)), (lambda percent: None)
        return
    with click.progressbar(length=100, label=label, file=sys.stderr) as bar:
        done = [0]

        def advance(percent: int) -> None:
            bar.update(max(0, percent - done[0]))
            done[0] = max(done[0], percent)

        def stage(message: str) -> None:
            bar.label = f"{label}: {message[:40]}"
            bar.render_progress()

        yield stage, advance


@cli.command("facts")
@corpus_argument
@encoding_option
@no_split_option
@batch_chars_option
@lexicon_options
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS),
              help="Keep only facts of this kind; repeatable.")
@click.option("--min-value", type=float, default=None, help="Keep only facts whose value is at least N.")
@jobs_options
@output_options(*FACT_FORMATS, default="table")
def facts_command(corpus, encoding, no_split, batch_chars, lexicons, no_default, kinds, min_value, runner, out):
    """Extract the numeric facts of CORPUS: value, unit, kind, qualifier, subject, offsets.

    The table format shows the main columns; csv/jsonl/json/xlsx carry them all
    (doc_id, start, end, text, value, value_max, unit, kind, qualifier, qualifier_text,
    subject, base, change, date, sentence). A count per kind is printed on stderr. A folder
    is read in batches and CSV/JSON Lines written as they come. Formulas of the lexicon
    (三个离不开, a --lexicon file's too) are names, not facts.

    \b
    Example:
      unitynlp facts report.txt
      unitynlp facts reports/ --kind money --min-value 10000 -o money.xlsx
    """
    from .corpus import BATCH_CHARS, iter_corpus
    from .facts import FACT_COLUMNS, FactTally
    from .stages import Context, run_stage

    context = Context(_load_lexicon(lexicons, no_default), options={"kinds": kinds or None})
    batches = iter_corpus(corpus, batch_chars=batch_chars or BATCH_CHARS, encoding=encoding, split=not no_split)
    tables = runner.stream(run_stage, batches, stage="facts", context=context)
    tally = FactTally()
    kept = (tally.add(t if min_value is None else t[t["value"] >= min_value]) for t in tables)
    out.chunks(kept, FACT_TABLE_COLUMNS if out.fmt == "table" else FACT_COLUMNS)
    click.echo(f"unitynlp: {tally.line()}", err=True)


@cli.command("terms")
@corpus_options
@lexicon_options
@click.option("--by", default=None, help="Sum counts per value of this metadata column (year, region …); "
              "not with --show hits.")
@click.option("--show", type=click.Choice(["counts", "hits", "df"]), default="counts", show_default=True,
              help="Counts per document, every hit (offsets, surface, expansion), or document frequency.")
@jobs_options
@output_options(*FORMATS, "xlsx")
def terms_command(docs, lexicons, no_default, by, show, runner, out):
    """Count lexicon terms (slogans, numbered formulas, campaigns, policy terms) in CORPUS.

    The longest listed term wins (五个一 inside 五个一批 is not counted). Counts come with a
    rate per 10,000 characters; --by sums them per metadata value, zeros included.

    \b
    Example:
      unitynlp terms ../reports --by year -o trends.csv
      unitynlp terms --show hits --format jsonl
    """
    from .terms import count_terms, doc_frequency, find_terms, group_counts
    from .terms.counting import require_column

    lexicon = _load_lexicon(lexicons, no_default)
    if by:
        require_column(docs, by)
    hits = runner.map(find_terms, docs, lexicon=lexicon, expansions=show == "hits")
    counts = count_terms(docs, hits=hits)
    tables = {"hits": lambda: hits, "df": lambda: doc_frequency(counts, docs), "counts": lambda: counts}
    out.frame(group_counts(counts, docs, by=by) if by and show != "hits" else tables[show]())


@cli.command("discover")
@corpus_options
@click.option("--min-count", default=1, show_default=True, help="Keep candidates seen at least N times.")
@click.option("--min-docs", default=1, show_default=True, help="Keep candidates seen in at least N documents.")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["numbered", "quoted", "series"]),
              help="Keep only these kinds of candidate; repeatable.")
@click.option("--top", default=0, show_default=True, help="Show only the first N candidates (0: all).")
@jobs_options
@output_options(*FORMATS, "xlsx")
def discover_command(docs, min_count, min_docs, kinds, top, runner, out):
    """Find candidate numbered formulas and slogans in CORPUS from the text alone (no lexicon).

    Candidates are a numeral, a measure word and a short head (三个离不开), short quoted
    phrases, and parallel series (共居·共学·共事·共乐), ranked by documents and count, each
    with an example in context. Add the good ones to a lexicon file.

    \b
    Example:
      unitynlp discover ../reports --min-docs 2 --top 50
    """
    from .terms import discover

    with progress_bar("discovering") as bar:
        found = discover(docs, min_count=min_count, min_docs=min_docs, progress=bar, runner=runner)
    if kinds:
        found = found[found["kind"].isin(kinds)].reset_index(drop=True)
    out.frame(found.head(top) if top else found)


@cli.command("compare")
@corpus_options
@click.option("--by", required=True, help="Metadata column that defines the groups (region, year …).")
@click.option("--target", default=None, help="Group value to compare with the rest [default: the first of two].")
@click.option("--reference", default=None, help="Compare with this group only, instead of all the others.")
@click.option("--measure", type=click.Choice(["lr", "chi2"]), default="lr", show_default=True,
              help="Rank by G² (lr) or chi².")
@click.option("--terms-only", is_flag=True, help="Lexicon terms only, without ordinary words.")
@lexicon_options
@click.option("--top", default=50, show_default=True, help="Show the N most key features (0: all).")
@jobs_options
@output_options(*FORMATS, "xlsx")
def compare_command(docs, by, target, reference, measure, terms_only, lexicons, no_default, top, runner, out):
    """Keyness of terms and words in one group of CORPUS against the others (G², chi², log ratio).

    \b
    Example:
      unitynlp compare ../provincial_gwr_2025 --by region --target 新疆
    """
    from .terms import keyness, term_features
    from .terms.counting import require_column

    lexicon = _load_lexicon(lexicons, no_default)
    require_column(docs, by)
    features = runner.map(term_features, docs, lexicon=lexicon, words=not terms_only)
    table = keyness(features, by=by, target=target, reference=reference, measure=measure, docs=docs)
    out.frame(table.head(top) if top else table)


@cli.command("kwic")
@click.argument("term")
@corpus_options
@click.option("--regex", is_flag=True, help="TERM is a regular expression (matched on the simplified text).")
@click.option("-w", "--window", default=10, show_default=True, help="Characters of context each side.")
@click.option("--script", type=click.Choice(["original", "simplified"]), default="original", show_default=True,
              help="Show the context as written, or converted to simplified characters.")
@click.option("--regex-timeout", type=float, default=5.0, show_default=True,
              help="Seconds of processor time a --regex search may take per document.")
@jobs_options
@output_options("text", *FORMATS, default="table")
def kwic_command(term, docs, regex, window, script, regex_timeout, runner, out):
    """Show every hit of TERM in CORPUS with its context (keyword in context).

    \b
    Example:
      unitynlp kwic 三个离不开 --window 15
      unitynlp kwic '[一二三四五六]个[^，。]{1,3}' --regex --format csv
    """
    from .terms import kwic
    from .terms.kwic import kwic_lines

    hits = runner.map(kwic, docs, pattern=term, regex=regex, window=window, script=script, timeout=regex_timeout)
    out.text(kwic_lines(hits)) if out.fmt == "text" else out.frame(hits)


def main(argv=None):
    """Entry point of the ``unitynlp`` console script."""
    cli.main(args=argv, prog_name="unitynlp")
