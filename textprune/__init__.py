"""Shrink NLP vocabularies and word embeddings, and measure what the shrinking cost.

The four stages can be used alone or chained:

1. :mod:`textprune.text`, :mod:`textprune.corpus` and :mod:`textprune.counts` clean,
   tokenize and count a corpus into a :class:`FrequencyDictionary`.
2. :mod:`textprune.prune` drops words by frequency, document frequency and stop lists.
3. :mod:`textprune.formats` reads and writes vector files; :mod:`textprune.compress`
   reduces and quantizes them into the container of :mod:`textprune.container`.
4. :mod:`textprune.evaluate` scores vectors on word-similarity benchmarks.
"""

import logging

from textprune.errors import TextpruneError
from textprune.vectors import WordVectors

__version__ = "0.1.0"

__all__ = ["TextpruneError", "WordVectors", "__version__"]

logging.getLogger(__name__).addHandler(logging.NullHandler())
