"""Agreement of a candidate table with its original, without human labels."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from textprune._lookup import unit_rows
from textprune._stats import (
    ResampledSpearman,
    bootstrap,
    make_rng,
    percentile_interval,
    spearman,
)
from textprune.vectors import WordVectors

logger = logging.getLogger(__name__)

# Neighbour searches are done in blocks of queries whose similarity matrix stays
# near this many floats.
_BLOCK_FLOATS = 1 << 24


@dataclass
class NeighbourAgreement:
    """Agreement of a candidate table's geometry with a baseline table.

    Both measures use only the words that are row words of both tables, so
    vocabulary pruning does not count as disagreement.

    Parameters
    ----------
    common_words : int
        Row words the two tables share; neighbours are searched among these.
    k : int
        Neighbours compared per query word.
    queries : int
        Query words sampled from the common words.
    topk_overlap : float
        Mean share of a query's ``k`` nearest baseline neighbours that are also
        among its ``k`` nearest candidate neighbours (1 means identical lists).
    topk_overlap_ci : tuple of (float, float)
        Bootstrap interval over query words.
    pairs : int
        Random word pairs whose cosine similarities are compared.
    cosine_spearman : float
        Spearman's rho between the baseline and candidate cosines of those pairs.
    cosine_spearman_ci : tuple of (float, float)
        Bootstrap interval over pairs.
    """

    common_words: int
    k: int
    queries: int
    topk_overlap: float
    topk_overlap_ci: tuple[float, float]
    pairs: int
    cosine_spearman: float
    cosine_spearman_ci: tuple[float, float]


def _top_k(unit: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Return the ``k`` nearest rows of each query row, excluding the query itself."""
    n_rows = len(unit)
    block = max(1, _BLOCK_FLOATS // max(n_rows, 1))
    result = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), block):
        rows = queries[start : start + block]
        sims = unit[rows] @ unit.T
        sims[np.arange(len(rows)), rows] = -np.inf
        # Partitioning at n - k leaves the k largest values in the last k slots.
        kth = n_rows - k
        result[start : start + len(rows)] = np.argpartition(sims, kth, axis=1)[:, kth:]
    return result


def neighbour_agreement(
    baseline: WordVectors,
    candidate: WordVectors,
    k: int = 10,
    n_queries: int = 1000,
    n_pairs: int = 10000,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> NeighbourAgreement:
    """Measure top-k neighbour overlap and cosine rank correlation with a baseline.

    Parameters
    ----------
    baseline, candidate : WordVectors
        The original table and the changed one (pruned, reduced or quantized).
    k : int, default=10
        Neighbours compared per query word.
    n_queries : int, default=1000
        Query words drawn without replacement from the common words.
    n_pairs : int, default=10000
        Word pairs drawn with replacement from the common words for the cosine
        rank correlation.
    n_resamples, confidence, seed
        Bootstrap settings for the intervals; ``seed`` also fixes the samples.

    Returns
    -------
    NeighbourAgreement

    Notes
    -----
    Neighbours are searched among all common words, so the cost grows with
    ``n_queries * common_words * dims``. Ties among neighbours are broken
    arbitrarily, which matters only for tables with duplicate rows.
    """
    candidate_rows = candidate.key_to_index
    shared = [word for word in baseline.words if word in candidate_rows]
    nan = float("nan")
    if len(shared) <= k:
        logger.warning(
            "Only %d words are shared with the baseline; agreement needs more than k=%d",
            len(shared),
            k,
        )
        return NeighbourAgreement(
            len(shared), k, 0, nan, (nan, nan), 0, nan, (nan, nan)
        )
    base_unit = unit_rows(baseline.vectors[[baseline.key_to_index[w] for w in shared]])
    cand_unit = unit_rows(candidate.vectors[[candidate_rows[w] for w in shared]])

    rng = make_rng(seed, "agreement-sample")
    queries = np.sort(
        rng.choice(len(shared), size=min(n_queries, len(shared)), replace=False)
    )
    base_top = _top_k(base_unit, queries, k)
    cand_top = _top_k(cand_unit, queries, k)
    overlaps = np.array(
        [
            len(np.intersect1d(b, c, assume_unique=True)) / k
            for b, c in zip(base_top, cand_top)
        ]
    )

    first = rng.integers(0, len(shared), size=n_pairs)
    second = rng.integers(0, len(shared) - 1, size=n_pairs)
    second = second + (second >= first)  # never pair a word with itself
    base_cos = np.einsum("ij,ij->i", base_unit[first], base_unit[second])
    cand_cos = np.einsum("ij,ij->i", cand_unit[first], cand_unit[second])

    overlap_draws = bootstrap(
        len(overlaps),
        n_resamples,
        make_rng(seed, "agreement-overlap"),
        lambda idx: overlaps[idx].mean(axis=1),
    )
    cosine_draws = bootstrap(
        n_pairs,
        n_resamples,
        make_rng(seed, "agreement-cosine"),
        ResampledSpearman(base_cos, cand_cos),
    )
    logger.info(
        "Agreement over %d shared words: top-%d overlap %.3f, cosine rho %.3f",
        len(shared),
        k,
        overlaps.mean(),
        spearman(base_cos, cand_cos),
    )
    return NeighbourAgreement(
        common_words=len(shared),
        k=k,
        queries=len(queries),
        topk_overlap=float(overlaps.mean()),
        topk_overlap_ci=percentile_interval(overlap_draws, confidence),
        pairs=n_pairs,
        cosine_spearman=spearman(base_cos, cand_cos),
        cosine_spearman_ci=percentile_interval(cosine_draws, confidence),
    )


__all__ = ["NeighbourAgreement", "neighbour_agreement"]
