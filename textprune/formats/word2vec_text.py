"""word2vec text files, which also covers GloVe text and fastText ``.vec`` files.

A file is an optional ``<rows> <dims>`` count line followed by one row per line: a
word, then ``dims`` numbers, separated by whitespace. GloVe files have no count line;
fastText ``.vec`` files and gensim's text output have one.

Reading is done in blocks of a few megabytes. Each block is first checked cheaply for
lines with extra values and then parsed by ``numpy.loadtxt`` (a C parser). A block
that fails either step is parsed again line by line, which finds the exact line and
reason for the error. loadtxt splits on single spaces only, because its
default whitespace splitting, applied to latin-1 text, would also split UTF-8 words
at bytes such as 0x85 and 0xa0.
"""

from __future__ import annotations

import io
import logging
import math
from itertools import repeat
from typing import IO

import numpy as np

from textprune.errors import InputFormatError
from textprune.formats._common import (
    BOM,
    Duplicates,
    RowCollector,
    check_dims,
    decode_word,
)
from textprune.vectors import WordVectors

logger = logging.getLogger(__name__)

# NOTE: for GloVe 6B 50d a read peaks at about 2.1 times the float32 matrix, because
# the 400,000 word strings and the word index alone are 0.5 times it and the blocks
# and the allocator add the rest (docs/benchmarks.md); 2 MB blocks save about 12 MB
# but read about 10% slower.
BLOCK_BYTES = 4 * 1024**2

# A line longer than this is taken as a sign that the file is not a text vector file,
# instead of reading the whole file into memory looking for a line end.
MAX_LINE_BYTES = 64 * 1024**2

# Whitespace other than the space and the line end. A block that contains any of it
# is parsed line by line, because the fast path counts spaces to validate rows.
_OTHER_WHITESPACE = (b"\t", b"\x0b", b"\x0c")


def _iter_line_blocks(stream: IO[bytes], name: str):
    """Yield ``(first_line_number, chunk)`` pairs of whole lines, BOM removed.

    ``chunk`` contains complete lines. The last line of the file may lack its
    ``\\n``.
    """
    leftover = b""
    line_number = 1
    first = True
    while True:
        data = stream.read(BLOCK_BYTES)
        if first:
            first = False
            if data.startswith(BOM):
                data = data[len(BOM) :]
        if not data:
            if leftover:
                yield line_number, leftover
            return
        data = leftover + data
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            if len(data) > MAX_LINE_BYTES:
                limit_mb = MAX_LINE_BYTES // 1024**2
                raise InputFormatError(
                    f"line {line_number} is longer than {limit_mb} MB; this does not "
                    "look like a text vector file, so check --from",
                    path=name,
                    line=line_number,
                )
            leftover = data
            continue
        chunk, leftover = data[:cut], data[cut:]
        yield line_number, chunk
        line_number += chunk.count(b"\n")


def _is_count_line(fields: list[bytes]) -> bool:
    return len(fields) == 2 and all(field.isdigit() for field in fields)


