"""Vocabulary pruning with remapping: dropped words point at their nearest kept row.

This is what spaCy's ``Vocab.prune_vectors`` does: the table keeps fewer rows, and
each dropped word becomes a key of the kept row whose vector has the highest cosine
similarity with its own, so lookups still succeed. The similarity is the remap's
score and is stored with it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from textprune.errors import EmptyResultError
from textprune.vectors import WordVectors

logger = logging.getLogger(__name__)

_BLOCK_ROWS = 8192


@dataclass
class RemapResult:
    """A pruned table with its alias table and the cosine score of each alias."""

    table: WordVectors
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def n_remapped(self) -> int:
        """Number of aliases whose score is below 1 (words that lost their row)."""
        return sum(1 for score in self.scores.values() if score < 1.0)


def _unit(X: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.maximum(norms, 1e-12)


def nearest_rows(
    queries: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return, for each query row, the most cosine-similar target row and its score."""
    target_units = _unit(np.asarray(targets, dtype=np.float32))
    best = np.empty(len(queries), dtype=np.int64)
    score = np.empty(len(queries), dtype=np.float32)
    for start in range(0, len(queries), _BLOCK_ROWS):
        block = _unit(np.asarray(queries[start : start + _BLOCK_ROWS], np.float32))
        sims = block @ target_units.T
        best[start : start + len(block)] = sims.argmax(axis=1)
        score[start : start + len(block)] = sims.max(axis=1)
    return best, score


def select_vocabulary(
    table: WordVectors, vocabulary: Iterable[str], remap: bool = False
) -> RemapResult:
    """Keep the rows of ``vocabulary``; with ``remap``, alias every other key.

    Without ``remap`` the result has only the vocabulary's keys, and a vocabulary
    word that is an alias in the input stays an alias of its row (score 1.0).
    With ``remap``, every other key of the input is kept as an alias too. Keys of
    kept rows point at their row (score 1.0). The keys of each dropped row point
    at its nearest kept row, scored by the cosine similarity of the input vectors.

    Raises
    ------
    EmptyResultError
        If no word of ``vocabulary`` has a vector.
    """
    wanted = list(vocabulary)
    kept = table.select(wanted)
    if len(kept) == 0:
        raise EmptyResultError(
            f"none of the {len(wanted)} vocabulary words has a vector; check that "
            "the vocabulary and the vectors use the same case and tokenization"
        )
    aliases = dict(kept.aliases)
    scores = {key: 1.0 for key in aliases}
    if not remap:
        logger.info(
            "Kept %d rows for %d vocabulary words, without remapping the other %d",
            len(kept),
            len(wanted),
            len(table) - len(kept),
        )
        return RemapResult(WordVectors(kept.words, kept.vectors, aliases), scores)

    # Map each input row to its output row and score.
    target_of_row = {
        table.row(name): (new_row, 1.0) for new_row, name in enumerate(kept.words)
    }
    dropped = [row for row in range(len(table)) if row not in target_of_row]
    if dropped:
        best, best_score = nearest_rows(table.vectors[dropped], kept.vectors)
        for row, target, score in zip(dropped, best.tolist(), best_score.tolist()):
            target_of_row[row] = (target, min(float(score), 1.0))
    keys = [(word, row) for row, word in enumerate(table.words)]
    keys += list(table.aliases.items())
    for key, row in keys:
        if key in kept.key_to_index or key in aliases:
            continue
        aliases[key], scores[key] = target_of_row[row]
    if dropped:
        values = np.array([target_of_row[row][1] for row in dropped])
        logger.info(
            "Remapped %d dropped rows onto %d kept rows: cosine mean %.3f, min %.3f",
            len(dropped),
            len(kept),
            float(values.mean()),
            float(values.min()),
        )
    return RemapResult(WordVectors(kept.words, kept.vectors, aliases), scores)
