"""Counting a corpus: one function counts a chunk, two engines schedule the chunks.

:func:`count_chunk` reads, decodes, cleans, tokenizes and counts one
:class:`~textprune.corpus.Chunk`. The local engine runs it in a pool of processes,
the dask engine on a Dask cluster. Both add the partial counts together. Addition
does not depend on the order, so every engine and every number of jobs writes the
same bytes.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain, groupby, repeat
from operator import add, itemgetter
from typing import Any

from textprune._io import PathLike, display_name, open_binary
from textprune.corpus import (
    DEFAULT_CHUNK_SIZE,
    STDIN,
    Chunk,
    ChunkError,
    CorpusOptions,
    DecodeFailure,
    DocumentMode,
    decode_block,
    expand_inputs,
    iter_blocks,
    jsonl_documents,
    plan_chunks,
)
from textprune.counts import FrequencyDictionary
from textprune.errors import EmptyResultError, TextpruneError
from textprune.text import CleaningOptions, TextProcessor, validate_lang

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]

_NEWLINE = "\n"

# Seconds to wait for a Dask scheduler to respond.
SCHEDULER_TIMEOUT = 30


@dataclass(frozen=True)
class CountOptions:
    """Everything that decides the counts: cleaning and corpus settings."""

    cleaning: CleaningOptions = field(default_factory=CleaningOptions)
    corpus: CorpusOptions = field(default_factory=CorpusOptions)

    def settings(self) -> dict[str, Any]:
        """Return the settings recorded in the header of a counts file."""
        return {**self.cleaning.settings(), **self.corpus.settings()}


@dataclass
class PartialCounts:
    """Counts of some chunks, before the length limits are applied."""

    counts: Counter[str] = field(default_factory=Counter)
    doc_freqs: Counter[str] = field(default_factory=Counter)
    n_documents: int = 0
    n_bytes: int = 0
    replacements: dict[int, int] = field(default_factory=dict)
    error: ChunkError | None = None

    def add(self, other: PartialCounts) -> PartialCounts:
        """Add ``other`` to these counts in place and return self."""
        add_counts(self.counts, other.counts)
        add_counts(self.doc_freqs, other.doc_freqs)
        self.n_documents += other.n_documents
        self.n_bytes += other.n_bytes
        for index, number in other.replacements.items():
            self.replacements[index] = self.replacements.get(index, 0) + number
        if other.error is not None and (
            self.error is None or other.error.sort_key() < self.error.sort_key()
        ):
            self.error = other.error
        return self

    def __getstate__(self) -> dict[str, Any]:
        # Both counters have the same tokens. Sending the tokens once lets the
        # receiver hash each token once for both, which halves the merge time.
        tokens = list(self.counts)
        state = dict(self.__dict__)
        state["counts"] = (tokens, list(self.counts.values()))
        state["doc_freqs"] = list(map(self.doc_freqs.get, tokens, repeat(0)))
        if len(self.doc_freqs) != len(tokens):
            state["doc_freqs"] = dict(self.doc_freqs)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        tokens, counts = state["counts"]
        doc_freqs = state["doc_freqs"]
        state["counts"] = Counter(dict(zip(tokens, counts)))
        if isinstance(doc_freqs, list):
            doc_freqs = dict(zip(tokens, doc_freqs))
        state["doc_freqs"] = Counter(doc_freqs)
        self.__dict__.update(state)


def add_counts(total: Counter[str], part: Counter[str]) -> None:
    """Add the counts of ``part`` to ``total`` in place.

    Same result as ``total.update(part)``, but iterated in C: ``Counter.update``
    loops in Python when ``total`` is not empty, and merging dominated the main
    process's time.
    """
    tokens = list(part)
    sums = map(add, map(total.get, tokens, repeat(0)), part.values())
    dict.update(total, zip(tokens, sums))


def merge_partials(*parts: PartialCounts) -> PartialCounts:
    """Return the sum of ``parts`` as a new object, leaving them unchanged.

    Dask may run a task again after a worker fails, so a merge task must not
    change its inputs.
    """
    first = parts[0]
    # Copying a Counter into an empty one is a C-level dict copy.
    total = PartialCounts(
        Counter(first.counts),
        Counter(first.doc_freqs),
        first.n_documents,
        first.n_bytes,
        dict(first.replacements),
        first.error,
    )
    for part in parts[1:]:
        total.add(part)
    return total


@dataclass
class CountResult:
    """Result of :func:`count_corpus`: the counts and what was read.

    Parameters
    ----------
    counts : FrequencyDictionary
        The counts, with the settings that produced them.
    files : list of str
        The files read, in order (``-`` for standard input).
    n_bytes : int
        Bytes read, after decompression.
    replacements : dict
        Invalid byte sequences replaced by U+FFFD, per file; only with
        ``encoding_errors="replace"``.
    """

    counts: FrequencyDictionary
    files: list[str]
    n_bytes: int
    replacements: dict[str, int]


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    # Counting makes millions of short-lived lists; the cyclic garbage collector
    # would scan them again and again, although none of them forms a cycle.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _ProcessorCache(threading.local):
    processors: dict[CleaningOptions, TextProcessor]

    def __init__(self) -> None:
        self.processors = {}


_processors = _ProcessorCache()


def _processor(options: CleaningOptions) -> TextProcessor:
    """Return a processor cached per thread, so that patterns are compiled and
    spaCy is loaded once, and no spaCy tokenizer is shared between threads."""
    cache = _processors.processors
    if options not in cache:
        cache[options] = TextProcessor(options)
    return cache[options]


def _chunk_blocks(chunk: Chunk, block_size: int) -> Iterator[tuple[int, bytes]]:
    """Yield ``(offset, bytes)`` blocks of a chunk."""
    if chunk.data is not None:
        yield chunk.start, chunk.data
        return
    if chunk.end is not None:
        with open(chunk.path, "rb") as handle:
            handle.seek(chunk.start)
            yield chunk.start, handle.read(chunk.end - chunk.start)
        return
    offset = 0
    with open_binary(chunk.path) as stream:
        try:
            for block in iter_blocks(stream, block_size):
                yield offset, block
                offset += len(block)
        except (OSError, EOFError) as exc:
            raise TextpruneError(
                f"cannot read the file ({exc}); it may be truncated or corrupt",
                path=display_name(chunk.path),
                offset=offset,
            ) from exc


def _line_documents(text: str) -> tuple[list[str], int]:
    lines = text.split("\n")
    return lines, sum(map(bool, map(str.strip, lines)))


def _line_offset(data: bytes, line_index: int) -> int:
    """Return the offset in ``data`` of the line with 0-based index ``line_index``."""
    offset = 0
    for _ in range(line_index):
        offset = data.index(b"\n", offset) + 1
    return offset


def _chunk_error(
    chunk: Chunk,
    data: bytes,
    offset: int,
    line: int | None,
    failure: tuple[int, str],
) -> ChunkError:
    """Locate a failure at line ``failure[0]`` of the block ``data`` in its file."""
    bad_line, message = failure
    return ChunkError(
        chunk.source_index,
        chunk.path,
        offset + _line_offset(data, bad_line),
        None if line is None else line + bad_line,
        message,
    )


def _count_block(
    text: str, processor: TextProcessor, jsonl_field: str | None, result: PartialCounts
) -> tuple[int, str] | None:
    """Count the documents of one decoded block into ``result``; return the line
    index and message of an invalid JSON Lines record."""
    failure = None
    if jsonl_field is not None:
        documents, bad_line, message = jsonl_documents(text, jsonl_field)
        if bad_line is not None:
            failure = (bad_line, message)
        text = "\n".join(documents)
        n_documents = len(documents)
    else:
        _, n_documents = _line_documents(text)
    tokens = processor.tokenize_block(text)
    result.counts.update(tokens)
    result.counts.pop("\n", None)
    # Group the tokens between "\n" items into lines without a Python loop, and
    # reuse the token objects, whose hashes are already computed.
    lines = map(itemgetter(1), groupby(tokens, _NEWLINE.__eq__))
    result.doc_freqs.update(chain.from_iterable(map(set, lines)))
    result.doc_freqs.pop(_NEWLINE, None)
    result.n_documents += n_documents
    return failure


def count_chunk(
    chunk: Chunk, options: CountOptions, block_size: int = DEFAULT_CHUNK_SIZE
) -> PartialCounts:
    """Count the tokens and documents of one chunk.

    Both engines run this function. It gives the same counts wherever the chunk
    boundaries fall, as long as they are at line ends.

    Returns
    -------
    PartialCounts
        The counts. A decoding or JSON error does not raise: it is stored in
        ``error`` so that the collecting process reports the first one in input
        order, with its line number.
    """
    processor = _processor(options.cleaning)
    corpus = options.corpus
    result = PartialCounts()
    line = chunk.first_line
    with _gc_paused():
        for offset, data in _chunk_blocks(chunk, block_size):
            result.n_bytes += len(data)
            try:
                text, replaced = decode_block(data, corpus, at_start=offset == 0)
            except DecodeFailure as exc:
                error_offset = offset + exc.relative_offset
                error_line = None
                if line is not None:
                    error_line = line + data.count(b"\n", 0, exc.relative_offset)
                result.error = ChunkError(
                    chunk.source_index,
                    chunk.path,
                    error_offset,
                    error_line,
                    exc.message,
                )
                return result
            if replaced:
                result.replacements[chunk.source_index] = (
                    result.replacements.get(chunk.source_index, 0) + replaced
                )
            failure = _count_block(text, processor, corpus.jsonl_field, result)
            if failure is not None:
                result.error = _chunk_error(chunk, data, offset, line, failure)
                return result
            if line is not None:
                line += data.count(b"\n")
    if corpus.document is DocumentMode.FILE:
        # The chunk is a whole file: one document, whatever its lines.
        result.doc_freqs = Counter(dict.fromkeys(result.counts, 1))
        result.n_documents = 1
    return result


def finish_counts(total: PartialCounts, options: CountOptions) -> FrequencyDictionary:
    """Apply the length limits to the summed counts and attach the settings.

    The limits depend only on each token, so applying them to the distinct tokens
    once gives the same counts as dropping each occurrence.
    """
    if total.error is not None:
        raise total.error.to_exception()
    counts = total.counts
    doc_freqs = total.doc_freqs
    cleaning = options.cleaning
    if cleaning.filters_length:
        dropped = [token for token in counts if not cleaning.keeps_token(token)]
        for token in dropped:
            del counts[token]
            del doc_freqs[token]
        logger.info("length limits dropped %d distinct tokens", len(dropped))
    return FrequencyDictionary(counts, doc_freqs, total.n_documents, options.settings())


def _ordered_map(
    function: Callable[[Chunk, Any], Any],
    chunks: Iterable[Chunk],
    options: Any,
    jobs: int,
) -> Iterator[tuple[Chunk, Any]]:
    """Run ``function`` on each chunk in ``jobs`` processes, yielding in order.

    At most ``2 * jobs`` chunks are in flight, so chunks that carry their bytes
    never pile up in memory.
    """
    import multiprocessing

    # spawn, not fork: the parent may run threads (a progress bar, Dask), and a
    # forked child would inherit their locks.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending: deque[tuple[Chunk, Future[Any]]] = deque()
        try:
            for chunk in chunks:
                pending.append((chunk, pool.submit(function, chunk, options)))
                if len(pending) >= 2 * jobs:
                    done_chunk, future = pending.popleft()
                    yield done_chunk, future.result()
            while pending:
                done_chunk, future = pending.popleft()
                yield done_chunk, future.result()
        finally:
            for _, future in pending:
                future.cancel()


def _input_bytes(chunk: Chunk) -> int:
    """Return the bytes of input a chunk stands for, as the progress bar counts."""
    if chunk.data is not None:
        return len(chunk.data)
    if chunk.end is not None:
        return chunk.end - chunk.start
    return 0 if chunk.path == STDIN else os.path.getsize(chunk.path)


def _count_local(
    chunks: Iterable[Chunk], options: CountOptions, jobs: int, progress: Progress
) -> PartialCounts:
    total = PartialCounts()
    if jobs == 1:
        results: Iterable[tuple[Chunk, PartialCounts]] = (
            (chunk, count_chunk(chunk, options)) for chunk in chunks
        )
    else:
        results = _ordered_map(count_chunk, chunks, options, jobs)
    for chunk, part in results:
        total.add(part)
        progress(_input_bytes(chunk))
        if part.error is not None:
            # Results arrive in input order, so this is the first error.
            break
    return total


def _connect(stack: contextlib.ExitStack, scheduler: str | None, workers: int) -> Any:
    """Return a Dask client of ``scheduler``, or of a new local cluster."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise TextpruneError(
            "the dask engine needs dask and distributed; install them with "
            "pip install 'textprune[dask]'"
        ) from exc
    if scheduler is None:
        # Loopback only: a local cluster must not listen on other interfaces.
        cluster = stack.enter_context(
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                host="127.0.0.1",
                dashboard_address=None,
            )
        )
        return stack.enter_context(Client(cluster))
    try:
        return stack.enter_context(Client(scheduler, timeout=SCHEDULER_TIMEOUT))
    except (OSError, TimeoutError, ValueError) as exc:
        raise TextpruneError(
            f"cannot connect to the Dask scheduler at {scheduler!r} ({exc}); "
            "check the address and that the scheduler is running"
        ) from exc


