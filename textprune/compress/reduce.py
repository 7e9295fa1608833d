"""Dimension reduction steps: PCA, truncated SVD and per-component scaling.

PPA-PCA-PPA (Raunak, Gupta and Metze, "Effective Dimensionality Reduction for Word
Embeddings", RepL4NLP 2019) is not a step of its own: :func:`ppa_steps` expands it into
all-but-the-top, PCA, all-but-the-top.
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
from textprune.compress.postprocess import RemoveTopComponents

logger = logging.getLogger(__name__)


def _check_components(n_components: int, dims: int, step: str) -> None:
    if not 0 < n_components <= dims:
        raise ValueError(
            f"{step} n_components must be in [1, {dims}] for {dims}-d vectors, "
            f"got {n_components}"
        )


@register
class PCA(Step):
    """Project centred rows on the top ``n_components`` principal directions.

    Parameters
    ----------
    n_components : int
        Output dimensions.
    """

    name = "pca"

    def __init__(self, n_components: int) -> None:
        self.n_components = n_components
        self.mean_: np.ndarray | None = None
        self.components_: np.ndarray | None = None
        self.explained_variance_: np.ndarray | None = None

    def fit(self, X: np.ndarray) -> PCA:
        X = as_float32(X)
        _check_components(self.n_components, X.shape[1], "pca")
        self.mean_, self.components_, self.explained_variance_ = top_eigenvectors(
            X, self.n_components, True
        )
        total = float(np.var(X, axis=0, dtype=np.float64).sum())
        logger.info(
            "pca: %d -> %d dimensions keep %.1f%% of the variance",
            X.shape[1],
            self.n_components,
            100 * float(self.explained_variance_.sum()) / max(total, 1e-12),
        )
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "components_")
        return (as_float32(X) - self.mean_) @ self.components_.T

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "components_")
        return as_float32(X) @ self.components_ + self.mean_

    def output_dims(self, input_dims: int) -> int:
        return self.n_components

    def describe(self) -> str:
        return f"pca:{self.n_components}"


@register
class TruncatedSVD(Step):
    """Project rows, without centring, on the top right singular vectors.

    Parameters
    ----------
    n_components : int
        Output dimensions.
    """

    name = "svd"

    def __init__(self, n_components: int) -> None:
        self.n_components = n_components
        self.components_: np.ndarray | None = None
        self.singular_values_: np.ndarray | None = None

    def fit(self, X: np.ndarray) -> TruncatedSVD:
        X = as_float32(X)
        _check_components(self.n_components, X.shape[1], "svd")
        _, self.components_, scatter = top_eigenvectors(X, self.n_components, False)
        self.singular_values_ = np.sqrt(scatter * X.shape[0]).astype(np.float32)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "components_")
        return as_float32(X) @ self.components_.T

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "components_")
        return as_float32(X) @ self.components_

    def output_dims(self, input_dims: int) -> int:
        return self.n_components

    def describe(self) -> str:
        return f"svd:{self.n_components}"


@register
class ScaleComponents(Step):
    """Divide each column by its standard deviation (whitening after PCA).

    Balancing the variance across the kept principal components before sign or
    low-bit codes lets every bit carry about the same information.
    """

    name = "scale"

    def __init__(self) -> None:
        self.scale_: np.ndarray | None = None

    def fit(self, X: np.ndarray) -> ScaleComponents:
        std = as_float32(X).std(axis=0, dtype=np.float64)
        self.scale_ = np.where(std > 1e-12, std, 1.0).astype(np.float32)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "scale_")
        return as_float32(X) / self.scale_

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "scale_")
        return as_float32(X) * self.scale_


def ppa_steps(n_components: int, n_remove: int | None = None) -> list[Step]:
    """Return the PPA-PCA-PPA steps: all-but-the-top, PCA, all-but-the-top."""
    return [
        RemoveTopComponents(n_remove),
        PCA(n_components),
        RemoveTopComponents(n_remove),
    ]
