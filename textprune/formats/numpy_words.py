"""A numpy ``.npy`` matrix with a word list next to it.

``NAME.npy`` contains a 2-d float matrix, and ``NAME.words.txt`` contains its words,
one per line in UTF-8, in row order. Either file may be compressed (``NAME.npy.gz``,
``NAME.words.txt.gz``); the word list is looked up with and without the
compression suffix. Arrays of Python objects are rejected, so reading never runs
pickle.
"""

from __future__ import annotations

import logging
import lzma
import os
import tokenize
import zlib
from pathlib import Path
from typing import IO

import numpy as np

from textprune._io import PathLike, display_name, iter_text_lines, open_binary
from textprune.errors import InputFormatError, TextpruneError
from textprune.formats._common import MAX_DIMS, Duplicates, RowCollector
from textprune.vectors import WordVectors

logger = logging.getLogger(__name__)

COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz")
WORDS_SUFFIX = ".words.txt"


def words_path_for(path: PathLike) -> Path:
    """Return ``NAME.words.txt`` for ``NAME.npy``, keeping a compression suffix."""
    target = Path(os.fspath(path))
    name = target.name
    compression = ""
    for suffix in COMPRESSION_SUFFIXES:
        if name.endswith(suffix):
            compression = suffix
            name = name[: -len(suffix)]
    name = name.removesuffix(".npy")
    return target.with_name(name + WORDS_SUFFIX + compression)


def _find_words_file(path: PathLike) -> Path:
    default = words_path_for(path)
    plain = (
        Path(str(default).removesuffix(default.suffix))
        if default.suffix in (COMPRESSION_SUFFIXES)
        else default
    )
    candidates = [default, plain] + [
        plain.with_name(plain.name + suffix) for suffix in COMPRESSION_SUFFIXES
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise InputFormatError(
        f"is a numpy matrix, but its word list {plain} was not found; write the words "
        "there, one per line in row order, or pass the word list with --words",
        path=display_name(path),
    )


def read_npy(
    path: PathLike,
    *,
    words_path: PathLike | None = None,
    limit: int | None = None,
    duplicates: Duplicates = Duplicates.ERROR,
    unicode_errors: str = "strict",
) -> WordVectors:
    """Read a ``.npy`` matrix and its word list.

    Raises
    ------
    InputFormatError
        If the matrix is not 2-d numbers, the word list is missing or has a
        different length, or a value is NaN or infinity.
    """
    name = display_name(path)
    try:
        with open_binary(path) as stream:
            matrix = _read_array(stream, name)
    except TextpruneError:
        raise
    except (OSError, EOFError, ValueError, lzma.LZMAError, zlib.error) as exc:
        raise InputFormatError(
            f"cannot read the numpy matrix ({exc}); it is truncated or corrupt",
            path=name,
        ) from exc
    words_file = Path(words_path) if words_path is not None else _find_words_file(path)
    words = [
        line for _, line in iter_text_lines(words_file, errors=unicode_errors) if line
    ]
    if len(words) != matrix.shape[0]:
        raise InputFormatError(
            f"the word list {words_file} has {len(words)} words, but the matrix has "
            f"{matrix.shape[0]} rows; give one word per row",
            path=name,
        )
    rows = len(words) if limit is None else min(limit, len(words))
    collector = RowCollector(matrix.shape[1], os.fspath(words_file), duplicates, rows)
    step = 65536
    for start in range(0, rows, step):
        block = np.asarray(matrix[start : min(rows, start + step)], dtype=np.float32)
        bad = np.flatnonzero(~np.isfinite(block).all(axis=1))
        if bad.size:
            row = start + int(bad[0])
            raise InputFormatError(
                f"row {row} (the word {words[row]!r}) contains NaN or infinity",
                path=name,
            )
        collector.add_block(
            words[start : start + len(block)],
            block,
            range(start + 1, start + 1 + len(block)),
        )
    return collector.finish()


def _read_array(stream: IO[bytes], name: str) -> np.ndarray:
    """Read a 2-d numeric ``.npy`` array, checking its header before allocating."""
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    except (ValueError, SyntaxError, TypeError, KeyError, tokenize.TokenError) as exc:
        # numpy parses the header as a Python literal, so a corrupt header can raise
        # any of the errors of Python's tokenizer and parser.
        raise InputFormatError(
            f"invalid .npy header ({str(exc)[:200]}); the file is corrupt",
            path=name,
            offset=0,
        ) from exc
    if len(shape) != 2 or dtype.kind not in "fiu" or 0 in shape:
        raise InputFormatError(
            f"expected a non-empty 2-d matrix of numbers, got shape {shape} of {dtype}",
            path=name,
        )
    if shape[1] > MAX_DIMS:
        raise InputFormatError(
            f"the matrix has {shape[1]} columns, more than {MAX_DIMS}; this is not a "
            "word-vector matrix",
            path=name,
        )
    expected = shape[0] * shape[1] * dtype.itemsize
    # Read in pieces, so that a header announcing a huge matrix ends in a
    # truncation error instead of a huge allocation.
    pieces = []
    received = 0
    while received < expected:
        piece = stream.read(min(expected - received, 16 * 1024**2))
        if not piece:
            raise InputFormatError(
                f"the matrix should have {expected} bytes of data, but the file ends "
                f"after {received}; it is truncated",
                path=name,
            )
        pieces.append(piece)
        received += len(piece)
    array = np.frombuffer(b"".join(pieces), dtype=dtype)
    order = "F" if fortran else "C"
    return array.reshape(shape, order=order)


def write_npy(table: WordVectors, handle: IO[bytes], words_handle: IO[bytes]) -> None:
    """Write the matrix as ``.npy`` into ``handle`` and the words into
    ``words_handle``, one per line."""
    for word in table.words:
        if not word or "\n" in word or "\r" in word:
            raise TextpruneError(
                f"the word {word!r} is empty or contains a line break, which a word "
                "list cannot store"
            )
    np.lib.format.write_array(handle, table.vectors, allow_pickle=False)
    words_handle.write("".join(word + "\n" for word in table.words).encode("utf-8"))
