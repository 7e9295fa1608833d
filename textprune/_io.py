"""File plumbing shared by every stage: compressed and standard-stream inputs, and
outputs that appear only when they are complete."""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Literal

from textprune.errors import OutputError, TextpruneError

PathLike = str | os.PathLike[str]

STDIN = "-"

# Leading bytes of each compressed format that inputs are checked for.
_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
)


def detect_compression(head: bytes) -> str | None:
    """Return ``"gzip"``, ``"bz2"`` or ``"xz"`` from a file's first bytes, else None."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise TextpruneError(
            "file not found; check the path and that the file exists", path=path
        )
    if path.is_dir():
        raise TextpruneError(
            "is a directory, but a file was expected; name a file inside it", path=path
        )
    if not os.access(path, os.R_OK):
        raise TextpruneError(
            "permission denied; make the file readable or copy it", path=path
        )


def open_binary(path: PathLike) -> IO[bytes]:
    """Open ``path`` for binary reading, decompressing gzip, bzip2 and xz by content.

    ``"-"`` reads standard input. Compression is detected from the first bytes, so a
    file's extension does not matter.
    """
    if os.fspath(path) == STDIN:
        raw: IO[bytes] = sys.stdin.buffer
        peekable = raw if hasattr(raw, "peek") else io.BufferedReader(raw)  # type: ignore[arg-type]
    else:
        file_path = Path(path)
        _check_readable(file_path)
        peekable = open(file_path, "rb")  # noqa: SIM115 - returned to the caller
    head = peekable.peek(8)[:8]  # type: ignore[union-attr]
    kind = detect_compression(head)
    if kind == "gzip":
        return gzip.GzipFile(fileobj=peekable, mode="rb")  # type: ignore[return-value]
    if kind == "bz2":
        return bz2.BZ2File(peekable, mode="rb")  # type: ignore[return-value]
    if kind == "xz":
        return lzma.LZMAFile(peekable, mode="rb")  # type: ignore[return-value]
    return peekable


def display_name(path: PathLike) -> str:
    """Return the name used for ``path`` in messages (``<stdin>`` for ``-``)."""
    text = os.fspath(path)
    return "<stdin>" if text == STDIN else text


def iter_text_lines(
    path: PathLike, encoding: str = "utf-8", errors: str = "strict"
) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, line)`` pairs of a text file without the line ending.

    Lines are split on ``\\n`` only, and a trailing ``\\r`` is removed, so CRLF files
    read like LF files. A UTF-8 byte order mark at the start is skipped. Decoding
    errors raise :class:`TextpruneError` with the line and byte offset.
    """
    name = display_name(path)
    offset = 0
    with open_binary(path) as stream:
        try:
            for number, raw in enumerate(stream, start=1):
                if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                    offset += 3
                try:
                    text = raw.decode(encoding, errors)
                except UnicodeDecodeError as exc:
                    raise TextpruneError(
                        f"cannot decode byte 0x{raw[exc.start]:02x} as {encoding}; "
                        "convert the file to UTF-8 or pass an encoding",
                        path=name,
                        line=number,
                        offset=offset + exc.start,
                    ) from exc
                offset += len(raw)
                yield number, text.rstrip("\n").removesuffix("\r")
        except (OSError, EOFError, lzma.LZMAError) as exc:
            if isinstance(exc, FileNotFoundError):
                raise
            raise TextpruneError(
                f"cannot read the file ({exc}); it may be truncated or corrupt",
                path=name,
                offset=offset,
            ) from exc


def check_output_differs(output: PathLike, inputs: Iterable[PathLike]) -> None:
    """Raise when ``output`` names the same file as one of ``inputs``."""
    if os.fspath(output) == STDIN:
        return
    out = Path(output).resolve()
    for item in inputs:
        if os.fspath(item) == STDIN:
            continue
        if Path(item).resolve() == out:
            raise TextpruneError(
                "the output path is also an input; write the output to another file",
                path=output,
            )


@contextlib.contextmanager
def atomic_output(
    path: PathLike, mode: Literal["w", "wb"] = "w", encoding: str = "utf-8"
) -> Iterator[IO]:
    """Open a temporary file next to ``path`` and rename it onto ``path`` on success.

    If the block raises (including ``KeyboardInterrupt``), the temporary file is
    removed and an existing file at ``path`` is left unchanged. ``"-"`` writes to
    standard output instead, where no such guarantee is possible.
    """
    if os.fspath(path) == STDIN:
        if mode == "wb":
            yield sys.stdout.buffer
        else:
            yield sys.stdout
        sys.stdout.flush()
        return

    target = Path(path)
    if target.is_dir():
        raise OutputError("is a directory; name a file to write", path=target)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(
            f"the folder {directory} does not exist; create it first", path=target
        )
    try:
        fd, temp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=directory
        )
    except OSError as exc:
        raise OutputError(
            f"cannot create a file in {directory} ({exc.strerror}); "
            "choose a writable folder",
            path=target,
        ) from exc

    try:
        if mode == "wb":
            handle: IO = os.fdopen(fd, "wb")
        else:
            handle = os.fdopen(fd, "w", encoding=encoding, newline="\n")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            # Keep the permissions of the file being replaced.
            os.chmod(temp_name, target.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp_name, 0o666 & ~umask)
        os.replace(temp_name, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError):
            raise OutputError(
                f"writing failed ({exc.strerror or exc}); "
                "check free space and permissions",
                path=target,
            ) from exc
        raise