class _TextParser:
    """Parse blocks of lines into a :class:`RowCollector`."""

    def __init__(
        self,
        name: str,
        duplicates: Duplicates,
        unicode_errors: str,
        limit: int | None,
        header: bool | None,
        size_hint: int | None,
    ) -> None:
        self.name = name
        self.duplicates = duplicates
        self.unicode_errors = unicode_errors
        self.limit = limit
        self.header = header
        self.size_hint = size_hint
        self.expected_rows: int | None = None
        self.dims: int | None = None
        self.collector: RowCollector | None = None
        self.done = False

    # -- the first lines: count line and dimensions ---------------------------------

    def start(self, lines: list[bytes], first_line: int) -> int:
        """Read the count line and the dimensions; return the index of the first row."""
        non_blank = []
        for index, line in enumerate(lines):
            if line.strip():
                non_blank.append(index)
                if len(non_blank) == 2:
                    break
        if not non_blank:
            return len(lines)

        first = non_blank[0]
        fields = lines[first].split()
        has_header = self.header
        if has_header is None:
            has_header = _is_count_line(fields)
            if has_header and len(non_blank) > 1:
                # A GloVe file of 1-dimensional vectors can start with a row such as
                # "1 5", so the field count of the next row decides.
                second = len(lines[non_blank[1]].split())
                has_header = not (second == 2 and int(fields[1]) != 1)

        if has_header:
            if not _is_count_line(fields):
                raise InputFormatError(
                    "expected a '<rows> <dims>' count line; pass --from glove for "
                    "files without one",
                    path=self.name,
                    line=first_line + first,
                )
            self.expected_rows, self.dims = int(fields[0]), int(fields[1])
            check_dims(self.dims, self.name, first_line + first)
            return first + 1

        if len(fields) < 2:
            raise InputFormatError(
                "the first row has a word but no values; each row must be a word "
                "followed by numbers separated by spaces",
                path=self.name,
                line=first_line + first,
            )
        self.dims = len(fields) - 1
        check_dims(self.dims, self.name, first_line + first)
        return first

    def _make_collector(self, sample_lines: int, sample_bytes: int) -> RowCollector:
        assert self.dims is not None
        if self.expected_rows is not None:
            capacity = self.expected_rows
        elif self.size_hint and sample_lines:
            capacity = math.ceil(self.size_hint / max(1, sample_bytes / sample_lines))
        else:
            capacity = 1024
        if self.limit is not None:
            capacity = min(capacity, self.limit)
        return RowCollector(self.dims, self.name, self.duplicates, capacity)

    # -- blocks ---------------------------------------------------------------------

    def feed(self, chunk: bytes, first_line: int) -> None:
        """Parse one chunk of whole lines starting at line ``first_line``."""
        lines = chunk.split(b"\n")
        if chunk.endswith(b"\n"):
            lines.pop()
        if self.dims is None:
            skip = self.start(lines, first_line)
            if self.dims is None:
                return
            first_line += skip
            lines = lines[skip:]
            chunk = b"\n".join(lines)
        if self.collector is None:
            self.collector = self._make_collector(len(lines), len(chunk))
        if self.limit is not None:
            room = self.limit - len(self.collector)
            if len(lines) > room:
                lines = lines[:room]
                chunk = b"\n".join(lines)
        if lines:
            if not self._feed_fast(lines, chunk, first_line):
                self._feed_slow(lines, first_line)
        if self.limit is not None and len(self.collector) >= self.limit:
            self.done = True

    def _feed_fast(self, lines: list[bytes], chunk: bytes, first_line: int) -> bool:
        """Parse a block with numpy; return False if it needs the line-by-line path."""
        dims = self.dims
        assert dims is not None and self.collector is not None
        if any(char in chunk for char in _OTHER_WHITESPACE):
            return False

        # With only spaces as separators, a line with exactly ``dims`` spaces has at
        # most dims + 1 fields, and so does a line with one extra trailing space.
        # loadtxt rejects lines with fewer fields.
        counts = list(map(bytes.count, lines, repeat(b" ")))
        if counts.count(dims) != len(counts):
            trailing = dims + 1
            for line, count in zip(lines, counts):
                if count == dims:
                    continue
                if count == trailing and line.rstrip(b"\r").endswith(b" "):
                    continue
                return False

        words_raw = [line.partition(b" ")[0] for line in lines]
        if not all(words_raw):
            return False

        try:
            values = np.loadtxt(
                io.BytesIO(chunk),
                dtype=np.float32,
                usecols=range(1, dims + 1),
                comments=None,
                delimiter=" ",
                encoding="latin-1",
                ndmin=2,
            )
        except ValueError:
            return False
        if values.shape != (len(lines), dims):
            return False
        if not np.isfinite(values).all():
            return False

        errors = self.unicode_errors
        try:
            words = [raw.decode("utf-8", errors) for raw in words_raw]
        except UnicodeDecodeError:
            return False
        positions = range(first_line, first_line + len(lines))
        self.collector.add_block(words, values, positions)
        return True

    def _feed_slow(self, lines: list[bytes], first_line: int) -> None:
        """Parse a block line by line, raising an error that names the bad line."""
        dims = self.dims
        collector = self.collector
        assert dims is not None and collector is not None
        for number, line in enumerate(lines, start=first_line):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != dims + 1:
                got = len(fields) - 1
                raise InputFormatError(
                    f"expected a word and {dims} values, got {got} "
                    f"value{'' if got == 1 else 's'}; every row must have the same "
                    "number of values, as set by the count line or the first row",
                    path=self.name,
                    line=number,
                )
            word = decode_word(fields[0], self.unicode_errors, self.name, line=number)
            vector = np.empty(dims, dtype=np.float32)
            for column, field in enumerate(fields[1:]):
                try:
                    vector[column] = float(field)
                except ValueError:
                    value_text = field[:40].decode("utf-8", "replace")
                    raise InputFormatError(
                        f"value {column + 1} ({value_text!r}) is not a number; each "
                        "row must be a word followed by numbers separated by spaces",
                        path=self.name,
                        line=number,
                    ) from None
            if not np.isfinite(vector).all():
                raise InputFormatError(
                    f"the vector of {word!r} contains NaN or infinity; fix or remove "
                    "the row",
                    path=self.name,
                    line=number,
                )
            collector.add(word, vector, number)

    def finish(self) -> WordVectors:
        if self.collector is None or not len(self.collector):
            raise InputFormatError(
                "no vectors found; the file is empty or contains only a count line",
                path=self.name,
            )
        rows = len(self.collector)
        if (
            self.expected_rows is not None
            and self.limit is None
            and self.expected_rows != rows + self.collector.dropped
        ):
            raise InputFormatError(
                f"the count line announces {self.expected_rows} rows, but the file "
                f"has {rows + self.collector.dropped}; fix the count line or the rows",
                path=self.name,
                line=1,
            )
        return self.collector.finish()