def count_on_dask(
    chunks: Iterable[Chunk],
    options: CountOptions,
    scheduler: str | None,
    workers: int,
    progress: Progress,
) -> PartialCounts:
    """Count ``chunks`` on a Dask cluster and add the partial counts up there.

    The workers read the chunks' files themselves, so every path must name the
    same file on the workers. Partial counts are merged pairwise on the cluster
    as soon as two are ready, and only the total comes back.
    """
    from distributed import as_completed

    with contextlib.ExitStack() as stack:
        client = _connect(stack, scheduler, workers)
        window = 2 * max(1, sum(client.nthreads().values()))
        running = as_completed()
        chunk_bytes: dict[str, int] = {}
        ready: list[Any] = []

        def collect(future: Any) -> None:
            progress(chunk_bytes.pop(future.key, 0))
            ready.append(future)
            if len(ready) >= 2:
                pair = (ready.pop(), ready.pop())
                running.add(client.submit(merge_partials, *pair, pure=False))

        for chunk in chunks:
            future = client.submit(count_chunk, chunk, options, pure=False)
            chunk_bytes[future.key] = _input_bytes(chunk)
            running.add(future)
            while running.count() >= window:
                collect(next(running))
        while running.count():
            collect(next(running))
        return ready[0].result() if ready else PartialCounts()


