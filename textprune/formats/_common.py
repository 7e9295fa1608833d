"""Pieces shared by the format readers: options, word decoding and row collection."""

from __future__ import annotations

import enum
import logging
import os
from array import array
from collections.abc import Iterable

import numpy as np

from textprune.errors import InputFormatError
from textprune.vectors import WordVectors

logger = logging.getLogger(__name__)

BOM = b"\xef\xbb\xbf"

# The first allocation of a reader's matrix is at most this many bytes, so a count
# line that announces a huge table cannot make the reader allocate it up front.
MAX_INITIAL_BYTES = 256 * 1024**2

# Maximum number of dimensions of a vector. Published word vectors have at most a
# few thousand, so a larger number means a corrupt count line or row, and the cap
# turns it into an error instead of a huge allocation.
MAX_DIMS = 100_000


def check_dims(dims: int, name: str, line: int | None = None) -> None:
    """Raise unless ``dims`` is between 1 and :data:`MAX_DIMS`."""
    if not 1 <= dims <= MAX_DIMS:
        raise InputFormatError(
            f"{dims} dimensions announced; expected 1 to {MAX_DIMS}, so the count "
            "line or the first row is corrupt",
            path=name,
            line=line,
        )


class Duplicates(str, enum.Enum):
    """Rule for a word that appears on more than one row."""

    ERROR = "error"
    FIRST = "first"
    LAST = "last"


class UnicodeErrors(str, enum.Enum):
    """Decoding rule for words that are not valid UTF-8 (Python's ``errors``)."""

    STRICT = "strict"
    REPLACE = "replace"
    IGNORE = "ignore"


def decode_word(
    raw: bytes,
    errors: str,
    name: str,
    line: int | None = None,
    offset: int | None = None,
) -> str:
    """Decode one word as UTF-8, raising an error that names the row on failure."""
    try:
        return raw.decode("utf-8", errors)
    except UnicodeDecodeError as exc:
        raise InputFormatError(
            f"the word {raw!r} is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
            "convert the file to UTF-8, or pass --unicode-errors replace or ignore",
            path=name,
            line=line,
            offset=None if offset is None else offset + exc.start,
        ) from exc


class RowCollector:
    """Collect words and vectors row by row into one growing float32 matrix.

    The matrix grows with ``ndarray.resize``, which reallocates in place where the
    allocator can, so peak memory stays near the final matrix instead of twice it.
    Duplicated words are handled here, so every reader treats them the same way.

    Parameters
    ----------
    dims : int
        Number of values per row.
    name : str
        The file name used in error messages.
    duplicates : Duplicates
        What to do with a word seen before.
    capacity : int, default=1024
        Rows to allocate first.
    unit : {"line", "offset"}, default="line"
        Whether rows are located by line number (text) or byte offset (binary).
    """

    def __init__(
        self,
        dims: int,
        name: str,
        duplicates: Duplicates,
        capacity: int = 1024,
        unit: str = "line",
    ) -> None:
        self.dims = dims
        self.name = name
        self.duplicates = Duplicates(duplicates)
        self.unit = unit
        max_rows = max(1, MAX_INITIAL_BYTES // (4 * max(dims, 1)))
        self.matrix = np.empty((max(1, min(capacity, max_rows)), dims), np.float32)
        self.words: list[str] = []
        self.index: dict[str, int] = {}
        self.where = array("q")
        self.dropped = 0

    def __len__(self) -> int:
        return len(self.words)

    def reserve(self, rows: int) -> None:
        """Make room for ``rows`` more rows, growing by at least half."""
        needed = len(self.words) + rows
        if needed <= self.matrix.shape[0]:
            return
        new_rows = max(needed, self.matrix.shape[0] * 3 // 2)
        self.matrix.resize((new_rows, self.dims), refcheck=False)

    def _locate(self, position: int) -> dict[str, int]:
        if self.unit == "line":
            return {"line": position}
        return {"offset": position}

    def _describe(self, position: int) -> str:
        return f"line {position}" if self.unit == "line" else f"byte offset {position}"

    def add_block(
        self, words: list[str], values: np.ndarray, positions: Iterable[int]
    ) -> None:
        """Append rows; ``values`` has shape (len(words), dims)."""
        self.reserve(len(words))
        start = len(self.words)
        block_index = dict(zip(words, range(start, start + len(words))))
        if len(block_index) == len(words) and block_index.keys().isdisjoint(self.index):
            self.index.update(block_index)
            self.matrix[start : start + len(words)] = values
            self.words.extend(words)
            self.where.extend(positions)
            return
        # Some word repeats: go row by row, which applies the duplicates rule.
        for word, vector, position in zip(words, values, positions):
            self.add(word, vector, position)

    def add(self, word: str, vector: np.ndarray, position: int) -> None:
        """Append one row, or apply the duplicates rule if ``word`` was seen."""
        row = self.index.get(word)
        if row is not None:
            if self.duplicates is Duplicates.ERROR:
                earlier = self._describe(self.where[row])
                raise InputFormatError(
                    f"the word {word!r} also appears at {earlier}; remove one of the "
                    "rows, or pass --duplicates first or last",
                    path=self.name,
                    **self._locate(position),
                )
            self.dropped += 1
            if self.duplicates is Duplicates.LAST:
                self.matrix[row] = vector
                self.where[row] = position
            return
        self.reserve(1)
        row = len(self.words)
        self.matrix[row] = vector
        self.words.append(word)
        self.index[word] = row
        self.where.append(position)

    def finish(self) -> WordVectors:
        """Return the collected rows as a table, shrinking the matrix to fit."""
        if not self.words:
            raise InputFormatError(
                "no vectors found; the file is empty or contains only a count line",
                path=self.name,
            )
        if self.dropped:
            logger.warning(
                "%s: kept the %s row of %d repeated words",
                self.name,
                self.duplicates.value,
                self.dropped,
            )
        self.matrix.resize((len(self.words), self.dims), refcheck=False)
        return table_from_distinct(self.words, self.matrix, self.index)


def table_from_distinct(
    words: list[str], matrix: np.ndarray, index: dict[str, int]
) -> WordVectors:
    """Build a table from words already known to be distinct, reusing ``index``."""
    return WordVectors.from_index(words, matrix, index)


def file_size(path: str | os.PathLike[str]) -> int | None:
    """Return the size of a regular file, or None for stdin and special files."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size if os.path.isfile(path) else None
