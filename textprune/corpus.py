"""Corpus readers: which files to read, how to cut them into chunks, and how bytes
become documents.

Inputs are files, folders (searched recursively with a glob pattern), or ``-`` for
standard input; gzip, bzip2 and xz files are decompressed by content. A document is
one non-blank line (``document="line"``), one whole file (``document="file"``), or
one JSON Lines record whose ``jsonl_field`` contains the text.

Large inputs are cut into :class:`Chunk` objects at line boundaries, so that each
chunk can be counted on its own, in another process or on another machine, and no
step keeps a whole file in memory.
"""

from __future__ import annotations

import codecs
import enum
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from textprune._io import (
    STDIN,
    PathLike,
    detect_compression,
    display_name,
    open_binary,
)
from textprune.errors import InputFormatError, TextpruneError

# Bytes per chunk; a chunk is extended to the end of its last line.
DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024

BOM = b"\xef\xbb\xbf"


class DocumentMode(str, enum.Enum):
    """Unit of text counted as one document."""

    LINE = "line"
    FILE = "file"


class EncodingErrors(str, enum.Enum):
    """Policy for bytes that are invalid in the encoding."""

    STRICT = "strict"
    REPLACE = "replace"


@dataclass(frozen=True)
class CorpusOptions:
    """Settings that turn input bytes into documents.

    Parameters
    ----------
    document : DocumentMode, default="line"
        ``line``: each non-blank line is a document. ``file``: each input is one
        document.
    jsonl_field : str, default=None
        Read JSON Lines and take each record's text from this top-level field.
        Each non-blank line is then one document.
    encoding : str, default="utf-8"
        Text encoding of every input. It must encode ``\\n`` as the byte 0x0a,
        so UTF-16 and UTF-32 are rejected.
    encoding_errors : EncodingErrors, default="strict"
        ``strict`` stops at the first invalid byte; ``replace`` puts U+FFFD in
        its place and counts the replacements.
    glob : str, default="*"
        Pattern of the file names read inside folders, matched at any depth.
    """

    document: DocumentMode = DocumentMode.LINE
    jsonl_field: str | None = None
    encoding: str = "utf-8"
    encoding_errors: EncodingErrors = EncodingErrors.STRICT
    glob: str = "*"

    def __post_init__(self) -> None:
        object.__setattr__(self, "document", DocumentMode(self.document))
        object.__setattr__(
            self, "encoding_errors", EncodingErrors(self.encoding_errors)
        )
        try:
            name = codecs.lookup(self.encoding).name
        except LookupError as exc:
            raise TextpruneError(
                f"unknown encoding {self.encoding!r}; pass a Python codec name "
                "such as utf-8, latin-1 or cp1252"
            ) from exc
        if name.startswith(("utf-16", "utf-32")):
            raise TextpruneError(
                f"encoding {self.encoding!r} is not supported because its line "
                "breaks are not single 0x0a bytes; convert the input to UTF-8 "
                "first, for example with iconv"
            )
        if self.jsonl_field is not None and self.document is DocumentMode.FILE:
            raise TextpruneError(
                "document='file' cannot be combined with a JSON Lines field, "
                "because each record is a document; drop one of the two"
            )

    def settings(self) -> dict[str, Any]:
        """Return the options that change counts, as plain JSON values."""
        values = asdict(self)
        del values["glob"]
        values["document"] = self.document.value
        values["encoding_errors"] = self.encoding_errors.value
        values["encoding"] = codecs.lookup(self.encoding).name
        return values


def expand_inputs(inputs: list[PathLike], glob: str = "*") -> list[str]:
    """Return the files to read: files as given, folders searched recursively.

    Files inside a folder are sorted by path; files and folders whose name starts
    with ``.`` are skipped. ``-`` stays as standard input.

    Raises
    ------
    TextpruneError
        If an input does not exist, or a folder has no file that matches ``glob``.
    """
    files: list[str] = []
    for item in inputs:
        text = os.fspath(item)
        if text == STDIN:
            files.append(STDIN)
            continue
        path = Path(text)
        if path.is_dir():
            found = sorted(
                candidate
                for candidate in path.rglob(glob)
                if candidate.is_file()
                and not any(
                    part.startswith(".") for part in candidate.relative_to(path).parts
                )
            )
            if not found:
                raise TextpruneError(
                    f"the folder has no file matching {glob!r}; "
                    "check the folder or pass another --glob pattern",
                    path=text,
                )
            files.extend(os.fspath(candidate) for candidate in found)
        elif path.exists():
            files.append(text)
        else:
            raise TextpruneError(
                "file not found; check the path and that the file exists", path=text
            )
    if files.count(STDIN) > 1:
        raise TextpruneError("standard input ('-') can be read only once")
    return files