def _describe_files(files: list[str]) -> str:
    names = [display_name(path) for path in files]
    if len(names) <= 3:
        return ", ".join(names)
    return f"{len(names)} files ({', '.join(names[:3])}, ...)"


def count_corpus(
    inputs: list[PathLike],
    options: CountOptions | None = None,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Progress | None = None,
) -> CountResult:
    """Count the tokens of a corpus into a frequency dictionary.

    Parameters
    ----------
    inputs : list of path
        Files, folders (searched with ``options.corpus.glob``) and ``-``.
    options : CountOptions, default=None
        Cleaning and corpus settings; None uses the defaults.
    jobs : int, default=1
        Processes of the local engine, or workers of a local Dask cluster. The
        processes are started with ``spawn``, so a script must call this under
        ``if __name__ == "__main__":`` when ``jobs`` is above 1.
    engine : {"local", "dask"}, default="local"
        Where the chunks are counted.
    scheduler : str, default=None
        Address of a running Dask scheduler; None starts a local cluster on
        127.0.0.1. Only for ``engine="dask"``.
    chunk_size : int, default=4 MiB
        Bytes per chunk, extended to the next line end.
    progress : callable, default=None
        Called with the number of input bytes after each chunk.

    Returns
    -------
    CountResult
        The counts and what was read. The counts are the same for every
        ``jobs``, ``engine`` and ``chunk_size``.

    Raises
    ------
    TextpruneError
        For a missing input, an invalid byte in strict mode (with the file, line
        and byte offset of the first one), or an invalid JSON Lines record.
    """
    options = options or CountOptions()
    if jobs < 1:
        raise TextpruneError(f"jobs must be 1 or more, got {jobs}")
    if chunk_size < 1:
        raise TextpruneError(f"chunk_size must be 1 or more, got {chunk_size}")
    validate_lang(options.cleaning)
    files = expand_inputs(inputs, options.corpus.glob)
    logger.info(
        "Counting %s with the %s engine, %d job(s), chunks of %d bytes",
        _describe_files(files),
        engine,
        jobs,
        chunk_size,
    )
    report = progress or (lambda n_bytes: None)
    if engine == "local":
        chunks = plan_chunks(files, options.corpus, chunk_size)
        total = _count_local(chunks, options, jobs, report)
    elif engine == "dask":
        if STDIN in files:
            raise TextpruneError(
                "the dask engine cannot read standard input, because the workers "
                "read the files; save the input to a shared file or use "
                "--engine local"
            )
        absolute = [os.path.abspath(path) for path in files]
        chunks = plan_chunks(
            absolute, options.corpus, chunk_size, read_compressed=False
        )
        total = count_on_dask(chunks, options, scheduler, jobs, report)
    else:
        raise TextpruneError(f"engine must be 'local' or 'dask', got {engine!r}")
    counts = finish_counts(total, options)
    if not counts.counts:
        raise EmptyResultError(
            f"no tokens found in {_describe_files(files)} ({total.n_bytes} bytes); "
            "check the inputs, --jsonl-field and the cleaning options"
        )
    replacements = {
        files[index]: number for index, number in total.replacements.items()
    }
    for path, number in replacements.items():
        logger.info(
            "%s: replaced %d invalid byte sequences with U+FFFD",
            display_name(path),
            number,
        )
    return CountResult(counts, files, total.n_bytes, replacements)


