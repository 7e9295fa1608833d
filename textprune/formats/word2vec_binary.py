"""word2vec binary files.

A file is a ``<rows> <dims>`` count line, then per row the word in UTF-8, one space
and ``dims`` little-endian float32 values. The original C tool ends each row with a
newline and gensim does not, so a newline before a word is skipped.

Files written without the count line (gensim's ``write_header=False``) are read too:
the number of dimensions is then inferred from the spacing of the first rows.
"""

from __future__ import annotations

import logging
import re
from typing import IO

import numpy as np

from textprune.errors import InputFormatError
from textprune.formats._common import (
    Duplicates,
    RowCollector,
    check_dims,
    decode_word,
)
from textprune.vectors import WordVectors

logger = logging.getLogger(__name__)

BLOCK_BYTES = 4 * 1024**2

# Maximum word length in bytes. A longer run of bytes without a space means the file
# is not a word2vec binary file or is corrupt.
MAX_WORD_BYTES = 4096

# Largest number of dimensions tried when a file has no count line.
MAX_INFERRED_DIMS = 4096

_COUNT_LINE = re.compile(rb"[ \t]*(\d+)[ \t]+(\d+)[ \t]*\r?\n")


def parse_count_line(head: bytes) -> tuple[int, int, int] | None:
    """Return ``(rows, dims, length)`` if ``head`` starts with a count line."""
    match = _COUNT_LINE.match(head)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2)), match.end()


def _plausible_word(raw: bytes) -> bool:
    """Return True for valid UTF-8 without control characters."""
    if min(raw) < 0x20:
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def infer_dims(head: bytes, at_eof: bool) -> int | None:
    """Infer the number of dimensions of a binary file without a count line.

    Tries each size and keeps those for which the first rows (up to 20, or all rows
    in ``head``) parse as a word (valid UTF-8 without control characters), a space
    and a vector of finite values. A size that is too large can fit by swallowing
    the next rows into its vectors, but then fewer rows fit, so the size with the
    most rows wins. Returns None if no size fits or two sizes tie.
    """
    fitting: dict[int, list[int]] = {}
    for dims in range(1, MAX_INFERRED_DIMS + 1):
        row_bytes = 4 * dims
        position = 0
        rows = 0
        fits = True
        while rows < 20:
            if at_eof and position >= len(head.rstrip(b"\n")):
                break
            if head[position : position + 1] == b"\n":
                position += 1
            space = head.find(b" ", position, position + MAX_WORD_BYTES)
            if space <= position or not _plausible_word(head[position:space]):
                fits = False
                break
            end = space + 1 + row_bytes
            if end > len(head):
                fits = rows > 0 and not at_eof
                break
            vector = np.frombuffer(head, "<f4", dims, space + 1)
            if not np.isfinite(vector).all():
                fits = False
                break
            position = end
            rows += 1
        if fits and rows > 0:
            fitting.setdefault(rows, []).append(dims)
        if 4 * dims > len(head):
            break
    if not fitting:
        return None
    best = fitting[max(fitting)]
    return best[0] if len(best) == 1 else None