def is_compressed(path: str) -> bool:
    """Return True if ``path`` is gzip, bzip2 or xz data (standard input: False)."""
    if path == STDIN:
        return False
    with open(path, "rb") as handle:
        return detect_compression(handle.read(8)) is not None


def input_size(paths: list[str]) -> int | None:
    """Return the total size of ``paths`` in bytes, or None when a size is unknown
    (standard input, or a compressed file whose content size is not stored)."""
    total = 0
    for path in paths:
        if path == STDIN or is_compressed(path):
            return None
        total += os.path.getsize(path)
    return total


@dataclass(frozen=True)
class Chunk:
    """A piece of one input, cut at line boundaries, to be counted on its own.

    A chunk is one of three kinds: a byte range of an uncompressed file
    (``start``, ``end``), bytes that the planner already read (``data``), or a
    whole input streamed block by block (``end`` is None and ``data`` is None).
    Offsets count bytes of the decompressed stream.

    Parameters
    ----------
    source_index : int
        Position of the input in the list of files.
    path : str
        The input file, or ``-``.
    start : int, default=0
        Byte offset of the chunk's first byte.
    end : int, default=None
        Byte offset after the chunk's last byte.
    data : bytes, default=None
        The chunk's bytes, when the planner read them.
    first_line : int, default=None
        Line number of the chunk's first line, when known.
    """

    source_index: int
    path: str
    start: int = 0
    end: int | None = None
    data: bytes | None = None
    first_line: int | None = None

    @property
    def is_stream(self) -> bool:
        """Whether the chunk is a whole input read block by block."""
        return self.data is None and self.end is None


def _range_chunks(index: int, path: str, chunk_size: int) -> Iterator[Chunk]:
    """Cut an uncompressed file into byte ranges that end after a newline."""
    size = os.path.getsize(path)
    start = 0
    with open(path, "rb") as handle:
        while start < size:
            handle.seek(min(start + chunk_size, size))
            handle.readline()
            end = min(handle.tell(), size)
            yield Chunk(index, path, start, end, first_line=1 if start == 0 else None)
            start = end
    if size == 0:
        yield Chunk(index, path, 0, 0, first_line=1)


def iter_blocks(stream: Any, block_size: int) -> Iterator[bytes]:
    """Yield blocks of about ``block_size`` bytes from ``stream``, each ending after
    a newline (the last one may not)."""
    while True:
        block = stream.read(block_size)
        if not block:
            return
        if not block.endswith(b"\n"):
            block += stream.readline()
        yield block


def _read_chunks(index: int, path: str, chunk_size: int) -> Iterator[Chunk]:
    """Read a compressed file or standard input into chunks that carry their bytes."""
    offset = 0
    line = 1
    with open_binary(path) as stream:
        try:
            for block in iter_blocks(stream, chunk_size):
                yield Chunk(index, path, offset, offset + len(block), block, line)
                offset += len(block)
                line += block.count(b"\n")
        except (OSError, EOFError) as exc:
            raise TextpruneError(
                f"cannot read the file ({exc}); it may be truncated or corrupt",
                path=display_name(path),
                offset=offset,
            ) from exc


