"""Reading and writing word-vector files.

This package is the only code that turns bytes into words and vectors.
:func:`read_vectors` detects the format from the content (see
:func:`detect_format`) and :func:`write_vectors` writes any format except
textprune's container, which :mod:`textprune.container` writes. Every format may be
compressed with gzip, bzip2 or xz: readers detect compression from the content, and
writers compress when the output name ends in ``.gz``, ``.bz2`` or ``.xz``.
"""

from __future__ import annotations

import bz2
import contextlib
import enum
import gzip
import io
import logging
import lzma
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Literal

from textprune._io import (
    STDIN,
    PathLike,
    atomic_output,
    detect_compression,
    display_name,
    open_binary,
)
from textprune.errors import InputFormatError, TextpruneError
from textprune.formats._common import Duplicates, UnicodeErrors, file_size
from textprune.formats._detect import (
    CONTAINER_MAGIC,
    HEAD_BYTES,
    SPACY_PREFIX,
    VectorFormat,
    detect_format,
    detect_format_from_head,
)
from textprune.vectors import WordVectors

logger = logging.getLogger(__name__)

# Output format chosen from an output name's last suffix, compression removed.
SUFFIX_FORMATS = {
    ".txt": VectorFormat.WORD2VEC_TEXT,
    ".vec": VectorFormat.WORD2VEC_TEXT,
    ".bin": VectorFormat.WORD2VEC_BINARY,
    ".glove": VectorFormat.GLOVE,
    ".kv": VectorFormat.GENSIM,
    ".model": VectorFormat.GENSIM,
    ".npy": VectorFormat.NPY,
    ".spacy": VectorFormat.SPACY,
}

_COMPRESSORS = {".gz": gzip.GzipFile, ".bz2": bz2.BZ2File, ".xz": lzma.LZMAFile}

# Formats that can be read from standard input, which is read once from the start.
_STREAM_FORMATS = (
    VectorFormat.WORD2VEC_TEXT,
    VectorFormat.GLOVE,
    VectorFormat.WORD2VEC_BINARY,
)

# Errors that a corrupt or truncated compressed stream raises while being read.
_STREAM_ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error)


def read_vectors(
    path: PathLike,
    limit: int | None = None,
    *,
    format: VectorFormat | str | None = None,  # noqa: A002 - the CLI's --from
    duplicates: Duplicates | str = Duplicates.ERROR,
    unicode_errors: UnicodeErrors | str = UnicodeErrors.STRICT,
    allow_pickle: bool = False,
    words_path: PathLike | None = None,
) -> WordVectors:
    """Read vectors from any supported format, detected from the content.

    Parameters
    ----------
    path : str or os.PathLike
        A vector file (optionally gzip, bzip2 or xz compressed), ``"-"`` for
        standard input, a spaCy pipeline or ``vocab`` folder, or
        ``spacy:NAME_OR_PATH`` for an installed spaCy pipeline.
    limit : int, default=None
        Read only the first ``limit`` rows (for spaCy and gensim files, the whole
        table is loaded and then cut).
    format : VectorFormat or str, default=None
        The format to read, instead of detecting it.
    duplicates : {"error", "first", "last"}, default="error"
        What to do with a word on more than one row: raise an error naming both
        rows, or keep the first or the last row.
    unicode_errors : {"strict", "replace", "ignore"}, default="strict"
        How to decode words that are not valid UTF-8.
    allow_pickle : bool, default=False
        Allow reading gensim's native files, which are pickles: loading one runs
        code from the file, so allow it only for trusted files.
    words_path : str or os.PathLike, default=None
        The word list of a ``.npy`` matrix, instead of ``NAME.words.txt``.

    Returns
    -------
    WordVectors
        The table; spaCy vectors keep their extra keys as aliases.

    Raises
    ------
    TextpruneError
        If the file is missing or malformed; the message names the file and the
        line or byte offset.
    """
    duplicates = _choice(Duplicates, duplicates, "duplicates")
    errors = _choice(UnicodeErrors, unicode_errors, "unicode_errors").value
    if format is not None:
        format = _choice(VectorFormat, format, "format")  # noqa: A001
    if limit is not None and limit < 1:
        raise TextpruneError(f"limit must be at least 1, got {limit}")
    name = display_name(path)
    with contextlib.ExitStack() as stack:
        stdin = None
        if os.fspath(path) == STDIN:
            stdin = stack.enter_context(_reading(path))
        kind = _choose_format(path, format, stdin)
        logger.info("Reading %s as %s", name, kind.value)
        table = _read_format(
            path,
            kind,
            stdin,
            limit=limit,
            duplicates=duplicates,
            unicode_errors=errors,
            allow_pickle=allow_pickle,
            words_path=words_path,
        )
    if limit is not None and len(table) > limit:
        aliases = {key: row for key, row in table.aliases.items() if row < limit}
        table = WordVectors(table.words[:limit], table.vectors[:limit], aliases)
    logger.info("Read %d vectors of %d dimensions", len(table), table.dims)
    return table