@dataclass
class CleanedChunk:
    """The cleaned text of a chunk: one line per document, tokens joined by spaces."""

    text: str = ""
    n_documents: int = 0
    n_tokens: int = 0
    n_unknown: int = 0
    replacements: dict[int, int] = field(default_factory=dict)
    error: ChunkError | None = None


@dataclass(frozen=True)
class CleanOptions:
    """Settings of :func:`clean_corpus`: counting settings plus the vocabulary.

    Parameters
    ----------
    count : CountOptions
        Cleaning and corpus settings.
    vocabulary : frozenset of str, default=None
        Tokens to keep; None keeps every token.
    unknown : str, default=None
        Token that replaces each token outside ``vocabulary``; None drops them.
    """

    count: CountOptions = field(default_factory=CountOptions)
    vocabulary: frozenset[str] | None = None
    unknown: str | None = None


def _document_lines(
    text: str, corpus: CorpusOptions
) -> tuple[list[str], tuple[int, str] | None]:
    """Return the documents of ``text`` (its lines in file mode), and the line
    index and message of an invalid JSON Lines record."""
    if corpus.jsonl_field is not None:
        documents, bad_line, message = jsonl_documents(text, corpus.jsonl_field)
        failure = None if bad_line is None else (bad_line, message)
        return documents, failure
    lines, _ = _line_documents(text)
    if corpus.document is DocumentMode.FILE:
        return lines, None
    return [line for line in lines if line.strip()], None


