"""Tests of counting, merging, the gensim export and cleaning a corpus to text."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import re
from collections import Counter
from pathlib import Path

import pytest

from textprune.corpus import CorpusOptions
from textprune.counting import (
    CleanOptions,
    CountOptions,
    clean_corpus,
    count_corpus,
)
from textprune.counts import (
    FrequencyDictionary,
    merge_counts,
    to_gensim_dictionary,
    write_counts,
    write_gensim_text,
)
from textprune.errors import EmptyResultError, InputFormatError, TextpruneError
from textprune.text import CleaningOptions, TextProcessor

WORD = re.compile(r"[^\W_]+(?:['’\-\u2010][^\W_]+)*")


def tsv(counts: FrequencyDictionary) -> str:
    handle = io.StringIO()
    write_counts(counts, handle)
    return handle.getvalue()


@pytest.fixture
def small_corpus(corpora_dir: Path, tmp_path: Path) -> Path:
    """The first 3,000 verses of the Old Testament."""
    lines = (corpora_dir / "kjv-old-testament.txt").read_text().splitlines()
    path = tmp_path / "genesis.txt"
    path.write_text("\n".join(lines[:3000]) + "\n")
    return path


def reference_counts(paths: list[Path]) -> tuple[Counter[str], Counter[str], int]:
    """Count with a plain regex, one line at a time, independently of textprune."""
    counts: Counter[str] = Counter()
    doc_freqs: Counter[str] = Counter()
    documents = 0
    for path in paths:
        for line in path.read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            documents += 1
            found = WORD.findall(line.lower())
            counts.update(found)
            doc_freqs.update(set(found))
    return counts, doc_freqs, documents


def test_count_corpus_equals_reference(corpora_dir: Path) -> None:
    paths = sorted(corpora_dir.glob("kjv-*.txt"))
    result = count_corpus(paths, chunk_size=300_000)
    counts, doc_freqs, documents = reference_counts(paths)
    assert result.counts.counts == counts
    assert result.counts.doc_freqs == doc_freqs
    assert result.counts.n_documents == documents
    assert result.n_bytes == sum(path.stat().st_size for path in paths)


def test_count_corpus_chunk_size_invariant(small_corpus: Path) -> None:
    outputs = {
        tsv(count_corpus([small_corpus], chunk_size=size).counts)
        for size in (97, 4096, 1 << 22)
    }
    assert len(outputs) == 1


def test_count_corpus_jobs_identical(corpora_dir: Path) -> None:
    paths = sorted(corpora_dir.glob("kjv-*.txt"))
    serial = tsv(count_corpus(paths, jobs=1).counts)
    parallel = tsv(count_corpus(paths, jobs=2, chunk_size=256 * 1024).counts)
    assert parallel == serial


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress])
def test_count_corpus_compressed(small_corpus: Path, tmp_path: Path, compress) -> None:
    packed = tmp_path / "packed.bin"
    packed.write_bytes(compress(small_corpus.read_bytes()))
    plain = count_corpus([small_corpus]).counts
    result = count_corpus([packed], chunk_size=50_000)
    assert tsv(result.counts) == tsv(plain)
    assert result.n_bytes == small_corpus.stat().st_size


def test_count_corpus_file_documents(corpora_dir: Path) -> None:
    result = count_corpus(
        [corpora_dir], CountOptions(corpus=CorpusOptions(document="file", glob="kjv-*"))
    )
    counts = result.counts
    assert counts.n_documents == 2
    assert counts.doc_freqs["the"] == 2
    assert counts.doc_freqs["jesus"] == 1
    assert counts.counts == reference_counts(sorted(corpora_dir.glob("kjv-*.txt")))[0]


def test_count_corpus_empty_file_is_a_document(
    small_corpus: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    options = CountOptions(corpus=CorpusOptions(document="file"))
    assert count_corpus([small_corpus, empty], options).counts.n_documents == 2


def test_count_corpus_jsonl_equals_lines(small_corpus: Path, tmp_path: Path) -> None:
    lines = small_corpus.read_text().splitlines()
    jsonl = tmp_path / "verses.jsonl"
    jsonl.write_text(
        "".join(
            json.dumps({"id": i, "text": line}) + "\n" for i, line in enumerate(lines)
        )
    )
    options = CountOptions(corpus=CorpusOptions(jsonl_field="text"))
    from_jsonl = count_corpus([jsonl], options, chunk_size=10_000).counts
    from_lines = count_corpus([small_corpus]).counts
    assert from_jsonl.counts == from_lines.counts
    assert from_jsonl.doc_freqs == from_lines.doc_freqs
    assert from_jsonl.n_documents == from_lines.n_documents
    assert from_jsonl.settings["jsonl_field"] == "text"


def test_count_corpus_jsonl_error_names_line(tmp_path: Path) -> None:
    jsonl = tmp_path / "bad.jsonl"
    jsonl.write_text('{"text": "a"}\n' * 50 + '{"body": "b"}\n')
    options = CountOptions(corpus=CorpusOptions(jsonl_field="text"))
    with pytest.raises(
        InputFormatError, match=r"bad.jsonl, line 51, byte offset 700: .*'text'"
    ):
        count_corpus([jsonl], options, chunk_size=100)


def write_with_bad_bytes(path: Path, lines: list[str], bad_lines: list[int]) -> int:
    """Write ``lines`` with a 0xff byte inside each of ``bad_lines``; return the
    offset of the first one."""
    data = bytearray()
    first = -1
    for number, line in enumerate(lines, start=1):
        raw = line.encode() + b"\n"
        if number in bad_lines:
            if first < 0:
                first = len(data) + 3
            raw = raw[:3] + b"\xff" + raw[3:]
        data += raw
    path.write_bytes(bytes(data))
    return first


@pytest.mark.parametrize("jobs", [1, 2])
def test_count_corpus_strict_first_bad_byte(
    small_corpus: Path, tmp_path: Path, jobs: int
) -> None:
    lines = small_corpus.read_text().splitlines()
    bad = tmp_path / "bad.txt"
    offset = write_with_bad_bytes(bad, lines, [1700, 2500])
    expected = rf"bad.txt, line 1700, byte offset {offset}: cannot decode byte 0xff"
    with pytest.raises(TextpruneError, match=expected):
        count_corpus([bad], jobs=jobs, chunk_size=20_000)


def test_count_corpus_strict_error_in_compressed(
    small_corpus: Path, tmp_path: Path
) -> None:
    lines = small_corpus.read_text().splitlines()
    bad = tmp_path / "bad.txt"
    offset = write_with_bad_bytes(bad, lines, [2000])
    packed = tmp_path / "bad.txt.xz"
    packed.write_bytes(lzma.compress(bad.read_bytes()))
    with pytest.raises(TextpruneError, match=rf"line 2000, byte offset {offset}"):
        count_corpus([packed], chunk_size=20_000)


def test_count_corpus_replace_counts(small_corpus: Path, tmp_path: Path) -> None:
    lines = small_corpus.read_text().splitlines()
    bad = tmp_path / "bad.txt"
    write_with_bad_bytes(bad, lines, [10, 20, 2999])
    options = CountOptions(corpus=CorpusOptions(encoding_errors="replace"))
    result = count_corpus([bad, small_corpus], options, chunk_size=10_000)
    assert result.replacements == {str(bad): 3}
    assert result.counts.settings["encoding_errors"] == "replace"


def test_count_corpus_latin1(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Café crème\ncafé\n".encode("latin-1"))
    options = CountOptions(corpus=CorpusOptions(encoding="latin-1"))
    counts = count_corpus([path], options).counts
    assert counts.counts == Counter({"café": 2, "crème": 1})
    assert counts.settings["encoding"] == "iso8859-1"


def test_count_corpus_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes(b"\xef\xbb\xbfHello world\r\n\r\nhello\r\n")
    options = CountOptions(CleaningOptions(punctuation=True))
    counts = count_corpus([path], options).counts
    assert counts.counts == Counter({"hello": 2, "world": 1})
    assert counts.n_documents == 2


def test_count_corpus_empty_result(tmp_path: Path) -> None:
    path = tmp_path / "numbers.txt"
    path.write_text("1 2 3\n")
    options = CountOptions(CleaningOptions(numbers="drop"))
    with pytest.raises(EmptyResultError, match="no tokens found"):
        count_corpus([path], options)


def test_count_corpus_length_limits_match_tokenizer(small_corpus: Path) -> None:
    cleaning = CleaningOptions(min_length=3, max_length=6, numbers="replace")
    counts = count_corpus([small_corpus], CountOptions(cleaning)).counts
    processor = TextProcessor(cleaning)
    expected: Counter[str] = Counter()
    for line in small_corpus.read_text().splitlines():
        expected.update(processor.tokenize(line))
    assert counts.counts == expected
    assert counts.settings["min_length"] == 3


def test_count_corpus_spacy_matches_spacy(small_corpus: Path, tmp_path: Path) -> None:
    import spacy

    lines = small_corpus.read_text().splitlines()[:400]
    sample = tmp_path / "sample.txt"
    sample.write_text("\n".join(lines) + "\n")
    options = CountOptions(CleaningOptions(tokenizer="spacy"))
    counts = count_corpus([sample], options, chunk_size=8_000).counts
    nlp = spacy.blank("en")
    expected: Counter[str] = Counter()
    for doc in nlp.pipe(lines):
        expected.update(
            token.lower_ for token in doc if any(ch.isalnum() for ch in token.text)
        )
    assert counts.counts == expected
    assert counts.settings["tokenizer"] == "spacy"


def test_count_corpus_invalid_arguments(small_corpus: Path) -> None:
    with pytest.raises(TextpruneError, match="jobs must be 1 or more"):
        count_corpus([small_corpus], jobs=0)
    with pytest.raises(TextpruneError, match="engine must be"):
        count_corpus([small_corpus], engine="spark")


def test_merge_counts_equals_counting_together(corpora_dir: Path) -> None:
    old, new = (
        corpora_dir / "kjv-old-testament.txt",
        corpora_dir / "kjv-new-testament.txt",
    )
    merged = merge_counts([count_corpus([old]).counts, count_corpus([new]).counts])
    together = count_corpus([old, new]).counts
    assert tsv(merged) == tsv(together)


def test_merge_counts_settings_differ(small_corpus: Path) -> None:
    lower = count_corpus([small_corpus]).counts
    upper = count_corpus(
        [small_corpus], CountOptions(CleaningOptions(lowercase=False))
    ).counts
    with pytest.raises(InputFormatError, match="upper.tsv: .*differing: lowercase"):
        merge_counts([lower, upper], names=["lower.tsv", "upper.tsv"])
    merged = merge_counts([lower, upper], check_settings=False)
    assert "lowercase" not in merged.settings
    assert merged.settings["tokenizer"] == "regex"
    assert merged.n_documents == 2 * lower.n_documents


def test_gensim_dictionary_export(small_corpus: Path) -> None:
    counts = count_corpus([small_corpus]).counts
    dictionary = to_gensim_dictionary(counts)
    assert dictionary.num_docs == counts.n_documents
    assert dictionary.num_pos == counts.n_tokens
    the = dictionary.token2id["the"]
    assert dictionary.dfs[the] == counts.doc_freqs["the"]
    assert dictionary.cfs[the] == counts.counts["the"]
    assert len(dictionary) == len(counts)


def test_gensim_text_loads_and_matches_gensim(
    small_corpus: Path, tmp_path: Path
) -> None:
    from gensim.corpora import Dictionary

    counts = count_corpus([small_corpus]).counts
    ours = tmp_path / "ours.txt"
    with open(ours, "w", encoding="utf-8") as handle:
        write_gensim_text(counts, handle)
    theirs = tmp_path / "theirs.txt"
    to_gensim_dictionary(counts).save_as_text(str(theirs))
    assert ours.read_bytes() == theirs.read_bytes()
    loaded = Dictionary.load_from_text(str(ours))
    assert loaded.num_docs == counts.n_documents
    assert loaded.dfs[loaded.token2id["lord"]] == counts.doc_freqs["lord"]


def clean_text(
    inputs: list[Path], options: CleanOptions | None = None, jobs: int = 1
) -> str:
    handle = io.StringIO()
    clean_corpus(inputs, handle, options, jobs=jobs, chunk_size=30_000)
    return handle.getvalue()


def test_clean_corpus_lines_match_tokens(small_corpus: Path) -> None:
    text = clean_text([small_corpus])
    processor = TextProcessor()
    expected = [
        " ".join(processor.tokenize(line))
        for line in small_corpus.read_text().splitlines()
        if line.strip()
    ]
    assert text.split("\n")[:-1] == expected


def test_clean_corpus_jobs_identical(small_corpus: Path) -> None:
    assert clean_text([small_corpus], jobs=2) == clean_text([small_corpus])


def test_clean_corpus_vocabulary(tmp_path: Path) -> None:
    path = tmp_path / "text.txt"
    path.write_text("The cat sat\n\nthe dog\nzebra\n")
    vocabulary = frozenset({"the", "cat"})
    dropped = clean_text([path], CleanOptions(vocabulary=vocabulary))
    assert dropped == "the cat\nthe\n\n"
    replaced = clean_text([path], CleanOptions(vocabulary=vocabulary, unknown="<unk>"))
    assert replaced == "the cat <unk>\nthe <unk>\n<unk>\n"


def test_clean_corpus_file_documents(small_corpus: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text("First line\nsecond line\n")
    options = CleanOptions(CountOptions(corpus=CorpusOptions(document="file")))
    lines = clean_text([other, small_corpus], options).split("\n")
    assert lines[0] == "first line second line"
    assert len(lines) == 3
    assert lines[1].startswith("in the beginning god created")


def test_clean_corpus_jsonl_empty_record(tmp_path: Path) -> None:
    jsonl = tmp_path / "records.jsonl"
    jsonl.write_text('{"text": ""}\n{"text": "Two words"}\n{"text": "..."}\n')
    options = CleanOptions(CountOptions(corpus=CorpusOptions(jsonl_field="text")))
    assert clean_text([jsonl], options) == "\ntwo words\n\n"


def test_merge_partials_leaves_inputs() -> None:
    from textprune.counting import PartialCounts, merge_partials

    left = PartialCounts(Counter({"a": 2}), Counter({"a": 1}), 1, 10)
    right = PartialCounts(Counter({"a": 1, "b": 1}), Counter({"a": 1, "b": 1}), 1, 5)
    total = merge_partials(left, right)
    assert total.counts == Counter({"a": 3, "b": 1})
    assert total.doc_freqs == Counter({"a": 2, "b": 1})
    assert total.n_documents == 2
    assert left.counts == Counter({"a": 2})
    assert left.n_documents == 1


def test_partial_counts_pickle_round_trip() -> None:
    import pickle

    from textprune.counting import PartialCounts

    part = PartialCounts(Counter({"a": 3, "b": 1}), Counter({"a": 2, "b": 1}), 2, 9)
    copy = pickle.loads(pickle.dumps(part))
    assert copy == part
    odd = PartialCounts(Counter({"a": 1}), Counter({"a": 1, "z": 1}), 1, 1)
    assert pickle.loads(pickle.dumps(odd)) == odd


def test_add_counts_equals_update() -> None:
    from textprune.counting import add_counts

    total = Counter({"a": 1, "b": 2})
    add_counts(total, Counter({"b": 3, "c": 4}))
    assert total == Counter({"a": 1, "b": 5, "c": 4})


def test_count_corpus_compressed_jobs(small_corpus: Path, tmp_path: Path) -> None:
    packed = tmp_path / "packed.gz"
    packed.write_bytes(gzip.compress(small_corpus.read_bytes()))
    serial = tsv(count_corpus([small_corpus]).counts)
    parallel = tsv(count_corpus([packed], jobs=2, chunk_size=40_000).counts)
    assert parallel == serial