def read_word2vec_text(
    stream: IO[bytes],
    name: str,
    *,
    limit: int | None = None,
    duplicates: Duplicates = Duplicates.ERROR,
    unicode_errors: str = "strict",
    header: bool | None = None,
    size_hint: int | None = None,
) -> WordVectors:
    """Read word2vec text, GloVe or fastText ``.vec`` rows from a binary stream.

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
    header : bool, default=None
        True if the file must start with a count line, False if it has none (GloVe),
        None to decide from the first lines.
    size_hint : int, default=None
        The file size in bytes, used to size the matrix before reading.

    Raises
    ------
    InputFormatError
        For a malformed row, naming the file and line.
    """
    parser = _TextParser(name, duplicates, unicode_errors, limit, header, size_hint)
    for first_line, chunk in _iter_line_blocks(stream, name):
        parser.feed(chunk, first_line)
        if parser.done:
            break
    return parser.finish()


def write_word2vec_text(
    table: WordVectors, handle: IO[bytes], count_line: bool = True
) -> None:
    """Write ``table`` as text rows.

    A row is written with ``%.7g`` when every value reads back to the same float32
    that way, which keeps decimal data such as GloVe's short, and with nine
    significant digits (always exact for float32) otherwise.
    """
    if count_line:
        handle.write(f"{len(table)} {table.dims}\n".encode())
    vectors = table.vectors
    short_format = " ".join(["%.7g"] * table.dims)
    exact_format = " ".join(["%.9g"] * table.dims)
    step = max(1, (1 << 20) // max(1, table.dims))
    for start in range(0, len(table), step):
        block = vectors[start : start + step]
        values = block.tolist()
        short = _short_enough(block)
        texts = [
            (short_format if fits else exact_format) % tuple(row)
            for row, fits in zip(values, short)
        ]

        # The prediction rounds in binary, so check the short rows by parsing them.
        parsed = np.fromstring(" ".join(texts), dtype=np.float32, sep=" ")
        parsed = parsed.reshape(block.shape)
        for row in np.flatnonzero((parsed != block).any(axis=1)):
            texts[row] = exact_format % tuple(values[row])

        words = table.words[start : start + step]
        handle.write(
            "".join(f"{word} {text}\n" for word, text in zip(words, texts)).encode()
        )


def _short_enough(block: np.ndarray) -> np.ndarray:
    """Predict, per row, whether ``%.7g`` reads back to the same float32 values."""
    wide = block.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        magnitude = np.floor(np.log10(np.abs(wide)))
        scale = 10.0 ** (6 - magnitude)
        rounded = np.round(wide * scale) / scale
    rounded = np.where(wide == 0, 0.0, rounded)
    return (rounded.astype(np.float32) == block).all(axis=1)
