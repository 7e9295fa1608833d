"""Correlations and seeded bootstrap intervals shared by the evaluation modules."""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np
from scipy.stats import rankdata

# Resamples are drawn in blocks of this many, so memory stays near
# 8 bytes * block * n_items whatever the number of resamples.
_BLOCK = 200


def pearson_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return Pearson's r between matching rows of ``x`` and ``y`` (NaN if constant)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    xc = x - x.mean(axis=-1, keepdims=True)
    yc = y - y.mean(axis=-1, keepdims=True)
    numerator = (xc * yc).sum(axis=-1)
    denominator = np.sqrt((xc * xc).sum(axis=-1) * (yc * yc).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        result = numerator / denominator
    return np.where(denominator > 0, np.clip(result, -1.0, 1.0), np.nan)


def spearman_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return Spearman's rho between matching rows: Pearson's r of average ranks."""
    return pearson_rows(rankdata(x, axis=-1), rankdata(y, axis=-1))


def dense_ranks(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Return each value's index among the sorted distinct values, and their count."""
    distinct, inverse = np.unique(np.asarray(values), return_inverse=True)
    return inverse.reshape(-1), len(distinct)


def resampled_ranks(dense: np.ndarray, levels: int, indices: np.ndarray) -> np.ndarray:
    """Return the average ranks (as ``scipy.stats.rankdata``) of resampled values.

    ``dense`` comes from :func:`dense_ranks` of the full sample, and each row of
    ``indices`` is one resample. Counting occurrences of each distinct value takes
    time linear in the resample size, where sorting each resample would not.
    """
    n_rows = indices.shape[0]
    values = dense[indices]
    offsets = (np.arange(n_rows) * levels)[:, None]
    counts = np.bincount((values + offsets).ravel(), minlength=n_rows * levels)
    counts = counts.reshape(n_rows, levels)
    before = np.cumsum(counts, axis=1) - counts
    average = before + (counts + 1) / 2.0
    return np.take_along_axis(average, values, axis=1)


class ResampledSpearman:
    """Spearman's rho of ``x`` against ``y`` on resamples of their items.

    Parameters
    ----------
    x, y : numpy.ndarray of shape (n_items,)
        Paired values.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self._x, self._x_levels = dense_ranks(x)
        self._y, self._y_levels = dense_ranks(y)

    def __call__(self, indices: np.ndarray) -> np.ndarray:
        """Return rho for each row of resample ``indices``."""
        return pearson_rows(
            resampled_ranks(self._x, self._x_levels, indices),
            resampled_ranks(self._y, self._y_levels, indices),
        )


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Return Spearman's rho of two 1-d arrays, or NaN with fewer than two items."""
    if len(x) < 2:
        return float("nan")
    return float(spearman_rows(x, y))


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Return Pearson's r of two 1-d arrays, or NaN with fewer than two items."""
    if len(x) < 2:
        return float("nan")
    return float(pearson_rows(x, y))


def make_rng(seed: int, *labels: str) -> np.random.Generator:
    """Return a generator seeded by ``seed`` and ``labels``.

    Each benchmark draws from its own stream, so adding or reordering benchmarks does
    not change the intervals of the others.
    """
    entropy = [seed] + [zlib.crc32(label.encode("utf-8")) for label in labels]
    return np.random.default_rng(np.random.SeedSequence(entropy))


def bootstrap(
    n_items: int,
    n_resamples: int,
    rng: np.random.Generator,
    statistic: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    """Return ``statistic`` on ``n_resamples`` resamples of item indices.

    ``statistic`` receives an integer array of shape ``(block, n_items)`` whose rows
    are indices drawn with replacement, and returns one value per row.
    """
    values = np.empty(n_resamples, dtype=np.float64)
    for start in range(0, n_resamples, _BLOCK):
        size = min(_BLOCK, n_resamples - start)
        indices = rng.integers(0, n_items, size=(size, n_items))
        values[start : start + size] = statistic(indices)
    return values


def percentile_interval(values: np.ndarray, confidence: float) -> tuple[float, float]:
    """Return the percentile interval of bootstrap ``values``, ignoring NaN draws."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (float("nan"), float("nan"))
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return (float(low), float(high))
