"""Choosing a recipe for a size budget (``--ratio`` / ``--size``).

Every candidate starts with the same post-processing (all-but-the-top by default)
and continues with one family: float16; scalar codes, with or without PCA first;
product codes; sign codes after PCA, per-component scaling and an ITQ rotation.
Each is fitted on a sample of rows and scored by an intrinsic measure: the Spearman
rank correlation between cosine similarities of the reference vectors and of the
decoded vectors over sampled word pairs. The reference is the input after the
post-processing alone, because post-processing is a deliberate change of geometry
(it raises similarity scores in published work), not a loss to be minimised.

Half of the pairs are random; the other half join sampled words to their nearest
neighbours in the reference, so that the high-similarity range, where
word-similarity benchmarks and ``most_similar`` live, is covered. No benchmark data
is read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.stats import spearmanr

from textprune.compress.quantize import BinaryQuantizer, ProductQuantizer
from textprune.compress.recipe import Recipe
from textprune.errors import TextpruneError

logger = logging.getLogger(__name__)

# Rows used to fit and score each candidate; the winner is refitted on all rows.
SEARCH_ROWS = 20_000
SEARCH_PAIRS = 20_000
NEIGHBOURS = 10
# Product codes with more bytes than this are slow to train and lose to scalar
# codes of the same size, so the search does not try them.
MAX_PQ_SUBSPACES = 64
# Shorter training for the candidates; the winner is refitted with its defaults.
SEARCH_ITQ_ITER = 20
SEARCH_KMEANS_ITER = 8


@dataclass
class Candidate:
    """One configuration tried by the search, with its measured results."""

    spec: str
    code_nbytes: int
    score: float = float("nan")
    file_nbytes: int | None = None


def sample_pairs(
    X: np.ndarray, n_pairs: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return row pairs: half random, half (word, one of its nearest neighbours)."""
    rng = np.random.default_rng(seed)
    n_rows = X.shape[0]
    half = n_pairs // 2
    left = rng.integers(0, n_rows, size=half)
    right = rng.integers(0, n_rows, size=half)
    anchors = rng.choice(
        n_rows, size=min(n_rows, max(1, half // NEIGHBOURS)), replace=False
    )
    units = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    sims = units[anchors] @ units.T
    sims[np.arange(len(anchors)), anchors] = -np.inf
    count = min(NEIGHBOURS, n_rows - 1)
    neighbours = np.argpartition(-sims, count - 1, axis=1)[:, :count]
    near_left = np.repeat(anchors, count)
    near_right = neighbours.ravel()
    keep = left != right
    return (
        np.concatenate([left[keep], near_left]),
        np.concatenate([right[keep], near_right]),
    )


def _pair_cosines(X: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    a, b = X[left].astype(np.float64), X[right].astype(np.float64)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return (a * b).sum(axis=1) / np.maximum(norms, 1e-12)


def rank_agreement(
    original: np.ndarray, decoded: np.ndarray, left: np.ndarray, right: np.ndarray
) -> float:
    """Return the Spearman correlation of pair cosines before and after."""
    before = _pair_cosines(original, left, right)
    after = _pair_cosines(decoded, left, right)
    return float(spearmanr(before, after).statistic)


def candidate_specs(dims: int, max_code_nbytes: int, prefix: str = "abtt") -> list[str]:
    """Return the recipes to try whose codes fit ``max_code_nbytes`` per vector.

    ``prefix`` is the post-processing that starts every recipe ("" for none).
    Reductions keep the packed codes a whole number of bytes.
    """
    specs: list[str] = []
    lead = f"{prefix}," if prefix else ""

    def add(steps: str, nbytes: int) -> None:
        spec = lead + steps
        if nbytes <= max_code_nbytes and spec not in specs:
            specs.append(spec)

    add("float16", 2 * dims)
    for bits in (8, 4, 2, 1):
        per_byte = 8 // bits
        add(f"int{bits}", -(-dims // per_byte))
        reduced = min(max_code_nbytes * per_byte, dims - 1)
        for fraction in (1.0, 0.75, 0.5):
            target = int(reduced * fraction)
            target -= target % per_byte
            if target >= 8:
                add(f"pca:{target},int{bits}", target // per_byte)
    for subspaces in range(min(max_code_nbytes, dims, MAX_PQ_SUBSPACES), 1, -1):
        if dims % subspaces == 0 and dims // subspaces <= 32:
            add(f"pq:{subspaces}", subspaces)
            break
    bits = min(dims - 1, max_code_nbytes * 8)
    for fraction in (1.0, 0.75, 0.5):
        target = int(bits * fraction)
        target -= target % 8
        if target >= 8:
            add(f"pca:{target},scale,itq", target // 8)
    add("itq", -(-dims // 8))
    return specs


def search_recipe(
    X: np.ndarray,
    max_code_nbytes: int,
    seed: int = 0,
    fits: Callable[[Recipe], bool] | None = None,
    postprocess: str = "abtt",
) -> tuple[Recipe, list[Candidate]]:
    """Pick the candidate with the best rank agreement within the budget.

    Parameters
    ----------
    X : numpy.ndarray
        The vectors to compress.
    max_code_nbytes : int
        Maximum stored bytes per vector.
    seed : int, default=0
        Seed of the row sample, the pairs and the recipes.
    fits : callable, default=None
        Extra check on a recipe fitted to the sample (for a whole-file budget).
    postprocess : str, default="abtt"
        Post-processing labels that start every candidate and define the
        reference; "" or "none" compares with the input itself.

    Returns
    -------
    recipe : Recipe
        The winning recipe, not fitted.
    candidates : list of Candidate
        Every configuration tried, with its score (NaN if rejected by ``fits``).

    Raises
    ------
    TextpruneError
        If no configuration fits the budget.
    """
    dims = X.shape[1]
    prefix = "" if postprocess.strip().lower() in ("", "none") else postprocess
    specs = candidate_specs(dims, max_code_nbytes, prefix)
    if not specs:
        raise TextpruneError(
            f"no configuration stores {dims}-d vectors in {max_code_nbytes} bytes "
            f"each; the smallest is 1 byte (8 sign bits), so ask for a ratio of at "
            f"most {4 * dims} or a larger size"
        )
    rng = np.random.default_rng(seed)
    rows = np.arange(X.shape[0])
    if X.shape[0] > SEARCH_ROWS:
        rows = np.sort(rng.choice(X.shape[0], size=SEARCH_ROWS, replace=False))
    sample = np.asarray(X[rows], dtype=np.float32)
    reference = Recipe.parse(prefix or "none", seed).fit_transform(sample)
    left, right = sample_pairs(reference, SEARCH_PAIRS, seed)
    candidates: list[Candidate] = []
    for spec in specs:
        recipe = Recipe.parse(spec, seed)
        quantizer = recipe.quantizer
        if isinstance(quantizer, BinaryQuantizer):
            quantizer.n_iter = min(quantizer.n_iter, SEARCH_ITQ_ITER)
        elif isinstance(quantizer, ProductQuantizer):
            quantizer.n_iter = min(quantizer.n_iter, SEARCH_KMEANS_ITER)
        candidate = Candidate(spec, recipe.code_nbytes(dims))
        candidates.append(candidate)
        try:
            codes = recipe.fit_transform(sample)
        except ValueError as exc:
            logger.info("search: %s skipped (%s)", spec, exc)
            continue
        if fits is not None and not fits(recipe):
            logger.info("search: %s skipped, the file would exceed the size", spec)
            continue
        decoded = recipe.inverse_transform(codes)
        # NOTE: agreement with the reference penalises "scale", which changes the
        # geometry on purpose, so PCA + scale + ITQ candidates can lose here while
        # scoring higher on word-similarity benchmarks.
        candidate.score = rank_agreement(reference, decoded, left, right)
        logger.info(
            "search: %-32s %4d bytes/vector  rank agreement %.4f",
            spec,
            candidate.code_nbytes,
            candidate.score,
        )
    scored = [c for c in candidates if not np.isnan(c.score)]
    if not scored:
        raise TextpruneError(
            "no configuration fits the size budget once the word list and the "
            "learned state are counted; allow a larger size"
        )
    best = max(scored, key=lambda c: (round(c.score, 4), -c.code_nbytes))
    logger.info("search: chose %s (rank agreement %.4f)", best.spec, best.score)
    return Recipe.parse(best.spec, seed), candidates
