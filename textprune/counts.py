"""Frequency dictionaries: how often each token occurs and in how many documents.

A frequency dictionary is stored as a UTF-8 TSV file. Its first lines start with
``# `` and record the format version, the totals and the settings used; then comes
one ``token<TAB>count<TAB>documents`` row per token, sorted by count descending and
ties by token (code point order)::

    # textprune-counts 1
    # documents 31102
    # tokens 790214
    # settings {"lang": "en", "lowercase": true, "tokenizer": "regex"}
    the	63924	22147
    and	51696	21378

Tokens never contain whitespace, so a row can never start with ``# ``.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from textprune._io import PathLike, atomic_output, display_name, iter_text_lines
from textprune.errors import InputFormatError

logger = logging.getLogger(__name__)

FORMAT_LINE = "# textprune-counts 1"


@dataclass
class FrequencyDictionary:
    """Token counts and document frequencies of a corpus.

    Parameters
    ----------
    counts : collections.Counter
        Occurrences of each token.
    doc_freqs : collections.Counter
        Number of documents each token occurs in.
    n_documents : int
        Number of documents counted, including those without tokens.
    settings : dict
        The settings the corpus was cleaned and tokenized with, recorded in the file.
    """

    counts: Counter[str] = field(default_factory=Counter)
    doc_freqs: Counter[str] = field(default_factory=Counter)
    n_documents: int = 0
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def n_tokens(self) -> int:
        """Total number of token occurrences."""
        return sum(self.counts.values())

    def __len__(self) -> int:
        return len(self.counts)

    def __contains__(self, token: object) -> bool:
        return token in self.counts

    def add_document(self, tokens: Iterable[str]) -> None:
        """Count the tokens of one document."""
        doc_counts = Counter(tokens)
        self.counts.update(doc_counts)
        self.doc_freqs.update(doc_counts.keys())
        self.n_documents += 1

    def merge(self, other: FrequencyDictionary) -> None:
        """Add the counts of ``other`` to this dictionary in place."""
        self.counts.update(other.counts)
        self.doc_freqs.update(other.doc_freqs)
        self.n_documents += other.n_documents

    def sorted_tokens(self) -> list[str]:
        """Return the tokens by count descending, ties by token."""
        return sorted(self.counts, key=lambda token: (-self.counts[token], token))

    def subset(self, tokens: Iterable[str]) -> FrequencyDictionary:
        """Return a dictionary with only ``tokens``, keeping the document total."""
        keep = [token for token in tokens if token in self.counts]
        return FrequencyDictionary(
            Counter({token: self.counts[token] for token in keep}),
            Counter({token: self.doc_freqs[token] for token in keep}),
            self.n_documents,
            dict(self.settings),
        )

    def save(self, path: PathLike) -> None:
        """Write the dictionary as TSV to ``path`` (``"-"`` for standard output)."""
        with atomic_output(path) as handle:
            write_counts(self, handle)


def write_counts(counts: FrequencyDictionary, handle: Any) -> None:
    """Write ``counts`` in the TSV format to an open text stream."""
    handle.write(FORMAT_LINE + "\n")
    handle.write(f"# documents {counts.n_documents}\n")
    handle.write(f"# tokens {counts.n_tokens}\n")
    handle.write(f"# settings {json.dumps(counts.settings, sort_keys=True)}\n")
    for token in counts.sorted_tokens():
        handle.write(f"{token}\t{counts.counts[token]}\t{counts.doc_freqs[token]}\n")


def _parse_header(
    line: str, result: FrequencyDictionary, name: str, number: int
) -> int | None:
    """Store one ``# `` header line in ``result``; return a recorded token total."""
    key, _, value = line[2:].partition(" ")
    if key == "textprune-counts" and value.strip() != "1":
        raise InputFormatError(
            f"unsupported counts format version {value.strip()!r}; this textprune "
            "reads version 1, so upgrade textprune or regenerate the file",
            path=name,
            line=number,
        )
    try:
        if key == "documents":
            result.n_documents = int(value)
            if result.n_documents < 0:
                raise ValueError(value)
        elif key == "tokens":
            return int(value)
        elif key == "settings":
            loaded = json.loads(value)
            if isinstance(loaded, dict):
                result.settings = loaded
    except (ValueError, json.JSONDecodeError) as exc:
        raise InputFormatError(
            f"invalid header value {value!r} for {key!r}; "
            "regenerate the file with 'textprune count'",
            path=name,
            line=number,
        ) from exc
    return None


