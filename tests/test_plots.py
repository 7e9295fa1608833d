"""Tests of the evaluation and frequency-dictionary charts."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from textprune.counts import FrequencyDictionary
from textprune.errors import EmptyResultError, OutputError
from textprune.evaluate import EvaluationSettings, evaluate_vectors
from textprune.plots import (
    plot_coverage,
    plot_differences,
    plot_rank_frequency,
    plot_scores,
    plot_size_quality,
    write_evaluation_plots,
)
from textprune.vectors import WordVectors

PNG = b"\x89PNG\r\n\x1a\n"
REPO = Path(__file__).resolve().parent.parent


def _png_size(path: Path) -> tuple[int, int]:
    from matplotlib.image import imread

    image = imread(path)
    return image.shape[1], image.shape[0]


@pytest.fixture(scope="module")
def counts() -> FrequencyDictionary:
    """Token counts of the first 3,000 lines of the shipped New Testament text."""
    result = FrequencyDictionary()
    path = REPO / "corpora" / "kjv-new-testament.txt"
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if number == 3000:
                break
            result.add_document(re.findall(r"\w+", line.lower()))
    return result


@pytest.fixture(scope="module")
def report():
    """A baseline and two candidates on two benchmarks, from gensim's test vectors."""
    from gensim.models import KeyedVectors
    from gensim.test.utils import datapath

    kv = KeyedVectors.load_word2vec_format(
        datapath("euclidean_vectors.bin"), binary=True
    )
    base = WordVectors(list(kv.index_to_key), kv.vectors)
    rng = np.random.default_rng(0)
    noisy = WordVectors(
        base.words, base.vectors + rng.normal(0, 0.3, base.vectors.shape)
    )
    small = base.select(base.words[: len(base) // 2])
    return evaluate_vectors(
        {"noisy": noisy, "half": small},
        baseline=base,
        benchmarks=["EN-MEN-TR-3k", "EN-SIMLEX-999"],
        settings=EvaluationSettings(n_resamples=50, n_queries=20, n_pairs=200, k=5),
    )


def test_plot_scores_writes_png(report, tmp_path: Path) -> None:
    path = tmp_path / "scores.png"
    plot_scores(report, path)
    assert path.read_bytes()[:8] == PNG
    width, height = _png_size(path)
    assert width > 500
    # One panel per candidate: the report has two.
    assert height > 2 * 300


def test_plot_scores_is_deterministic(report, tmp_path: Path) -> None:
    plot_scores(report, tmp_path / "a.png")
    plot_scores(report, tmp_path / "b.png")
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_plot_differences_writes_png(report, tmp_path: Path) -> None:
    path = tmp_path / "differences.png"
    plot_differences(report, path)
    assert path.read_bytes()[:8] == PNG


def test_plot_differences_needs_baseline(tmp_path: Path) -> None:
    table = WordVectors(["car", "automobile"], np.eye(2, dtype=np.float32))
    single = evaluate_vectors(
        table, benchmarks=["EN-MC-30"], settings=EvaluationSettings(n_resamples=10)
    )
    with pytest.raises(EmptyResultError, match="baseline"):
        plot_differences(single, tmp_path / "differences.png")


def test_plot_size_quality_writes_png(report, tmp_path: Path) -> None:
    path = tmp_path / "size.png"
    plot_size_quality(report, path)
    assert path.read_bytes()[:8] == PNG


def test_plot_size_quality_needs_two_tables(tmp_path: Path) -> None:
    table = WordVectors(["car", "automobile"], np.eye(2, dtype=np.float32))
    single = evaluate_vectors(
        table, benchmarks=["EN-MC-30"], settings=EvaluationSettings(n_resamples=10)
    )
    with pytest.raises(EmptyResultError, match="at least two tables"):
        plot_size_quality(single, tmp_path / "size.png")
    assert not (tmp_path / "size.png").exists()


def test_write_evaluation_plots_lists_files(report, tmp_path: Path) -> None:
    written = write_evaluation_plots(report, tmp_path / "new" / "charts")
    names = [path.name for path in written]
    assert names == ["scores.png", "differences.png", "size-quality.png"]
    assert all(path.is_file() for path in written)


def test_write_evaluation_plots_rejects_file(report, tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("not a folder")
    with pytest.raises(OutputError, match="not a folder"):
        write_evaluation_plots(report, target)


def test_plot_rank_frequency_writes_png(counts, tmp_path: Path) -> None:
    path = tmp_path / "rank.png"
    plot_rank_frequency(counts, path)
    assert path.read_bytes()[:8] == PNG
    assert _png_size(path)[0] > 500


def test_plot_coverage_writes_png(counts, tmp_path: Path) -> None:
    path = tmp_path / "coverage.png"
    plot_coverage(counts, path)
    assert path.read_bytes()[:8] == PNG


@pytest.mark.parametrize("plot", [plot_rank_frequency, plot_coverage])
def test_frequency_plots_reject_empty_counts(plot, tmp_path: Path) -> None:
    with pytest.raises(EmptyResultError, match="no tokens"):
        plot(FrequencyDictionary(), tmp_path / "empty.png")
    assert not (tmp_path / "empty.png").exists()


def test_import_does_not_load_pyplot() -> None:
    code = "import sys, textprune.plots; print('matplotlib.pyplot' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"
