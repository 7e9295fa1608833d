"""Tests of the shipped benchmarks and the word-similarity and analogy readers."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from textprune.benchmarks import (
    SHIPPED,
    AnalogyBenchmark,
    SimilarityBenchmark,
    default_similarity_benchmarks,
    find_shipped,
    load_benchmark,
    read_analogies,
    read_similarity_pairs,
)
from textprune.errors import InputFormatError, TextpruneError


@pytest.mark.parametrize("name", list(SHIPPED))
def test_shipped_benchmark_size_matches_registry(name: str) -> None:
    benchmark = load_benchmark(name)
    assert len(benchmark) == SHIPPED[name].size
    assert benchmark.name == name


@pytest.mark.parametrize("name", default_similarity_benchmarks())
def test_shipped_similarity_scores_are_finite(name: str) -> None:
    benchmark = load_benchmark(name)
    assert isinstance(benchmark, SimilarityBenchmark)
    assert np.isfinite(benchmark.scores).all()
    assert all(a and b for a, b in benchmark.pairs)


def test_shipped_analogies_match_gensim_copy(gensim_datapath) -> None:
    ours = SHIPPED["EN-GOOGLE-ANALOGY"].path.read_bytes()
    theirs = Path(gensim_datapath("questions-words.txt")).read_bytes()
    assert ours == theirs


def test_shipped_registry_has_sources_and_measures() -> None:
    for info in SHIPPED.values():
        assert info.source
        assert info.measures
        assert info.path.is_file()


@pytest.mark.parametrize(
    ("content", "pairs", "scores"),
    [
        (b"a\tb\t1.5\nc\td\t2\n", [("a", "b"), ("c", "d")], [1.5, 2.0]),
        (b"a\tb\t1.5\r\nc\td\t2\r\n", [("a", "b"), ("c", "d")], [1.5, 2.0]),
        (b"\xef\xbb\xbfa\tb\t1.5\nc\td\t2", [("a", "b"), ("c", "d")], [1.5, 2.0]),
        (b"a b 1.5\nc   d 2\n", [("a", "b"), ("c", "d")], [1.5, 2.0]),
        (
            b"# comment\n\na\tb\t1.5\n# another\nc\td\t2\n",
            [("a", "b"), ("c", "d")],
            [1.5, 2.0],
        ),
        (b"Word 1\tWord 2\tHuman (mean)\na\tb\t1.5\n", [("a", "b")], [1.5]),
        (b"word1 word2 score\na b 3e-1\n", [("a", "b")], [0.3]),
        (
            b"# The set\n# Word 1\tWord 2\tscore\nNew York\tcity\t7\n",
            [("New York", "city")],
            [7.0],
        ),
    ],
)
def test_read_similarity_pairs_accepts_variants(
    tmp_path: Path, content: bytes, pairs: list, scores: list
) -> None:
    path = tmp_path / "pairs.txt"
    path.write_bytes(content)
    benchmark = read_similarity_pairs(path)
    assert benchmark.pairs == pairs
    assert benchmark.scores.tolist() == pytest.approx(scores)
    assert benchmark.name == "pairs"


def test_read_similarity_pairs_reads_gzip(tmp_path: Path) -> None:
    path = tmp_path / "pairs.txt.gz"
    path.write_bytes(gzip.compress(b"a\tb\t1\nc\td\t2\n"))
    benchmark = read_similarity_pairs(path)
    assert len(benchmark) == 2
    assert benchmark.name == "pairs"


@pytest.mark.parametrize(
    ("content", "line", "match"),
    [
        (b"a\tb\t1\nc\td\tlots\n", 2, "score 'lots' is not a number"),
        (b"a\tb\t1\nc\td\tnan\n", 2, "not a number"),
        (b"# header comment\na\tb\t1\nc\td\n", 3, "got 2 fields"),
        (b"a\tb\t1\nc\td\t1\t2\n", 2, "got 4 fields"),
    ],
)
def test_read_similarity_pairs_rejects_bad_rows(
    tmp_path: Path, content: bytes, line: int, match: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputFormatError, match=match) as info:
        read_similarity_pairs(path)
    assert info.value.line == line
    assert info.value.path == str(path)
    assert f"line {line}" in str(info.value)


def test_read_similarity_pairs_rejects_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("# only a comment\n\n")
    with pytest.raises(InputFormatError, match="no word pairs"):
        read_similarity_pairs(path)


def test_read_similarity_pairs_gensim_files(gensim_datapath) -> None:
    wordsim = read_similarity_pairs(gensim_datapath("wordsim353.tsv"))
    simlex = read_similarity_pairs(gensim_datapath("simlex999.txt"))
    assert len(wordsim) == 353
    assert len(simlex) == 999
    assert wordsim.pairs[0] == ("love", "sex")
    assert wordsim.scores[0] == pytest.approx(6.77)


def test_read_analogies_sections(gensim_datapath) -> None:
    benchmark = read_analogies(gensim_datapath("questions-words.txt"))
    names = [name for name, _ in benchmark.sections]
    assert len(names) == 14
    assert names[0] == "capital-common-countries"
    assert len(benchmark) == 19544
    assert benchmark.sections[0][1][0] == ("Athens", "Greece", "Baghdad", "Iraq")


def test_read_analogies_tolerates_crlf_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "q.txt"
    path.write_bytes(
        b"\xef\xbb\xbf# mine\r\n: first\r\na b c d\r\n\r\n: empty\r\n: second\r\ne f g h\r\n"
    )
    benchmark = read_analogies(path)
    assert benchmark.sections == [
        ("first", [("a", "b", "c", "d")]),
        ("second", [("e", "f", "g", "h")]),
    ]


@pytest.mark.parametrize(
    ("content", "line", "match"),
    [
        (b"a b c d\n", 1, "before the first"),
        (b": s\na b c\n", 2, "expected four words"),
    ],
)
def test_read_analogies_rejects_bad_rows(
    tmp_path: Path, content: bytes, line: int, match: str
) -> None:
    path = tmp_path / "q.txt"
    path.write_bytes(content)
    with pytest.raises(InputFormatError, match=match) as info:
        read_analogies(path)
    assert info.value.line == line


def test_load_benchmark_name_is_case_insensitive() -> None:
    benchmark = load_benchmark("en-simlex-999")
    assert benchmark.name == "EN-SIMLEX-999"
    assert find_shipped("EN-MC-30") is SHIPPED["EN-MC-30"]
    assert find_shipped("nothing") is None


def test_load_benchmark_detects_user_analogy_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.txt"
    path.write_text("# my analogies\n: capitals\nparis france rome italy\n")
    benchmark = load_benchmark(path)
    assert isinstance(benchmark, AnalogyBenchmark)
    assert benchmark.name == "mine"


def test_load_benchmark_unknown_name_lists_shipped() -> None:
    with pytest.raises(TextpruneError, match="EN-SIMLEX-999") as info:
        load_benchmark("EN-NOPE-1")
    assert "no shipped benchmark" in str(info.value)
