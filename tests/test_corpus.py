"""Tests of input expansion, chunk planning, decoding and JSON Lines reading."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import pytest

from textprune.corpus import (
    Chunk,
    CorpusOptions,
    DecodeFailure,
    expand_inputs,
    input_size,
    jsonl_documents,
    plan_chunks,
)
from textprune.errors import TextpruneError


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_text("alpha\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("beta\n")
    (tmp_path / "sub" / "c.md").write_text("gamma\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "d.txt").write_text("delta\n")
    (tmp_path / ".e.txt").write_text("epsilon\n")
    return tmp_path


def test_expand_inputs_folder_recursive(tree: Path) -> None:
    files = expand_inputs([tree])
    names = [Path(path).relative_to(tree).as_posix() for path in files]
    assert names == ["a.txt", "sub/b.txt", "sub/c.md"]


def test_expand_inputs_glob(tree: Path) -> None:
    files = expand_inputs([tree], glob="*.txt")
    names = [Path(path).relative_to(tree).as_posix() for path in files]
    assert names == ["a.txt", "sub/b.txt"]


def test_expand_inputs_keeps_order_and_stdin(tree: Path) -> None:
    files = expand_inputs([tree / "sub" / "c.md", "-", tree / "a.txt"])
    assert files == [str(tree / "sub" / "c.md"), "-", str(tree / "a.txt")]


def test_expand_inputs_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TextpruneError, match="missing.txt: file not found"):
        expand_inputs([tmp_path / "missing.txt"])


def test_expand_inputs_no_match(tree: Path) -> None:
    with pytest.raises(TextpruneError, match=r"no file matching '\*\.csv'"):
        expand_inputs([tree], glob="*.csv")


def test_expand_inputs_stdin_twice() -> None:
    with pytest.raises(TextpruneError, match="only once"):
        expand_inputs(["-", "-"])


def read_chunk(chunk: Chunk) -> bytes:
    if chunk.data is not None:
        return chunk.data
    with open(chunk.path, "rb") as handle:
        handle.seek(chunk.start)
        assert chunk.end is not None
        return handle.read(chunk.end - chunk.start)


def test_plan_chunks_cover_file_at_line_ends(corpora_dir: Path) -> None:
    path = str(corpora_dir / "kjv-new-testament.txt")
    chunks = list(plan_chunks([path], CorpusOptions(), chunk_size=100_000))
    assert len(chunks) > 5
    assert chunks[0].start == 0
    for before, after in itertools.pairwise(chunks):
        assert before.end == after.start
    assert all(read_chunk(chunk).endswith(b"\n") for chunk in chunks)
    assert b"".join(map(read_chunk, chunks)) == Path(path).read_bytes()


def test_plan_chunks_compressed_carry_bytes(corpora_dir: Path, tmp_path: Path) -> None:
    raw = (corpora_dir / "kjv-new-testament.txt").read_bytes()
    path = tmp_path / "nt.txt.gz"
    path.write_bytes(gzip.compress(raw))
    chunks = list(plan_chunks([str(path)], CorpusOptions(), chunk_size=100_000))
    assert all(chunk.data is not None for chunk in chunks)
    assert b"".join(chunk.data or b"" for chunk in chunks) == raw
    lines = [chunk.first_line for chunk in chunks]
    assert lines[1] == 1 + (chunks[0].data or b"").count(b"\n")


def test_plan_chunks_compressed_streamed(tmp_path: Path) -> None:
    path = tmp_path / "small.gz"
    path.write_bytes(gzip.compress(b"one\ntwo\n"))
    chunks = list(plan_chunks([str(path)], CorpusOptions(), read_compressed=False))
    assert len(chunks) == 1
    assert chunks[0].is_stream


def test_plan_chunks_file_documents_one_per_file(tree: Path) -> None:
    files = expand_inputs([tree])
    chunks = list(plan_chunks(files, CorpusOptions(document="file"), chunk_size=1))
    assert [chunk.source_index for chunk in chunks] == [0, 1, 2]
    assert all(chunk.is_stream for chunk in chunks)


def test_plan_chunks_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    chunks = list(plan_chunks([str(path)], CorpusOptions()))
    assert len(chunks) == 1
    assert read_chunk(chunks[0]) == b""


def test_input_size(tree: Path, tmp_path: Path) -> None:
    files = expand_inputs([tree])
    assert input_size(files) == sum(Path(path).stat().st_size for path in files)
    packed = tmp_path / "x.gz"
    packed.write_bytes(gzip.compress(b"x\n"))
    assert input_size([str(packed)]) is None
    assert input_size(["-"]) is None


def test_decode_block_strict_offset() -> None:
    from textprune.corpus import decode_block

    with pytest.raises(DecodeFailure) as info:
        decode_block(b"ok\nbad \xff here\n", CorpusOptions(), at_start=False)
    assert info.value.relative_offset == 7
    assert "0xff" in info.value.message


def test_decode_block_bom_offset() -> None:
    from textprune.corpus import decode_block

    text, _ = decode_block(b"\xef\xbb\xbfword\n", CorpusOptions(), at_start=True)
    assert text == "word\n"
    with pytest.raises(DecodeFailure) as info:
        decode_block(b"\xef\xbb\xbfa\xff", CorpusOptions(), at_start=True)
    assert info.value.relative_offset == 4


def test_decode_block_replace_counts() -> None:
    from textprune.corpus import decode_block

    options = CorpusOptions(encoding_errors="replace")
    raw = b"a\xffb\xfe\xfdc \xef\xbf\xbd"
    text, replaced = decode_block(raw, options, at_start=False)
    # Each invalid byte is one replacement; a U+FFFD already in the text is not.
    assert replaced == 3
    assert text == "a\ufffdb\ufffd\ufffdc \ufffd"


def test_decode_block_other_encoding() -> None:
    from textprune.corpus import decode_block

    options = CorpusOptions(encoding="latin-1")
    text, _ = decode_block("café".encode("latin-1"), options, at_start=False)
    assert text == "café"


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"encoding": "utf-16"}, "not supported"),
        ({"encoding": "no-such-codec"}, "unknown encoding"),
        ({"document": "file", "jsonl_field": "text"}, "cannot be combined"),
    ],
)
def test_corpus_options_invalid(options: dict[str, str], match: str) -> None:
    with pytest.raises(TextpruneError, match=match):
        CorpusOptions(**options)  # type: ignore[arg-type]


def test_corpus_settings_omit_glob() -> None:
    settings = CorpusOptions(encoding="UTF8", glob="*.txt").settings()
    assert settings["encoding"] == "utf-8"
    assert "glob" not in settings


def test_jsonl_documents_fields() -> None:
    text = '{"text": "One\\ntwo", "id": 1}\n\n{"text": "three"}\n'
    documents, bad, message = jsonl_documents(text, "text")
    assert documents == ["One two", "three"]
    assert bad is None
    assert message == ""


@pytest.mark.parametrize(
    ("text", "bad_line", "match"),
    [
        ('{"text": "a"}\n{"body": "b"}\n', 1, "no text field 'text'"),
        ('{"text": "a"}\n{"text": 5}\n', 1, "no text field"),
        ('{"text": "a"}\n\n{broken\n', 2, "invalid JSON"),
        ('["text"]\n', 0, "no text field"),
    ],
)
def test_jsonl_documents_invalid(text: str, bad_line: int, match: str) -> None:
    documents, bad, message = jsonl_documents(text, "text")
    assert bad == bad_line
    assert match in message
    assert len(documents) == min(bad_line, 1)
