"""Tests of ``textprune compress`` through Click's runner."""

from __future__ import annotations

from pathlib import Path

import pytest

from textprune.cli.main import main
from textprune.container import CompressedVectors
from textprune.formats import read_vectors


@pytest.fixture
def vectors_path(gensim_datapath) -> str:
    """gensim's bundled fastText vectors: 1,762 words, 10 dimensions."""
    return gensim_datapath("lee_fasttext.vec")


@pytest.fixture
def vocab_file(tmp_path, vectors_path) -> Path:
    words = read_vectors(vectors_path).words[:300]
    path = tmp_path / "vocab.txt"
    path.write_text("\n".join(words) + "\n", encoding="utf-8")
    return path


def _run(runner, *args: str):
    return runner.invoke(main, ["compress", *args], catch_exceptions=False)


def test_compress_writes_container_and_summary(runner, vectors_path, tmp_path):
    out = tmp_path / "out.tpr"
    result = _run(runner, vectors_path, "--quantize", "int8", "-o", str(out))
    assert result.exit_code == 0, result.output
    vectors = CompressedVectors.load(out)
    assert len(vectors) == 1762
    assert vectors.recipe.describe() == "int8"
    assert "Rows: 1,762 -> 1,762; dims: 10 -> 10" in result.stderr
    assert "Bytes: 70,480 as float32 -> 17,620 of codes (4.0x" in result.stderr
    assert f"file {out.stat().st_size:,} bytes" in result.stderr


def test_compress_quantize_none_stores_float32(runner, vectors_path, tmp_path):
    out = tmp_path / "out.tpr"
    assert _run(runner, vectors_path, "-o", str(out)).exit_code == 0
    original = read_vectors(vectors_path)
    decoded = read_vectors(out)
    assert decoded.words == original.words
    assert (decoded.vectors == original.vectors).all()


def test_compress_options_build_recipe(runner, vectors_path, tmp_path):
    out = tmp_path / "out.tpr"
    args = ["--postprocess", "abtt:1", "--dims", "8", "--reduce", "ppa"]
    args += ["--scale", "--quantize", "itq", "-o", str(out)]
    result = _run(runner, vectors_path, *args)
    assert result.exit_code == 0, result.output
    labels = CompressedVectors.load(out).recipe.describe()
    assert labels == "abtt:1,abtt:1,pca:8,abtt:1,scale,itq-binary"


