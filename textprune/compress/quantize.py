"""Quantizers: the last step of a recipe, turning float rows into stored codes.

Every quantizer's ``transform`` returns the array that the container stores, and
``inverse_transform`` decodes it. Byte codes (scalar, product and binary) also
provide ``lookup_tables(y)``: per code byte a table of 256 partial dot products with
a query vector ``y``, so a query scores every row by summing table entries
(asymmetric distance computation) instead of decoding the table.

Bit packing, shared by scalar and binary codes: dimension ``j`` lives in byte
``j // p`` at bit offset ``(j % p) * bits``, where ``p = 8 // bits`` values share a
byte and the lowest bits come first. Trailing padding values are zero.
"""

from __future__ import annotations

import logging
from typing import ClassVar

import numpy as np

from textprune.compress.base import Step, as_float32, check_fitted, register

logger = logging.getLogger(__name__)

# Rows used to learn a quantizer's state; more rows add time, not quality.
DEFAULT_FIT_ROWS = 100_000


class Quantizer(Step):
    """Base class of the quantizers.

    ``code_kind`` is ``"float"`` for float16/float32 storage and ``"bytes"`` for
    packed codes that support :meth:`lookup_tables`.
    """

    code_kind: ClassVar[str] = "bytes"

    def code_nbytes(self, dims: int) -> int:
        """Return the bytes stored per vector for ``dims`` input columns."""
        raise NotImplementedError

    def lookup_tables(self, y: np.ndarray) -> tuple[float, np.ndarray]:
        """Return ``(const, tables)`` with ``decode(c) @ y == const + sum_k
        tables[k, c[k]]`` for every code row ``c``."""
        raise NotImplementedError


def _fit_sample(X: np.ndarray, max_rows: int, seed: int) -> np.ndarray:
    if X.shape[0] <= max_rows:
        return X
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(X.shape[0], size=max_rows, replace=False))
    return X[rows]