def _apply_vocabulary(
    lines: list[list[str]], options: CleanOptions, result: CleanedChunk
) -> list[list[str]]:
    vocabulary = options.vocabulary
    if vocabulary is None:
        return lines
    kept_lines = []
    for tokens in lines:
        kept = [token for token in tokens if token in vocabulary]
        result.n_unknown += len(tokens) - len(kept)
        if options.unknown is not None and len(kept) < len(tokens):
            kept = [
                token if token in vocabulary else options.unknown for token in tokens
            ]
        kept_lines.append(kept)
    return kept_lines


def clean_chunk(chunk: Chunk, options: CleanOptions) -> CleanedChunk:
    """Clean and tokenize one chunk into text for word2vec or fastText training."""
    processor = _processor(options.count.cleaning)
    corpus = options.count.corpus
    result = CleanedChunk()
    pieces: list[str] = []
    line = chunk.first_line
    for offset, data in _chunk_blocks(chunk, DEFAULT_CHUNK_SIZE):
        try:
            text, replaced = decode_block(data, corpus, at_start=offset == 0)
        except DecodeFailure as exc:
            error_line = None
            if line is not None:
                error_line = line + data.count(b"\n", 0, exc.relative_offset)
            result.error = ChunkError(
                chunk.source_index,
                chunk.path,
                offset + exc.relative_offset,
                error_line,
                exc.message,
            )
            return result
        if replaced:
            result.replacements[chunk.source_index] = (
                result.replacements.get(chunk.source_index, 0) + replaced
            )
        documents, failure = _document_lines(text, corpus)
        lines: list[list[str]] = []
        if documents:
            tokenized = processor.tokenize_lines("\n".join(documents))
            lines = _apply_vocabulary(tokenized, options, result)
        if corpus.document is DocumentMode.FILE:
            pieces.append(" ".join(chain.from_iterable(lines)))
        else:
            pieces.extend(" ".join(tokens) + "\n" for tokens in lines)
            result.n_documents += len(lines)
        result.n_tokens += sum(map(len, lines))
        if failure is not None:
            result.error = _chunk_error(chunk, data, offset, line, failure)
            break
        if line is not None:
            line += data.count(b"\n")
    if corpus.document is DocumentMode.FILE:
        # NOTE: a whole-file document is one output line, held in memory.
        pieces = [" ".join(piece for piece in pieces if piece) + "\n"]
        result.n_documents = 1
    result.text = "".join(pieces)
    return result


