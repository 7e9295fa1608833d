"""Exceptions that textprune raises for bad input, with the place and the fix."""

from __future__ import annotations

import os


class TextpruneError(Exception):
    """Base class of the errors textprune reports to users.

    The command line prints ``Error: <message>`` and exits with status 1 for every
    subclass, so the message must state what failed, where, and what to do next.

    Parameters
    ----------
    message : str
        What failed and what to do about it.
    path : str or os.PathLike, default=None
        The file the failure was found in.
    line : int, default=None
        The 1-based line number in ``path``.
    offset : int, default=None
        The byte offset in ``path``, for binary files and decoding errors.
    """

    def __init__(
        self,
        message: str,
        path: str | os.PathLike[str] | None = None,
        line: int | None = None,
        offset: int | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else os.fspath(path)
        self.line = line
        self.offset = offset
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = self.path
        if self.line is not None:
            where += f", line {self.line}"
        if self.offset is not None:
            where += f", byte offset {self.offset}"
        return f"{where}: {self.message}"


class InputFormatError(TextpruneError):
    """An input file does not have the expected format."""


class EmptyResultError(TextpruneError):
    """A step left nothing to write, for example pruning dropped every word."""


class OutputError(TextpruneError):
    """An output file could not be written."""