def read_counts(path: PathLike) -> FrequencyDictionary:
    """Read a frequency dictionary written by :func:`write_counts`.

    Rows with only a token, or a token and a count, are accepted too: the document
    frequency then defaults to the count (or 1), so plain word lists load.

    Raises
    ------
    InputFormatError
        If a row has a count that is not a non-negative integer, more than three
        fields, or repeats a token; the message names the file and line.
    """
    name = display_name(path)
    result = FrequencyDictionary()
    in_header = True
    header_documents = False
    recorded_tokens: int | None = None
    first_rows: dict[str, int] = {}
    for number, line in iter_text_lines(path):
        if in_header and line.startswith("# "):
            total = _parse_header(line, result, name, number)
            if total is not None:
                recorded_tokens = total
            continue
        if in_header:
            header_documents = result.n_documents > 0
        in_header = False
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) > 3:
            raise InputFormatError(
                f"expected token<TAB>count<TAB>documents, got {len(fields)} fields",
                path=name,
                line=number,
            )
        token = fields[0].strip()
        if not token or any(ch.isspace() for ch in token):
            raise InputFormatError(
                f"invalid token {fields[0]!r}: tokens must be non-empty and "
                "contain no whitespace",
                path=name,
                line=number,
            )
        try:
            count = int(fields[1]) if len(fields) > 1 else 1
            docs = int(fields[2]) if len(fields) > 2 else count
        except ValueError as exc:
            raise InputFormatError(
                f"count {fields[1:]!r} is not an integer; "
                "each row must be token<TAB>count<TAB>documents",
                path=name,
                line=number,
            ) from exc
        if count < 0 or docs < 0:
            raise InputFormatError(
                f"negative count in row {line!r}", path=name, line=number
            )
        if docs > count or (header_documents and docs > result.n_documents):
            raise InputFormatError(
                f"token {token!r} is in {docs} documents, more than its {count} "
                f"occurrences or the file's {result.n_documents} documents; "
                "fix the row or regenerate the file with 'textprune count'",
                path=name,
                line=number,
            )
        if token in first_rows:
            raise InputFormatError(
                f"token {token!r} repeats the row on line {first_rows[token]}; "
                "merge the rows or remove one",
                path=name,
                line=number,
            )
        first_rows[token] = number
        result.counts[token] = count
        result.doc_freqs[token] = docs
    if in_header and not result.counts:
        raise InputFormatError(
            "the file has no word rows; give a frequency dictionary from "
            "'textprune count' or a word list with one word per line",
            path=name,
        )
    if recorded_tokens is not None and recorded_tokens != result.n_tokens:
        logger.warning(
            "%s records %d tokens and its rows sum to %d",
            name,
            recorded_tokens,
            result.n_tokens,
        )
    if result.n_documents == 0 and result.doc_freqs:
        result.n_documents = max(result.doc_freqs.values())
    return result


def read_vocabulary(path: PathLike) -> list[str]:
    """Return the words of a frequency dictionary or a plain word list, in file order.

    A plain word list has one word per line; anything after a tab is ignored.
    """
    return list(read_counts(path).counts)



def merge_counts(
    dictionaries: Iterable[FrequencyDictionary],
    names: Iterable[str] | None = None,
    check_settings: bool = True,
) -> FrequencyDictionary:
    """Return the sum of frequency dictionaries, for a corpus counted in parts.

    Counts, document frequencies and document totals are added. Parts counted
    with different settings are not comparable, so by default they are rejected.

    Parameters
    ----------
    dictionaries : iterable of FrequencyDictionary
        The parts; at least one.
    names : iterable of str, default=None
        A name per part (its file) for error messages.
    check_settings : bool, default=True
        Raise if two parts record different settings. When False, the result
        keeps only the settings on which every part agrees.

    Raises
    ------
    InputFormatError
        If ``check_settings`` is True and the settings differ.
    """
    parts = list(dictionaries)
    if names is None:
        labels = [f"part {number}" for number in range(1, len(parts) + 1)]
    else:
        labels = list(names)
    if not parts:
        raise ValueError("merge_counts needs at least one frequency dictionary")
    settings = dict(parts[0].settings)
    for part, label in zip(parts[1:], labels[1:]):
        differing = sorted(
            key
            for key in settings.keys() | part.settings.keys()
            if settings.get(key) != part.settings.get(key)
        )
        if differing and check_settings:
            raise InputFormatError(
                f"was counted with other settings than {labels[0]} "
                f"(differing: {', '.join(differing)}); count both parts with the "
                "same options, or pass --ignore-settings to merge anyway",
                path=label,
            )
        for key in differing:
            settings.pop(key, None)
    total = FrequencyDictionary(settings=settings)
    for part in parts:
        total.merge(part)
    return total


def to_gensim_dictionary(counts: FrequencyDictionary) -> Any:
    """Return a ``gensim.corpora.Dictionary`` with the same tokens and frequencies.

    Token ids follow the order of the TSV file (count descending, ties by
    token). ``dfs`` contains the document frequencies, ``cfs`` the counts, and
    ``num_docs`` and ``num_pos`` the totals. ``num_nnz`` is the sum of document
    frequencies, the number of (document, token) pairs, as gensim defines it.
    """
    from gensim.corpora import Dictionary

    dictionary = Dictionary()
    tokens = counts.sorted_tokens()
    dictionary.token2id = {token: index for index, token in enumerate(tokens)}
    dictionary.dfs = {
        index: counts.doc_freqs[token] for index, token in enumerate(tokens)
    }
    dictionary.cfs = {index: counts.counts[token] for index, token in enumerate(tokens)}
    dictionary.num_docs = counts.n_documents
    dictionary.num_pos = counts.n_tokens
    dictionary.num_nnz = sum(dictionary.dfs.values())
    return dictionary


def write_gensim_text(counts: FrequencyDictionary, handle: Any) -> None:
    """Write ``counts`` in the text format of gensim's ``Dictionary.save_as_text``.

    The first line is the number of documents, then one ``id<TAB>token<TAB>
    document frequency`` row per token, sorted by token as ``save_as_text`` does
    by default. ``Dictionary.load_from_text`` reads it back; the token counts
    (``cfs``) are not part of that format.
    """
    tokens = counts.sorted_tokens()
    handle.write(f"{counts.n_documents}\n")
    for index, token in sorted(enumerate(tokens), key=lambda pair: pair[1]):
        handle.write(f"{index}\t{token}\t{counts.doc_freqs[token]}\n")


def save_gensim_text(counts: FrequencyDictionary, path: PathLike) -> None:
    """Write ``counts`` for ``gensim.corpora.Dictionary.load_from_text`` to ``path``."""
    with atomic_output(path) as handle:
        write_gensim_text(counts, handle)