def _choice(kind: type[enum.Enum], value: object, parameter: str):  # noqa: ANN202
    """Return ``kind(value)``, raising a ValueError that lists the allowed values."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(repr(item.value) for item in kind)
        raise ValueError(
            f"{parameter} must be one of {allowed}, got {value!r}"
        ) from None


def _choose_format(
    path: PathLike,
    format: VectorFormat | None,  # noqa: A002
    stdin: IO[bytes] | None,
) -> VectorFormat:
    if stdin is None:
        return format if format is not None else detect_format(path)
    kind = format
    if kind is None:
        kind = detect_format_from_head(stdin.peek(HEAD_BYTES)[:HEAD_BYTES], "<stdin>")
    if kind not in _STREAM_FORMATS:
        raise TextpruneError(
            f"{kind.value} vectors cannot be read from standard input; save them to "
            "a file and name it instead of '-'"
        )
    return kind


def _read_format(
    path: PathLike,
    kind: VectorFormat,
    stdin: IO[bytes] | None,
    *,
    limit: int | None,
    duplicates: Duplicates,
    unicode_errors: str,
    allow_pickle: bool,
    words_path: PathLike | None,
) -> WordVectors:
    name = display_name(path)
    options = {
        "limit": limit,
        "duplicates": duplicates,
        "unicode_errors": unicode_errors,
    }

    if kind is VectorFormat.SPACY:
        from textprune.spacy_vectors import read_spacy_vectors

        text = os.fspath(path)
        table = read_spacy_vectors(text.removeprefix(SPACY_PREFIX))
    elif kind is VectorFormat.CONTAINER:
        table = _read_container(path)
    elif kind is VectorFormat.GENSIM:
        from textprune.formats.gensim_native import read_gensim

        table = read_gensim(path, allow_pickle=allow_pickle)
    elif kind is VectorFormat.NPY:
        from textprune.formats.numpy_words import read_npy

        table = read_npy(path, words_path=words_path, **options)
    elif kind is VectorFormat.WORD2VEC_BINARY:
        from textprune.formats.word2vec_binary import read_word2vec_binary

        with _reading(path, stdin) as stream:
            table = read_word2vec_binary(stream, name, **options)
    else:
        from textprune.formats.word2vec_text import read_word2vec_text

        header = False if kind is VectorFormat.GLOVE else None
        with _reading(path, stdin) as stream:
            table = read_word2vec_text(
                stream, name, header=header, size_hint=_size_hint(path), **options
            )
    return table


def _read_container(path: PathLike) -> WordVectors:
    try:
        from textprune.container import CompressedVectors
    except ModuleNotFoundError as exc:
        if exc.name != "textprune.container":
            raise
        raise InputFormatError(
            "is a textprune container, but this installation has no container "
            "module; install the full textprune package",
            path=display_name(path),
        ) from exc

    return CompressedVectors.load(path).to_word_vectors()


def _size_hint(path: PathLike) -> int | None:
    """Return the file size of an uncompressed regular file, else None."""
    if os.fspath(path) == "-":
        return None
    with open(path, "rb") as handle:
        head = handle.read(8)
    return None if detect_compression(head) else file_size(path)


@contextlib.contextmanager
def _reading(path: PathLike, stream: IO[bytes] | None = None) -> Iterator[IO[bytes]]:
    """Open ``path`` (unless ``stream`` is given) and turn errors of a corrupt
    compressed stream into :class:`InputFormatError`.

    Standard input is wrapped in a reader that can peek at its first bytes, so the
    format can be detected without consuming them.
    """
    name = display_name(path)
    if stream is not None:
        yield stream
        return
    stream = open_binary(path)
    if os.fspath(path) == STDIN:
        stream = io.BufferedReader(stream, buffer_size=HEAD_BYTES)  # type: ignore[arg-type]
    try:
        yield stream
    except TextpruneError:
        raise
    except _STREAM_ERRORS as exc:
        raise InputFormatError(
            f"cannot read the file ({exc}); it is truncated or corrupt, so download "
            "or write it again",
            path=name,
        ) from exc
    finally:
        if os.fspath(path) != STDIN:
            with contextlib.suppress(*_STREAM_ERRORS):
                stream.close()


def output_format_from_suffix(path: PathLike) -> VectorFormat | None:
    """Return the format an output name's extension stands for, or None.

    Compression suffixes are skipped: ``vectors.txt.gz`` is word2vec text.
    """
    suffixes = Path(os.fspath(path)).suffixes
    base = [suffix for suffix in suffixes if suffix not in _COMPRESSORS]
    if not base:
        return None
    return SUFFIX_FORMATS.get(base[-1].lower())


def output_kind_from_suffix(path: PathLike) -> Literal["text", "binary"]:
    """Choose word2vec text or binary from an output path's extension."""
    if output_format_from_suffix(path) is VectorFormat.WORD2VEC_BINARY:
        return "binary"
    return "text"


