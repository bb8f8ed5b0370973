"""Entry point of the ``unitynlp`` command: ``unitynlp facts FILE`` straight through, the rest via click.

Pulling the facts out of one new report is the command people run most on its own, and
importing click costs about 20 ms, more than the extraction itself. :func:`main` therefore
reads that one command's plain forms here (one existing file and the options below) and runs
:func:`write_facts`, the same function the click command runs. Every other form (``--help``, a
folder, stdin, an unknown or malformed option) goes to :mod:`unitynlp.cli`, which parses it
fully and gives click's messages. A test runs both paths on many argument lists and compares
their output, and checks that the options read here are the click command's.
"""
from __future__ import annotations

import os
import sys

from .facts.units import KINDS  # the facts modules: what `unitynlp facts FILE` needs first anyway

#: the columns ``unitynlp facts`` shows in its terminal table (other formats carry them all)
FACT_TABLE_COLUMNS = ["doc_id", "start", "text", "value", "value_max", "unit", "kind", "qualifier",
                      "subject", "change", "date"]
#: the formats of ``unitynlp facts``
FACT_FORMATS = ("table", "csv", "jsonl", "json", "xlsx")
#: option → (parameter name, what it takes): ``flag``, ``text``, ``int``, ``float``, or a tuple of choices
_OPTIONS = {
    "--format": ("fmt", FACT_FORMATS), "-o": ("output", "text"), "--output": ("output", "text"),
    "--force": ("force", "flag"), "--encoding": ("encoding", "text"), "--no-split": ("no_split", "flag"),
    "--kind": ("kinds", KINDS), "--min-value": ("min_value", "float"),
    "-j": ("jobs", "int"), "--jobs": ("jobs", "int"),
}
#: the parameters given once per value (the others: the last one given wins)
_MULTIPLE = {"kinds"}


def main(argv: list[str] | None = None) -> None:
    """Run the ``unitynlp`` command line with ``argv`` (default: ``sys.argv[1:]``)."""
    args = sys.argv[1:] if argv is None else list(argv)
    quick = quick_facts_args(args)
    if quick is None:
        from .cli import main as cli_main

        return cli_main(args)
    try:
        write_facts(**quick)
    except BrokenPipeError:  # e.g. piped into head: as click does, quietly and with status 1
        _silence_stdout()
        sys.exit(1)
    except KeyboardInterrupt:  # Ctrl-C: as click says it
        print("\nAborted!", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:
        line = error_line(exc)
        if line is None:
            raise
        print(line, file=sys.stderr)
        sys.exit(1)
    sys.exit(0)


def quick_facts_args(args: list[str]) -> dict | None:
    """The arguments of :func:`write_facts` when ``args`` is ``facts FILE`` with plain options, else None.

    Accepted: one existing file (not a folder, not ``-``) and the options of ``_OPTIONS``, each
    as ``--name value``, ``--name=value`` or a flag; a value must not start with ``-``. The last
    of a repeated option wins, ``--kind`` adds up, as in click.
    """
    if not args or args[0] != "facts":
        return None
    found: dict = {param: [] for param in _MULTIPLE}
    corpus = None
    rest = iter(args[1:])
    for arg in rest:
        if not arg.startswith("-") or arg == "-":
            if corpus is not None or arg == "-":
                return None
            corpus = arg
            continue
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")  # -o=x means "=x"
        if name not in _OPTIONS:
            return None
        param, takes = _OPTIONS[name]
        if takes == "flag":
            if eq:
                return None
            found[param] = True
            continue
        if not eq:
            value = next(rest, None)
            if value is None or value.startswith("-"):
                return None
        converted = _convert(value, takes)
        if converted is None:
            return None
        if param in _MULTIPLE:
            found[param].append(converted)
        else:
            found[param] = converted
    if corpus is None or not os.path.isfile(corpus):
        return None
    if "output" in found and (not found["output"] or os.path.isdir(found["output"])):
        return None  # click refuses these with its own message
    from .output import infer_format

    return {"corpus": corpus, "encoding": found.get("encoding"), "split": not found.get("no_split"),
            "kinds": found["kinds"] or None, "min_value": found.get("min_value"),
            "fmt": infer_format(found.get("output"), found.get("fmt"), "table"),
            "output": found.get("output"), "force": bool(found.get("force"))}


def _convert(value: str, takes):
    """``value`` as the option takes it, or None when click would refuse it (it then says why)."""
    if takes == "text":
        return value
    if isinstance(takes, tuple):
        return value if value in takes else None
    try:
        return int(value) if takes == "int" else float(value)
    except ValueError:
        return None


def write_facts(corpus, *, encoding: str | None = None, split: bool = True, batch_chars: int | None = None,
                kinds=None, min_value: float | None = None, run=None, fmt: str = "table",
                output: str | None = None, force: bool = False) -> None:
    """``unitynlp facts``: write the facts of ``corpus`` in ``fmt`` and a count per kind on stderr.

    ``run`` (the command line's runner) spreads a folder's batches over workers; one file is
    read and extracted here, without pandas.
    """
    from .facts import FACT_COLUMNS, summary_line
    from .output import write_chunks

    seen: list[dict] = []
    chunks = _fact_chunks(corpus, encoding=encoding, split=split, batch_chars=batch_chars, kinds=kinds, run=run)
    kept = ([r for r in rows if min_value is None or (r["value"] is not None and r["value"] >= min_value)]
            for rows in chunks)
    write_chunks((_tally(rows, seen) for rows in kept), FACT_TABLE_COLUMNS if fmt == "table" else FACT_COLUMNS,
                 output, fmt, force=force)
    print(f"unitynlp: {summary_line(seen)}", file=sys.stderr, flush=True)


def _fact_chunks(corpus, *, encoding, split, batch_chars, kinds, run):
    """Facts as lists of rows: one report straight through (no pandas), a folder batch by batch."""
    from .facts import extract_facts

    if corpus is not None and (str(corpus) == "-" or not os.path.isdir(corpus)):
        from .corpus import read_documents

        docs = read_documents(corpus, encoding=encoding, split=split)
        yield [r for d in docs for r in extract_facts(d["text"], doc_id=d["doc_id"], kinds=kinds)]
        return
    from .corpus import BATCH_CHARS, iter_corpus
    from .facts import facts

    batches = iter_corpus(corpus, batch_chars=batch_chars or BATCH_CHARS, encoding=encoding, split=split)
    for table in run.stream(facts, batches, kinds=kinds):
        yield table.to_dict("records")


def _tally(rows: list[dict], seen: list[dict]) -> list[dict]:
    """Pass ``rows`` on, remembering their kind and document for the summary line."""
    seen.extend({"kind": r["kind"], "doc_id": r["doc_id"]} for r in rows)
    return rows


def error_line(exc: BaseException) -> str | None:
    """The one line the command line prints for an error the user can fix, or None for a bug."""
    from .errors import UnityNLPError

    if isinstance(exc, UnityNLPError):
        return f"Error: {exc}"
    if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):  # a full disk, no permission …
        return f"Error: {exc.filename or ''}: {exc.strerror or exc}".replace(": : ", ": ")
    return None


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises no second BrokenPipeError."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
