"""Recognising a vector file's format from its first bytes."""

from __future__ import annotations

import enum
import lzma
import os
import zlib
from pathlib import Path

from textprune._io import PathLike, display_name, open_binary
from textprune.errors import InputFormatError, TextpruneError
from textprune.formats.word2vec_binary import parse_count_line

SPACY_PREFIX = "spacy:"
CONTAINER_MAGIC = b"\x93TPRUNE"
NPY_MAGIC = b"\x93NUMPY"
# Start of a fastText model (.bin) file: its magic number as little-endian int32.
FASTTEXT_MAGIC = b"\xba\x16\x4f\x2f"
HEAD_BYTES = 4096


class VectorFormat(str, enum.Enum):
    """The vector file formats textprune reads and writes.

    ``word2vec-text`` also covers fastText ``.vec`` files, which are word2vec text
    with a count line; ``glove`` is the same rows without the count line.
    """

    WORD2VEC_TEXT = "word2vec-text"
    GLOVE = "glove"
    WORD2VEC_BINARY = "word2vec-binary"
    GENSIM = "gensim"
    SPACY = "spacy"
    NPY = "npy"
    CONTAINER = "container"


def read_head(path: PathLike, size: int = HEAD_BYTES) -> bytes:
    """Return the first ``size`` decompressed bytes of ``path``."""
    name = display_name(path)
    try:
        with open_binary(path) as stream:
            return stream.read(size)
    except TextpruneError:
        raise
    except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
        raise InputFormatError(
            f"cannot decompress the file ({exc}); it is truncated or corrupt, so "
            "download or write it again",
            path=name,
            offset=0,
        ) from exc


def looks_binary(sample: bytes) -> bool:
    """Guess whether ``sample`` is binary data rather than UTF-8 text."""
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


def is_spacy_folder(path: Path) -> bool:
    """Return True for a spaCy pipeline folder or a ``vocab`` folder."""
    if (path / "config.cfg").is_file() and (path / "vocab").is_dir():
        return True
    return (path / "vectors").is_file() and (path / "strings.json").is_file()


def detect_format(path: PathLike) -> VectorFormat:
    """Return the format of the vectors at ``path`` from their content.

    ``spacy:NAME_OR_PATH`` and spaCy pipeline or ``vocab`` folders are spaCy
    vectors. For files, compression is undone first. Then the magic bytes of
    textprune's container, numpy's ``.npy`` and Python's pickle (gensim) are
    checked. Otherwise a count line followed by binary data means word2vec binary,
    and anything else means word2vec text.

    Raises
    ------
    TextpruneError
        If the path does not exist, is a folder that is not a spaCy folder, or its
        compressed stream is corrupt.
    """
    text = os.fspath(path)
    if text.startswith(SPACY_PREFIX):
        return VectorFormat.SPACY
    if text != "-" and Path(text).is_dir():
        if is_spacy_folder(Path(text)):
            return VectorFormat.SPACY
        raise TextpruneError(
            "is a directory that is neither a spaCy pipeline folder (config.cfg and "
            "vocab/) nor a spaCy vocab folder (vectors and strings.json); name a "
            "vector file",
            path=text,
        )
    return detect_format_from_head(read_head(path), display_name(path))


def detect_format_from_head(head: bytes, name: str) -> VectorFormat:
    """Return the format of a file from its first decompressed bytes."""
    if head.startswith(CONTAINER_MAGIC):
        return VectorFormat.CONTAINER
    if head.startswith(FASTTEXT_MAGIC):
        raise InputFormatError(
            "is a fastText model file, which textprune does not read; export its "
            "vectors as a .vec file (fastText's print-word-vectors, or gensim's "
            "save_word2vec_format) and convert that",
            path=name,
            offset=0,
        )
    if head.startswith(NPY_MAGIC):
        return VectorFormat.NPY
    if len(head) > 1 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return VectorFormat.GENSIM
    head = head.removeprefix(b"\xef\xbb\xbf")
    header = parse_count_line(head)
    if header is not None:
        rest = head[header[2] :]
        if _is_text_row(rest, header[1]) or not looks_binary(rest):
            return VectorFormat.WORD2VEC_TEXT
        return VectorFormat.WORD2VEC_BINARY
    if _is_text_row(head, None) or not looks_binary(head):
        return VectorFormat.WORD2VEC_TEXT
    return VectorFormat.WORD2VEC_BINARY


def _is_text_row(data: bytes, dims: int | None) -> bool:
    """Return True if ``data`` starts with a complete text row of ``dims`` values."""
    line, newline, _ = data.partition(b"\n")
    if not newline:
        return False
    fields = line.split()
    if len(fields) < 2 or (dims is not None and len(fields) != dims + 1):
        return False
    try:
        [float(field) for field in fields[1:]]
    except ValueError:
        return False
    return True
