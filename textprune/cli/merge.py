"""``textprune merge``: add frequency dictionaries, or export one for gensim."""

from __future__ import annotations

import click

from textprune.cli.main import report


@click.command("merge")
@click.argument("counts", nargs=-1, required=True, metavar="COUNTS...")
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="COUNTS",
    help="File to write; '-' writes to stdout.",
)
@click.option(
    "--to",
    "to_format",
    type=click.Choice(["tsv", "gensim"]),
    default="tsv",
    show_default=True,
    help="tsv: textprune's counts file; gensim: the text format that "
    "gensim.corpora.Dictionary.load_from_text reads.",
)
@click.option(
    "--ignore-settings",
    is_flag=True,
    help="Merge parts counted with different settings; the output keeps only "
    "the settings they share.",
)
@click.pass_context
def command(
    ctx: click.Context,
    counts: tuple[str, ...],
    output: str,
    to_format: str,
    ignore_settings: bool,
) -> None:
    """Add the counts of frequency dictionaries, for a corpus counted in parts.

    Counts, document frequencies and document totals are summed. Parts must have
    been counted with the same settings unless --ignore-settings is given. With
    one input, --to gensim converts it.

    \b
    Examples:
      textprune merge part-1.tsv part-2.tsv -o counts.tsv
      textprune merge counts.tsv --to gensim -o dictionary.txt
        (then in Python: Dictionary.load_from_text("dictionary.txt"))
    """
    from textprune._io import atomic_output, check_output_differs
    from textprune.counts import (
        merge_counts,
        read_counts,
        write_counts,
        write_gensim_text,
    )

    check_output_differs(output, counts)
    parts = [read_counts(path) for path in counts]
    total = merge_counts(parts, names=counts, check_settings=not ignore_settings)
    with atomic_output(output) as handle:
        if to_format == "gensim":
            write_gensim_text(total, handle)
        else:
            write_counts(total, handle)
    report(
        ctx,
        f"Merged {len(parts)} file(s): {total.n_tokens:,} tokens of {len(total):,} "
        f"types in {total.n_documents:,} documents; wrote {output}",
    )
