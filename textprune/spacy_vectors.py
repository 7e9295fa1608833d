"""Reading and writing the vectors of a spaCy pipeline.

spaCy stores vectors as a table of rows and a key-to-row map, and several keys may
share a row: spaCy's en_core_web_md 3.7.1 maps 514,157 keys onto 20,000 rows, because
its vectors were pruned with ``Vocab.prune_vectors``, which points each dropped word
at its nearest kept row. textprune turns this into a
:class:`~textprune.vectors.WordVectors` with one row per spaCy row:

- the row's word is its first lowercase key in the order of spaCy's key-to-row map
  (the key that owned the row before pruning), or its first key when it has no
  lowercase key;
- every other key becomes an alias of that row, so lookups of those keys still work.

Rows that no key points at are dropped, because nothing can look them up.

Writing goes the other way: :func:`write_spacy_vectors` saves a blank pipeline whose
vectors table has one row per word, with each alias as another key of its row, so
``spacy.load(path)`` returns the same key-to-vector lookups.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from textprune._io import PathLike
from textprune.errors import InputFormatError, OutputError, TextpruneError
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
    """Load the vocabulary of a pipeline package, a pipeline folder or a ``vocab``
    folder."""
    import spacy
    from spacy.vocab import Vocab

    path = Path(name_or_path)
    try:
        if (
            path.is_dir()
            and (path / "vectors").exists()
            and (path / "strings.json").exists()
        ):
            return Vocab().from_disk(path)
        with warnings.catch_warnings():
            # W095: the pipeline was trained with another spaCy version. The vectors
            # table does not depend on that version, so the warning does not apply.
            warnings.filterwarnings("ignore", message=r"\[W095\]")
            nlp = spacy.load(name_or_path, exclude=_COMPONENTS)
    except (OSError, ValueError, KeyError, ImportError) as exc:
        raise InputFormatError(
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


def write_spacy_vectors(table: WordVectors, path: PathLike, lang: str = "xx") -> None:
    """Save ``table`` as a blank spaCy pipeline folder that ``spacy.load`` reads.

    Each word is the key of its row and each alias another key of the row it points
    at. The folder is written under a temporary name and renamed when complete; an
    existing spaCy folder at ``path`` is replaced only then.

    Parameters
    ----------
    table : WordVectors
        The vectors to write.
    path : str or os.PathLike
        The pipeline folder to create or replace.
    lang : str, default="xx"
        The language code of the blank pipeline (``"xx"`` is spaCy's
        multi-language class).

    Raises
    ------
    OutputError
        If ``path`` is a file or a folder that is not a spaCy folder, or writing fails.
    """
    import spacy
    from spacy.vectors import Vectors

    try:
        nlp = spacy.blank(lang)
    except ImportError as exc:
        raise TextpruneError(
            f"spaCy has no language {lang!r} ({exc}); pass a language code such as "
            "en, or xx for any language"
        ) from exc
    strings = nlp.vocab.strings
    for word in table.words:
        strings.add(word)
    vectors = Vectors(strings=strings, data=table.vectors.copy(), keys=table.words)
    for alias, row in sorted(
        table.aliases.items(), key=lambda item: (item[1], item[0])
    ):
        strings.add(alias)
        vectors.add(alias, row=row)
    nlp.vocab.vectors = vectors
    logger.info(
        "Writing a spaCy pipeline with %d rows and %d keys to %s",
        len(table),
        len(vectors.key2row),
        os.fspath(path),
    )
    with atomic_directory(path) as temporary:
        nlp.to_disk(temporary)


def _is_replaceable(path: Path) -> bool:
    """Return True for an empty folder or a spaCy pipeline or vocab folder."""
    if not any(path.iterdir()):
        return True
    if (path / "config.cfg").is_file() and (path / "vocab").is_dir():
        return True
    return (path / "vectors").is_file() and (path / "strings.json").is_file()


@contextlib.contextmanager
def atomic_directory(path: PathLike) -> Iterator[Path]:
    """Yield a temporary folder next to ``path`` and move it onto ``path`` on success.

    If the block raises (including ``KeyboardInterrupt``), the temporary folder is
    removed and an existing folder at ``path`` is left unchanged.
    """
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise OutputError(
            "is a file; name a folder for the spaCy pipeline", path=target
        )
    if target.is_dir() and not _is_replaceable(target):
        raise OutputError(
            "is a folder that is neither empty nor a spaCy pipeline, so it is not "
            "replaced; name a new folder",
            path=target,
        )
    parent = target.parent
    if not parent.is_dir():
        raise OutputError(
            f"the folder {parent} does not exist; create it first", path=target
        )
    try:
        temporary = Path(
            tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
        )
        # mkdtemp creates the folder private (0o700); give it the permissions of a
        # folder made with mkdir.
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o777 & ~umask)
    except OSError as exc:
        raise OutputError(
            f"cannot create a folder in {parent} ({exc.strerror}); choose a writable "
            "folder",
            path=target,
        ) from exc
    old = None
    try:
        yield temporary
        if target.exists():
            old = Path(
                tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent)
            )
            os.replace(target, old / "previous")
        os.replace(temporary, target)
    except BaseException as exc:
        shutil.rmtree(temporary, ignore_errors=True)
        if old is not None and (old / "previous").exists() and not target.exists():
            os.replace(old / "previous", target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        if isinstance(exc, OSError):
            raise OutputError(
                f"writing failed ({exc.strerror or exc}); check free space and "
                "permissions",
                path=target,
            ) from exc
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