def test_compress_recipe_option(runner, vectors_path, tmp_path):
    out = tmp_path / "out.tpr"
    result = _run(runner, vectors_path, "--recipe", "center,svd:6,int4", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert CompressedVectors.load(out).recipe.describe() == "center,svd:6,int4"


def test_compress_vocab_and_remap(runner, vectors_path, vocab_file, tmp_path):
    out = tmp_path / "out.tpr"
    args = ["--vocab", str(vocab_file), "--remap", "--quantize", "float16"]
    result = _run(runner, vectors_path, *args, "-o", str(out))
    assert result.exit_code == 0, result.output
    vectors = CompressedVectors.load(out)
    assert len(vectors) == 300
    assert len(vectors.aliases) == 1762 - 300
    assert "Remapped 1,462 dropped words to kept rows" in result.stderr
    dropped = read_vectors(vectors_path).words[-1]
    assert dropped in vectors


def test_compress_vocab_without_remap(runner, vectors_path, vocab_file, tmp_path):
    out = tmp_path / "out.tpr"
    result = _run(runner, vectors_path, "--vocab", str(vocab_file), "-o", str(out))
    assert result.exit_code == 0, result.output
    vectors = CompressedVectors.load(out)
    assert len(vectors) == 300
    assert vectors.aliases == {}


def test_compress_ratio_search(runner, vectors_path, tmp_path):
    out = tmp_path / "out.tpr"
    result = _run(runner, vectors_path, "--ratio", "10", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "tried abtt,int2" in result.stderr
    vectors = CompressedVectors.load(out)
    assert vectors.codes.nbytes * 10 <= 1762 * 10 * 4


def test_compress_size_search(runner, vectors_path, tmp_path):
    out = tmp_path / "out.tpr"
    result = _run(runner, vectors_path, "--size", "20k", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.stat().st_size <= 20_000


def test_compress_same_seed_same_bytes(runner, vectors_path, tmp_path):
    outputs = []
    for name in ("a.tpr", "b.tpr"):
        out = tmp_path / name
        args = ["--recipe", "center,pca:8,scale,itq", "--seed", "5", "-o", str(out)]
        assert _run(runner, vectors_path, *args).exit_code == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_compress_reads_container_input(runner, vectors_path, tmp_path):
    first = tmp_path / "first.tpr"
    second = tmp_path / "second.tpr"
    assert (
        _run(runner, vectors_path, "--quantize", "float16", "-o", str(first)).exit_code
        == 0
    )
    result = _run(runner, str(first), "--quantize", "int8", "-o", str(second))
    assert result.exit_code == 0, result.output
    assert len(CompressedVectors.load(second)) == 1762


def test_compress_quiet_prints_nothing(runner, vectors_path, tmp_path):
    out = tmp_path / "out.tpr"
    result = runner.invoke(main, ["--quiet", "compress", vectors_path, "-o", str(out)])
    assert result.exit_code == 0
    assert result.stderr == ""


@pytest.mark.parametrize(
    "args, message",
    [
        (["--quantize", "int3"], "unknown step"),
        (["--quantize", "pca:4"], "is not a quantizer"),
        (["--remap"], "--remap needs --vocab"),
        (["--recipe", "int8", "--dims", "4"], "--recipe replaces --dims"),
        (["--ratio", "8", "--quantize", "int4"], "leave out --quantize"),
        (["--size", "lots"], "is not a size"),
        (["--ratio", "0.5"], "0.5 is not in the range"),
        (["--reduce", "lda", "--dims", "4"], "'lda' is not one of"),
    ],
)
def test_compress_usage_errors(runner, vectors_path, tmp_path, args, message):
    out = tmp_path / "out.tpr"
    result = runner.invoke(main, ["compress", vectors_path, *args, "-o", str(out)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--dims", "50"], "does not fit 10-d vectors"),
        (["--recipe", "pq:3"], "must divide the 10 dimensions"),
        (["--ratio", "100"], "ratio of at most 40"),
        (["--size", "2k"], "word list alone"),
    ],
)
def test_compress_errors_leave_no_output(runner, vectors_path, tmp_path, args, message):
    out = tmp_path / "out.tpr"
    result = runner.invoke(main, ["compress", vectors_path, *args, "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert not out.exists()


def test_compress_missing_input(runner, tmp_path):
    missing = tmp_path / "missing.vec"
    result = runner.invoke(main, ["compress", str(missing), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "file not found" in result.stderr
    assert str(missing) in result.stderr


def test_compress_vocab_matching_nothing(runner, vectors_path, tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("zzznotaword\nqqqnotaword\n", encoding="utf-8")
    out = tmp_path / "out.tpr"
    result = runner.invoke(
        main, ["compress", vectors_path, "--vocab", str(vocab), "-o", str(out)]
    )
    assert result.exit_code == 1
    assert "none of the 2 vocabulary words has a vector" in result.stderr
    assert not out.exists()


def test_compress_output_same_as_input(runner, vectors_path, tmp_path):
    copy = tmp_path / "copy.vec"
    copy.write_bytes(Path(vectors_path).read_bytes())
    result = runner.invoke(main, ["compress", str(copy), "-o", str(copy)])
    assert result.exit_code == 1
    assert "also an input" in result.stderr
    assert copy.read_bytes() == Path(vectors_path).read_bytes()


def test_compress_truncated_container_input(runner, vectors_path, tmp_path):
    good = tmp_path / "good.tpr"
    assert _run(runner, vectors_path, "-o", str(good)).exit_code == 0
    broken = tmp_path / "broken.tpr"
    broken.write_bytes(good.read_bytes()[:-100])
    result = runner.invoke(main, ["compress", str(broken), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "truncated" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args", [["--ratio", "nan"], ["--seed", "-1"], ["--ratio", "0.5"]]
)
def test_compress_rejects_bad_numbers(runner, tmp_path, args):
    from gensim.test.utils import datapath

    out = tmp_path / "out.tpr"
    result = runner.invoke(
        main, ["compress", datapath("lee_fasttext.vec"), *args, "-o", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not out.exists()