@dataclass
class CleanResult:
    """Totals of :func:`clean_corpus`."""

    files: list[str]
    n_documents: int
    n_tokens: int
    n_unknown: int
    replacements: dict[str, int]


def clean_corpus(
    inputs: list[PathLike],
    output: Any,
    options: CleanOptions | None = None,
    jobs: int = 1,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Progress | None = None,
) -> CleanResult:
    """Write the cleaned, tokenized corpus to the text stream ``output``.

    Each document becomes one line of tokens separated by single spaces, in input
    order, ready for word2vec or fastText training. A document without tokens
    gives an empty line, so line N of the output is document N.

    Parameters
    ----------
    inputs : list of path
        Files, folders and ``-``, as for :func:`count_corpus`.
    output : text stream
        Where the lines go.
    options : CleanOptions, default=None
        Cleaning, corpus and vocabulary settings.
    jobs : int, default=1
        Processes; the output is the same for any number.
    chunk_size : int, default=4 MiB
        Bytes per chunk.
    progress : callable, default=None
        Called with the number of input bytes after each chunk.

    Raises
    ------
    TextpruneError
        As :func:`count_corpus` does.
    """
    options = options or CleanOptions()
    if jobs < 1:
        raise TextpruneError(f"jobs must be 1 or more, got {jobs}")
    validate_lang(options.count.cleaning)
    files = expand_inputs(inputs, options.count.corpus.glob)
    chunks = plan_chunks(files, options.count.corpus, chunk_size)
    if jobs == 1:
        results: Iterable[tuple[Chunk, CleanedChunk]] = (
            (chunk, clean_chunk(chunk, options)) for chunk in chunks
        )
    else:
        results = _ordered_map(clean_chunk, chunks, options, jobs)
    totals = CleanResult(files, 0, 0, 0, {})
    for chunk, part in results:
        if part.error is not None:
            raise part.error.to_exception()
        output.write(part.text)
        totals.n_documents += part.n_documents
        totals.n_tokens += part.n_tokens
        totals.n_unknown += part.n_unknown
        for index, number in part.replacements.items():
            path = files[index]
            totals.replacements[path] = totals.replacements.get(path, 0) + number
        if progress is not None:
            progress(_input_bytes(chunk))
    return totals
