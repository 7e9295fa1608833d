"""``textprune clean``: write a cleaned, tokenized corpus for embedding training."""

from __future__ import annotations

import time
from typing import Any

import click

from textprune.cli.count import (
    build_count_options,
    cleaning_options,
    corpus_options,
    progress_bar,
    report_replacements,
)
from textprune.cli.main import report


@click.command("clean")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="OUTPUT",
    help="Text file to write, one document per line; '-' writes to stdout.",
)
@click.option(
    "--vocab",
    metavar="FILE",
    default=None,
    help="Keep only the tokens of this counts file or word list.",
)
@click.option(
    "--unk",
    metavar="TOKEN",
    default=None,
    help="Replace tokens outside --vocab with TOKEN instead of dropping them.",
)
@cleaning_options
@corpus_options
@click.pass_context
def command(
    ctx: click.Context,
    inputs: tuple[str, ...],
    output: str,
    vocab: str | None,
    unk: str | None,
    **params: Any,
) -> None:
    """Clean and tokenize text into one document per line, tokens separated by
    spaces, ready for word2vec or fastText training.

    Takes the same inputs and cleaning options as 'textprune count', so the
    tokens written are the tokens counted. A document without tokens is an empty
    line, so line N of OUTPUT is document N.

    \b
    Examples:
      textprune clean corpora/ -o corpus.txt
      textprune clean corpora/ --vocab vocab.tsv --unk '<unk>' -o corpus.txt
    """
    from textprune._io import atomic_output, check_output_differs
    from textprune.counting import CleanOptions, clean_corpus
    from textprune.counts import read_vocabulary

    if unk is not None and vocab is None:
        raise click.UsageError("--unk needs --vocab.")
    if unk is not None and (not unk or any(ch.isspace() for ch in unk)):
        raise click.BadParameter(
            "must be non-empty and contain no whitespace.", param_hint="--unk"
        )
    count_options = build_count_options(params)
    vocabulary = None if vocab is None else frozenset(read_vocabulary(vocab))
    options = CleanOptions(count_options, vocabulary, unk)
    check_output_differs(output, [*inputs, *([vocab] if vocab else [])])
    started = time.perf_counter()
    with (
        progress_bar(ctx, list(inputs), count_options.corpus.glob) as advance,
        atomic_output(output) as handle,
    ):
        result = clean_corpus(
            list(inputs), handle, options, jobs=params["jobs"], progress=advance
        )
    report_replacements(ctx, result.replacements)
    unknown = ""
    if vocabulary is not None:
        action = f"replaced by {unk}" if unk is not None else "dropped"
        unknown = f"; {result.n_unknown:,} tokens outside the vocabulary {action}"
    report(
        ctx,
        f"Wrote {result.n_documents:,} documents, {result.n_tokens:,} tokens "
        f"from {len(result.files)} file(s) to {output} in "
        f"{time.perf_counter() - started:.1f} s{unknown}",
    )
