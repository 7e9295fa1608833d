"""PNG charts of evaluation results and of frequency dictionaries.

matplotlib is imported inside each function with the Agg backend, so importing this
module is cheap and no display is needed. Every chart is written through
:func:`textprune._io.atomic_output`.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from textprune._io import PathLike, atomic_output
from textprune.errors import EmptyResultError, OutputError

if TYPE_CHECKING:
    from textprune.counts import FrequencyDictionary
    from textprune.evaluate import EvaluationReport

logger = logging.getLogger(__name__)

_DPI = 150


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _save(figure: Any, path: PathLike) -> None:
    plt = _pyplot()
    try:
        with atomic_output(path, "wb") as handle:
            figure.savefig(handle, format="png", dpi=_DPI, bbox_inches="tight")
    finally:
        plt.close(figure)
    logger.info("Wrote the chart %s", os.fspath(path))


def _yerr(values: Sequence[float], intervals: Sequence[Sequence[float]]) -> np.ndarray:
    """Return the (2, n) distances from each value to its interval ends (0 if NaN)."""
    lower = [
        v - low if math.isfinite(low) else 0.0 for v, (low, _) in zip(values, intervals)
    ]
    upper = [
        high - v if math.isfinite(high) else 0.0
        for v, (_, high) in zip(values, intervals)
    ]
    return np.clip(np.array([lower, upper]), 0.0, None)


Series = list[tuple[str, list[tuple[str, float, tuple[float, float]]]]]


def plot_scores(report: EvaluationReport, path: PathLike) -> None:
    """Draw Spearman's rho per benchmark, with bootstrap intervals.

    Without a baseline, one panel shows each table's own scores. With a baseline,
    each candidate gets its own panel, in which the baseline and the candidate are
    both scored on the pairs the two cover, so the bars compare like with like.

    Raises
    ------
    EmptyResultError
        If the report has no word-similarity scores.
    """
    panels = _score_panels(report)
    if not panels or not panels[0][1] or not panels[0][1][0][1]:
        raise EmptyResultError("the report has no word-similarity scores to plot")
    plt = _pyplot()
    benchmarks = [name for name, _, _ in panels[0][1][0][1]]
    width = max(7.0, 0.9 * len(benchmarks) + 2)
    figure, all_axes = plt.subplots(
        len(panels),
        1,
        figsize=(width, 3.6 * len(panels) + 1.2),
        sharex=True,
        squeeze=False,
    )
    for axes, (title, series) in zip(all_axes[:, 0], panels):
        _draw_bars(axes, benchmarks, series)
        axes.set_title(title, fontsize="medium")
    last = all_axes[-1, 0]
    last.set_xticks(np.arange(len(benchmarks)))
    last.set_xticklabels(benchmarks, rotation=35, ha="right")
    percent = round(report.settings.confidence * 100)
    figure.suptitle(
        f"Word similarity per benchmark (error bars: {percent}% bootstrap interval)"
    )
    figure.tight_layout()
    _save(figure, path)


def _draw_bars(axes: Any, benchmarks: list[str], series: Series) -> None:
    width = 0.8 / len(series)
    positions = np.arange(len(benchmarks))
    for number, (label, points) in enumerate(series):
        values = [value for _, value, _ in points]
        intervals = [interval for _, _, interval in points]
        shown = [value if math.isfinite(value) else 0.0 for value in values]
        axes.bar(
            positions + (number - (len(series) - 1) / 2) * width,
            shown,
            width,
            yerr=_yerr(shown, intervals),
            capsize=3,
            label=label,
        )
    axes.set_ylabel("Spearman's rho")
    axes.axhline(0.0, color="black", linewidth=0.8)
    # Room above 1.0 keeps the caps of intervals that reach 1 visible.
    axes.set_ylim(min(0.0, axes.get_ylim()[0]), 1.05)
    axes.grid(axis="y", alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")


def _score_panels(report: EvaluationReport) -> list[tuple[str, Series]]:
    """Return (title, series) per panel of :func:`plot_scores`."""
    if report.baseline is None:
        series: Series = [
            (
                _short(item.summary.label),
                [(s.benchmark, s.spearman, s.spearman_ci) for s in item.similarity],
            )
            for item in report.candidates
        ]
        return [("Each table's own scores (cosine vs. human score)", series)]
    panels = []
    baseline_label = "baseline: " + _short(report.baseline.summary.label)
    for item in report.candidates:
        comparisons = item.comparisons
        series = [
            (
                baseline_label,
                [
                    (c.benchmark, c.baseline_spearman, c.baseline_ci)
                    for c in comparisons
                ],
            ),
            (
                _short(item.summary.label),
                [
                    (c.benchmark, c.candidate_spearman, c.candidate_ci)
                    for c in comparisons
                ],
            ),
        ]
        title = (
            f"{_short(item.summary.label)} and the baseline, on the pairs both cover"
        )
        panels.append((title, series))
    return panels


def plot_differences(report: EvaluationReport, path: PathLike) -> None:
    """Draw each candidate's change in Spearman's rho per benchmark, with intervals.

    The change is measured on the pairs both tables cover; an interval that
    excludes 0 is a change beyond the noise of the pair sample.

    Raises
    ------
    EmptyResultError
        If the report has no baseline comparisons.
    """
    items = [item for item in report.candidates if item.comparisons]
    if report.baseline is None or not items:
        raise EmptyResultError("a difference chart needs a --baseline to compare with")
    plt = _pyplot()
    benchmarks = [c.benchmark for c in items[0].comparisons] + ["mean"]
    positions = np.arange(len(benchmarks))
    width = 0.8 / len(items)
    figure, axes = plt.subplots(figsize=(max(7.0, 0.9 * len(benchmarks) + 2), 4.8))
    for number, item in enumerate(items):
        values = [c.difference for c in item.comparisons]
        intervals = [c.difference_ci for c in item.comparisons]
        mean = item.mean_comparison
        values.append(mean.difference if mean else math.nan)
        intervals.append(mean.difference_ci if mean else (math.nan, math.nan))
        shown = [value if math.isfinite(value) else 0.0 for value in values]
        axes.errorbar(
            positions + (number - (len(items) - 1) / 2) * width,
            shown,
            yerr=_yerr(shown, intervals),
            fmt="o",
            capsize=3,
            label=_short(item.summary.label),
        )
    axes.axhline(0.0, color="black", linewidth=0.8)
    gate = report.gate
    if gate is not None and gate.checks and not gate.checks[0].relative:
        axes.axhline(
            -gate.checks[0].limit,
            color="red",
            linestyle="--",
            linewidth=1,
            label=f"--max-drop {gate.max_drop}",
        )
    axes.set_xticks(positions)
    axes.set_xticklabels(benchmarks, rotation=35, ha="right")
    axes.set_ylabel("candidate - baseline Spearman's rho")
    percent = round(report.settings.confidence * 100)
    axes.set_title(
        "Change on the pairs both tables cover\n"
        f"(error bars: {percent}% paired bootstrap interval)"
    )
    axes.grid(axis="y", alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    _save(figure, path)


def plot_size_quality(report: EvaluationReport, path: PathLike) -> None:
    """Draw each table's size against its mean Spearman's rho and its coverage.

    The left panel shows the mean of each table's own scores under the report's
    unknown-word policy. The right panel shows the share of benchmark pairs whose
    words the table contains, because under ``skip`` a smaller vocabulary can raise
    the mean by dropping hard pairs. The baseline is drawn as a star. Sizes are
    bytes on disk for files, or ``rows * dims * 4`` for other tables.

    Raises
    ------
    EmptyResultError
        If fewer than two tables have a mean score.
    """
    items = ([report.baseline] if report.baseline else []) + list(report.candidates)
    items = [item for item in items if math.isfinite(item.mean_spearman)]
    if len(items) < 2:
        raise EmptyResultError(
            "a size-quality chart needs at least two tables with scores; pass "
            "several VECTORS or a --baseline"
        )
    plt = _pyplot()
    from matplotlib.ticker import FuncFormatter

    figure, (quality, coverage) = plt.subplots(1, 2, figsize=(11.0, 4.6))
    sizes = [item.summary.size_bytes / 1_000_000 for item in items]
    # Distinct markers keep tables with equal values apart where points overlap.
    markers = ["o", "s", "^", "D", "v", "P", "X"]
    for number, (item, size) in enumerate(zip(items, sizes)):
        is_baseline = item is report.baseline
        style = {
            "marker": "*" if is_baseline else markers[number % len(markers)],
            "s": 160 if is_baseline else 60,
            "alpha": 0.8,
            "zorder": 3,
            "label": ("baseline: " if is_baseline else "") + _short(item.summary.label),
        }
        found = sum(score.found for score in item.similarity)
        total = sum(score.total for score in item.similarity)
        quality.scatter(size, item.mean_spearman, **style)
        coverage.scatter(size, 100.0 * found / total if total else math.nan, **style)
    log_scale = max(sizes) / max(min(sizes), 1e-9) >= 20
    for axes in (quality, coverage):
        if log_scale:
            axes.set_xscale("log")
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        axes.xaxis.set_minor_formatter(FuncFormatter(lambda value, _: ""))
        scale = ", log scale" if log_scale else ""
        axes.set_xlabel(f"size (MB{scale}; files on disk, others as float32)")
        axes.grid(alpha=0.3, which="both")
        axes.margins(x=0.15, y=0.15)
    quality.set_ylabel("mean Spearman's rho over the benchmarks")
    quality.set_title(f"Quality (unknown words: {report.settings.oov.value})")
    coverage.set_ylabel("benchmark pairs with both words known (%)")
    coverage.set_ylim(0, 105)
    coverage.set_title("Coverage")
    coverage.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    figure.suptitle("Size against quality and coverage")
    figure.tight_layout()
    _save(figure, path)


def _short(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else "..." + label[-(limit - 3) :]


def write_evaluation_plots(report: EvaluationReport, directory: PathLike) -> list[Path]:
    """Write every chart the report supports into ``directory``; return the paths.

    ``scores.png`` is written when there are word-similarity scores,
    ``differences.png`` when there is also a baseline, and ``size-quality.png``
    when at least two tables have scores.

    Raises
    ------
    OutputError
        If ``directory`` exists and is not a folder, or cannot be created.
    """
    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise OutputError(
            "exists and is not a folder; name a folder for the charts", path=folder
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the folder ({exc.strerror}); choose a writable place",
            path=folder,
        ) from exc
    written = []
    if any(item.similarity for item in report.candidates):
        plot_scores(report, folder / "scores.png")
        written.append(folder / "scores.png")
    if report.baseline is not None and any(i.comparisons for i in report.candidates):
        plot_differences(report, folder / "differences.png")
        written.append(folder / "differences.png")
    tables = ([report.baseline] if report.baseline else []) + list(report.candidates)
    if sum(math.isfinite(item.mean_spearman) for item in tables) >= 2:
        plot_size_quality(report, folder / "size-quality.png")
        written.append(folder / "size-quality.png")
    return written


def _sorted_counts(counts: FrequencyDictionary) -> np.ndarray:
    values = np.sort(np.fromiter(counts.counts.values(), dtype=np.int64))[::-1]
    values = values[values > 0]
    if values.size == 0:
        raise EmptyResultError("the frequency dictionary has no tokens to plot")
    return values


def plot_rank_frequency(counts: FrequencyDictionary, path: PathLike) -> None:
    """Draw the count of each token against its frequency rank, both on log scales.

    Raises
    ------
    EmptyResultError
        If ``counts`` has no token with a positive count.
    """
    values = _sorted_counts(counts)
    plt = _pyplot()
    ranks = np.arange(1, values.size + 1)
    figure, axes = plt.subplots(figsize=(7.0, 4.8))
    axes.loglog(ranks, values, linewidth=1.2, label="tokens")
    axes.set_xlabel("frequency rank (log scale)")
    axes.set_ylabel("occurrences (log scale)")
    axes.set_title(
        f"Rank-frequency curve: {values.size:,} types, {int(values.sum()):,} tokens"
    )
    axes.grid(alpha=0.3, which="both")
    _save(figure, path)


def plot_coverage(counts: FrequencyDictionary, path: PathLike) -> None:
    """Draw the share of token occurrences covered by the N most frequent types.

    Dotted lines mark the vocabulary sizes that cover 90%, 95% and 99% of tokens.

    Raises
    ------
    EmptyResultError
        If ``counts`` has no token with a positive count.
    """
    values = _sorted_counts(counts)
    plt = _pyplot()
    covered = np.cumsum(values) / values.sum() * 100.0
    sizes = np.arange(1, values.size + 1)
    figure, axes = plt.subplots(figsize=(7.0, 4.8))
    axes.plot(sizes, covered, linewidth=1.5, label="tokens covered")
    for share in (90.0, 95.0, 99.0):
        needed = int(np.searchsorted(covered, share - 1e-9) + 1)
        if needed <= values.size:
            axes.axvline(needed, linestyle=":", color="grey", linewidth=1)
            axes.annotate(
                f"{share:g}%: {needed:,} types",
                (needed, share),
                textcoords="offset points",
                xytext=(4, -12),
                fontsize="small",
            )
    axes.set_xscale("log")
    axes.set_xlabel("vocabulary size: most frequent types kept (log scale)")
    axes.set_ylabel("share of token occurrences covered (%)")
    axes.set_ylim(0, 101)
    axes.set_title("Token coverage against vocabulary size")
    axes.grid(alpha=0.3, which="both")
    _save(figure, path)


def plot_counts(counts: FrequencyDictionary, directory: PathLike) -> list[Path]:
    """Write ``rank-frequency.png`` and ``coverage.png`` of ``counts`` into
    ``directory``, creating it if needed, and return their paths."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "rank-frequency.png", folder / "coverage.png"]
    plot_rank_frequency(counts, written[0])
    plot_coverage(counts, written[1])
    return written


__all__ = [
    "plot_counts",
    "plot_coverage",
    "plot_differences",
    "plot_rank_frequency",
    "plot_scores",
    "plot_size_quality",
    "write_evaluation_plots",
]
