"""The compression stage as one function call: select rows, fit a recipe, encode."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from textprune.compress.recipe import Recipe
from textprune.compress.remap import select_vocabulary
from textprune.compress.search import Candidate, search_recipe
from textprune.container import ALIGNMENT, HEADER_SIZE, CompressedVectors, encode_words
from textprune.errors import TextpruneError
from textprune.vectors import WordVectors

logger = logging.getLogger(__name__)

REDUCE_CHOICES = ("pca", "svd", "ppa")
# Room left for the JSON metadata when a whole-file size is estimated.
_METADATA_SLACK = 4096


@dataclass
class CompressionResult:
    """Output of :func:`compress_vectors`, with the figures the CLI reports."""

    vectors: CompressedVectors
    input_rows: int
    input_dims: int
    float32_nbytes: int
    seconds: float
    candidates: list[Candidate] = field(default_factory=list)
    remap_scores: dict[str, float] = field(default_factory=dict)

    @property
    def code_nbytes(self) -> int:
        """Bytes of the stored codes (all rows)."""
        return int(self.vectors.codes.nbytes)

    @property
    def ratio(self) -> float:
        """float32 bytes of the kept rows over the bytes of their codes."""
        kept = len(self.vectors) * self.input_dims * 4
        return kept / max(self.code_nbytes, 1)


def build_recipe_spec(
    postprocess: str | None = None,
    dims: int | None = None,
    reduce: str = "pca",
    quantize: str = "none",
    scale: bool = False,
) -> str:
    """Turn the command-line options into recipe labels (see ``Recipe.parse``).

    Raises
    ------
    ValueError
        If ``reduce`` is unknown.
    """
    labels: list[str] = []
    if postprocess and postprocess.strip().lower() != "none":
        labels.append(postprocess)
    if dims is not None:
        if reduce not in REDUCE_CHOICES:
            raise ValueError(f"reduce must be one of {REDUCE_CHOICES}, got {reduce!r}")
        labels.append(f"{reduce}:{dims}")
    if scale:
        labels.append("scale")
    labels.append(quantize)
    return ",".join(labels)


def _estimate_file_nbytes(
    recipe: Recipe, n_rows: int, dims: int, words_nbytes: int
) -> int:
    _, arrays = recipe.to_metadata()
    sizes = [n_rows * recipe.code_nbytes(dims), words_nbytes]
    sizes += [array.nbytes for array in arrays.values()]
    body = sum(-(-size // ALIGNMENT) * ALIGNMENT for size in sizes)
    return HEADER_SIZE + _METADATA_SLACK + body


def compress_vectors(
    table: WordVectors,
    recipe: str | Recipe = "none",
    *,
    vocabulary: Iterable[str] | None = None,
    remap: bool = False,
    ratio: float | None = None,
    size: int | None = None,
    seed: int = 0,
    words_codec: str = "zlib",
    search_postprocess: str = "abtt",
    info: dict[str, Any] | None = None,
) -> CompressionResult:
    """Compress a vector table into a :class:`~textprune.container.CompressedVectors`.

    Parameters
    ----------
    table : WordVectors
        The input vectors.
    recipe : str or Recipe, default="none"
        Recipe labels such as ``"abtt,pca:150,scale,itq"``; ignored when ``ratio``
        or ``size`` is given.
    vocabulary : iterable of str, default=None
        Keep only these words' rows.
    remap : bool, default=False
        Make each dropped word an alias of its nearest kept row.
    ratio : float, default=None
        Search for the best recipe whose codes are at least ``ratio`` times
        smaller than the float32 rows.
    size : int, default=None
        Search for the best recipe whose whole file fits in ``size`` bytes.
    seed : int, default=0
        Seed of every random choice; the same input and seed give the same bytes.
    words_codec : {"zlib", "utf-8"}, default="zlib"
        How the word list is stored.
    search_postprocess : str, default="abtt"
        With ``ratio`` or ``size``: the post-processing that starts every
        candidate and defines the reference of the intrinsic measure.
    info : dict, default=None
        Extra facts to record in the file.

    Raises
    ------
    TextpruneError
        If the budget cannot be met, the vocabulary keeps nothing, or the recipe
        does not fit the vectors.
    """
    started = time.perf_counter()
    input_rows, input_dims = len(table), table.dims
    remap_scores: dict[str, float] = {}
    if vocabulary is not None:
        selected = select_vocabulary(table, vocabulary, remap=remap)
        table, remap_scores = selected.table, selected.scores
    elif remap:
        raise TextpruneError("remap needs a vocabulary; pass --vocab with --remap")
    alias_scores = {key: remap_scores.get(key, 1.0) for key in table.aliases}

    candidates: list[Candidate] = []
    if ratio is not None or size is not None:
        recipe, candidates = _search(
            table, ratio, size, seed, words_codec, search_postprocess
        )
    elif isinstance(recipe, str):
        recipe = _parse(recipe, seed)

    try:
        codes = recipe.fit_transform(table.vectors)
    except ValueError as exc:
        raise TextpruneError(
            f"the recipe {recipe.describe()!r} does not fit {table.dims}-d vectors "
            f"({exc})"
        ) from exc
    details = {
        "recipe": recipe.describe(),
        "input_dims": input_dims,
        "dims": recipe.output_dims(table.dims),
        "seed": seed,
        **(info or {}),
    }
    if candidates:
        details["search"] = [
            {
                "recipe": c.spec,
                "code_nbytes": c.code_nbytes,
                "score": _json_float(c.score),
            }
            for c in candidates
        ]
    vectors = CompressedVectors(
        table.words, codes, recipe, dict(table.aliases), alias_scores, details
    )
    logger.info(
        "Compressed %d x %d vectors with %s to %d bytes per vector",
        len(table),
        table.dims,
        recipe.describe(),
        codes.shape[1] * codes.itemsize,
    )
    return CompressionResult(
        vectors=vectors,
        input_rows=input_rows,
        input_dims=input_dims,
        float32_nbytes=input_rows * input_dims * 4,
        seconds=time.perf_counter() - started,
        candidates=candidates,
        remap_scores={k: v for k, v in remap_scores.items() if k in table.aliases},
    )


def _json_float(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 6)


def _parse(spec: str, seed: int) -> Recipe:
    try:
        return Recipe.parse(spec, seed)
    except ValueError as exc:
        raise TextpruneError(f"{exc}") from exc


def _search(
    table: WordVectors,
    ratio: float | None,
    size: int | None,
    seed: int,
    words_codec: str,
    postprocess: str,
) -> tuple[Recipe, list[Candidate]]:
    dims, n_rows = table.dims, len(table)
    limits = []
    if ratio is not None:
        if ratio < 1:
            raise TextpruneError(f"the ratio must be at least 1, got {ratio}")
        limits.append(int(4 * dims // ratio))
    fits = None
    if size is not None:
        aliases = list(table.aliases)
        words_nbytes = encode_words(table.words, words_codec).nbytes
        words_nbytes += encode_words(aliases, words_codec).nbytes + 8 * len(aliases)
        room = size - words_nbytes - HEADER_SIZE - _METADATA_SLACK
        if room < n_rows:
            raise TextpruneError(
                f"the word list alone takes {words_nbytes} bytes, which leaves less "
                f"than 1 byte per vector in {size} bytes; allow a larger size or "
                "keep fewer words"
            )
        limits.append(room // n_rows)

        def fits(recipe: Recipe) -> bool:
            return _estimate_file_nbytes(recipe, n_rows, dims, words_nbytes) <= size

    return search_recipe(
        table.vectors, min(limits), seed=seed, fits=fits, postprocess=postprocess
    )