def plan_chunks(
    paths: list[str],
    options: CorpusOptions,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    read_compressed: bool = True,
) -> Iterator[Chunk]:
    """Yield the chunks of ``paths`` in input order.

    Uncompressed files become byte ranges that the counting process reads itself.
    With ``document="file"`` each input is one streamed chunk, because a document
    must be counted in one piece. Compressed files and standard input cannot be
    cut without reading them. With ``read_compressed`` this function reads them
    and yields chunks with their bytes. Otherwise a compressed file is one
    streamed chunk, but standard input is still read here.
    """
    for index, path in enumerate(paths):
        if options.document is DocumentMode.FILE:
            yield Chunk(index, path, first_line=1)
        elif path == STDIN or (read_compressed and is_compressed(path)):
            yield from _read_chunks(index, path, chunk_size)
        elif is_compressed(path):
            yield Chunk(index, path, first_line=1)
        else:
            yield from _range_chunks(index, path, chunk_size)


@dataclass
class ChunkError:
    """Position and reason of a read failure in a chunk.

    The process that collects the results turns it into a TextpruneError.
    """

    source_index: int
    path: str
    offset: int
    line: int | None
    message: str

    def sort_key(self) -> tuple[int, int]:
        """Return the position of the error, so the first one can be reported."""
        return (self.source_index, self.offset)

    def to_exception(self) -> TextpruneError:
        """Return the error as an exception, counting its line if it is unknown."""
        line = self.line
        if line is None and self.path != STDIN:
            line = _line_at(self.path, self.offset)
        return InputFormatError(
            self.message,
            path=display_name(self.path),
            line=line,
            offset=self.offset,
        )


def _line_at(path: str, offset: int) -> int:
    """Return the 1-based number of the line that contains byte ``offset``."""
    newlines = 0
    remaining = offset
    with open_binary(path) as stream:
        while remaining > 0:
            block = stream.read(min(remaining, 1 << 20))
            if not block:
                break
            newlines += block.count(b"\n")
            remaining -= len(block)
    return newlines + 1


class _ReplacementCounter(threading.local):
    count = 0


_replacements = _ReplacementCounter()


def _count_and_replace(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _replacements.count += 1
    return "\ufffd", exc.end


codecs.register_error("textprune.count-replace", _count_and_replace)


class DecodeFailure(Exception):
    """A chunk has a byte sequence that is invalid in the encoding."""

    def __init__(self, relative_offset: int, message: str) -> None:
        super().__init__(message)
        self.relative_offset = relative_offset
        self.message = message


def decode_block(
    data: bytes, options: CorpusOptions, at_start: bool
) -> tuple[str, int]:
    """Decode one block; return the text and how many replacements were made.

    Raises
    ------
    DecodeFailure
        With the block-relative offset of the first invalid byte, when
        ``encoding_errors`` is ``strict``.
    """
    skipped = 0
    if at_start and data.startswith(BOM):
        data = data[len(BOM) :]
        skipped = len(BOM)
    if options.encoding_errors is EncodingErrors.STRICT:
        try:
            return data.decode(options.encoding), 0
        except UnicodeDecodeError as exc:
            raise DecodeFailure(
                skipped + exc.start,
                f"cannot decode byte 0x{data[exc.start]:02x} as {options.encoding}; "
                "convert the file, pass the right --encoding, or pass "
                "--encoding-errors replace to count it as U+FFFD",
            ) from exc
    _replacements.count = 0
    text = data.decode(options.encoding, "textprune.count-replace")
    return text, _replacements.count


def _field_text(record: Any, field: str) -> str | None:
    if not isinstance(record, dict):
        return None
    value = record.get(field)
    return value if isinstance(value, str) else None


def jsonl_documents(text: str, field: str) -> tuple[list[str], int | None, str]:
    """Return the ``field`` text of each JSON Lines record in ``text``.

    Blank lines are skipped. Line breaks inside a record's text become spaces, so
    that each returned string is one line. On the first invalid record, returns
    the records before it, the 0-based index of the invalid line, and a message.
    """
    documents: list[str] = []
    for number, line in enumerate(text.split("\n")):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            return (
                documents,
                number,
                (
                    f"invalid JSON ({exc.msg} at column {exc.colno}); "
                    "each line must be one JSON object"
                ),
            )
        value = _field_text(record, field)
        if value is None:
            return (
                documents,
                number,
                (
                    f"the record has no text field {field!r}; check --jsonl-field, "
                    "the field must hold a string in every record"
                ),
            )
        documents.append(value.replace("\n", " "))
    return documents, None, ""