def read_word2vec_binary(
    stream: IO[bytes],
    name: str,
    *,
    limit: int | None = None,
    duplicates: Duplicates = Duplicates.ERROR,
    unicode_errors: str = "strict",
) -> WordVectors:
    """Read a word2vec binary file from a binary stream.

    Parameters
    ----------
    stream : binary file object
        The decompressed file content.
    name : str
        The file name used in error messages.
    limit : int, default=None
        Stop after this many rows.
    duplicates : Duplicates, default=Duplicates.ERROR
        What to do with a word that appears twice.
    unicode_errors : {"strict", "replace", "ignore"}, default="strict"
        How to decode words that are not valid UTF-8.

    Raises
    ------
    InputFormatError
        For a truncated or malformed file, naming the byte offset.
    """
    buffer = stream.read(BLOCK_BYTES)
    at_eof = len(buffer) < BLOCK_BYTES
    header = parse_count_line(buffer)
    if header is not None:
        expected_rows, dims, offset = header
        check_dims(dims, name, line=1)
    else:
        expected_rows, offset = None, 0
        inferred = infer_dims(buffer, at_eof)
        if inferred is None:
            raise InputFormatError(
                "not a word2vec binary file: it has no '<rows> <dims>' count line "
                "and its rows do not have one consistent size; check --from",
                path=name,
                offset=0,
            )
        dims = inferred
        logger.info("%s: no count line; inferred %d dimensions", name, dims)

    capacity = expected_rows if expected_rows is not None else 1024
    if limit is not None:
        capacity = min(capacity, limit)
    collector = RowCollector(dims, name, duplicates, max(capacity, 1), unit="offset")
    wanted = expected_rows if expected_rows is not None else None
    if limit is not None:
        wanted = limit if wanted is None else min(wanted, limit)

    row_bytes = 4 * dims
    base = 0  # file offset of buffer[0]
    position = offset
    while wanted is None or len(collector) + collector.dropped < wanted:
        words: list[str] = []
        views: list[memoryview] = []
        positions: list[int] = []
        view = memoryview(buffer)
        room = None if wanted is None else wanted - len(collector) - collector.dropped
        while room is None or len(words) < room:
            if buffer[position : position + 1] == b"\n":
                position += 1
            space = buffer.find(b" ", position, position + MAX_WORD_BYTES + 1)
            end = space + 1 + row_bytes
            if space < 0 or end > len(buffer):
                if space < 0 and len(buffer) - position > MAX_WORD_BYTES:
                    raise InputFormatError(
                        f"no word ends within {MAX_WORD_BYTES} bytes; the file is "
                        "corrupt or not a word2vec binary file",
                        path=name,
                        offset=base + position,
                    )
                break
            if space == position:
                raise InputFormatError(
                    "a row starts without a word; the file is corrupt or its count "
                    "line is wrong",
                    path=name,
                    offset=base + position,
                )
            word = decode_word(
                buffer[position:space], unicode_errors, name, offset=base + position
            )
            words.append(word)
            views.append(view[space + 1 : end])
            positions.append(base + position)
            position = end
        if words:
            values = np.frombuffer(b"".join(views), dtype="<f4").reshape(-1, dims)
            bad = np.flatnonzero(~np.isfinite(values).all(axis=1))
            if bad.size:
                row = int(bad[0])
                raise InputFormatError(
                    f"the vector of {words[row]!r} contains NaN or infinity; fix or "
                    "remove the row",
                    path=name,
                    offset=positions[row],
                )
            collector.add_block(words, values, positions)
        del view, views
        if room is not None and len(words) >= room:
            break
        more = b"" if at_eof else stream.read(BLOCK_BYTES)
        at_eof = at_eof or len(more) < BLOCK_BYTES
        if not more:
            rest = buffer[position:]
            if wanted is not None and rest.strip(b"\n"):
                raise InputFormatError(
                    f"the file ends inside row {len(collector) + collector.dropped + 1}"
                    f" of {wanted}; it is truncated",
                    path=name,
                    offset=base + len(buffer),
                )
            if wanted is not None:
                raise InputFormatError(
                    f"the file ends after {len(collector) + collector.dropped} of "
                    f"{wanted} rows; it is truncated or the count line is wrong",
                    path=name,
                    offset=base + len(buffer),
                )
            if rest.strip(b"\n"):
                raise InputFormatError(
                    f"the file ends inside a row of {dims} values; it is truncated",
                    path=name,
                    offset=base + position,
                )
            break
        base += position
        buffer = buffer[position:] + more
        position = 0

    if limit is None and expected_rows is not None:
        trailing = buffer[position:] + (b"" if at_eof else stream.read(1024))
        if trailing.strip(b"\n"):
            raise InputFormatError(
                f"the count line announces {expected_rows} rows, but more data follows "
                "them; fix the count line",
                path=name,
                offset=base + position,
            )
    return collector.finish()


def write_word2vec_binary(
    table: WordVectors, handle: IO[bytes], count_line: bool = True
) -> None:
    """Write ``table`` as word2vec binary rows, each ended by a newline as the C tool
    does."""
    if count_line:
        handle.write(f"{len(table)} {table.dims}\n".encode())
    data = table.vectors.astype("<f4", copy=False)
    step = max(1, (1 << 22) // max(1, 4 * table.dims))
    for start in range(0, len(table), step):
        rows = data[start : start + step]
        words = table.words[start : start + step]
        handle.write(
            b"".join(
                word.encode("utf-8") + b" " + vector.tobytes() + b"\n"
                for word, vector in zip(words, rows)
            )
        )
