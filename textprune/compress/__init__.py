"""Embedding compression: post-process, reduce, quantize, and store in a container.

The entry point is :func:`compress_vectors`; recipes are described in
:mod:`textprune.compress.recipe` and ``docs/compression.md``.
"""

from __future__ import annotations

from textprune.compress.api import (
    CompressionResult,
    build_recipe_spec,
    compress_vectors,
)
from textprune.compress.postprocess import Center, Normalize, RemoveTopComponents
from textprune.compress.quantize import (
    BinaryQuantizer,
    Float16Codes,
    Float32Codes,
    ProductQuantizer,
    ScalarQuantizer,
)
from textprune.compress.recipe import QUANTIZE_CHOICES, Recipe
from textprune.compress.reduce import PCA, ScaleComponents, TruncatedSVD, ppa_steps
from textprune.compress.remap import select_vocabulary
from textprune.compress.search import rank_agreement, search_recipe

__all__ = [
    "PCA",
    "QUANTIZE_CHOICES",
    "BinaryQuantizer",
    "Center",
    "CompressionResult",
    "Float16Codes",
    "Float32Codes",
    "Normalize",
    "ProductQuantizer",
    "Recipe",
    "RemoveTopComponents",
    "ScalarQuantizer",
    "ScaleComponents",
    "TruncatedSVD",
    "build_recipe_spec",
    "compress_vectors",
    "ppa_steps",
    "rank_agreement",
    "search_recipe",
    "select_vocabulary",
]