@contextlib.contextmanager
def _compressed_output(path: PathLike) -> Iterator[IO[bytes]]:
    """Open ``path`` atomically, compressing when its name ends in .gz/.bz2/.xz."""
    suffix = Path(os.fspath(path)).suffix.lower()
    compressor = _COMPRESSORS.get(suffix) if os.fspath(path) != "-" else None
    with atomic_output(path, "wb") as handle:
        if compressor is None:
            yield handle
            return
        if compressor is gzip.GzipFile:
            # mtime=0 keeps the output byte-identical between runs. Level 6 is the
            # gzip tool's default: level 9 takes about twice as long for ~1% less.
            stream = gzip.GzipFile(
                fileobj=handle, mode="wb", compresslevel=6, mtime=0, filename=""
            )
        else:
            stream = compressor(handle, mode="wb")
        with stream:
            yield stream  # type: ignore[misc]


def _check_words(table: WordVectors, path: PathLike) -> None:
    for row, word in enumerate(table.words):
        if not word or any(char.isspace() for char in word):
            raise TextpruneError(
                f"the word {word!r} (row {row + 1}) is empty or contains whitespace, "
                "which word2vec and GloVe files cannot store; write another format "
                "such as npy or spacy",
                path=path,
            )


def with_alias_rows(table: WordVectors) -> WordVectors:
    """Return ``table`` with every alias turned into a row of its own."""
    if not table.aliases:
        return table
    import numpy as np

    aliases = sorted(table.aliases.items(), key=lambda item: (item[1], item[0]))
    words = table.words + [alias for alias, _ in aliases]
    rows = np.array([row for _, row in aliases], dtype=np.int64)
    return WordVectors(words, np.concatenate([table.vectors, table.vectors[rows]]))


