"""Tests of ``textprune demo``, which runs all four stages on the shipped data."""

from __future__ import annotations

import re

import pytest

from textprune.cli.main import main
from textprune.container import CompressedVectors
from textprune.counts import read_counts
from textprune.demo import corpus_files


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    from click.testing import CliRunner

    folder = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--output-dir", str(folder)])
    return folder, result


def _after(table: str, measure: str) -> str:
    for line in table.splitlines():
        if re.match(rf"\w+\s+{re.escape(measure)}\b", line):
            return line
    raise AssertionError(f"no row {measure!r} in:\n{table}")


def test_corpus_files_are_the_shipped_texts():
    names = [path.name for path in corpus_files()]
    assert names == ["kjv-new-testament.txt", "kjv-old-testament.txt"]


def test_demo_exits_cleanly(demo_run):
    _, result = demo_run
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "Counting 2 shipped corpus files" in result.stderr


def test_demo_writes_each_stage(demo_run):
    folder, _ = demo_run
    counts = read_counts(folder / "counts.tsv")
    vocab = read_counts(folder / "vocab.tsv")
    vectors = CompressedVectors.load(folder / "vectors.tpr")
    assert counts.n_documents == 31102
    assert set(vocab.counts) <= set(counts.counts)
    assert min(vocab.counts.values()) >= 2
    assert 0 < len(vectors) <= len(vocab)
    assert set(vectors.index_to_key) <= set(vocab.counts)
    assert vectors.get_vector("god").shape == (150,)


def test_demo_table_reports_sizes_and_scores(demo_run):
    folder, result = demo_run
    table = result.stdout
    counts = read_counts(folder / "counts.tsv")
    assert f"{counts.n_tokens:,}" in _after(table, "tokens")
    assert "20,000" in _after(table, "vector rows")
    file_row = _after(table, "whole table / file bytes")
    assert f"{(folder / 'vectors.tpr').stat().st_size:,}" in file_row
    for name in ("EN-WS-353-ALL", "EN-SIMLEX-999", "EN-MEN-TR-3k"):
        row = _after(table, f"{name} Spearman")
        scores = re.findall(r"[-+]?\d\.\d{3}", row)
        assert len(scores) >= 2, row
        assert all(-1.0 <= float(score) <= 1.0 for score in scores)
    assert "mean Spearman" in table


def test_demo_missing_vectors_is_an_error(runner, tmp_path):
    result = runner.invoke(
        main,
        ["demo", "--output-dir", str(tmp_path), "--vectors", str(tmp_path / "no.bin")],
    )
    assert result.exit_code == 1
    assert "Error:" in result.stderr
    assert "file not found" in result.stderr
    assert "Traceback" not in result.output
