"""Reading the vectors of a spaCy pipeline.

spaCy stores vectors as a table of rows and a key-to-row map, and several keys may
share a row: spaCy's en_core_web_md 3.7.1 maps 514,157 keys onto 20,000 rows, because
its vectors were pruned with ``Vocab.prune_vectors``, which points each dropped word at
its nearest kept row. textprune turns this into a :class:`~textprune.vectors.WordVectors`
with one row per spaCy row:

- the row's word is its first lowercase key in the order of spaCy's key-to-row map
  (the key that owned the row before pruning), or its first key when it has no
  lowercase key;
- every other key becomes an alias of that row, so lookups of those keys still work.

Rows that no key points at are dropped, because nothing can look them up.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from textprune.errors import TextpruneError
from textprune.vectors import WordVectors

logger = logging.getLogger(__name__)

# Components that are never needed to read vectors; excluding them makes loading
# faster. Names that a pipeline lacks are ignored by spaCy.
_COMPONENTS = [
    "tok2vec",
    "tagger",
    "morphologizer",
    "parser",
    "senter",
    "attribute_ruler",
    "lemmatizer",
    "ner",
    "textcat",
    "textcat_multilabel",
    "entity_linker",
    "entity_ruler",
    "span_finder",
    "spancat",
    "trainable_lemmatizer",
    "transformer",
    "curated_transformer",
]


def load_spacy_vocab(name_or_path: str):  # noqa: ANN201 - spacy.vocab.Vocab
    """Load the vocabulary of a pipeline package, pipeline folder or ``vocab`` folder."""
    import spacy
    from spacy.vocab import Vocab

    path = Path(name_or_path)
    if path.is_dir() and (path / "vectors").exists() and (path / "strings.json").exists():
        return Vocab().from_disk(path)
    try:
        nlp = spacy.load(name_or_path, exclude=_COMPONENTS)
    except OSError as exc:
        raise TextpruneError(
            f"cannot load the spaCy pipeline {name_or_path!r} ({exc}); install the "
            "pipeline package or give the path of a pipeline or vocab folder"
        ) from exc
    return nlp.vocab


def read_spacy_vectors(name_or_path: str) -> WordVectors:
    """Read a spaCy pipeline's vectors, one row per spaCy row, keys as aliases.

    Raises
    ------
    TextpruneError
        If the pipeline cannot be loaded or has no vectors.
    """
    vocab = load_spacy_vocab(name_or_path)
    table = vocab.vectors
    if table.shape[0] == 0 or table.shape[1] == 0:
        raise TextpruneError(
            f"the spaCy pipeline {name_or_path!r} has no word vectors; "
            "use a pipeline with vectors, such as en_core_web_md"
        )
    if getattr(table, "mode", "default") != "default":
        raise TextpruneError(
            f"the spaCy pipeline {name_or_path!r} uses {table.mode!r} vectors, which "
            "have no fixed word rows; only 'default' vectors tables can be read"
        )

    keys_by_row: dict[int, list[str]] = {}
    strings = vocab.strings
    for key, row in table.key2row.items():
        try:
            text = strings[key]
        except KeyError:
            continue
        keys_by_row.setdefault(int(row), []).append(text)

    data = np.asarray(table.data, dtype=np.float32)
    words: list[str] = []
    rows: list[int] = []
    aliases: dict[str, int] = {}
    used: set[str] = set()
    for row in sorted(keys_by_row):
        keys = keys_by_row[row]
        name = next((key for key in keys if key == key.lower()), keys[0])
        if name in used:
            continue
        used.add(name)
        new_row = len(words)
        words.append(name)
        rows.append(row)
        for key in keys:
            if key != name:
                aliases.setdefault(key, new_row)
    for word in words:
        aliases.pop(word, None)
    logger.info(
        "spaCy vectors: %d keys on %d rows became %d words and %d aliases",
        len(table.key2row),
        data.shape[0],
        len(words),
        len(aliases),
    )
    return WordVectors(words, data[rows], aliases)
