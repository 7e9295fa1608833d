"""The estimator shape shared by every compression step, and the step registry.

A step stores its settings in the constructor, learns in ``fit`` (learned attributes
end in ``_``), and maps vectors with ``transform`` and back with
``inverse_transform``. The container stores a step as its registered name, its
settings (JSON) and its learned state (numpy arrays and JSON scalars), so a step can
be rebuilt without pickle.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

import numpy as np

# Registered name -> step class; filled by ``register``.
STEPS: dict[str, type[Step]] = {}


def register(cls: type[Step]) -> type[Step]:
    """Add a step class to :data:`STEPS` under its ``name``."""
    STEPS[cls.name] = cls
    return cls


class Step:
    """Base class of the post-processing, reduction and quantization steps."""

    name: ClassVar[str] = ""

    def get_params(self) -> dict[str, Any]:
        """Return the constructor settings, which must all be JSON values."""
        signature = inspect.signature(type(self).__init__)
        return {
            key: getattr(self, key) for key in signature.parameters if key != "self"
        }

    def get_state(self) -> dict[str, Any]:
        """Return the learned attributes: arrays, numbers or None."""
        return {
            key: value
            for key, value in vars(self).items()
            if key.endswith("_") and not key.startswith("_")
        }

    def is_fitted(self) -> bool:
        """Return True once ``fit`` has run (or state was restored)."""
        return bool(self.get_state())

    @classmethod
    def from_state(cls, params: dict[str, Any], state: dict[str, Any]) -> Step:
        """Rebuild a fitted step from ``get_params`` and ``get_state`` output."""
        step = cls(**params)
        for key, value in state.items():
            setattr(step, key, value)
        return step

    def fit(self, X: np.ndarray) -> Step:
        """Learn the step's state from the rows of ``X``; return self."""
        return self

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        """Fit on ``X`` and return ``transform(X)``."""
        return self.fit(X).transform(X)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Map rows of ``X`` into the step's output space."""
        raise NotImplementedError

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        """Map rows from the step's output space back towards its input space."""
        raise NotImplementedError

    def output_dims(self, input_dims: int) -> int:
        """Return the width of ``transform``'s output for ``input_dims`` columns."""
        return input_dims

    def describe(self) -> str:
        """Return a short label such as ``pca:150`` for reports and logs."""
        return self.name


def as_float32(X: np.ndarray) -> np.ndarray:
    """Return ``X`` as a C-contiguous 2-d float32 array."""
    array = np.ascontiguousarray(X, dtype=np.float32)
    if array.ndim == 1:
        array = array[None, :]
    return array


def check_fitted(step: Step, attribute: str) -> None:
    """Raise when ``step`` is used before ``fit``."""
    if getattr(step, attribute, None) is None:
        raise RuntimeError(
            f"{type(step).__name__} is not fitted yet; call fit before transform"
        )


def top_eigenvectors(
    X: np.ndarray, n_components: int, center: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(mean, components, variances)`` of the top principal directions.

    The eigen-decomposition of the d-by-d scatter matrix is exact and deterministic;
    each component's sign is fixed so that its largest absolute entry is positive.
    ``center=False`` gives truncated SVD directions (scatter without the mean).
    """
    data = np.asarray(X, dtype=np.float64)
    mean = data.mean(axis=0) if center else np.zeros(data.shape[1])
    scatter = np.zeros((data.shape[1], data.shape[1]))
    for start in range(0, data.shape[0], 65536):
        block = data[start : start + 65536] - mean
        scatter += block.T @ block
    scatter /= max(data.shape[0] - (1 if center else 0), 1)
    values, vectors = np.linalg.eigh(scatter)
    order = np.argsort(values)[::-1][:n_components]
    components = vectors[:, order].T
    signs = np.sign(components[np.arange(len(order)), np.abs(components).argmax(1)])
    components *= signs[:, None]
    return (
        mean.astype(np.float32),
        components.astype(np.float32),
        values[order].clip(min=0).astype(np.float32),
    )
