"""Reading and writing word-vector files.

This module is the only place that knows how bytes become words and vectors. Readers
detect the format from the content:

- ``word2vec`` text: an optional ``<rows> <dims>`` count line, then ``word v1 v2 ...``
  rows (GloVe text and fastText ``.vec`` files are this format without or with the
  count line);
- ``word2vec`` binary: a count line, then per row the word, a space and ``dims``
  little-endian float32 values;
- textprune's compressed container (see :mod:`textprune.container`);
- a spaCy pipeline's vectors, named ``spacy:NAME_OR_PATH``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import IO, Literal

import numpy as np

from textprune._io import (
    PathLike,
    atomic_output,
    detect_compression,
    display_name,
    open_binary,
)
from textprune.errors import InputFormatError, TextpruneError
from textprune.vectors import WordVectors

logger = logging.getLogger(__name__)

SPACY_PREFIX = "spacy:"
CONTAINER_MAGIC = b"\x93TPRUNE"

VectorFormat = Literal["word2vec-text", "word2vec-binary", "container", "spacy"]


def detect_format(path: PathLike) -> VectorFormat:
    """Return the format of the vector file at ``path`` from its content."""
    text = os.fspath(path)
    if text.startswith(SPACY_PREFIX):
        return "spacy"
    with open_binary(path) as stream:
        head = stream.read(4096)
    if head.startswith(CONTAINER_MAGIC):
        return "container"
    first_line, newline, rest = head.partition(b"\n")
    fields = first_line.split()
    if (
        newline
        and len(fields) == 2
        and all(field.isdigit() for field in fields)
        and _looks_binary(rest)
    ):
        return "word2vec-binary"
    return "word2vec-text"


def _looks_binary(sample: bytes) -> bool:
    """Guess whether the rows after a count line are binary float32 values."""
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start < len(sample) - 4
    return False


def read_vectors(path: PathLike, limit: int | None = None) -> WordVectors:
    """Read vectors from any supported format, detected from the content.

    Parameters
    ----------
    path : str or os.PathLike
        A vector file (optionally gzip, bzip2 or xz compressed), or
        ``spacy:NAME_OR_PATH`` for a spaCy pipeline's vectors.
    limit : int, default=None
        Read only the first ``limit`` rows.

    Raises
    ------
    TextpruneError
        If the file is missing or malformed; the message names the file and line.
    """
    kind = detect_format(path)
    logger.info("Reading %s as %s", display_name(path), kind)
    if kind == "spacy":
        from textprune.spacy_vectors import read_spacy_vectors

        table = read_spacy_vectors(os.fspath(path)[len(SPACY_PREFIX) :])
    elif kind == "container":
        from textprune.container import CompressedVectors

        table = CompressedVectors.load(path).to_word_vectors()
    elif kind == "word2vec-binary":
        with open_binary(path) as stream:
            table = _read_word2vec_binary(stream, display_name(path), limit)
    else:
        with open_binary(path) as stream:
            table = _read_word2vec_text(stream, display_name(path), limit)
    if limit is not None and len(table) > limit:
        table = WordVectors(table.words[:limit], table.vectors[:limit])
    logger.info("Read %d vectors of %d dimensions", len(table), table.dims)
    return table


def _parse_count_line(line: bytes) -> tuple[int, int] | None:
    fields = line.split()
    if len(fields) == 2 and all(field.isdigit() for field in fields):
        return int(fields[0]), int(fields[1])
    return None


def _decode_word(raw: bytes, name: str, number: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFormatError(
            f"the word {raw!r} is not valid UTF-8; convert the file to UTF-8",
            path=name,
            line=number,
        ) from exc


def _read_word2vec_text(
    stream: IO[bytes], name: str, limit: int | None
) -> WordVectors:
    words: list[str] = []
    rows: list[np.ndarray] = []
    seen: dict[str, int] = {}
    dims: int | None = None
    expected_rows: int | None = None
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        line = raw.rstrip(b"\r\n")
        if number == 1:
            header = _parse_count_line(line)
            if header is not None:
                expected_rows, dims = header
                continue
        if not line.strip():
            continue
        if limit is not None and len(words) >= limit:
            break
        word_bytes, _, values = line.rstrip().partition(b" ")
        word = _decode_word(word_bytes, name, number)
        try:
            vector = np.array(values.split(), dtype=np.float32)
        except ValueError as exc:
            raise InputFormatError(
                "a vector value is not a number; each row must be a word "
                "followed by numbers separated by spaces",
                path=name,
                line=number,
            ) from exc
        if dims is None:
            dims = len(vector)
            if dims == 0:
                raise InputFormatError(
                    "the row has a word but no values", path=name, line=number
                )
        if len(vector) != dims:
            raise InputFormatError(
                f"expected {dims} values, got {len(vector)}; every row must have "
                "the same number of values",
                path=name,
                line=number,
            )
        if not np.isfinite(vector).all():
            raise InputFormatError(
                "the row contains NaN or infinity; fix or remove the row",
                path=name,
                line=number,
            )
        if word in seen:
            raise InputFormatError(
                f"the word {word!r} also appears on line {seen[word]}; "
                "remove one of the rows",
                path=name,
                line=number,
            )
        seen[word] = number
        words.append(word)
        rows.append(vector)
    if not words:
        raise InputFormatError(
            "no vectors found; the file is empty or holds only a count line",
            path=name,
        )
    if expected_rows is not None and limit is None and expected_rows != len(words):
        raise InputFormatError(
            f"the count line announces {expected_rows} rows, but the file has "
            f"{len(words)}; fix the count line or the rows",
            path=name,
            line=1,
        )
    return WordVectors(words, np.vstack(rows))


def _read_word2vec_binary(
    stream: IO[bytes], name: str, limit: int | None
) -> WordVectors:
    header = _parse_count_line(stream.readline())
    if header is None:
        raise InputFormatError("missing the '<rows> <dims>' count line", path=name, line=1)
    n_rows, dims = header
    if limit is not None:
        n_rows = min(n_rows, limit)
    row_bytes = 4 * dims
    words: list[str] = []
    vectors = np.empty((n_rows, dims), dtype=np.float32)
    offset = len(str(header[0])) + len(str(header[1])) + 2
    seen: set[str] = set()
    for row in range(n_rows):
        word_bytes = bytearray()
        while True:
            char = stream.read(1)
            if not char:
                raise InputFormatError(
                    f"the file ends after {row} of {n_rows} rows; it is truncated",
                    path=name,
                    offset=offset,
                )
            if char == b" ":
                break
            if char != b"\n" or word_bytes:
                word_bytes += char
        raw = stream.read(row_bytes)
        if len(raw) != row_bytes:
            raise InputFormatError(
                f"the file ends inside row {row + 1} of {n_rows}; it is truncated",
                path=name,
                offset=offset,
            )
        word = _decode_word(bytes(word_bytes), name, row + 2)
        if word in seen:
            raise InputFormatError(
                f"the word {word!r} appears twice; remove one of the rows",
                path=name,
                offset=offset,
            )
        seen.add(word)
        words.append(word)
        vectors[row] = np.frombuffer(raw, dtype="<f4")
        offset += len(word_bytes) + 1 + row_bytes
    if not np.isfinite(vectors).all():
        bad = int(np.flatnonzero(~np.isfinite(vectors).all(axis=1))[0])
        raise InputFormatError(
            f"the vector of {words[bad]!r} contains NaN or infinity", path=name
        )
    return WordVectors(words, vectors)


def write_word2vec(
    table: WordVectors, path: PathLike, binary: bool = False
) -> None:
    """Write ``table`` as word2vec text or binary, with the count line."""
    for word in table.words:
        if not word or any(ch.isspace() for ch in word):
            raise TextpruneError(
                f"the word {word!r} contains whitespace, which word2vec files "
                "cannot store",
                path=path,
            )
    with atomic_output(path, "wb") as handle:
        handle.write(f"{len(table)} {table.dims}\n".encode())
        if binary:
            data = table.vectors.astype("<f4", copy=False)
            for word, vector in zip(table.words, data):
                handle.write(word.encode("utf-8") + b" " + vector.tobytes() + b"\n")
        else:
            for word, vector in zip(table.words, table.vectors):
                values = " ".join(f"{value:.6g}" for value in vector)
                handle.write(f"{word} {values}\n".encode())


def output_kind_from_suffix(path: PathLike) -> Literal["text", "binary"]:
    """Choose word2vec text or binary from an output path's extension."""
    suffixes = Path(os.fspath(path)).suffixes
    base = [s for s in suffixes if s not in (".gz", ".bz2", ".xz")]
    if base and base[-1] == ".bin":
        return "binary"
    return "text"


__all__ = [
    "detect_compression",
    "detect_format",
    "output_kind_from_suffix",
    "read_vectors",
    "write_word2vec",
]
