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

FORMATS = ("table", "csv", "jsonl", "json")


class _Group(click.Group):
    """Turns library errors into one clean line on stderr."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UnityNLPError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except BrokenPipeError:  # e.g. piped into head
            sys.stderr.close()
            ctx.exit(0)


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

    def text(self, text: str):
        from .output import write_text

        write_text(text, self.path, force=self.force)


def corpus_options(fn):
    """The CORPUS argument with ``--encoding`` and ``--no-split``."""
    @click.argument("corpus", required=False, type=click.Path(allow_dash=True))
    @click.option("--encoding", default=None, help="Decode text files with this codec instead of detecting it.")
    @click.option("--no-split", is_flag=True, help="Do not split compiled files at 第N篇 headings.")
    @functools.wraps(fn)
    def wrapper(*args, corpus, encoding, no_split, **kwargs):
        from .corpus import read_corpus

        with progress_bar("reading") as bar:
            docs = read_corpus(corpus, encoding=encoding, split=not no_split, progress=bar)
        return fn(*args, docs=docs, **kwargs)

    return wrapper


@contextlib.contextmanager
def progress_bar(label: str):
    """A wrapper that shows a progress bar on stderr for iterables of more than one item."""
    def wrap(items):
        items = list(items)
        if len(items) < 2:
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
@output_options("text", *FORMATS, default="text")
def convert(docs, config, out):
    """Convert CORPUS to simplified characters.

    The text format prints the converted text (documents separated by a blank line);
    the other formats give one row per document.

    \b
    Example:
      unitynlp convert report.txt -o report.simplified.txt
    """
    from .convert import convert_docs

    converted = convert_docs(docs, config=config)
    if out.fmt == "text":
        out.text("\n".join(t if t.endswith("\n") else t + "\n" for t in converted["text"]))
    else:
        out.frame(converted)


@cli.command()
@corpus_options
@click.option("--backend", type=click.Choice(["auto", "rjieba", "jieba"]), default="auto",
              show_default=True, help="Segmentation engine (rjieba gives jieba's tokens, faster).")
@click.option("--no-hmm", is_flag=True, help="Switch off jieba's HMM for unknown words.")
@click.option("--lexicon", "lexicons", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Extra lexicon file (TSV/CSV) merged with the shipped one; repeatable.")
@output_options("text", *FORMATS, default="table")
def segment(docs, backend, no_hmm, lexicons, out):
    """Segment CORPUS into words with the domain dictionary.

    Rows carry doc_id, position, token (simplified), start/end (offsets into the original
    text) and stopword. The text format prints one line per document: its tokens
    separated by spaces.

    \b
    Example:
      unitynlp segment corpora/seed/seed-3.txt --format text
    """
    from .lexicon import load_lexicon
    from .segment import Segmenter

    segmenter = Segmenter(lexicon=load_lexicon(lexicons), backend=backend, hmm=not no_hmm)
    with progress_bar("segmenting") as bar:
        tokens = segmenter.segment(docs, progress=bar)
    if out.fmt == "text":
        lines = tokens.groupby("doc_id", sort=False)["token"].agg(" ".join)
        out.text("".join(f"{doc_id}\t{line}\n" for doc_id, line in lines.items()))
    else:
        out.frame(tokens)


def main(argv=None):
    """Entry point of the ``unitynlp`` console script."""
    cli.main(args=argv, prog_name="unitynlp")
