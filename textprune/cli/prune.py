"""``textprune prune``: drop words from a frequency dictionary by rule."""

from __future__ import annotations

from pathlib import Path

import click

from textprune.cli.main import reject_nan, report


class DocumentThreshold(click.ParamType):
    """A document count (an int) or a fraction of documents (a float in (0, 1])."""

    name = "INT|FLOAT"

    def convert(self, value, param, ctx):
        from textprune.prune import parse_document_threshold

        if isinstance(value, int | float):
            return value
        try:
            number = parse_document_threshold(value)
        except ValueError:
            self.fail(f"{value!r} is not an integer or a decimal fraction", param, ctx)
        if isinstance(number, float) and not 0.0 < number <= 1.0:
            self.fail(
                f"{value} as a fraction must be in (0, 1]; "
                "give an integer for a number of documents",
                param,
                ctx,
            )
        if isinstance(number, int) and number < 0:
            self.fail(f"{value} must not be negative", param, ctx)
        return number


@click.command(name="prune")
@click.argument("counts_path", metavar="COUNTS", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, allow_dash=True),
    help="Where to write the kept rows, in the same TSV format ('-' for stdout).",
)
@click.option(
    "--min-count", type=click.IntRange(min=0), help="Drop words seen fewer times."
)
@click.option(
    "--min-df",
    type=DocumentThreshold(),
    help="Drop words in fewer documents: an int is a count, a float a fraction.",
)
@click.option(
    "--max-df",
    type=DocumentThreshold(),
    help="Drop words in more documents: an int is a count, a float a fraction.",
)
@click.option(
    "--max-size",
    type=click.IntRange(min=1),
    help="Keep at most this many words, the most frequent first.",
)
@click.option(
    "--coverage",
    type=click.FloatRange(min=0.0, max=1.0, min_open=True),
    callback=reject_nan,
    help="Keep the most frequent words that cover this share of all tokens.",
)
@click.option(
    "--stop-words",
    default="none",
    show_default=True,
    metavar="LANG|FILE|none",
    help="Drop spaCy's stop words for a language code, or the words in a file.",
)
@click.option(
    "--keep",
    "keep_path",
    type=click.Path(path_type=Path),
    help="A word list (or frequency dictionary) of words that are never dropped.",
)
@click.option(
    "--dropped",
    "dropped_path",
    type=click.Path(path_type=Path),
    help="Also write every dropped word with its counts and the rule that dropped it.",
)
@click.option(
    "--plot",
    "plot_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write rank-frequency.png and coverage.png of COUNTS into this folder.",
)
@click.pass_context
def command(
    ctx: click.Context,
    counts_path: Path,
    output: Path,
    min_count: int | None,
    min_df: float | None,
    max_df: float | None,
    max_size: int | None,
    coverage: float | None,
    stop_words: str,
    keep_path: Path | None,
    dropped_path: Path | None,
    plot_dir: Path | None,
) -> None:
    """Prune the frequency dictionary COUNTS and write the kept rows.

    Rules run in this order, and each dropped word is charged to the first rule that
    drops it: stop words, --min-count, --min-df, --max-df, --coverage, --max-size.
    A summary of the types and token share each rule dropped goes to stderr.

    \b
    Example:
      textprune prune counts.tsv --min-count 5 --stop-words en -o vocab.tsv
    """
    from textprune._io import check_output_differs
    from textprune.counts import read_counts, read_vocabulary
    from textprune.prune import (
        VocabularyPruner,
        format_summary,
        load_stop_words,
        write_dropped,
    )

    inputs: list[Path] = [counts_path]
    if keep_path is not None:
        inputs.append(keep_path)
    if Path(stop_words).exists():
        inputs.append(Path(stop_words))
    check_output_differs(output, inputs)
    if dropped_path is not None:
        check_output_differs(dropped_path, inputs)
        if dropped_path.resolve() == output.resolve():
            raise click.UsageError("--dropped and --output name the same file.")
    counts = read_counts(counts_path)
    pruner = VocabularyPruner(
        min_count=min_count,
        min_df=min_df,
        max_df=max_df,
        max_size=max_size,
        coverage=coverage,
        stop_words=load_stop_words(stop_words),
        keep=read_vocabulary(keep_path) if keep_path else None,
    )
    pruned = pruner.fit_transform(counts)
    pruned.save(output)
    if dropped_path is not None:
        write_dropped(pruner, counts, dropped_path)
    report(ctx, format_summary(pruner))
    if plot_dir is not None:
        from textprune.plots import plot_counts

        for path in plot_counts(counts, plot_dir):
            report(ctx, f"Wrote {path}")
