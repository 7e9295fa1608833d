"""Tests of the frequency-dictionary TSV reader and writer."""

from __future__ import annotations

from collections import Counter

import pytest

from textprune.counts import FrequencyDictionary, read_counts, read_vocabulary
from textprune.errors import InputFormatError

HEADER = "# textprune-counts 1\n# documents 10\n# tokens 12\n# settings {}\n"


def test_counts_round_trip(tmp_path):
    counts = FrequencyDictionary(
        Counter(the=5, ark=5, noah=2), Counter(the=4, ark=3, noah=2), 6,
        {"lowercase": True},
    )
    path = tmp_path / "c.tsv"
    counts.save(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[4:] == ["ark\t5\t3", "the\t5\t4", "noah\t2\t2"]
    loaded = read_counts(path)
    assert loaded.counts == counts.counts
    assert loaded.doc_freqs == counts.doc_freqs
    assert loaded.n_documents == 6
    assert loaded.settings == {"lowercase": True}


def test_read_vocabulary_plain_word_list(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("\ufeffnoah\r\nark\r\n", encoding="utf-8")
    assert read_vocabulary(path) == ["noah", "ark"]


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("# textprune-counts 99\nthe\t1\t1\n", 1, "unsupported counts format version"),
        ("# textprune-counts 1\n# documents -5\nthe\t1\t1\n", 2, "invalid header"),
        (HEADER + "the\t5\t50\n", 5, "more than its 5 occurrences or the file's 10"),
        (HEADER + "the\t50\t11\n", 5, "the file's 10 documents"),
        (HEADER + "the\t5\t2\nthe\t3\t1\n", 6, "repeats the row on line 5"),
        (HEADER + "the\tfive\t2\n", 5, "not an integer"),
        (HEADER + "the\t5\t2\textra\n", 5, "got 4 fields"),
    ],
)
def test_read_counts_rejects_bad_rows(tmp_path, content, line, message):
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputFormatError, match=message) as info:
        read_counts(path)
    assert info.value.line == line
    assert info.value.path == str(path)


@pytest.mark.parametrize("content", ["", "# textprune-counts 1\n# documents 3\n"])
def test_read_counts_without_rows(tmp_path, content):
    path = tmp_path / "empty.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputFormatError, match="no word rows") as info:
        read_counts(path)
    assert info.value.path == str(path)