def pack_values(values: np.ndarray, bits: int) -> np.ndarray:
    """Pack unsigned ``bits``-bit values (n, d) into bytes, lowest bits first."""
    per_byte = 8 // bits
    n_rows, dims = values.shape
    n_bytes = -(-dims // per_byte)
    padded = np.zeros((n_rows, n_bytes * per_byte), dtype=np.uint8)
    padded[:, :dims] = values
    grouped = padded.reshape(n_rows, n_bytes, per_byte)
    packed = np.zeros((n_rows, n_bytes), dtype=np.uint8)
    for slot in range(per_byte):
        packed |= grouped[:, :, slot] << np.uint8(slot * bits)
    return packed


def unpack_values(codes: np.ndarray, bits: int, dims: int) -> np.ndarray:
    """Invert :func:`pack_values`, returning uint8 values of shape (n, dims)."""
    per_byte = 8 // bits
    mask = np.uint8((1 << bits) - 1)
    codes = np.asarray(codes, dtype=np.uint8)
    out = np.empty((codes.shape[0], codes.shape[1], per_byte), dtype=np.uint8)
    for slot in range(per_byte):
        out[:, :, slot] = (codes >> np.uint8(slot * bits)) & mask
    return out.reshape(codes.shape[0], -1)[:, :dims]


def _byte_tables(weights: np.ndarray, bits: int, levels: np.ndarray) -> np.ndarray:
    """Build (n_bytes, 256) tables of ``sum_slot weights[j] * levels[value_j]``."""
    per_byte = 8 // bits
    n_bytes = -(-len(weights) // per_byte)
    padded = np.zeros(n_bytes * per_byte, dtype=np.float64)
    padded[: len(weights)] = weights
    byte_values = np.arange(256, dtype=np.uint8)[:, None]
    slot_values = unpack_values(byte_values, bits, per_byte)  # (256, per_byte)
    level_table = levels[slot_values]  # (256, per_byte)
    return (padded.reshape(n_bytes, per_byte) @ level_table.T).astype(np.float32)


@register
class Float32Codes(Quantizer):
    """Store float32 values unchanged (``--quantize none``)."""

    name = "float32"
    code_kind = "float"

    def __init__(self) -> None:
        self.fitted_ = True

    def transform(self, X: np.ndarray) -> np.ndarray:
        return as_float32(X)

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        return as_float32(X)

    def code_nbytes(self, dims: int) -> int:
        return 4 * dims


@register
class Float16Codes(Quantizer):
    """Store IEEE half-precision values."""

    name = "float16"
    code_kind = "float"

    def __init__(self) -> None:
        self.fitted_ = True

    def transform(self, X: np.ndarray) -> np.ndarray:
        return as_float32(X).astype("<f2")

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X, dtype=np.float32)

    def code_nbytes(self, dims: int) -> int:
        return 2 * dims


@register
class ScalarQuantizer(Quantizer):
    """Uniform scalar quantization with a learned clip range per dimension.

    Each dimension ``j`` is clipped to ``[low_j, low_j + step_j * (2**bits - 1)]``
    and rounded to one of ``2**bits`` evenly spaced levels. The clip range of each
    dimension is the pair of symmetric quantiles, among ``clip_quantiles``, with the
    lowest squared reconstruction error on the fitting rows.

    Parameters
    ----------
    bits : {8, 4, 2, 1}, default=8
        Bits per dimension.
    clip_quantiles : list of float, default=None
        Candidate lower quantiles (the upper one is ``1 - q``); None uses
        0, 0.1%, 0.5%, 1%, 2%, 5%, 10% and 20%.
    seed : int, default=0
        Seed of the row sample used to learn the ranges.
    """

    name = "scalar"

    def __init__(
        self, bits: int = 8, clip_quantiles: list[float] | None = None, seed: int = 0
    ) -> None:
        self.bits = bits
        self.clip_quantiles = clip_quantiles
        self.seed = seed
        self.low_: np.ndarray | None = None
        self.step_: np.ndarray | None = None
        self.dims_: int | None = None

    def _candidates(self) -> list[float]:
        if self.clip_quantiles is not None:
            return list(self.clip_quantiles)
        return [0.0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2]

    def fit(self, X: np.ndarray) -> ScalarQuantizer:
        if self.bits not in (1, 2, 4, 8):
            raise ValueError(f"scalar bits must be 1, 2, 4 or 8, got {self.bits}")
        sample = _fit_sample(as_float32(X), DEFAULT_FIT_ROWS, self.seed)
        top = (1 << self.bits) - 1
        best_error = np.full(sample.shape[1], np.inf)
        low = np.zeros(sample.shape[1], dtype=np.float32)
        step = np.ones(sample.shape[1], dtype=np.float32)
        ordered = np.sort(sample, axis=0)
        last = len(ordered) - 1
        for quantile in self._candidates():
            lo = ordered[round(quantile * last)]
            hi = ordered[round((1 - quantile) * last)]
            width = np.maximum(hi - lo, 1e-12).astype(np.float32) / top
            levels = np.clip(np.rint((sample - lo) / width), 0, top)
            error = ((levels * width + lo - sample) ** 2).mean(axis=0)
            better = error < best_error
            best_error[better] = error[better]
            low[better] = lo[better]
            step[better] = width[better]
        self.low_, self.step_, self.dims_ = low, step, int(sample.shape[1])
        logger.info(
            "scalar %d-bit: relative squared error %.4f",
            self.bits,
            float(best_error.sum() / max(float((sample**2).mean(0).sum()), 1e-12)),
        )
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "step_")
        top = (1 << self.bits) - 1
        values = np.clip(np.rint((as_float32(X) - self.low_) / self.step_), 0, top)
        values = values.astype(np.uint8)
        if self.bits == 8:
            return values
        return pack_values(values, self.bits)

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "step_")
        if self.bits == 8:
            values = np.asarray(X, dtype=np.uint8)
        else:
            values = unpack_values(X, self.bits, int(self.dims_))
        return values.astype(np.float32) * self.step_ + self.low_

    def code_nbytes(self, dims: int) -> int:
        return -(-dims * self.bits // 8)

    def lookup_tables(self, y: np.ndarray) -> tuple[float, np.ndarray]:
        check_fitted(self, "step_")
        y = np.asarray(y, dtype=np.float64)
        levels = np.arange(1 << self.bits, dtype=np.float64)
        tables = _byte_tables(y * self.step_, self.bits, levels)
        return float(y @ self.low_), tables

    def describe(self) -> str:
        return f"int{self.bits}"


def _random_rotation(dims: int, rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((dims, dims)))
    return q * np.sign(np.diag(r))


def _procrustes(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Return the orthogonal R minimising ||source @ R - target||."""
    u, _, vt = np.linalg.svd(source.T @ target)
    return u @ vt


@register
class BinaryQuantizer(Quantizer):
    """Sign codes: one bit per dimension, optionally after an ITQ rotation.

    ITQ (Gong and Lazebnik, "Iterative Quantization", CVPR 2011) alternates between
    the sign codes of the rotated rows and the orthogonal Procrustes rotation that
    best maps the rows onto those codes, from a random orthogonal start.

    Decoded rows are ``scale_ * (2 * bits - 1) @ rotation_.T``, so the cosine of two
    decoded rows is ``1 - 2 * hamming / dims``.

    Parameters
    ----------
    rotation : {"itq", "none"}, default="itq"
        Learn an ITQ rotation, or take the signs of the input columns.
    n_iter : int, default=50
        ITQ iterations.
    seed : int, default=0
        Seed of the random start and of the fitting sample.
    """

    name = "binary"

    def __init__(self, rotation: str = "itq", n_iter: int = 50, seed: int = 0) -> None:
        self.rotation = rotation
        self.n_iter = n_iter
        self.seed = seed
        self.rotation_: np.ndarray | None = None
        self.scale_: float | None = None
        self.dims_: int | None = None

    def fit(self, X: np.ndarray) -> BinaryQuantizer:
        if self.rotation not in ("itq", "none"):
            raise ValueError(
                f"binary rotation must be 'itq' or 'none', got {self.rotation!r}"
            )
        sample = _fit_sample(as_float32(X), DEFAULT_FIT_ROWS, self.seed)
        data = sample.astype(np.float64)
        rotation = None
        if self.rotation == "itq":
            rng = np.random.default_rng(self.seed)
            rotation = _random_rotation(data.shape[1], rng)
            for _ in range(self.n_iter):
                codes = np.where(data @ rotation >= 0, 1.0, -1.0)
                rotation = _procrustes(data, codes)
            rotated = data @ rotation
        else:
            rotated = data
        self.rotation_ = None if rotation is None else rotation.astype(np.float32)
        self.scale_ = float(np.abs(rotated).mean())
        self.dims_ = int(data.shape[1])
        return self

    def _rotate(self, X: np.ndarray) -> np.ndarray:
        X = as_float32(X)
        return X if self.rotation_ is None else X @ self.rotation_

    def transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "scale_")
        signs = (self._rotate(X) >= 0).astype(np.uint8)
        return pack_values(signs, 1)

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "scale_")
        signs = unpack_values(X, 1, int(self.dims_)).astype(np.float32) * 2 - 1
        decoded = signs * np.float32(self.scale_)
        return decoded if self.rotation_ is None else decoded @ self.rotation_.T

    def code_nbytes(self, dims: int) -> int:
        return -(-dims // 8)

    def lookup_tables(self, y: np.ndarray) -> tuple[float, np.ndarray]:
        check_fitted(self, "scale_")
        y = np.asarray(y, dtype=np.float64)
        if self.rotation_ is not None:
            y = y @ self.rotation_.astype(np.float64)
        levels = np.array([-1.0, 1.0])
        return 0.0, _byte_tables(y * self.scale_, 1, levels)

    def describe(self) -> str:
        return "itq-binary" if self.rotation == "itq" else "binary"


def kmeans(
    X: np.ndarray, n_clusters: int, n_iter: int, rng: np.random.Generator
) -> np.ndarray:
    """Return k-means centroids of ``X`` from a random start (Lloyd iterations).

    Clusters that become empty restart at a random row.
    """
    data = np.asarray(X, dtype=np.float32)
    n_clusters = min(n_clusters, data.shape[0])
    start = rng.choice(data.shape[0], size=n_clusters, replace=False)
    centroids = data[np.sort(start)].copy()
    for _ in range(n_iter):
        labels = nearest_centroid(data, centroids)
        counts = np.bincount(labels, minlength=n_clusters)
        sums = np.stack(
            [
                np.bincount(labels, weights=column, minlength=n_clusters)
                for column in data.T
            ],
            axis=1,
        )
        empty = counts == 0
        centroids = (sums / np.maximum(counts, 1)[:, None]).astype(np.float32)
        if empty.any():
            centroids[empty] = data[rng.choice(data.shape[0], size=int(empty.sum()))]
    return centroids


def nearest_centroid(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Return the index of each row's nearest centroid (squared Euclidean)."""
    labels = np.empty(X.shape[0], dtype=np.int64)
    squared = (centroids.astype(np.float32) ** 2).sum(axis=1)
    for start in range(0, X.shape[0], 32768):
        block = X[start : start + 32768]
        distance = squared - 2 * (block @ centroids.T)
        labels[start : start + 32768] = distance.argmin(axis=1)
    return labels


@register
class ProductQuantizer(Quantizer):
    """Product quantization: one byte per sub-space, k-means with 256 centroids.

    The columns are split into ``n_subspaces`` equal groups and each group is
    replaced by the index of its nearest centroid. With ``rotation="opq"`` an
    orthogonal rotation is learned first by alternating PQ training and Procrustes
    (the non-parametric OPQ of Ge et al., CVPR 2013).

    Parameters
    ----------
    n_subspaces : int
        Bytes per vector; must divide the number of dimensions.
    rotation : {"none", "opq"}, default="none"
        Whether to learn a rotation before splitting.
    n_iter : int, default=15
        k-means iterations per sub-space.
    opq_iter : int, default=6
        Outer OPQ iterations.
    seed : int, default=0
        Seed of k-means starts and of the fitting sample.
    """

    name = "pq"

    def __init__(
        self,
        n_subspaces: int,
        rotation: str = "none",
        n_iter: int = 15,
        opq_iter: int = 6,
        seed: int = 0,
    ) -> None:
        self.n_subspaces = n_subspaces
        self.rotation = rotation
        self.n_iter = n_iter
        self.opq_iter = opq_iter
        self.seed = seed
        self.codebooks_: np.ndarray | None = None
        self.rotation_: np.ndarray | None = None

    def _fit_codebooks(self, data: np.ndarray, rng: np.random.Generator, n_iter: int):
        sub = data.shape[1] // self.n_subspaces
        books = [
            kmeans(data[:, k * sub : (k + 1) * sub], 256, n_iter, rng)
            for k in range(self.n_subspaces)
        ]
        width = max(len(book) for book in books)
        codebooks = np.zeros((self.n_subspaces, width, sub), dtype=np.float32)
        for k, book in enumerate(books):
            codebooks[k, : len(book)] = book
            codebooks[k, len(book) :] = book[0]
        return codebooks

    def fit(self, X: np.ndarray) -> ProductQuantizer:
        X = as_float32(X)
        if self.n_subspaces < 1 or X.shape[1] % self.n_subspaces:
            raise ValueError(
                f"pq n_subspaces must divide the {X.shape[1]} dimensions, "
                f"got {self.n_subspaces}"
            )
        if self.rotation not in ("none", "opq"):
            raise ValueError(
                f"pq rotation must be 'none' or 'opq', got {self.rotation!r}"
            )
        rng = np.random.default_rng(self.seed)
        sample = _fit_sample(X, 65536, self.seed)
        self.rotation_ = None
        if self.rotation == "opq":
            # The rotation is learned on a smaller sample with short k-means runs;
            # the final codebooks use the full sample.
            small = sample[: min(len(sample), 16384)]
            rotation = np.eye(X.shape[1], dtype=np.float32)
            for _ in range(self.opq_iter):
                self.rotation_ = rotation
                self.codebooks_ = self._fit_codebooks(small @ rotation, rng, 6)
                target = self.inverse_transform(self.transform(small))
                rotation = _procrustes(
                    small.astype(np.float64), target.astype(np.float64) @ rotation
                ).astype(np.float32)
            self.rotation_ = rotation
        data = sample if self.rotation_ is None else sample @ self.rotation_
        self.codebooks_ = self._fit_codebooks(data, rng, self.n_iter)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "codebooks_")
        X = as_float32(X)
        if self.rotation_ is not None:
            X = X @ self.rotation_
        sub = self.codebooks_.shape[2]
        codes = np.empty((X.shape[0], self.n_subspaces), dtype=np.uint8)
        for k in range(self.n_subspaces):
            block = np.ascontiguousarray(X[:, k * sub : (k + 1) * sub])
            codes[:, k] = nearest_centroid(block, self.codebooks_[k])
        return codes

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "codebooks_")
        codes = np.asarray(X, dtype=np.uint8)
        parts = [self.codebooks_[k][codes[:, k]] for k in range(self.n_subspaces)]
        decoded = np.concatenate(parts, axis=1)
        return decoded if self.rotation_ is None else decoded @ self.rotation_.T

    def code_nbytes(self, dims: int) -> int:
        return self.n_subspaces

    def lookup_tables(self, y: np.ndarray) -> tuple[float, np.ndarray]:
        check_fitted(self, "codebooks_")
        y = np.asarray(y, dtype=np.float32)
        if self.rotation_ is not None:
            y = y @ self.rotation_
        sub = self.codebooks_.shape[2]
        parts = y.reshape(self.n_subspaces, sub)
        tables = np.einsum("kcs,ks->kc", self.codebooks_, parts)
        if tables.shape[1] < 256:
            tables = np.pad(tables, ((0, 0), (0, 256 - tables.shape[1])))
        return 0.0, tables.astype(np.float32)

    def describe(self) -> str:
        prefix = "opq" if self.rotation == "opq" else "pq"
        return f"{prefix}:{self.n_subspaces}"
