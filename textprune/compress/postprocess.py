"""Post-processing steps: centring, all-but-the-top, unit normalisation.

All-but-the-top (Mu and Viswanath, "All-but-the-Top: Simple and Effective
Postprocessing for Word Representations", ICLR 2018) removes the mean and the
projection on the few dominant principal directions, which raises word-similarity
scores of most embeddings.
"""

from __future__ import annotations

import logging

import numpy as np

from textprune.compress.base import (
    Step,
    as_float32,
    check_fitted,
    register,
    top_eigenvectors,
)

logger = logging.getLogger(__name__)


def default_top_components(dims: int) -> int:
    """Return the default number of directions to remove: about ``dims / 100``.

    Mu and Viswanath suggest d/100 (3 for 300-d vectors, 1 for 50-d).
    """
    return max(1, round(dims / 100))


@register
class Center(Step):
    """Subtract the mean vector."""

    name = "center"

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None

    def fit(self, X: np.ndarray) -> Center:
        self.mean_ = as_float32(X).mean(axis=0, dtype=np.float64).astype(np.float32)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "mean_")
        return as_float32(X) - self.mean_

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "mean_")
        return as_float32(X) + self.mean_


@register
class RemoveTopComponents(Step):
    """Centre, then remove the projection on the top principal directions.

    Parameters
    ----------
    n_components : int or None, default=None
        How many directions to remove; None means ``default_top_components(dims)``.

    Notes
    -----
    ``inverse_transform`` adds the mean back but cannot restore the removed
    projections, which are not stored.
    """

    name = "abtt"

    def __init__(self, n_components: int | None = None) -> None:
        self.n_components = n_components
        self.mean_: np.ndarray | None = None
        self.components_: np.ndarray | None = None

    def fit(self, X: np.ndarray) -> RemoveTopComponents:
        X = as_float32(X)
        count = self.n_components
        if count is None:
            count = default_top_components(X.shape[1])
        if not 0 < count < X.shape[1]:
            raise ValueError(
                f"abtt n_components must be in [1, {X.shape[1] - 1}] for "
                f"{X.shape[1]}-d vectors, got {count}"
            )
        self.mean_, self.components_, variances = top_eigenvectors(X, count, True)
        total = float(np.var(X, axis=0).sum())
        logger.info(
            "abtt: removing %d directions that carry %.1f%% of the variance",
            count,
            100 * float(variances.sum()) / max(total, 1e-12),
        )
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "components_")
        centred = as_float32(X) - self.mean_
        return centred - (centred @ self.components_.T) @ self.components_

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "mean_")
        return as_float32(X) + self.mean_

    def describe(self) -> str:
        if self.components_ is not None:
            return f"abtt:{len(self.components_)}"
        return "abtt" if self.n_components is None else f"abtt:{self.n_components}"


@register
class Normalize(Step):
    """Scale every row to unit Euclidean length.

    Notes
    -----
    The lengths are not stored, so ``inverse_transform`` returns its input. Cosine
    similarities are unchanged by this step.
    """

    name = "normalize"

    def __init__(self) -> None:
        self.fitted_ = True

    def transform(self, X: np.ndarray) -> np.ndarray:
        X = as_float32(X)
        norms = np.linalg.norm(X, axis=1, keepdims=True)
        return X / np.maximum(norms, 1e-12)

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        return as_float32(X)
