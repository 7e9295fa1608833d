"""Word lookups with optional case folding, and unit-length rows, for evaluation."""

from __future__ import annotations

import numpy as np

from textprune.vectors import WordVectors


class WordLookup:
    """Maps benchmark words to rows of a vector table.

    With ``lowercase=True`` a word matches the first row, in the table's row order,
    whose word lowercases to the same string, as gensim's ``case_insensitive`` does;
    aliases are searched after every row word. With ``lowercase=False`` a word must
    match a row word or an alias exactly.

    Parameters
    ----------
    table : WordVectors
        The vectors to look words up in.
    lowercase : bool, default=True
        Fold the case of benchmark words and of the table's keys.
    """

    def __init__(self, table: WordVectors, lowercase: bool = True) -> None:
        self.table = table
        self.lowercase = lowercase
        index: dict[str, int] = {}
        for row, word in enumerate(table.words):
            index.setdefault(self.fold(word), row)
        for alias, row in table.aliases.items():
            index.setdefault(self.fold(alias), row)
        self._index = index
        self._unit: np.ndarray | None = None

    def fold(self, word: str) -> str:
        """Return ``word`` lowercased when case folding is on, else unchanged."""
        return word.lower() if self.lowercase else word

    def get(self, word: str) -> int | None:
        """Return the row of ``word``, or None when it is unknown."""
        return self._index.get(self.fold(word))

    @property
    def unit(self) -> np.ndarray:
        """The table's rows scaled to unit length; all-zero rows stay zero."""
        if self._unit is None:
            self._unit = unit_rows(self.table.vectors)
        return self._unit


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Return ``vectors`` with every non-zero row scaled to unit length (float32)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    safe = np.where(norms > 0, norms, 1.0)
    return (vectors / safe).astype(np.float32, copy=False)
