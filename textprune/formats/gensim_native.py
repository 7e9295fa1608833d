"""gensim's native ``KeyedVectors.save`` files.

These files are Python pickles, and unpickling a file can run any code its author
put in it. textprune therefore reads them only when the caller passes
``allow_pickle=True`` (``--allow-pickle`` on the command line); load only files you
trust. Files saved by a full gensim model (``Word2Vec.save``, ``FastText.save``) are
read through the model's ``wv`` attribute.
"""

from __future__ import annotations

import logging
import os
import pickle
from typing import IO

import numpy as np

from textprune._io import PathLike, display_name, open_binary
from textprune.errors import InputFormatError
from textprune.vectors import WordVectors

logger = logging.getLogger(__name__)


def read_gensim(path: PathLike, *, allow_pickle: bool = False) -> WordVectors:
    """Read a file written by gensim's ``KeyedVectors.save``.

    Parameters
    ----------
    path : str or os.PathLike
        The file, optionally compressed. Arrays that gensim stored in separate
        ``.npy`` files next to it are loaded too.
    allow_pickle : bool, default=False
        Must be True, to confirm that the file is trusted: loading it runs pickle.

    Raises
    ------
    InputFormatError
        If pickle is not allowed, or the file is not a gensim vectors file.
    """
    name = display_name(path)
    if not allow_pickle:
        raise InputFormatError(
            "is a Python pickle (gensim's native format), and loading a pickle can "
            "run code from the file; if you trust it, convert it first with "
            "'textprune convert FILE OUT.bin --allow-pickle' (in Python, pass "
            "allow_pickle=True)",
            path=name,
        )
    from gensim.models import KeyedVectors
    from gensim.utils import SaveLoad

    try:
        with open_binary(path) as stream:
            model = _unpickle(stream)
        if os.fspath(path) != "-":
            compress, subname = SaveLoad._adapt_by_suffix(os.fspath(path))
            model._load_specials(os.fspath(path), None, compress, subname)
    except InputFormatError:
        raise
    except Exception as exc:  # noqa: BLE001 - unpickling can raise anything
        raise InputFormatError(
            f"cannot load the gensim file ({type(exc).__name__}: {exc}); it is "
            "corrupt, truncated or was written by an incompatible gensim version",
            path=name,
        ) from exc
    vectors = getattr(model, "wv", model)
    if not isinstance(vectors, KeyedVectors):
        raise InputFormatError(
            f"the pickle contains a {type(model).__name__}, not gensim KeyedVectors "
            "or a gensim model",
            path=name,
        )
    words = [str(key) for key in vectors.index_to_key]
    matrix = np.asarray(vectors.vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] != len(words) or not words:
        raise InputFormatError(
            f"the gensim vectors have {len(words)} keys for a matrix of shape "
            f"{matrix.shape}; the file is inconsistent or empty",
            path=name,
        )
    if not np.isfinite(matrix).all():
        row = int(np.flatnonzero(~np.isfinite(matrix).all(axis=1))[0])
        raise InputFormatError(
            f"the vector of {words[row]!r} contains NaN or infinity; fix the vectors",
            path=name,
        )
    try:
        return WordVectors(words, matrix)
    except ValueError as exc:
        raise InputFormatError(f"invalid gensim vectors: {exc}", path=name) from exc


def _unpickle(stream: IO[bytes]) -> object:
    # NOTE: this runs pickle on the file; read_gensim checks allow_pickle first.
    # latin1 lets gensim 3 files written under Python 2 load, as gensim does itself.
    return pickle.load(stream, encoding="latin1")  # noqa: S301


def write_gensim(table: WordVectors, handle: IO[bytes]) -> None:
    """Write ``table`` as a gensim ``KeyedVectors`` pickle into one file."""
    from gensim.models import KeyedVectors

    vectors = KeyedVectors(vector_size=table.dims, count=0, dtype=np.float32)
    # Without lifecycle events (which record the time), the same table always gives
    # the same bytes.
    vectors.lifecycle_events = None
    vectors.add_vectors(table.words, table.vectors)
    # Given an open handle, gensim pickles everything into it, so no separate .npy
    # files are written next to the output.
    vectors.save(handle)