def write_vectors(
    table: WordVectors,
    path: PathLike,
    format: VectorFormat | str | None = None,  # noqa: A002 - the CLI's --to
    *,
    count_line: bool = True,
    aliases: Literal["drop", "rows"] = "drop",
    words_path: PathLike | None = None,
    spacy_lang: str = "xx",
) -> VectorFormat:
    """Write ``table`` to ``path`` in any format but the container.

    Every file is written to a temporary name and renamed when complete, so a failed
    or interrupted write leaves an existing output unchanged and no partial file.

    Parameters
    ----------
    table : WordVectors
        The vectors to write.
    path : str or os.PathLike
        The output file (a folder for spaCy); ``"-"`` writes to standard output.
    format : VectorFormat or str, default=None
        The format; by default chosen from the extension of ``path`` (see
        ``SUFFIX_FORMATS``), else word2vec text.
    count_line : bool, default=True
        Whether word2vec text and binary files start with ``<rows> <dims>``.
    aliases : {"drop", "rows"}, default="drop"
        For formats other than spaCy, which cannot share a row between keys: drop
        the aliases (logged as a warning), or write each alias as a row of its own.
    words_path : str or os.PathLike, default=None
        Where the word list of an ``npy`` output goes, instead of
        ``NAME.words.txt``.
    spacy_lang : str, default="xx"
        The language code of a written spaCy pipeline.

    Returns
    -------
    VectorFormat
        The format written.
    """
    if format:
        kind = _choice(VectorFormat, format, "format")
    else:
        kind = output_format_from_suffix(path)
        if Path(os.fspath(path)).suffix.lower() == ".tpr":
            raise TextpruneError(
                "a .tpr name is for textprune's container, which 'textprune "
                "compress' writes; use another extension or pass --to",
                path=path,
            )
    kind = kind or VectorFormat.WORD2VEC_TEXT
    if kind is VectorFormat.CONTAINER:
        raise TextpruneError(
            "textprune's container is written by 'textprune compress', not here; "
            "choose another output format"
        )
    if kind is VectorFormat.SPACY:
        from textprune.spacy_vectors import write_spacy_vectors

        if os.fspath(path) == STDIN:
            raise TextpruneError("spaCy output is a folder; name it instead of '-'")

        write_spacy_vectors(table, path, lang=spacy_lang)
        return kind

    if table.aliases:
        if aliases == "rows":
            table = with_alias_rows(table)
        else:
            logger.warning(
                "%s format cannot share rows between keys; dropped %d aliases "
                "(write them as rows with --aliases rows)",
                kind.value,
                len(table.aliases),
            )
    if kind in (
        VectorFormat.WORD2VEC_TEXT,
        VectorFormat.GLOVE,
        VectorFormat.WORD2VEC_BINARY,
    ):
        _check_words(table, path)
    logger.info(
        "Writing %d vectors to %s as %s", len(table), display_name(path), kind.value
    )

    if kind is VectorFormat.NPY:
        _write_npy(table, path, words_path)
        return kind
    with _compressed_output(path) as handle:
        if kind is VectorFormat.WORD2VEC_BINARY:
            from textprune.formats.word2vec_binary import write_word2vec_binary

            write_word2vec_binary(table, handle, count_line=count_line)
        elif kind is VectorFormat.GENSIM:
            from textprune.formats.gensim_native import write_gensim

            write_gensim(table, handle)
        else:
            from textprune.formats.word2vec_text import write_word2vec_text

            header = count_line and kind is not VectorFormat.GLOVE
            write_word2vec_text(table, handle, count_line=header)
    return kind


def _write_npy(table: WordVectors, path: PathLike, words_path: PathLike | None) -> None:
    from textprune.formats.numpy_words import words_path_for, write_npy

    if os.fspath(path) == "-":
        raise TextpruneError("npy output needs a file name for its word list, not '-'")
    words_target = words_path if words_path is not None else words_path_for(path)
    # The word list is renamed into place first, so a complete .npy file always has
    # its words next to it; an interrupted write leaves at most a new word list.
    with _compressed_output(path) as handle:
        with _compressed_output(words_target) as words_handle:
            write_npy(table, handle, words_handle)


def write_word2vec(table: WordVectors, path: PathLike, binary: bool = False) -> None:
    """Write ``table`` as word2vec text or binary, with the count line."""
    fmt = VectorFormat.WORD2VEC_BINARY if binary else VectorFormat.WORD2VEC_TEXT
    write_vectors(table, path, fmt)


__all__ = [
    "CONTAINER_MAGIC",
    "detect_compression",
    "SPACY_PREFIX",
    "Duplicates",
    "UnicodeErrors",
    "VectorFormat",
    "detect_format",
    "output_format_from_suffix",
    "output_kind_from_suffix",
    "read_vectors",
    "with_alias_rows",
    "write_vectors",
    "write_word2vec",
]
