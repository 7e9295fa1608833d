"""The in-memory vector table passed between the stages."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

logger = logging.getLogger(__name__)


@dataclass
class WordVectors:
    """A float32 matrix with one row per word, and optional extra keys per row.

    Parameters
    ----------
    words : list of str
        The word of each row, all distinct.
    vectors : numpy.ndarray of shape (n_words, n_dims)
        The vectors, converted to a C-contiguous float32 array.
    aliases : dict of str to int, default={}
        Extra keys that point at a row, for tables where several keys share one
        vector (spaCy's key-to-row table, or words remapped by pruning).
    """

    words: list[str]
    vectors: np.ndarray
    aliases: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.vectors = np.ascontiguousarray(self.vectors, dtype=np.float32)
        if self.vectors.ndim != 2:
            raise ValueError(
                f"vectors must be a 2-d array, got {self.vectors.ndim} dimensions"
            )
        if len(self.words) != self.vectors.shape[0]:
            raise ValueError(
                f"got {len(self.words)} words for {self.vectors.shape[0]} vectors; "
                "pass one word per row"
            )
        self._index = {word: row for row, word in enumerate(self.words)}
        if len(self._index) != len(self.words):
            raise ValueError("words must be distinct")

    @property
    def key_to_index(self) -> dict[str, int]:
        """Map of each word (not alias) to its row."""
        return self._index

    @property
    def dims(self) -> int:
        """Number of dimensions of each vector."""
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self._index or word in self.aliases

    def row(self, word: str) -> int:
        """Return the row of ``word``, looking in the aliases after the words.

        Raises
        ------
        KeyError
            If ``word`` is neither a word nor an alias.
        """
        row = self._index.get(word)
        if row is None:
            row = self.aliases.get(word)
        if row is None:
            raise KeyError(f"word {word!r} is not in the vocabulary")
        return row

    def __getitem__(self, word: str) -> np.ndarray:
        return self.vectors[self.row(word)]

    def select(self, words: Iterable[str]) -> WordVectors:
        """Return a new table with only the keys in ``words``, in this table's row
        order.

        A row is kept when its word or one of its aliases is wanted. It keeps its
        word as its name when that word is wanted, and is otherwise named by the
        first wanted alias in ``words`` order. The other wanted keys of the row
        become aliases, so no vector is stored twice.
        """
        keys_by_row: dict[int, list[str]] = {}
        for key in dict.fromkeys(words):
            row = self._index.get(key)
            if row is None:
                row = self.aliases.get(key)
            if row is not None:
                keys_by_row.setdefault(row, []).append(key)

        rows = sorted(keys_by_row)
        new_words: list[str] = []
        new_aliases: dict[str, int] = {}
        for new_row, row in enumerate(rows):
            keys = keys_by_row[row]
            name = self.words[row] if self.words[row] in keys else keys[0]
            new_words.append(name)
            for key in keys:
                if key != name:
                    new_aliases[key] = new_row
        logger.info(
            "Kept %d of %d rows (%d keys) for the requested words",
            len(rows),
            len(self.words),
            len(new_words) + len(new_aliases),
        )
        return WordVectors(new_words, self.vectors[rows], new_aliases)

    @classmethod
    def from_index(
        cls, words: list[str], vectors: np.ndarray, index: dict[str, int]
    ) -> WordVectors:
        """Build a table whose word-to-row map ``index`` a reader already built.

        Readers of large files use this to avoid building a second map (about
        20 MB for 400,000 words). ``index`` must map each word of ``words`` to its
        position; only the lengths are checked.
        """
        if len(index) != len(words):
            raise ValueError(
                f"index has {len(index)} entries for {len(words)} words; "
                "words must be distinct"
            )
        table = cls.__new__(cls)
        table.words = words
        table.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        table.aliases = {}
        table._index = index
        if table.vectors.ndim != 2 or table.vectors.shape[0] != len(words):
            raise ValueError(
                f"got {len(words)} words for vectors of shape {table.vectors.shape}"
            )
        return table
