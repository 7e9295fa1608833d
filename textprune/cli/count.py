"""``textprune count``: stream a corpus and write its frequency dictionary.

The cleaning, corpus and engine options are defined here once and shared with
``textprune clean``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from textprune.cli.main import is_quiet, reject_nan, report

CHOICES_ENTITY = ["keep", "drop", "replace"]

F = Callable[..., Any]


def cleaning_options(function: F) -> F:
    """Add the cleaning and tokenizing options to a command."""
    options = [
        click.option(
            "--lowercase/--no-lowercase",
            default=True,
            show_default=True,
            help="Lowercase the text.",
        ),
        click.option(
            "--nfkc/--no-nfkc",
            default=True,
            show_default=True,
            help="Apply Unicode NFKC normalisation first (ligatures, full-width "
            "forms, composed accents).",
        ),
        click.option(
            "--strip-accents/--keep-accents",
            default=False,
            show_default=True,
            help="Remove accents and other combining marks (café -> cafe).",
        ),
        click.option(
            "--urls",
            type=click.Choice(CHOICES_ENTITY),
            default="keep",
            show_default=True,
            help="Keep URLs as text, drop them, or replace each with <url>.",
        ),
        click.option(
            "--emails",
            type=click.Choice(CHOICES_ENTITY),
            default="keep",
            show_default=True,
            help="Keep e-mail addresses as text, drop them, or replace each "
            "with <email>.",
        ),
        click.option(
            "--numbers",
            type=click.Choice(CHOICES_ENTITY),
            default="keep",
            show_default=True,
            help="Keep numbers, drop them, or replace each with <num>.",
        ),
        click.option(
            "--punctuation/--no-punctuation",
            default=False,
            show_default=True,
            help="Keep punctuation and symbols as tokens.",
        ),
        click.option(
            "--min-length",
            type=click.IntRange(min=1),
            default=1,
            show_default=True,
            help="Drop tokens with fewer characters.",
        ),
        click.option(
            "--max-length",
            type=click.IntRange(min=1),
            default=None,
            help="Drop tokens with more characters (default: no limit).",
        ),
        click.option(
            "--tokenizer",
            type=click.Choice(["regex", "spacy"]),
            default="regex",
            show_default=True,
            help="regex: words of letters and digits in any script, with inner "
            "apostrophes and hyphens; spacy: spaCy's tokenizer for --lang.",
        ),
        click.option(
            "--lang",
            default="en",
            show_default=True,
            help="Language code of spaCy's tokenizer (a blank pipeline).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def corpus_options(function: F) -> F:
    """Add the input options (folders, JSON Lines, documents, encoding, jobs)."""
    options = [
        click.option(
            "--glob",
            default="*",
            show_default=True,
            help="File name pattern read inside folders, at any depth.",
        ),
        click.option(
            "--jsonl-field",
            metavar="NAME",
            default=None,
            help="Read JSON Lines; each record's field NAME is one document.",
        ),
        click.option(
            "--document",
            type=click.Choice(["line", "file"]),
            default="line",
            show_default=True,
            help="A document is one non-blank line, or one whole file.",
        ),
        click.option(
            "--encoding",
            default="utf-8",
            show_default=True,
            help="Text encoding of the inputs.",
        ),
        click.option(
            "--encoding-errors",
            type=click.Choice(["strict", "replace"]),
            default="strict",
            show_default=True,
            help="strict: stop at the first invalid byte; replace: count it as "
            "U+FFFD and report how many were replaced.",
        ),
        click.option(
            "-j",
            "--jobs",
            # More processes than this only add start-up cost on any machine
            # textprune targets, and huge values overflow multiprocessing.
            type=click.IntRange(min=1, max=1024),
            default=1,
            show_default=True,
            help="Processes to run in (with --engine dask: workers of the local "
            "cluster). The output is the same for any number.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def build_count_options(params: dict[str, Any]) -> Any:
    """Return the CountOptions of the parsed command-line parameters."""
    from textprune.corpus import CorpusOptions
    from textprune.counting import CountOptions
    from textprune.text import CleaningOptions

    cleaning = CleaningOptions(
        lowercase=params["lowercase"],
        nfkc=params["nfkc"],
        strip_accents=params["strip_accents"],
        urls=params["urls"],
        emails=params["emails"],
        numbers=params["numbers"],
        punctuation=params["punctuation"],
        min_length=params["min_length"],
        max_length=params["max_length"],
        tokenizer=params["tokenizer"],
        lang=params["lang"],
    )
    corpus = CorpusOptions(
        document=params["document"],
        jsonl_field=params["jsonl_field"],
        encoding=params["encoding"],
        encoding_errors=params["encoding_errors"],
        glob=params["glob"],
    )
    return CountOptions(cleaning, corpus)


@contextmanager
def progress_bar(ctx: click.Context, inputs: list[str], glob: str) -> Iterator[Any]:
    """Yield a callback that advances a tqdm bar on stderr by bytes read.

    The bar is hidden with ``--quiet`` and when stderr is not a terminal.
    """
    from tqdm import tqdm

    from textprune.corpus import expand_inputs, input_size

    hidden = is_quiet(ctx) or not sys.stderr.isatty()
    total = None if hidden else input_size(expand_inputs(inputs, glob))
    with tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stderr,
        disable=hidden,
        leave=False,
    ) as bar:
        yield bar.update


def report_replacements(ctx: click.Context, replacements: dict[str, int]) -> None:
    """Tell the user how many invalid byte sequences each file had."""
    for path, number in replacements.items():
        name = "<stdin>" if path == "-" else path
        report(ctx, f"{name}: replaced {number} invalid byte sequences with U+FFFD")


@click.command("count")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="COUNTS",
    help="Frequency dictionary to write (TSV); '-' writes to stdout.",
)
@cleaning_options
@corpus_options
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: processes on this machine; dask: a Dask cluster.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Dask scheduler to use, e.g. tcp://10.0.0.5:8786 (default: start a "
    "local cluster of --jobs workers on 127.0.0.1).",
)
@click.option(
    "--chunk-size",
    type=click.FloatRange(min=0, max=4096, min_open=True),
    callback=reject_nan,
    default=4.0,
    show_default=True,
    help="Size of the pieces counted in parallel, in MiB.",
)
@click.option(
    "--plot",
    "plot_dir",
    type=click.Path(file_okay=False),
    help="Also write rank-frequency.png and coverage.png of the counts into this "
    "folder, to choose a pruning cut-off by eye.",
)
@click.pass_context
def command(
    ctx: click.Context, inputs: tuple[str, ...], output: str, **params: Any
) -> None:
    """Count the tokens of text files into a frequency dictionary.

    INPUT is a file, a folder (read recursively, see --glob) or '-' for stdin;
    gzip, bzip2 and xz files are decompressed. Each non-blank line is a document
    unless --document file or --jsonl-field is given.

    The output is a TSV: '# ' header lines with the totals and every setting
    that changes the counts, then token, count and documents per row, by count
    descending and ties by token. It is the same for any --jobs and --engine.

    \b
    Examples:
      textprune count corpora/ -o counts.tsv
      textprune count big/ --glob '*.txt.gz' --jobs 8 -o counts.tsv
      textprune count dump.jsonl --jsonl-field text --numbers replace -o counts.tsv
      textprune count shard-*.txt --engine dask --scheduler tcp://head:8786 -o c.tsv
    """
    from textprune._io import atomic_output, check_output_differs
    from textprune.counting import count_corpus
    from textprune.counts import write_counts

    if params["scheduler"] is not None and params["engine"] != "dask":
        raise click.UsageError("--scheduler needs --engine dask.")
    options = build_count_options(params)
    check_output_differs(output, [path for path in inputs])
    started = time.perf_counter()
    with progress_bar(ctx, list(inputs), options.corpus.glob) as advance:
        result = count_corpus(
            list(inputs),
            options,
            jobs=params["jobs"],
            engine=params["engine"],
            scheduler=params["scheduler"],
            chunk_size=max(1, int(params["chunk_size"] * 1024 * 1024)),
            progress=advance,
        )
    with atomic_output(output) as handle:
        write_counts(result.counts, handle)
    elapsed = time.perf_counter() - started
    counts = result.counts
    report_replacements(ctx, result.replacements)
    report(
        ctx,
        f"Counted {counts.n_tokens:,} tokens of {len(counts):,} types in "
        f"{counts.n_documents:,} documents from {len(result.files)} file(s), "
        f"{result.n_bytes / 1e6:.1f} MB in {elapsed:.1f} s; wrote {output}",
    )
    if params["plot_dir"] is not None:
        from textprune.plots import plot_counts

        for path in plot_counts(counts, params["plot_dir"]):
            report(ctx, f"Wrote {path}")
